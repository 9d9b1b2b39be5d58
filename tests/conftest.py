"""Shared fixtures: an isolated ``$REGWH_HOME`` and small deliveries built from the landing contract."""

from __future__ import annotations

import os
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
