"""Hand-worked fixtures (issue 3) through the project's own model SQL, independent of the demo generator.

The fixtures are dbt unit tests in the models' YAML (``unit_tests:``), each with the arithmetic in its
description: UPR of eleven policies by cohort, the comprehensive investment yield and investable funds, and a small
trial balance mapped to the balance sheet. dbt needs every parent of a unit-tested model to exist, so the
test builds the project ``--empty`` over an empty raw layer (one typed, row-less Parquet file per source
table) and runs the unit tests in the same ``dbt build``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
DBT = REPO / ".venv" / "bin" / "dbt"
SOURCES = DBT_PROJECT / "models" / "staging" / "__sources.yml"

# The reserving assets write these tables; fct_reserves and int_claims__runoff_deviation read them as sources.
IBNR_COLUMNS = """(
    line varchar, origin date, latest double, ultimate double, ibnr double, method varchar,
    valuation_quarter varchar
)"""
RESERVING_TABLES = ("ibnr_estimates", "year_end_ibnr_estimates")


def declared_unit_tests() -> dict[str, str]:
    """The unit tests written in the models' YAML files: name -> model under test."""
    tests = {}
    for path in (DBT_PROJECT / "models").rglob("*.yml"):
        for test in yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests", []):
            tests[test["name"]] = test["model"]
    return tests


def empty_raw_layer(home: Path) -> None:
    """One row-less Parquet file per source table, typed as the landing contract declares."""
    sources = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["sources"]
    with duckdb.connect() as con:
        for source in sources:
            for table in source["tables"]:
                columns = [c for c in table["columns"] if c["name"] != "quarter"]  # the partition folder
                select = ", ".join(f"cast(null as {c['data_type']}) as {c['name']}" for c in columns)
                folder = home / "lake" / "raw" / source["name"] / table["name"] / "quarter=2025Q2"
                folder.mkdir(parents=True)
                con.execute(f"copy (select {select} limit 0) to '{folder / 'data.parquet'}' (format parquet)")


@pytest.fixture(scope="module")
def unit_results(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """``dbt build --empty`` of the unit-tested models and their parents; the unit tests' results."""
    home = tmp_path_factory.mktemp("hand_worked") / "home"
    empty_raw_layer(home)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("create schema reserving")
        for table in RESERVING_TABLES:
            con.execute(f"create table reserving.{table} {IBNR_COLUMNS}")
    target = home / "dbt_target"
    models = sorted(set(declared_unit_tests().values()))
    command = [str(DBT), "build", "--empty", "--select", " ".join(f"+{m}" for m in models)]
    command += ["--exclude", "test_type:data", "--profiles-dir", ".", "--target-path", str(target)]
    command += ["--log-path", str(home / "dbt_logs")]
    env = {**os.environ, "REGWH_HOME": str(home)}
    result = subprocess.run(command, cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return [r for r in results if r["unique_id"].startswith("unit_test.")]


def test_every_hand_worked_fixture_ran_and_passed(unit_results: list[dict]) -> None:
    ran = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in unit_results}
    assert len(ran) >= 9  # UPR, reserves, investment income, yield, premium share, ledger, balance sheet (3)
    assert set(ran) == set(declared_unit_tests())
    assert set(ran.values()) == {"pass"}, ran
