"""The ``warehouse`` resource: one interface for the Python steps, a DuckDB and a Spark implementation.

The Spark implementation is exercised end to end by tests/scale_out/test_spark.py (a close on Spark local mode);
here its reading of Spark's table files and its writing of the reserving estimates, on files laid out as Spark
lays them out, without a JVM.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import settings
from orchestration.defs.resources import DuckDBWarehouse, SparkWarehouse, Warehouse, build_warehouse


def _estimates(ibnr: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line": ["health", "motor"],
            "origin": [date(2025, 1, 1), date(2025, 4, 1)],
            "latest": [100.0, 200.0],
            "ultimate": [100.0 + ibnr, 250.0],
            "ibnr": [ibnr, 50.0],
            "method": ["chain_ladder", "bornhuetter_ferguson"],
        }
    )


def _valuations(warehouse: Warehouse) -> list[tuple]:
    with warehouse.get_connection() as con:
        return con.execute(
            "select valuation_quarter, line, origin, ibnr from reserving.ibnr_estimates order by all"
        ).fetchall()


def _write_three_valuations(warehouse: Warehouse) -> None:
    with warehouse.get_connection() as con:
        warehouse.replace_valuation(con, "ibnr_estimates", _estimates(10.0), "2025Q1")
        warehouse.replace_valuation(con, "ibnr_estimates", _estimates(20.0), "2025Q2")
    with warehouse.get_connection() as con:
        warehouse.replace_valuation(con, "ibnr_estimates", _estimates(30.0), "2025Q1")


EXPECTED = [
    ("2025Q1", "health", date(2025, 1, 1), 30.0),
    ("2025Q1", "motor", date(2025, 4, 1), 50.0),
    ("2025Q2", "health", date(2025, 1, 1), 20.0),
    ("2025Q2", "motor", date(2025, 4, 1), 50.0),
]


def test_duckdb_warehouse_keeps_one_version_per_valuation_quarter(tmp_path: Path) -> None:
    warehouse = DuckDBWarehouse(database=str(tmp_path / "warehouse.duckdb"), connection_config={"threads": 1})
    _write_three_valuations(warehouse)
    assert _valuations(warehouse) == EXPECTED


def test_spark_warehouse_writes_each_valuation_quarter_as_one_lake_file(tmp_path: Path) -> None:
    warehouse = SparkWarehouse(
        home=str(tmp_path), tables=str(settings.spark_warehouse_dir(tmp_path)), connection_config={"threads": 1}
    )
    _write_three_valuations(warehouse)
    assert _valuations(warehouse) == EXPECTED
    folder = settings.reserving_lake_dir(tmp_path) / "ibnr_estimates"
    assert sorted(path.name for path in folder.iterdir()) == ["2025Q1.parquet", "2025Q2.parquet"]
    columns = duckdb.sql(f"describe select * from '{folder}/2025Q1.parquet'").fetchall()
    assert [(name, kind) for name, kind, *_ in columns] == [
        ("line", "VARCHAR"),
        ("origin", "DATE"),
        ("latest", "DOUBLE"),
        ("ultimate", "DOUBLE"),
        ("ibnr", "DOUBLE"),
        ("method", "VARCHAR"),
        ("valuation_quarter", "VARCHAR"),
    ]


def test_spark_warehouse_reads_the_tables_spark_wrote(tmp_path: Path) -> None:
    """Each ``<schema>.db/<table>/`` folder of Spark's warehouse reads as ``<schema>.<table>``, all its part files;
    a folder without Parquet (a table Spark has not written) is no table."""
    table = settings.spark_warehouse_dir(tmp_path) / "marts.db" / "fct_premiums"
    table.mkdir(parents=True)
    (table / "_SUCCESS").touch()
    (settings.spark_warehouse_dir(tmp_path) / "marts.db" / "fct_empty").mkdir()
    for part, (line, amount) in enumerate((("accident", "1.25"), ("health", "2.50"))):
        duckdb.sql(
            f"copy (select '{line}' as line_of_business, cast({amount} as decimal(18, 2)) as earned_premium) "
            f"to '{table}/part-0000{part}-c000.snappy.parquet' (format parquet)"
        )
    with SparkWarehouse(
        home=str(tmp_path), tables=str(settings.spark_warehouse_dir(tmp_path)), connection_config={"threads": 1}
    ).get_connection() as con:
        rows = con.execute(
            "select line_of_business, earned_premium from marts.fct_premiums order by line_of_business"
        ).fetchall()
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    assert rows == [("accident", Decimal("1.25")), ("health", Decimal("2.50"))]
    assert tables == [("marts", "fct_premiums")]


@pytest.mark.parametrize(
    ("target", "kind"),
    [(None, DuckDBWarehouse), ("duckdb", DuckDBWarehouse), ("spark", SparkWarehouse), ("spark_thrift", SparkWarehouse)],
)
def test_regwh_target_selects_the_implementation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str | None, kind: type
) -> None:
    if target:
        monkeypatch.setenv("REGWH_TARGET", target)
    else:
        monkeypatch.delenv("REGWH_TARGET", raising=False)
    assert type(build_warehouse(tmp_path)) is kind


def test_a_home_whose_spill_folder_was_cleared_spills_again(tmp_path: Path) -> None:
    """Clearing ``$REGWH_HOME/tmp`` (to free disk after a large spill) must not break the next close: DuckDB
    creates its temp folder only when it spills, and fails if the folder above it is gone."""
    root = settings.ensure_home(tmp_path)
    shutil.rmtree(root / "tmp", ignore_errors=True)
    settings.ensure_home(root)
    config = {**settings.duckdb_config(root), "memory_limit": "64MB", "threads": 1}
    with duckdb.connect(config=config) as con:
        (count,) = con.execute(
            "select count(distinct i) from (select i, hash(i) as h from range(5000000) t(i) order by h)"
        ).fetchall()[0]
    assert count == 5_000_000
