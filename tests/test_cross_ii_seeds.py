"""The reference seeds pass their dbt tests (a close leaves those out), and the README lists every C-ROSS seed row
not yet verified against the rule text."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

from orchestration.defs.transform import seed_tests

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "dbt_project" / "seeds"
DBT = ROOT / ".venv" / "bin" / "dbt"
KEYS = {  # the columns that name a row, as the README quotes them
    "cross_ii_control_risk": ("item",),
    "cross_ii_credit_factors": ("component", "category", "band"),
    "cross_ii_market_factors": ("sub_risk", "instrument"),
    "cross_ii_related_party_thresholds": ("threshold",),
    "cross_ii_rule_versions": ("rule_version",),
}


def _unverified_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Unverified C-ROSS parameters")
    return readme[start : readme.index("\n## ", start)]


def test_every_unverified_seed_row_is_listed_in_the_readme() -> None:
    section = _unverified_section()
    listed = [line for line in section.splitlines() if line.startswith("| cross_ii_")]
    expected = 0
    for path in sorted(SEEDS.glob("cross_ii_*.csv")):
        with path.open(encoding="utf-8") as handle:
            rows = [row for row in csv.DictReader(handle) if row["verified"] == "false"]
        for row in rows:
            expected += 1
            key = [row[column] for column in KEYS[path.stem]]
            lines = [
                line
                for line in listed
                if line.startswith(f"| {path.stem} |") and all(f"`{value}`" in line for value in key)
            ]
            assert lines, f"{path.name}: unverified row {key} is not listed in the README"
    assert expected > 0 and len(listed) == expected


def test_every_dated_rule_version_names_its_first_reporting_quarter() -> None:
    """A notice applies from a reporting quarter (the macro cross_ii_in_force picks versions by it), never before
    the quarter it was issued in."""
    with (SEEDS / "cross_ii_rule_versions.csv").open(encoding="utf-8") as handle:
        versions = [row for row in csv.DictReader(handle) if row["issued_on"]]
    assert len(versions) >= 3
    for row in versions:
        year, month = int(row["issued_on"][:4]), int(row["issued_on"][5:7])
        assert row["applies_from_quarter"] >= f"{year}Q{(month - 1) // 3 + 1}", row["rule_version"]


def test_the_seeds_pass_their_seed_tests(tmp_path: Path) -> None:
    """The tests a close leaves out (``seed_tests``: those of seeds only) are these, and they pass."""
    target, home = tmp_path / "target", tmp_path / "home"
    home.mkdir()
    command = [str(DBT), "build", "--select", "resource_type:seed", "--indirect-selection", "cautious"]
    command += ["--profiles-dir", ".", "--target-path", str(target), "--log-path", str(tmp_path / "logs")]
    env = {**os.environ, "REGWH_HOME": str(home)}
    result = subprocess.run(command, cwd=SEEDS.parent, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    # test.<package>.<name>.<hash> -> <package>.<name>, the selector seed_tests() gives
    tests = {r["unique_id"][5:].rsplit(".", 1)[0]: r["status"] for r in results if r["unique_id"].startswith("test.")}
    assert len(tests) > 100 and set(tests) == set(seed_tests())
    assert set(tests.values()) == {"pass"}, {name: status for name, status in tests.items() if status != "pass"}
