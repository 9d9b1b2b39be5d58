"""Resources, configured from the environment (``REGWH_HOME``, ``REGWH_TARGET``)."""

import sys
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pandas as pd
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from packaging import version

from orchestration import settings
from orchestration.defs.dbt_project import dbt_executable, dbt_project


class WarehouseHome(dg.ConfigurableResource):
    """The ``$REGWH_HOME`` folder that holds landing, lake, warehouse, quarantine and extracts."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


class Warehouse(dg.ConfigurableResource):
    """The warehouse as the Python steps (reserving, checks, gates, publication) see it, whichever engine built it.

    ``get_connection()`` yields a DuckDB connection on which every table dbt built reads as ``<schema>.<table>``,
    so each step's SQL is written once, in DuckDB's dialect. ``replace_valuation()`` writes one valuation quarter
    of a ``reserving`` table, which dbt reads back as a source.
    """

    @abstractmethod
    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for the duration of the block."""

    @abstractmethod
    def replace_valuation(self, con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, quarter: str) -> None:
        """Make ``frame`` the rows of ``reserving.<table>`` valued at ``quarter`` (a rerun replaces them)."""


class DuckDBWarehouse(Warehouse):
    """The embedded default: ``$REGWH_HOME/warehouse.duckdb``, which dbt-duckdb builds."""

    database: str
    connection_config: dict[str, Any]

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        resource = DuckDBResource(database=self.database, connection_config=self.connection_config)
        with resource.get_connection() as con:
            yield con

    def replace_valuation(self, con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, quarter: str) -> None:
        frame = frame.assign(valuation_quarter=quarter)
        con.execute("create schema if not exists reserving")
        con.register("frame", frame)
        con.execute(f"create table if not exists reserving.{table} as select * from frame limit 0")
        con.execute(f"delete from reserving.{table} where valuation_quarter = ?", [quarter])
        con.execute(f"insert into reserving.{table} by name select * from frame")
        con.unregister("frame")


class SparkWarehouse(Warehouse):
    """The ``spark`` target (``REGWH_TARGET=spark``): the tables Spark built, read where Spark wrote them.

    Spark keeps each table dbt builds as Parquet files under its warehouse folder
    (``$REGWH_HOME/spark/warehouse/<schema>.db/<table>/``). The connection is an in-memory DuckDB with one view
    per table over those files: the Python steps read exactly what Spark computed, with the same SQL as on
    DuckDB, and start no JVM (the embedded Derby metastore admits one, and dbt's holds it while dbt runs).
    Models the Python steps read are tables on Spark (views have no files). The reserving tables are written
    as Parquet in the lake, ``$REGWH_HOME/lake/reserving/<table>/<quarter>.parquet``, which the Spark target
    declares as external tables (``register_lake_sources`` in dbt_project/macros/spark_sources.sql).
    """

    home: str
    tables: str
    connection_config: dict[str, Any]

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(":memory:", config=self.connection_config)
        try:
            root = Path(self.home)
            for folder in sorted(Path(self.tables).glob("*.db/*")):
                self._view(con, folder.parent.name.removesuffix(".db"), folder)
            for folder in sorted(settings.reserving_lake_dir(root).glob("*")):
                self._view(con, "reserving", folder)
            yield con
        finally:
            con.close()

    def replace_valuation(self, con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, quarter: str) -> None:
        folder = settings.reserving_lake_dir(Path(self.home)) / table
        folder.mkdir(parents=True, exist_ok=True)
        # Spark and DuckDB skip files whose name starts with a dot: the quarter's file appears whole or not at all.
        staged = folder / f".{quarter}.parquet"
        con.register("frame", frame.assign(valuation_quarter=quarter))
        con.execute(f"copy (select * from frame) to '{staged}' (format parquet)")
        con.unregister("frame")
        staged.replace(folder / f"{quarter}.parquet")
        self._view(con, "reserving", folder)

    @staticmethod
    def _view(con: duckdb.DuckDBPyConnection, schema: str, folder: Path) -> None:
        """``<schema>.<folder name>`` over the folder's Parquet files (a folder without any is no table yet); a
        table partitioned by quarter (the incremental models) has one ``<column>=<quarter>`` folder per quarter."""
        if any(folder.glob("*.parquet")):
            files = f"read_parquet('{folder}/*.parquet', union_by_name = true)"
        elif any(folder.glob("*=*/*.parquet")):
            files = f"read_parquet('{folder}/*=*/*.parquet', union_by_name = true, hive_partitioning = true)"
        else:
            return
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create or replace view {schema}.{folder.name} as select * from {files}")


class DbtCli(DbtCliResource):
    """dagster-dbt's ``DbtCliResource`` without the two fixed costs of each ``dbt.cli`` call the close does not use.

    dagster-dbt builds a dbt Core adapter in the Dagster process for every call (loading the project, profile and
    macros: about 1 s of CPU) only for ``fetch_row_counts()`` and ``fetch_column_metadata()``, which the close
    does not call (the row counts are read through the ``warehouse`` resource once dbt has exited); and it runs
    ``dbt --version`` in a subprocess (about 2 s) to learn the version of the dbt beside this Python, which the
    installed ``dbt-core`` package states.
    """

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(package_version("dbt-core"))
        return super()._cli_version


def build_warehouse(root: Path) -> Warehouse:
    """The implementation ``$REGWH_TARGET`` selects: Spark for ``spark`` and ``spark_thrift``, else the DuckDB file."""
    if settings.target().startswith("spark"):
        return SparkWarehouse(
            home=str(root),
            tables=str(settings.spark_warehouse_dir(root)),
            connection_config=settings.duckdb_config(root),
        )
    return DuckDBWarehouse(database=str(settings.warehouse_path(root)), connection_config=settings.duckdb_config(root))


def build_resources() -> dict[str, object]:
    root = settings.home()
    return {
        "home": WarehouseHome(path=str(root)),
        "warehouse": build_warehouse(root),
        "dbt": DbtCli(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
