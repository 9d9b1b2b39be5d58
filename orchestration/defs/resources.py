"""Resources, configured from the environment (``REGWH_HOME``, ``REGWH_TARGET``)."""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from orchestration import settings
from orchestration.defs.dbt_project import dbt_executable, dbt_project


class WarehouseHome(dg.ConfigurableResource):
    """The ``$REGWH_HOME`` folder that holds landing, lake, warehouse, quarantine and extracts."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


def build_resources() -> dict[str, object]:
    root = settings.home()
    return {
        "home": WarehouseHome(path=str(root)),
        "warehouse": DuckDBResource(
            database=str(settings.warehouse_path(root)), connection_config=settings.duckdb_config(root)
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
