"""One raw layer, two engines: the dbt project built on Spark local mode equals the DuckDB build.

A small seed delivery is closed on DuckDB (``regwh close``: extraction into the Parquet lake, dbt, reserving,
gate, publication). The same project is then built with ``REGWH_TARGET=spark`` (dbt-spark, ``method:
session``, pyspark in this virtual environment, Java from the machine) from the same lake, and every mart and
regulatory table is compared with DuckDB's: same columns, same row count, every row equal (decimals exactly,
so to the fen).

Reserving: ``fct_reserves`` reads ``reserving.ibnr_estimates``, which the Dagster reserving assets write
into the warehouse between dbt steps (DuckDB only so far). On Spark that table has to exist in the metastore
before ``fct_reserves`` builds; here the DuckDB close's estimates are exported to Parquet and loaded with
the ``load_parquet_table`` operation, which is what a Spark writer of the reserving assets produces.
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

DBT_DIR = REPO / "dbt_project"
CLOSE_QUARTER = "2025Q2"

# Models not built on Spark, with the reason; a model listed here is excluded with everything downstream.
SPARK_GAPS = {
    "fct_related_party_classification": (
        "12 levels of pointer-doubling self-joins over CTEs: Spark 3.5 inlines every CTE reference, so "
        "jump_12 expands to 2^12 copies of the plan and the driver runs out of heap (DuckDB materialises "
        "CTEs). Needs a Spark form (e.g. the levels as ephemeral-free tables, or a dispatch macro)."
    ),
}

# dbt runs in one Python process for both steps, so the JVM and metastore start once.
SPARK_BUILD = """
import json, sys
from dbt.cli.main import dbtRunner
common = json.loads(sys.argv[1])
runner = dbtRunner()
loaded = runner.invoke(["run-operation", "load_parquet_table", "--args", sys.argv[2], *common])
if not loaded.success:
    sys.exit("load_parquet_table failed")
built = runner.invoke(["build", "--vars", sys.argv[3], "--exclude", *sys.argv[4:], *common])
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
    root = tmp_path_factory.mktemp("spark") / "home"
    timings: dict[str, float] = {}
    started = time.monotonic()
    generated = regwh(root, "generate", "--scenario", str(SEED_SCENARIO), "--scale", "0.002", "--seed", "42")
    assert generated.returncode == 0, generated.stderr
    closed = regwh(root, "close", "--period", "2025H1")
    assert closed.returncode == 0, closed.stdout[-3000:] + closed.stderr[-3000:]
    timings["duckdb close"] = time.monotonic() - started

    reserving = root / "lake" / "reserving" / "ibnr_estimates"
    reserving.mkdir(parents=True)
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        con.execute(f"copy reserving.ibnr_estimates to '{reserving / 'data.parquet'}' (format parquet)")

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
            json.dumps({"relation": "reserving.ibnr_estimates", "path": str(reserving)}),
            json.dumps({"close_quarter": CLOSE_QUARTER}),
            *(f"{model}+" for model in SPARK_GAPS),
            "test_type:unit",  # the hand-worked fixtures run on DuckDB (tests/test_hand_worked.py)
        ],
        env=_spark_env(root),
        cwd=root.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    timings["spark build"] = time.monotonic() - started
    out = "\n".join(line for line in result.stdout.splitlines() if " WARN " not in line)
    assert result.returncode == 0, out[-6000:] + result.stderr[-3000:]
    print(f"\nmeasured: {', '.join(f'{k} {v:.0f} s' for k, v in timings.items())}")
    return root, target, timings


def _compared_models(target: Path) -> list[tuple[str, str]]:
    """(schema, name) of every mart and regulatory table the Spark build made."""
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    excluded = set(SPARK_GAPS)
    for node in manifest["nodes"].values():  # and everything downstream of a gap
        if node["resource_type"] == "model" and excluded & {d.split(".")[-1] for d in node["depends_on"]["nodes"]}:
            excluded.add(node["name"])
    return sorted(
        (node["schema"], node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["fqn"][1] in ("marts", "regulatory")
        and node["name"] not in excluded
    )


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {name: kind for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()}


def _side(relation: str, columns: dict[str, str]) -> str:
    """Rows numbered in one order on both engines (decimals ordered at the fen, timestamps as CST)."""
    select, order = [], []
    for name, kind in columns.items():
        value = f"timezone('Asia/Shanghai', {name})" if kind == "TIMESTAMP WITH TIME ZONE" else name
        select.append(f"{value} as {name}")
        rounded = f"round({name}, 2)" if kind.startswith("DECIMAL") or kind in ("DOUBLE", "FLOAT") else value
        order.append(f"{rounded} asc nulls first")
    return f"select {', '.join(select)}, row_number() over (order by {', '.join(order)}) as row_no from {relation}"


def _differences(con: duckdb.DuckDBPyConnection, duck: str, spark: str, columns: dict[str, str]) -> tuple[int, list]:
    """Rows where a value differs: decimals by half a fen or more (Spark's decimal arithmetic may keep fewer
    digits in intermediate ratios than DuckDB), doubles relatively by 1e-9, anything else at all."""
    tests = []
    for name, kind in columns.items():
        if kind.startswith("DECIMAL"):
            tests.append(f"(d.{name} is null) <> (s.{name} is null) or abs(d.{name} - s.{name}) >= 0.005")
        elif kind in ("DOUBLE", "FLOAT"):
            tests.append(f"(d.{name} is null) <> (s.{name} is null) or abs(d.{name} - s.{name}) > 1e-9 * abs(d.{name})")
        else:
            tests.append(f"d.{name} is distinct from s.{name}")
    query = f"from ({duck}) as d full join ({spark}) as s using (row_no) where {' or '.join(f'({t})' for t in tests)}"
    count = con.execute(f"select count(*) {query}").fetchone()[0]
    sample = con.execute(f"select d.*, s.* {query} limit 2").fetchall() if count else []
    return count, sample


def test_spark_builds_every_mart_and_regulatory_table_equal_to_duckdb(both_builds) -> None:
    root, target, _ = both_builds
    models = _compared_models(target)
    assert len(models) >= 14, models
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


def test_spark_gaps_are_real_models() -> None:
    """A gap that no longer exists (renamed, removed) must come off the list."""
    for model in SPARK_GAPS:
        assert list((DBT_DIR / "models").rglob(f"{model}.sql")), model
