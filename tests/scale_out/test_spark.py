"""One raw layer, two engines: the dbt project built on Spark local mode equals the DuckDB build.

A small seed delivery is closed on DuckDB (``regwh close``: extraction into the Parquet lake, dbt, reserving,
gate, publication). The same project is then built with ``REGWH_TARGET=spark`` (dbt-spark, ``method:
session``, pyspark in this virtual environment, Java from the machine: without it the tests fail under CI
and are skipped elsewhere) from the same lake, and every mart and regulatory table is compared with DuckDB's:
same columns, same row count, every row equal (decimals exactly at their declared scale, so to the fen; see
dbt_project/macros/numbers.sql for how the arithmetic stays equal).

Reserving: ``fct_reserves`` and ``int_claims__runoff_deviation`` read ``reserving.ibnr_estimates`` and
``reserving.year_end_ibnr_estimates``, which the Dagster reserving assets write into the warehouse between dbt
steps (DuckDB only so far). On Spark these tables have to exist in the metastore before the models build; here
the DuckDB close's estimates are exported to Parquet and loaded with the ``load_parquet_table`` operation, which
is what a Spark writer of the reserving assets produces.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, SEED_SCENARIO, regwh, regwh_env
from tests.scale_out.machine import java

DBT_DIR = REPO / "dbt_project"
CLOSE_QUARTER = "2025Q2"
RESERVING_TABLES = ("ibnr_estimates", "year_end_ibnr_estimates")

# dbt runs in one Python process for both steps, so the JVM and metastore start once.
SPARK_BUILD = """
import json, sys
from dbt.cli.main import dbtRunner
common = json.loads(sys.argv[1])
runner = dbtRunner()
for table in json.loads(sys.argv[2]):
    loaded = runner.invoke(["run-operation", "load_parquet_table", "--args", json.dumps(table), *common])
    if not loaded.success:
        sys.exit("load_parquet_table failed")
