"""``regwh reproduce``: rebuild a published package from the deliveries its manifest lists and compare.

Every input of a package is kept in ``$REGWH_HOME/deliveries/<sha256>`` (``orchestration.deliveries``). A
reproduction lays exactly those files out as a landing folder in a scratch home, closes the package's period
there in a separate process (its own DuckDB file, lake and Dagster instance; the published home is only read)
and compares the rebuilt package with the published one, file by file: a package is deterministic (no
timestamps inside its files; the manifest's ``published_at`` and ``run_id`` are the manifest's own), so every
file listed in the manifest must come back byte for byte.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration import deliveries, settings
from orchestration.periods import Period
from orchestration.publish import MANIFEST, code_version, latest_package


class ReproductionError(Exception):
    """A package could not be rebuilt from its inputs."""


@dataclass(frozen=True)
class Reproduction:
    """The rebuilt package beside the published one."""

    published: Path
    rebuilt: Path
    identical: list[str]
    differing: list[str]
    code_then: str
    code_now: str

    @property
    def reproduced(self) -> bool:
        return not self.differing


def stage_inputs(manifest: dict, root: Path, scratch: Path) -> int:
    """Copy each archived input to its landing path under ``scratch``; return how many."""
    problems = deliveries.missing_inputs(manifest["inputs"], root, recompute=True)
    if problems:
        raise ReproductionError("inputs not in the delivery archive:\n  " + "\n  ".join(problems))
    for item in manifest["inputs"]:
        target = scratch / item["file"]
        if not target.resolve().is_relative_to(settings.landing_dir(scratch).resolve()):
            raise ReproductionError(f"input {item['file']!r} is not a landing file")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(deliveries.archived(item["sha256"], root), target)
    return len(manifest["inputs"])


def _close_in(scratch: Path, period: str) -> None:
    """Close ``period`` in a separate process whose ``$REGWH_HOME`` is ``scratch``."""
    env = {**os.environ, "REGWH_HOME": str(scratch), "DAGSTER_HOME": str(settings.dagster_home(scratch))}
    command = [sys.executable, "-m", "orchestration.cli", "close", "--period", period]
    done = subprocess.run(command, env=env, cwd=settings.REPO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise ReproductionError(f"the close of {period} on the archived inputs failed:\n{done.stderr[-4000:]}")


def reproduce(package: Path, root: Path, scratch: Path) -> Reproduction:
    """Rebuild ``package`` (published under ``root``) from its archived inputs in the empty folder ``scratch``."""
    manifest_path = package / MANIFEST
    if not manifest_path.exists():
        raise ReproductionError(f"{manifest_path} is missing")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if scratch.exists() and any(scratch.iterdir()):
        raise ReproductionError(f"{scratch} is not empty")
    settings.ensure_home(scratch)
    key = root / ".pii_key"
    if key.exists() and not os.environ.get("REGWH_PII_KEY"):  # the same tokens as the published run
        shutil.copyfile(key, scratch / ".pii_key")
        (scratch / ".pii_key").chmod(0o600)
    stage_inputs(manifest, root, scratch)
    _close_in(scratch, manifest["period"])
    rebuilt = latest_package(Period.parse(manifest["period"]), scratch)
    if rebuilt is None:
        raise ReproductionError(f"the close of {manifest['period']} published nothing in {scratch}")
    identical, differing = compare(manifest, json.loads((rebuilt / MANIFEST).read_text(encoding="utf-8")))
    return Reproduction(package, rebuilt, identical, differing, manifest.get("code_version", "unknown"), code_version())


def compare(published: dict, rebuilt: dict) -> tuple[list[str], list[str]]:
    """(files with the same sha256 in both manifests, files that differ or are in only one)."""
    ours = {entry["name"]: entry["sha256"] for entry in rebuilt["files"]}
    identical = [entry["name"] for entry in published["files"] if ours.get(entry["name"]) == entry["sha256"]]
    return identical, sorted((set(ours) | {entry["name"] for entry in published["files"]}) - set(identical))
