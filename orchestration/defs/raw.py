"""Landing tables (external, delivered by the source systems) and their raw-layer extraction per quarter."""

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration import deliveries, settings
from orchestration.defs.partitions import quarterly_partitions
from orchestration.defs.resources import WarehouseHome
from orchestration.delivery_rules import check_cross_table
from orchestration.ingest import (
    LandingError,
    StagedPartition,
    file_sha256,
    find_delivery,
    quarantine,
    raw_partition_path,
    stage_partition,
)
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


@dataclass(frozen=True)
class _Prepared:
    """One partition read and validated, written beside its place; committed (or discarded) in quarter order."""

    quarter: Period
    record: dict
    scanned: deliveries.Scan | None = None  # None: nothing to archive
    staged: StagedPartition | None = None  # None: the delivery is unchanged


def is_current(table: Table, quarter: Period, root: Path) -> bool:
    """Whether the quarter's delivery of ``table`` is extracted and archived as it stands (same sha256): hashed
    only. False for a delivery that is new, changed, missing or whose archived copy is gone."""
    output = raw_partition_path(settings.raw_dir(root), table, quarter)
    previous = source_record(output)
    if previous is None or not output.exists() or not deliveries.archived(previous["sha256"], root).exists():
        return False
    try:
        source = find_delivery(settings.landing_dir(root), table, quarter)
    except LandingError:
        return False
    return file_sha256(source) == previous["sha256"]


def _prepare(table: Table, quarter: Period, root: Path, config: dict[str, str | int]) -> _Prepared:
    """Read the quarter's delivery once (sha256, UTF-8, archive copy) and stage its raw partition; writes nothing
    in place, so partitions can be prepared side by side."""
    landing, raw = settings.landing_dir(root), settings.raw_dir(root)
    source = find_delivery(landing, table, quarter)
    output = raw_partition_path(raw, table, quarter)
    previous = source_record(output)
    kept = previous is not None and output.exists()
    if is_current(table, quarter, root):
        return _Prepared(quarter, {**previous, "unchanged": True})  # the usual re-close: hashed only, no copy
    scanned = deliveries.scan(source, root)
    if kept and scanned.sha256 == previous["sha256"]:  # unchanged, but its archived copy was missing
        return _Prepared(quarter, {**previous, "unchanged": True}, scanned)
    try:
        staged = stage_partition(
            table, quarter, landing, raw, settings.pii_key(root), root / "tmp", scanned.sha256, scanned.utf8, config
        )
    except BaseException:
        deliveries.discard(scanned)
        raise
    record = {
        "file": str(source.relative_to(root)),
        "sha256": scanned.sha256,
        "rows": staged.result.rows,
        "archive": str(deliveries.archived(scanned.sha256, root).relative_to(root)),
    }
    return _Prepared(quarter, {**record, "unchanged": False}, scanned, staged)


def _commit(prepared: _Prepared, root: Path) -> None:
    """Archive the delivery, move the partition into the raw layer and record its source."""
    if prepared.scanned is not None:
        deliveries.archive(prepared.scanned, root)
    if prepared.staged is None:
        return
    os.replace(prepared.staged.staged, prepared.staged.output)
    record = {key: value for key, value in prepared.record.items() if key != "unchanged"}
    (prepared.staged.output.parent / SOURCE_RECORD).write_text(json.dumps(record, sort_keys=True))


def _discard(future: Future[_Prepared]) -> None:
    """Drop what a prepared partition staged and did not commit (nothing after a failed partition is)."""
    if future.cancel() or future.exception() is not None:
        return
    prepared = future.result()
    if prepared.scanned is not None:
        deliveries.discard(prepared.scanned)
    if prepared.staged is not None:
        prepared.staged.staged.unlink(missing_ok=True)


def _failure(error: LandingError, root: Path) -> dg.Failure:
    if error.rule == "delivery missing":
        return dg.Failure(description=str(error), metadata={"file": str(error.file), "rule": error.rule})
    folder = quarantine(error, settings.quarantine_dir(root))
    return dg.Failure(
        description=f"{error} (delivery moved to {folder})",
        metadata={
            "file": str(error.file),
            "row": error.row or 0,
            "column": error.column or "",
            "rule": error.rule,
            "quarantine": str(folder),
        },
    )


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
        # Partitions are prepared two at a time (DuckDB and hashlib release the GIL), each DuckDB connection with
        # its share of the memory and threads, and committed one by one in quarter order: the earliest failing
        # partition is the one reported and quarantined, and nothing after it is written, as if extracted in turn.
        quarters = [Period.parse(key) for key in context.partition_keys]
        workers = min(settings.extract_workers(), len(quarters))
        config = settings.duckdb_config(share=workers)
        extracted, unchanged, rows = 0, 0, 0
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"extract-{table.name}") as pool:
            futures = [pool.submit(_prepare, table, quarter, home.root, config) for quarter in quarters]
            for index, (key, future) in enumerate(zip(context.partition_keys, futures, strict=True)):
                try:
                    prepared = future.result()
                    _commit(prepared, home.root)
                except BaseException as error:
                    for later in futures[index + 1 :]:
                        later.cancel()
                    for staged in futures[index:]:
                        _discard(staged)
                    if isinstance(error, LandingError):
                        raise _failure(error, home.root) from error
                    raise
                record = prepared.record
                extracted, unchanged = extracted + (not record["unchanged"]), unchanged + record["unchanged"]
                rows += record["rows"]
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
        # One log line per step: each is an event written (and synced) to the instance's storage.
        context.log.info(
            f"{table.key} {quarters[0].label}..{quarters[-1].label}: {extracted} extracted, {unchanged} unchanged "
            f"({rows} rows)"
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
