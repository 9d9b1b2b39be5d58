"""The dbt project; its manifest is (re)parsed when a project file is newer than it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration import settings

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The ``dbt`` beside this Python (the project's virtual environment), else the one on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else shutil.which("dbt") or "dbt"


def _manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    if not manifest.exists():
        return True
    sources = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        sources.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    return max(p.stat().st_mtime for p in sources) > manifest.stat().st_mtime


if _manifest_is_stale(settings.DBT_PROJECT_DIR, dbt_project.manifest_path):
    subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(settings.DBT_PROJECT_DIR)],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, "DBT_PROFILES_DIR": str(settings.DBT_PROJECT_DIR), "REGWH_HOME": str(settings.home())},
        check=True,
    )
