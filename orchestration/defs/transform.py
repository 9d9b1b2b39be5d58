"""dbt models as Dagster assets: staging, intermediate, marts and regulatory layers, per closed quarter."""

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from orchestration import incremental
from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.partitions import quarterly_partitions
from orchestration.defs.raw import DELIVERY_CHECKS, ROW_COUNT
from orchestration.defs.resources import Warehouse
from orchestration.preload import preload

# The close's dbt variables (macros/close_vars.sql): the quarter closed and the first quarter rebuilt.
CLOSE_QUARTER, REBUILD_FROM = "REGWH_CLOSE_QUARTER", "REGWH_REBUILD_FROM"


def is_seed_test(node: Mapping[str, Any]) -> bool:
    """A data test of the reference seeds only (C-ROSS parameters, metric dictionary, periods): it checks the
    project's own files, not a quarter's data. `make test` runs these (tests/test_cross_ii_seeds.py); a close does
    not, and they are no asset checks: 156 of the project's 356 data tests, each about 0.1 s of dbt and of Dagster's
    event log in every close, started before the large models (dbt runs the ready nodes of least depth first)."""
    parents = node["depends_on"].get("nodes", [])
    return node["resource_type"] == "test" and bool(parents) and all(p.startswith("seed.") for p in parents)


@cache
def seed_tests() -> tuple[str, ...]:
    """The seed tests of the parsed project, as dbt selectors (their fully qualified names)."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    return tuple(sorted(".".join(node["fqn"]) for node in manifest["nodes"].values() if is_seed_test(node)))


class RegwhDbtTranslator(DagsterDbtTranslator):
    """Sources are the raw assets; models are grouped by their layer folder; seeds are reference data."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = self.get_resource_props(manifest, unique_id)
        if node["resource_type"] == "source":
            prefix = [] if node["source_name"] == "reserving" else ["raw"]
            return spec.replace_attributes(key=dg.AssetKey([*prefix, node["source_name"], node["name"]]))
        group = node["fqn"][1] if node["resource_type"] == "model" and len(node["fqn"]) > 2 else "reference"
        spec = spec.replace_attributes(group_name=group)
        if group in ("staging", "reference"):
            # Seeds wait for the delivery checks too, so that they build in the same dbt invocation as staging.
            spec = spec.merge_attributes(deps=[DELIVERY_CHECKS])
        return spec

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        """No asset check for a seed test: a close does not run them (``is_seed_test``)."""
        if is_seed_test(manifest["nodes"][unique_id]):
            return None
        return super().get_asset_check_spec(asset_spec, manifest, unique_id, project)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=RegwhDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    partitions_def=quarterly_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=1),
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse) -> Iterator[Any]:
    """``dbt build`` for the quarter being closed (``REGWH_CLOSE_QUARTER`` = partition key; macros/close_vars.sql).

    Dagster runs this in several steps around the reserving assets; ``buildable`` indirect selection keeps
    a test in the step where all its parents exist. dbt unit tests (the hand-worked fixtures, run by
    ``tests/test_hand_worked.py``) check model logic, and the seed tests the project's reference files, not a
    quarter's data, so the close leaves them out.

    The incremental models rebuild the quarters the run's plan says (``REGWH_REBUILD_FROM``): its first dbt step plans
    against the record of the last successful close, or takes the run's ``regwh/rebuild_from`` tag (a quarter or
    ``full``), and its later steps reuse that plan (orchestration/incremental.py). The run's log, and its tag
    ``regwh/incremental``, say which quarters were rebuilt and why.

    Row counts (``dagster/row_count``) of the tables built are read once dbt has exited: DuckDB has one
    writer, so dagster-dbt's ``fetch_row_counts()``, which queries while dbt runs, cannot open the file.
    """
    plan = incremental.for_run(context, warehouse_models.keys)
    context.log.info(f"incremental models: {plan.describe()}")
    start, full = plan.start, plan.start == incremental.FULL
    args = ["build", "--exclude", " ".join(["test_type:unit", *seed_tests()]), "--indirect-selection", "buildable"]
    args += ["--full-refresh"] if full else []
    imports = preload()  # what the validation and reserving steps import, while this process waits on dbt
    try:
        with _dbt_environment({CLOSE_QUARTER: context.partition_key, REBUILD_FROM: "" if full else start}):
            invocation = dbt.cli(args, context=context, raise_on_error=False)
        events = list(invocation.stream())
    finally:
        imports.join()  # before this thread imports anything again, even when dbt's call raised
    _keep_partial_parse(invocation.target_path)
    yield from _with_row_counts(events, invocation, warehouse)
    error = invocation.get_error()
    if error:
        raise error
    # Each dbt call writes its own target folder (about 16 MB: manifest, compiled SQL, run results) into the dbt
    # project; a succeeded step's is in the run's event log already. A failed step's stays, for its compiled SQL.
    shutil.rmtree(invocation.target_path, ignore_errors=True)


def _with_row_counts(events: list[Any], invocation: DbtCliInvocation, warehouse: Warehouse) -> Iterator[Any]:
    """The events, each table materialisation with the table's row count (views are not counted), read through
    the ``warehouse`` resource of either engine (``<schema>.<table>``: the manifest's relation names are DuckDB's)."""
    nodes = invocation.manifest["nodes"]
    with warehouse.get_connection() as con:
        for event in events:
            if isinstance(event, dg.Output) and "unique_id" in event.metadata:
                node = nodes[event.metadata["unique_id"].value]
                if node["config"]["materialized"] in ("table", "seed", *incremental.MATERIALIZATIONS):
                    (count,) = con.execute(f"select count(*) from {node['schema']}.{node['alias']}").fetchone()
                    event = event.with_metadata({**event.metadata, ROW_COUNT: dg.MetadataValue.int(count)})
            yield event


@contextmanager
def _dbt_environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in the environment while dbt's process starts (it inherits it; dagster-dbt's ``cli()`` takes no
    env), then the environment as it was. Not ``--vars``: new vars would make each close parse the whole project."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _keep_partial_parse(invocation_target: Path) -> None:
    """Offer the next dbt call this invocation's parse: the next step of the close, or the next close, whose new
    ``REGWH_CLOSE_QUARTER`` or ``REGWH_REBUILD_FROM`` re-parses only the files that read them.

    dagster-dbt copies ``target/partial_parse.msgpack`` into each invocation's target folder; dbt re-parses
    in full whenever the file was written for another ``$REGWH_HOME`` or other ``--vars``.
    """
    parsed = invocation_target / "partial_parse.msgpack"
    if parsed.exists():
        target = dbt_project.project_dir / dbt_project.target_path
        staged = target / f"partial_parse.msgpack.{os.getpid()}"
        shutil.copyfile(parsed, staged)
        os.replace(staged, target / "partial_parse.msgpack")
