"""One raw layer, two engines: the close on Spark local mode publishes what the DuckDB close publishes.

A small seed delivery is closed twice, in two homes: with the embedded default (``regwh close``: extraction into
the Parquet lake, dbt on DuckDB, reserving, gates, publication) and with ``REGWH_TARGET=spark`` (the same
command: dbt-spark, ``method: session``, pyspark in this virtual environment, Java from the machine: without it
the tests fail under CI and are skipped elsewhere). On Spark the Python steps (reserving, the fact-table checks,
the gates and publication) go through the Spark implementation of the ``warehouse`` resource
(``SparkWarehouse``, orchestration/defs/resources.py): they read the tables Spark built and write the reserving
estimates as lake Parquet that dbt on Spark reads back.

Both packages' ``metrics.csv`` (and every other published table) must be equal byte for byte, and every mart and
regulatory table Spark built must equal DuckDB's: same columns, same row count, every row equal (decimals
exactly at their declared scale, so to the fen; see dbt_project/macros/numbers.sql for how the arithmetic stays
equal).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO, SEED_SCENARIO, regwh, regwh_env
from tests.scale_out.machine import java

DBT_DIR = REPO / "dbt_project"
PERIOD = "2025H1"
LAYERS = ("marts", "regulatory")


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
def both_closes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, float]]:
    """The homes of one scale-0.002 delivery closed for 2025H1 on DuckDB and on Spark."""
    java()
    base = tmp_path_factory.mktemp("spark")
    duck, spark = base / "duckdb-home", base / "spark-home"
    timings: dict[str, float] = {}
    generated = regwh(
        duck, "generate", "--scenario", str(SEED_SCENARIO), "--scale", "0.002", "--seed", "42", "--no-calibrate"
    )
    assert generated.returncode == 0, generated.stderr
    shutil.copytree(duck / "landing", spark / "landing")
    started = time.monotonic()
    closed = regwh(duck, "close", "--period", PERIOD)
    assert closed.returncode == 0, closed.stdout[-3000:] + closed.stderr[-3000:]
    timings["duckdb close"] = time.monotonic() - started

    started = time.monotonic()
    closed = subprocess.run(
        [str(REPO / ".venv/bin/regwh"), "close", "--period", PERIOD],
        env=_spark_env(spark),
        cwd=base,
        capture_output=True,
        text=True,
        timeout=2400,
    )
    timings["spark close"] = time.monotonic() - started
    out = "\n".join(line for line in closed.stdout.splitlines() if " WARN " not in line)
    assert closed.returncode == 0, out[-6000:] + closed.stderr[-6000:]
    print(f"\nmeasured: {', '.join(f'{k} {v:.0f} s' for k, v in timings.items())}")
    return duck, spark, timings


def test_spark_close_publishes_the_same_metrics_csv(both_closes) -> None:
    duck, spark, _ = both_closes
    duck_package, spark_package = duck / "extracts" / PERIOD / "v1", spark / "extracts" / PERIOD / "v1"
    assert (spark_package / "metrics.csv").read_bytes() == (duck_package / "metrics.csv").read_bytes()
    tables = sorted(path.name for path in duck_package.glob("*.csv"))
    assert tables == sorted(path.name for path in spark_package.glob("*.csv"))
    differing = [name for name in tables if (duck_package / name).read_bytes() != (spark_package / name).read_bytes()]
    assert not differing, f"published differently on Spark: {differing}"


def test_spark_close_reads_and_writes_through_the_spark_warehouse(both_closes) -> None:
    """Reserving wrote its estimates as lake Parquet, not into a DuckDB file, and the Spark close made no
    warehouse.duckdb."""
    _, spark, _ = both_closes
    assert not (spark / "warehouse.duckdb").exists()
    estimates = spark / "lake" / "reserving" / "ibnr_estimates"
    assert sorted(path.name for path in estimates.glob("*.parquet")) == ["2025Q1.parquet", "2025Q2.parquet"]


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


def test_spark_builds_every_mart_and_regulatory_table_equal_to_duckdb(both_closes) -> None:
    duck, spark, _ = both_closes
    models = [(layer, sql.stem) for layer in LAYERS for sql in sorted((DBT_DIR / "models" / layer).glob("*.sql"))]
    warehouse = spark / "spark" / "warehouse"
    con = duckdb.connect()
    con.execute(f"attach '{duck / 'warehouse.duckdb'}' as duck (read_only)")
    con.execute("set TimeZone = 'Asia/Shanghai'")
    problems = []
    for schema, name in models:
        files = warehouse / f"{schema}.db" / name
        assert files.is_dir(), f"{schema}.{name} not built on Spark"
        # Incremental models are partitioned by quarter on Spark: one folder per quarter, its column in the path.
        parquet = f"read_parquet('{files}/**/*.parquet', hive_partitioning = true)"
        con.execute(f"create or replace temp view spark_side as select * from {parquet}")
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


def test_spark_state_stays_under_regwh_home(both_closes) -> None:
    _, root, _ = both_closes
    spark = root / "spark"
    assert (spark / "metastore_db").is_dir() and (spark / "warehouse").is_dir()
    assert not (root.parent / "metastore_db").exists() and not (root.parent / "spark-warehouse").exists()
    assert not (REPO / "metastore_db").exists() and not (REPO / "spark-warehouse").exists()
    assert not (DBT_DIR / "metastore_db").exists()
