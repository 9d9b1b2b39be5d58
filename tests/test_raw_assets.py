"""The raw assets over a range of quarters: partitions extracted side by side, committed in quarter order."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pytest

from orchestration import settings
from orchestration.close import CloseError, recheck_delivery_rules
from orchestration.defs.raw import build_raw_asset, is_current, raw_key
from orchestration.defs.resources import WarehouseHome
from orchestration.generator.writer import FileFormat, conform, write_file
from orchestration.ingest import extract_partition, raw_partition_path
from orchestration.landing_contract import get_table
from orchestration.periods import Period, quarter_range
from tests.deliveries import sample_rows, write_csv

PREMIUMS = get_table("policy", "premium_transactions")
QUARTERS = quarter_range(Period.parse("2024Q3"), Period.parse("2025Q2"))


def _deliver(home: Path, quarter: Period, broken: bool = False, fmt: str = "csv") -> Path:
    """A quarter's premium transactions; in Parquet typed as the generator writes them (text when broken)."""
    rows = sample_rows(PREMIUMS, quarter)
    if broken:
        rows[1]["amount"] = "12.3x"
    path = settings.landing_dir(home) / PREMIUMS.system / f"{PREMIUMS.file_stem(quarter.label)}.{fmt}"
    if fmt == "csv":
        return write_csv(path, rows, PREMIUMS.column_names)
    data = pa.Table.from_pylist(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(path, data if broken else conform(PREMIUMS, data), FileFormat("parquet"))
    return path


def _materialize(home: Path, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [build_raw_asset(PREMIUMS)],
        resources={"home": WarehouseHome(path=str(home))},
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": QUARTERS[0].label,
            "dagster/asset_partition_range_end": QUARTERS[-1].label,
        },
        raise_on_error=False,
    )


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        event.partition: event.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.asset_key == raw_key(PREMIUMS)
    }


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_quarter_is_extracted_archived_and_recorded(home: Path, fmt: str) -> None:
    paths = [_deliver(home, quarter, fmt=fmt) for quarter in QUARTERS]
    instance = dg.DagsterInstance.ephemeral()
    first = _materialize(home, instance)
    assert first.success
    metadata = _metadata(first)
    assert sorted(metadata) == [q.label for q in QUARTERS]
    assert all(m["dagster/row_count"].value == 5 and m["unchanged"].value is False for m in metadata.values())
    kept = sorted(p.name for p in settings.deliveries_dir(home).iterdir())
    assert kept == sorted(m["source_sha256"].value for m in metadata.values())  # no staged copy left over
    for path, quarter in zip(paths, QUARTERS, strict=True):  # the archived copy is the delivery, byte for byte
        copy = settings.deliveries_dir(home) / metadata[quarter.label]["source_sha256"].value
        assert copy.read_bytes() == path.read_bytes() and hashlib.sha256(copy.read_bytes()).hexdigest() == copy.name
    outputs = [raw_partition_path(settings.raw_dir(home), PREMIUMS, q) for q in QUARTERS]
    for output, quarter in zip(outputs, QUARTERS, strict=True):
        total = duckdb.sql(f"select sum(amount) from read_parquet('{output}')").fetchall()[0][0]
        assert total == sum(Decimal(row["amount"]) for row in sample_rows(PREMIUMS, quarter))
    written = [(p.stat().st_mtime_ns, p.read_bytes()) for p in outputs]
    assert not list(settings.raw_dir(home).rglob("*.staged"))

    second = _materialize(home, instance)
    assert second.success
    assert all(m["unchanged"].value is True for m in _metadata(second).values())
    assert [(p.stat().st_mtime_ns, p.read_bytes()) for p in outputs] == written


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_earliest_broken_quarter_is_reported_and_nothing_after_it_written(home: Path, fmt: str) -> None:
    paths = [_deliver(home, quarter, index in (1, 3), fmt) for index, quarter in enumerate(QUARTERS)]
    later_broken = paths[3].read_bytes()
    result = _materialize(home, dg.DagsterInstance.ephemeral())
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith(f"{paths[1]}: row 2, column amount: type money")
    [folder] = settings.quarantine_dir(home).iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [paths[1].name, f"{paths[1].name}.error.txt"]
    assert paths[3].read_bytes() == later_broken  # never reached in turn, so not quarantined
    written = [raw_partition_path(settings.raw_dir(home), PREMIUMS, q).exists() for q in QUARTERS]
    assert written == [True, False, False, False]
    assert len(list(settings.deliveries_dir(home).iterdir())) == 1  # the first quarter's; no partial copies
    assert not list(settings.raw_dir(home).rglob("*.staged"))


def test_connections_side_by_side_share_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGWH_DUCKDB_MEMORY_LIMIT", "3GB")
    monkeypatch.setenv("REGWH_DUCKDB_THREADS", "2")
    assert settings.duckdb_config()["memory_limit"] == "3GB"
    shared = settings.duckdb_config(share=2)
    assert (shared["memory_limit"], shared["threads"]) == ("1500MB", 1)
    monkeypatch.setenv("REGWH_DUCKDB_MEMORY_LIMIT", "1GiB")
    assert settings.duckdb_config(share=3)["memory_limit"] == f"{2**30 // 3 // 10**6}MB"


def test_a_partition_is_current_only_while_its_delivery_and_archived_copy_are_unchanged(home: Path) -> None:
    paths = [_deliver(home, quarter) for quarter in QUARTERS]
    assert not any(is_current(PREMIUMS, quarter, home) for quarter in QUARTERS)  # nothing extracted yet
    assert _materialize(home, dg.DagsterInstance.ephemeral()).success
    assert all(is_current(PREMIUMS, quarter, home) for quarter in QUARTERS)

    rows = sample_rows(PREMIUMS, QUARTERS[1])
    rows[0]["amount"] = "999.99"
    write_csv(paths[1], rows, PREMIUMS.column_names)  # redelivered, changed
    kept_before = {p.name for p in settings.deliveries_dir(home).iterdir()}
    paths[3].unlink()  # missing
    assert [is_current(PREMIUMS, quarter, home) for quarter in QUARTERS] == [True, False, True, False]
    assert kept_before == {p.name for p in settings.deliveries_dir(home).iterdir()}  # only hashed, nothing copied


def test_a_rerun_on_unchanged_deliveries_still_refuses_a_broken_cross_delivery_rule(home: Path) -> None:
    policies, claims = get_table("policy", "policies"), get_table("claims", "claims")
    quarter = QUARTERS[-1]
    raw = settings.raw_dir(home)
    landing = settings.landing_dir(home)
    write_csv(landing / "policy" / f"{policies.file_stem(quarter.label)}.csv", sample_rows(policies, quarter),
              policies.column_names)  # fmt: skip
    extract_partition(policies, quarter, landing, raw, b"k", home)
    recheck_delivery_rules(home, [quarter])  # claims not delivered yet: nothing to check
    rows = sample_rows(claims, quarter)
    rows[1]["accident_date"] = "2025-03-15"  # before its policy starts
    write_csv(landing / "claims" / f"{claims.file_stem(quarter.label)}.csv", rows, claims.column_names)
    extract_partition(claims, quarter, landing, raw, b"k", home)
    with pytest.raises(CloseError, match=r"(?s)1 cross-delivery rule\(s\) broken.*2025Q2: .*claim within cover"):
        recheck_delivery_rules(home, [quarter])
