"""The local Dagster instance's storage: Dagster's SQLite storage, with the event log's engines kept open.

Dagster's ``SqliteEventLogStorage`` creates and disposes of a SQLAlchemy engine for every statement it runs: about
5 ms of CPU per event, and a close stores some 2,400 events (every dbt node, every raw partition). Here each
shard (a run's database, the cross-run index) keeps one engine and its connection pool for the life of the
storage: about 1 ms per event. Commits are not synced to disk one by one (``synchronous=NORMAL``, which in WAL
mode keeps the database consistent and syncs at checkpoints: a power cut can lose the last events, never corrupt
the file): a synced commit cost about 3.5 ms of waiting per statement on a busy disk, three per asset event.
Same files, same schema, same WAL mode.
``settings.instance_yaml`` selects it for a home.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as db
from dagster._core.errors import DagsterInvariantViolationError
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from dagster import DagsterInstance


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with one engine per shard, created on first use and disposed of with the storage."""

    _engines: dict[str, Engine] | None = None  # set on first use: the parent's __init__ already connects

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _engine(self, shard: str) -> Engine:
        if self._engines is None:
            self._engines = {}
        engine = self._engines.get(shard)
        if engine is None:
            engine = db.create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _unsynced_commits)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
        return engine

    def register_instance(self, instance: DagsterInstance) -> None:
        """Refuse an instance whose folder is not this storage's: a home copied or moved without ``regwh init``
        would otherwise write its runs into the original home."""
        if not Path(self._base_dir).resolve().is_relative_to(Path(instance.root_directory).resolve()):
            raise DagsterInvariantViolationError(
                f"{instance.root_directory}/dagster.yaml keeps its runs in {self._base_dir}: run `regwh init` with "
                "REGWH_HOME set to this home to point it here"
            )
        super().register_instance(instance)

    def dispose(self) -> None:
        for engine in (self._engines or {}).values():
            engine.dispose()
        self._engines = {}
        super().dispose()


def _unsynced_commits(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")


class LocalStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (runs, schedules, event log under one base folder) with the pooled event log."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data=inst_data)
        self._event_log_storage.dispose()
        self._event_log_storage = PooledSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Any) -> LocalStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
