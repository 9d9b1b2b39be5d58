"""Landing tables (external, delivered by the source systems) and their raw-layer extraction per quarter."""

import json
from pathlib import Path

import dagster as dg

from orchestration import deliveries, settings
from orchestration.defs.partitions import quarterly_partitions
from orchestration.defs.resources import WarehouseHome
from orchestration.delivery_rules import check_cross_table
from orchestration.ingest import LandingError, extract_partition, file_sha256, find_delivery, quarantine
from orchestration.landing_contract import Table, load_contracts
from orchestration.periods import Period

SOURCE_RECORD = "_source.json"
DELIVERY_CHECKS = dg.AssetKey(["raw", "delivery_checks"])
ROW_COUNT = "dagster/row_count"  # the metadata key the UI shows as a table's row count


def landing_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey(["landing", table.system, table.name])


def raw_key(table: Table) -> dg.AssetKey:
    return dg.AssetKey(["raw", table.system, table.name])


def source_record(partition_file: Path) -> dict | None:
    """What a raw partition was extracted from (landing file, sha256, rows), or None if never extracted."""
    record = partition_file.parent / SOURCE_RECORD
    return json.loads(record.read_text()) if record.exists() else None


def _extract_one(table: Table, quarter: Period, root: Path, log: dg.DagsterLogManager) -> dict:
    landing, raw = settings.landing_dir(root), settings.raw_dir(root)
    source = find_delivery(landing, table, quarter)
    output = raw / table.system / table.name / f"quarter={quarter.label}" / "data.parquet"
    previous = source_record(output)
    sha = file_sha256(source)
    try:
        kept = deliveries.keep(source, sha, root)
    except deliveries.DeliveryChanged as error:
        raise dg.Failure(str(error)) from error
    if previous and previous["sha256"] == sha and output.exists():
        return {**previous, "unchanged": True}
    result = extract_partition(table, quarter, landing, raw, settings.pii_key(root), root / "tmp", sha)
    record = {
        "file": str(source.relative_to(root)),
        "sha256": result.source_sha256,
        "rows": result.rows,
        "archive": str(kept.relative_to(root)),
    }
    (output.parent / SOURCE_RECORD).write_text(json.dumps(record, sort_keys=True))
    log.info(f"{table.key} {quarter.label}: {result.rows} rows from {source.name}")
    return {**record, "unchanged": False}


def build_raw_asset(table: Table) -> dg.AssetsDefinition:
    """One raw asset per landing table: validate each quarter's delivery and write typed Parquet."""

    @dg.multi_asset(
        name=f"raw__{table.system}__{table.name}",
        specs=[
            dg.AssetSpec(
                raw_key(table),
                deps=[landing_key(table)],
                group_name="raw",
                description=f"{table.description.strip()} Validated against the landing contract; typed Parquet.",
                kinds={"parquet", "duckdb"},
                metadata={"contract": f"orchestration/contracts/{table.system}.yaml#{table.name}"},
            )
        ],
        partitions_def=quarterly_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def _extract(context: dg.AssetExecutionContext, home: WarehouseHome) -> None:
        for key in context.partition_keys:
            quarter = Period.parse(key)
            try:
                record = _extract_one(table, quarter, home.root, context.log)
            except LandingError as error:
                if error.rule != "delivery missing":
                    folder = quarantine(error, settings.quarantine_dir(home.root))
                    raise dg.Failure(
                        description=f"{error} (delivery moved to {folder})",
                        metadata={
                            "file": str(error.file),
                            "row": error.row or 0,
                            "column": error.column or "",
                            "rule": error.rule,
                            "quarantine": str(folder),
                        },
                    ) from error
                raise dg.Failure(
                    description=str(error), metadata={"file": str(error.file), "rule": error.rule}
                ) from error
            # On the materialisation of this partition (a separate AssetMaterialization would be followed by
            # the output's own, without metadata, and the UI shows the latest).
            context.add_asset_metadata(
                {
                    ROW_COUNT: dg.MetadataValue.int(record["rows"]),
                    "source_file": record["file"],
                    "source_sha256": record["sha256"],
                    "unchanged": record["unchanged"],
                },
                asset_key=raw_key(table),
                partition_key=key,
            )

    return _extract


landing_specs = [
    dg.AssetSpec(
        landing_key(table),
        group_name="landing",
        description=f"{table.description.strip()} Delivered as "
        f"`landing/{table.system}/{table.name}_<YYYYQn>.csv|parquet`.",
        kinds={"csv"},
        metadata={"primary_key": ", ".join(table.primary_key), "kind": table.kind},
    )
    for table in load_contracts()
]
raw_assets = [build_raw_asset(table) for table in load_contracts()]


@dg.multi_asset(
    name="raw__delivery_checks",
    specs=[
        dg.AssetSpec(
            DELIVERY_CHECKS,
            group_name="raw",
            deps=[raw_key(table) for table in load_contracts()],
            description="Rules across deliveries (claim within cover, payment after report, party in the register, "
            "trial balance rolls forward): the warehouse is built only when none is broken.",
            kinds={"duckdb"},
        )
    ],
    partitions_def=quarterly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def delivery_checks(context: dg.AssetExecutionContext, home: WarehouseHome) -> None:
    for key in context.partition_keys:
        findings = check_cross_table(settings.raw_dir(home.root), Period.parse(key))
        if findings:
            raise dg.Failure(
                description=f"{len(findings)} cross-delivery rule(s) broken in {key}:\n"
                + "\n".join(str(f) for f in findings[:20]),
                metadata={"findings": len(findings)},
            )
        context.add_asset_metadata({"findings": 0}, asset_key=DELIVERY_CHECKS, partition_key=key)
