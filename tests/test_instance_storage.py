"""The local instance a new home gets: Dagster's SQLite files, the event log's engines kept open across events."""

import shutil
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.errors import DagsterInvariantViolationError

from orchestration import settings
from orchestration.instance_storage import LocalStorage, PooledSqliteEventLogStorage

PARTITIONS = dg.StaticPartitionsDefinition([f"p{n}" for n in range(12)])


@dg.asset(partitions_def=PARTITIONS)
def numbered(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"n": int(context.partition_key[1:])})


def _instance(root: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(settings.dagster_home(root)))


def test_new_home_instance_keeps_one_engine_per_shard_and_persists_events(tmp_path: Path) -> None:
    root = settings.ensure_home(tmp_path)
    instance = _instance(root)
    assert instance.get_ref().storage_data.class_name == LocalStorage.__name__
    storage = instance.event_log_storage
    assert isinstance(storage, PooledSqliteEventLogStorage)

    run_ids = []
    for partition in PARTITIONS.get_partition_keys():
        result = dg.materialize([numbered], instance=instance, partition_key=partition)
        assert result.success
        run_ids.append(result.run_id)
    # one engine for the cross-run index and one per run, however many events each stored
    assert len(storage._engines) == 1 + len(run_ids)
    stored = {run_id: len(instance.all_logs(run_id)) for run_id in run_ids}
    assert min(stored.values()) > 5
    instance.dispose()
    assert storage._engines == {}

    # A new process sees every event and the cross-run index (the UI's view of the asset's partitions).
    reopened = _instance(root)
    assert {run_id: len(reopened.all_logs(run_id)) for run_id in run_ids} == stored
    materialized = reopened.get_materialized_partitions(numbered.key)
    assert materialized == set(PARTITIONS.get_partition_keys())
    latest = reopened.get_latest_materialization_event(numbered.key)
    assert latest is not None and latest.asset_materialization.metadata["n"].value == 11


def test_event_log_commits_are_not_synced_one_by_one(tmp_path: Path) -> None:
    root = settings.ensure_home(tmp_path)
    storage = _instance(root).event_log_storage
    with storage.index_connection() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL = 2)


def test_a_copied_home_is_refused_until_init_points_it_at_itself(tmp_path: Path) -> None:
    original = settings.ensure_home(tmp_path / "original")
    _instance(original).dispose()
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)

    with pytest.raises(DagsterInvariantViolationError, match="run `regwh init`"):
        _instance(copy)
    assert settings.ensure_home(copy) == copy.resolve()
    instance = _instance(copy)
    assert dg.materialize([numbered], instance=instance, partition_key="p3").success
    instance.dispose()
    assert _instance(original).get_materialized_partitions(numbered.key) == set()  # nothing written there


def test_settings_someone_edited_are_kept(tmp_path: Path) -> None:
    root = settings.ensure_home(tmp_path)
    own = settings.dagster_home(root) / "dagster.yaml"
    edited = (
        own.read_text(encoding="utf-8").split("\n", 1)[1].replace("max_concurrent_runs: 1", "max_concurrent_runs: 2")
    )
    own.write_text(edited, encoding="utf-8")

    settings.ensure_home(root)

    assert own.read_text(encoding="utf-8") == edited
