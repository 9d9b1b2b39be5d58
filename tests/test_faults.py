"""Killed closes and concurrent closes: nothing duplicated or partial, the rerun publishes the same package."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, regwh, regwh_env


def _fresh_home(closed: Path, tmp_path: Path) -> Path:
    """A home holding only the deliveries of the closed one."""
    root = tmp_path / "home"
    root.mkdir()
    shutil.copytree(closed / "landing", root / "landing")
    return root


def _start_close(root: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(REPO / ".venv/bin/regwh"), "close", "--period", "2025H1"],
        cwd=REPO,
        env=regwh_env(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float = 600) -> None:
    """SIGKILL the close and everything it started (dbt included) as soon as ``ready()`` holds."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the close ended before the fault point"
        assert time.monotonic() < deadline, "fault point not reached"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def _raw_partitions(root: Path) -> int:
    return len(list((root / "lake" / "raw").glob("*/*/quarter=*/data.parquet")))


FAULT_POINTS: dict[str, Callable[[Path], bool]] = {
    "during extraction": lambda root: _raw_partitions(root) >= 40,
    "during dbt": lambda root: (root / "warehouse.duckdb").exists(),
    "before publication": lambda root: any((root / "validations").glob("*/half_year_disclosure__2025H1.json")),
}


def _package_files(package: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(package.iterdir()) if p.name != "manifest.json"}


@pytest.mark.parametrize("point", list(FAULT_POINTS))
def test_a_killed_close_reruns_to_the_same_package(closed: Path, tmp_path: Path, point: str) -> None:
    root = _fresh_home(closed, tmp_path)
    _kill_when(_start_close(root), lambda: FAULT_POINTS[point](root))
    assert not (root / "extracts" / "2025H1" / "v1").exists() or point == "before publication"
    rerun = regwh(root, "close", "--period", "2025H1")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert sorted(p.name for p in (root / "extracts" / "2025H1").iterdir() if not p.name.startswith(".")) == ["v1"]
    assert _package_files(root / "extracts" / "2025H1" / "v1") == _package_files(closed / "extracts" / "2025H1" / "v1")
    assert not list((root / "lake" / "raw").rglob("*.staged"))
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        facts = con.execute(
            "select count(*), count(distinct premium_transaction_id) from marts.fct_premium_transactions"
        )
        rows, keys = facts.fetchone()
        raw = con.execute(
            f"select count(*) from read_parquet('{root}/lake/raw/policy/premium_transactions/*/data.parquet')"
        ).fetchone()[0]
    assert rows == keys == raw


def test_two_closes_at_once_do_not_corrupt_the_warehouse(closed: Path, tmp_path: Path) -> None:
    root = _fresh_home(closed, tmp_path)
    first = _start_close(root)
    deadline = time.monotonic() + 120
    while not (root / ".close.lock").exists() or not (root / ".close.lock").read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = regwh(root, "close", "--period", "2025H1")
    assert second.returncode == 1
    assert "another close is running" in second.stderr
    assert first.wait(timeout=900) == 0
    assert _package_files(root / "extracts" / "2025H1" / "v1") == _package_files(closed / "extracts" / "2025H1" / "v1")


def test_the_same_inputs_give_byte_identical_package_files(closed: Path, tmp_path: Path) -> None:
    root = _fresh_home(closed, tmp_path)
    result = regwh(root, "close", "--period", "2025H1")
    assert result.returncode == 0, result.stderr[-3000:]
    again = _package_files(root / "extracts" / "2025H1" / "v1")
    assert again == _package_files(closed / "extracts" / "2025H1" / "v1")
    assert {"metrics.csv", "tables.xlsx", "report.pdf", "report.html", "validation.json"} <= set(again)
