"""The raw assets over a range of quarters: partitions extracted side by side, committed in quarter order."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from orchestration import settings
from orchestration.defs.raw import build_raw_asset, raw_key
from orchestration.defs.resources import WarehouseHome
from orchestration.ingest import raw_partition_path
from orchestration.landing_contract import get_table
from orchestration.periods import Period, quarter_range
from tests.deliveries import sample_rows, write_csv

PREMIUMS = get_table("policy", "premium_transactions")
QUARTERS = quarter_range(Period.parse("2024Q3"), Period.parse("2025Q2"))


def _deliver(home: Path, quarter: Period, broken: bool = False) -> Path:
    rows = sample_rows(PREMIUMS, quarter)
    if broken:
        rows[1]["amount"] = "12.3x"
    path = settings.landing_dir(home) / PREMIUMS.system / f"{PREMIUMS.file_stem(quarter.label)}.csv"
    return write_csv(path, rows, PREMIUMS.column_names)


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


def test_every_quarter_is_extracted_archived_and_recorded(home: Path) -> None:
    for quarter in QUARTERS:
        _deliver(home, quarter)
    instance = dg.DagsterInstance.ephemeral()
    first = _materialize(home, instance)
    assert first.success
    metadata = _metadata(first)
    assert sorted(metadata) == [q.label for q in QUARTERS]
    assert all(m["dagster/row_count"].value == 5 and m["unchanged"].value is False for m in metadata.values())
    kept = sorted(p.name for p in settings.deliveries_dir(home).iterdir())
    assert kept == sorted(m["source_sha256"].value for m in metadata.values())  # no staged copy left over
    outputs = [raw_partition_path(settings.raw_dir(home), PREMIUMS, q) for q in QUARTERS]
    written = [(p.stat().st_mtime_ns, p.read_bytes()) for p in outputs]
    assert not list(settings.raw_dir(home).rglob("*.staged"))

    second = _materialize(home, instance)
    assert second.success
    assert all(m["unchanged"].value is True for m in _metadata(second).values())
    assert [(p.stat().st_mtime_ns, p.read_bytes()) for p in outputs] == written


def test_the_earliest_broken_quarter_is_reported_and_nothing_after_it_written(home: Path) -> None:
    paths = [_deliver(home, quarter, broken=index in (1, 3)) for index, quarter in enumerate(QUARTERS)]
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