# the hand-worked unit tests run on DuckDB (tests/test_hand_worked.py)
built = runner.invoke(["build", "--vars", sys.argv[3], "--exclude", "test_type:unit", *common])
sys.exit(0 if built.success else 1)
"""


def _spark_env(root: Path) -> dict[str, str]:
    return regwh_env(
        root,
        REGWH_TARGET="spark",
        DBT_PROFILES_DIR=str(DBT_DIR),
        REGWH_SPARK_CODEGEN="false",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        PYSPARK_PYTHON=sys.executable,
    )


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, float]]:
    """A closed scale-0.002 delivery (DuckDB) and the Spark build of the same lake."""
    java()
    root = tmp_path_factory.mktemp("spark") / "home"
    timings: dict[str, float] = {}
    started = time.monotonic()
    generated = regwh(
        root, "generate", "--scenario", str(SEED_SCENARIO), "--scale", "0.002", "--seed", "42", "--no-calibrate"
    )
    assert generated.returncode == 0, generated.stderr
    closed = regwh(root, "close", "--period", "2025H1")
    assert closed.returncode == 0, closed.stdout[-3000:] + closed.stderr[-3000:]
    timings["duckdb close"] = time.monotonic() - started

    reserving = []
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        for table in RESERVING_TABLES:
            folder = root / "lake" / "reserving" / table
            folder.mkdir(parents=True)
            con.execute(f"copy reserving.{table} to '{folder / 'data.parquet'}' (format parquet)")
            reserving.append({"relation": f"reserving.{table}", "path": str(folder)})

    target = root.parent / "dbt-spark-target"
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR), "--target-path", str(target)]
    common += ["--log-path", str(target / "logs")]
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SPARK_BUILD,
            json.dumps(common),
            json.dumps(reserving),
            json.dumps({"close_quarter": CLOSE_QUARTER}),
        ],
        env=_spark_env(root),
        cwd=root.parent,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    timings["spark build"] = time.monotonic() - started
    out = "\n".join(line for line in result.stdout.splitlines() if " WARN " not in line)
    assert result.returncode == 0, out[-6000:] + result.stderr[-3000:]
    print(f"\nmeasured: {', '.join(f'{k} {v:.0f} s' for k, v in timings.items())}")
    return root, target, timings


def _compared_models(target: Path) -> list[tuple[str, str]]:
    """(schema, name) of every mart and regulatory table the Spark build made."""
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return sorted(
        (node["schema"], node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] in ("marts", "regulatory")
    )


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {name: kind for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()}


def _side(relation: str, columns: dict[str, str]) -> str:
    """Rows numbered in one order on both engines (timestamps as CST)."""
    select, order = [], []
    for name, kind in columns.items():
        value = f"timezone('Asia/Shanghai', {name})" if kind == "TIMESTAMP WITH TIME ZONE" else name
        select.append(f"{value} as {name}")
        order.append(f"{value} asc nulls first")
    return f"select {', '.join(select)}, row_number() over (order by {', '.join(order)}) as row_no from {relation}"


def _differences(con: duckdb.DuckDBPyConnection, duck: str, spark: str, columns: dict[str, str]) -> tuple[int, list]:
    """Rows where any value differs at all: decimals at their declared scale (so to the fen and beyond), counts,
    dates, text and booleans exactly."""
    tests = " or ".join(f"d.{name} is distinct from s.{name}" for name in columns)
    query = f"from ({duck}) as d full join ({spark}) as s using (row_no) where {tests}"
    count = con.execute(f"select count(*) {query}").fetchone()[0]
    sample = con.execute(f"select d.*, s.* {query} limit 2").fetchall() if count else []
    return count, sample


def test_spark_builds_every_mart_and_regulatory_table_equal_to_duckdb(both_builds) -> None:
    root, target, _ = both_builds
    models = _compared_models(target)
    every_table = {sql.stem for layer in ("marts", "regulatory") for sql in (DBT_DIR / "models" / layer).glob("*.sql")}
    assert {name for _, name in models} == every_table
    warehouse = root / "spark" / "warehouse"
    con = duckdb.connect()
    con.execute(f"attach '{root / 'warehouse.duckdb'}' as duck (read_only)")
    con.execute("set TimeZone = 'Asia/Shanghai'")
    problems = []
    for schema, name in models:
        files = warehouse / f"{schema}.db" / name
        assert files.is_dir(), f"{schema}.{name} not built on Spark"
        con.execute(f"create or replace temp view spark_side as select * from read_parquet('{files}/*.parquet')")
        duck_columns = _columns(con, f"duck.{schema}.{name}")
        spark_columns = _columns(con, "spark_side")
        if sorted(duck_columns) != sorted(spark_columns):
            problems.append(f"{schema}.{name}: columns {list(duck_columns)} vs {list(spark_columns)}")
            continue
        duck_rows, spark_rows = con.execute(
            f"select (select count(*) from duck.{schema}.{name}), (select count(*) from spark_side)"
        ).fetchone()
        differing, sample = _differences(
            con, _side(f"duck.{schema}.{name}", duck_columns), _side("spark_side", duck_columns), duck_columns
        )
        if duck_rows != spark_rows or differing:
            problems.append(
                f"{schema}.{name}: {duck_rows} rows on DuckDB, {spark_rows} on Spark, {differing} differ, e.g. {sample}"
            )
    assert not problems, "\n".join(problems)


def test_spark_state_stays_under_regwh_home(both_builds) -> None:
    root, _, _ = both_builds
    spark = root / "spark"
    assert (spark / "metastore_db").is_dir() and (spark / "warehouse").is_dir()
    assert not (root.parent / "metastore_db").exists() and not (root.parent / "spark-warehouse").exists()
    assert not (REPO / "metastore_db").exists() and not (REPO / "spark-warehouse").exists()
    assert not (DBT_DIR / "metastore_db").exists()
