"""Shared fixtures: an isolated ``$REGWH_HOME`` and small deliveries built from the landing contract."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED_SCENARIO = REPO / "scenarios" / "seed_2025h1.yaml"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``$REGWH_HOME`` for one test."""
    root = tmp_path / "home"
    monkeypatch.setenv("REGWH_HOME", str(root))
    monkeypatch.setenv("REGWH_PII_KEY", "test-key")
    from orchestration import settings

    settings.ensure_home(root)
    return root


def regwh_env(root: Path, **extra: str) -> dict[str, str]:
    """Environment for running ``regwh`` in a subprocess against ``root``."""
    env = {**os.environ, "REGWH_HOME": str(root), "DAGSTER_HOME": str(root / "dagster"), "REGWH_PII_KEY": "test-key"}
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


# Runs `regwh close` with an audit hook that fails the process if any scenario (targets) file is opened.
GUARDED_CLOSE = """
import sys
def guard(event, args):
    if event == "open" and isinstance(args[0], str) and (args[0].endswith(".yaml") or args[0].endswith(".yml")):
        name = args[0].replace("\\\\", "/")
        if "scenario" in name or "seed_20" in name or "/shared/reference" in name:
            raise RuntimeError("close opened a scenario file: " + name)
sys.addaudithook(guard)
from orchestration.cli import main
sys.exit(main(sys.argv[1:]))
"""


def regwh(root: Path, *args: str, guarded: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", GUARDED_CLOSE, *args] if guarded else [str(REPO / ".venv/bin/regwh"), *args]
    return subprocess.run(command, env=regwh_env(root, **env), cwd=REPO, capture_output=True, text=True, timeout=900)


def metrics(package: Path) -> dict[str, Decimal | str]:
    """A package's figures: exact decimals, grades (the integrated risk rating) as text."""
    with (package / "metrics.csv").open(encoding="utf-8") as handle:
        return {
            row["metric_code"]: row["value"] if row["unit"] == "grade" else Decimal(row["value"])
            for row in csv.DictReader(handle)
        }


@pytest.fixture(scope="session")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a scale-0.01 seed delivery, closed for 2025H1 without any scenario file in reach."""
    root = tmp_path_factory.mktemp("closed") / "home"
    scenario = root.parent / "scenario.yaml"
    shutil.copy(SEED_SCENARIO, scenario)
    generated = regwh(root, "generate", "--scenario", str(scenario), "--scale", "0.01", "--seed", "7")
    assert generated.returncode == 0, generated.stderr
    scenario.unlink()
    closed = regwh(root, "close", "--period", "2025H1", guarded=True)
    assert closed.returncode == 0, closed.stdout[-3000:] + closed.stderr[-3000:]
    assert (root / "extracts" / "2025H1" / "v1" / "metrics.csv").exists()
    return root
