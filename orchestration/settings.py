"""Where state lives. Everything the warehouse writes is under one folder, ``$REGWH_HOME``."""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


def home() -> Path:
    """``$REGWH_HOME``, by default ``var/`` in the repository."""
    return Path(os.environ.get("REGWH_HOME") or REPO_ROOT / "var").resolve()


def landing_dir(base: Path | None = None) -> Path:
    return (base or home()) / "landing"


def lake_dir(base: Path | None = None) -> Path:
    return (base or home()) / "lake"


def raw_dir(base: Path | None = None) -> Path:
    return lake_dir(base) / "raw"


def warehouse_path(base: Path | None = None) -> Path:
    return (base or home()) / "warehouse.duckdb"


def target() -> str:
    """The engine dbt builds on, ``$REGWH_TARGET`` (``duckdb``, the default, or ``spark``): dbt_project/profiles.yml
    reads the same variable."""
    return os.environ.get("REGWH_TARGET") or "duckdb"


def spark_warehouse_dir(base: Path | None = None) -> Path:
    """Spark's managed tables, ``<schema>.db/<table>/``: ``spark.sql.warehouse.dir`` of the ``spark`` target, or
    ``$REGWH_SPARK_WAREHOUSE_DIR`` (a cluster's warehouse on a mount this process reads)."""
    if os.environ.get("REGWH_SPARK_WAREHOUSE_DIR"):
        return Path(os.environ["REGWH_SPARK_WAREHOUSE_DIR"])
    return (base or home()) / "spark" / "warehouse"


def reserving_lake_dir(base: Path | None = None) -> Path:
    """The reserving tables as the Spark warehouse writes them: ``<table>/<valuation quarter>.parquet``."""
    return lake_dir(base) / "reserving"


def deliveries_dir(base: Path | None = None) -> Path:
    """Every delivery ever extracted, by sha256 (``orchestration/deliveries.py``)."""
    return (base or home()) / "deliveries"


def quarantine_dir(base: Path | None = None) -> Path:
    return (base or home()) / "quarantine"


def extracts_dir(base: Path | None = None) -> Path:
    return (base or home()) / "extracts"


def validations_dir(base: Path | None = None) -> Path:
    return (base or home()) / "validations"


def dagster_home(base: Path | None = None) -> Path:
    return (base or home()) / "dagster"


def duckdb_temp_dir(base: Path | None = None) -> Path:
    """Where DuckDB spills what does not fit in its memory limit."""
    return (base or home()) / "tmp" / "duckdb"


_MEMORY = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "bytes": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}  # fmt: skip


def _memory_bytes(limit: str) -> int:
    """Bytes in a DuckDB ``memory_limit`` such as ``4GB`` or ``3.5GiB``."""
    match = _MEMORY.fullmatch(limit)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"REGWH_DUCKDB_MEMORY_LIMIT: cannot read {limit!r} as a memory size (e.g. 4GB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


# A scale-1 close peaks at 2.9 GB in dbt's process and 3.7 GB with the close's own (make bench, 2026-11-30), and
# runs no slower than with 4GB, whose tree peaked at 5.1 GB: docs/performance.md.
DEFAULT_MEMORY_LIMIT = "2.5GB"


def duckdb_config(base: Path | None = None, share: int = 1) -> dict[str, str | int]:
    """Settings of every DuckDB connection the warehouse opens (extraction, checks, Dagster, dbt's profile).

    ``$REGWH_DUCKDB_MEMORY_LIMIT`` (default 2.5GB) bounds each DuckDB instance; beyond it DuckDB spills to
    ``$REGWH_HOME/tmp/duckdb``. ``$REGWH_DUCKDB_THREADS`` (default 2, the reference machine's cores).
    dbt_project/profiles.yml reads the same variables with the same defaults. ``share``: the number of
    connections open side by side, each given that fraction of the memory and threads (at least one thread),
    so that together they stay within the limits.
    """
    memory = os.environ.get("REGWH_DUCKDB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    threads = int(os.environ.get("REGWH_DUCKDB_THREADS") or 2)
    if share > 1:
        memory = f"{_memory_bytes(memory) // share // 10**6}MB"
        threads = max(1, threads // share)
    return {"memory_limit": memory, "threads": threads, "temp_directory": str(duckdb_temp_dir(base))}


def extract_workers() -> int:
    """Partitions of one landing table extracted side by side: ``$REGWH_EXTRACT_WORKERS`` (default 2)."""
    return max(1, int(os.environ.get("REGWH_EXTRACT_WORKERS") or 2))


def duckdb_connect(
    database: str = ":memory:", read_only: bool = False, base: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with :func:`duckdb_config`'s settings."""
    return duckdb.connect(database, read_only=read_only, config=duckdb_config(base))


def expectations_dir() -> Path:
    """Suites live in the repository; ``REGWH_EXPECTATIONS_DIR`` points elsewhere (tests)."""
    return Path(os.environ.get("REGWH_EXPECTATIONS_DIR") or EXPECTATIONS_DIR)


def pii_key(base: Path | None = None) -> bytes:
    """Key for tokenising personal data: ``$REGWH_PII_KEY``, else a random key kept in ``$REGWH_HOME``."""
    if os.environ.get("REGWH_PII_KEY"):
        return os.environ["REGWH_PII_KEY"].encode()
    key_file = (base or home()) / ".pii_key"
    if not key_file.exists():  # written whole beside it, then linked in: concurrent callers all read the first key
        key_file.parent.mkdir(parents=True, exist_ok=True)
        staged = key_file.with_name(f".pii_key.{secrets.token_hex(8)}")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(staged, key_file)
        except FileExistsError:
            pass
        finally:
            staged.unlink()
    return key_file.read_text().strip().encode()


# One run at a time: DuckDB allows one writer per file. No telemetry from a regulated environment. Storage:
# Dagster's SQLite files in this folder, with the event log's engines kept open (instance_storage.py).
INSTANCE_YAML_HEADER = "# Written by regwh for this home (rewritten if the home moves); delete this line to keep edits."
DAGSTER_INSTANCE_YAML = """\
{header}
run_queue:
  max_concurrent_runs: 1
telemetry:
  enabled: false
storage:
  custom:
    module: orchestration.instance_storage
    class: LocalStorage
    config:
      base_dir: {base_dir}
"""


def instance_yaml(root: Path) -> str:
    """The local Dagster instance's settings for the home ``root``."""
    return DAGSTER_INSTANCE_YAML.format(header=INSTANCE_YAML_HEADER, base_dir=json.dumps(str(dagster_home(root))))


def ensure_home(base: Path | None = None) -> Path:
    """Create the state folders and the local Dagster instance's settings (written again if the home was copied
    or moved, unless someone removed the header line to keep their own).

    Landing, the delivery archive and quarantine hold personal data as received and are owner-only.
    """
    root = (base or home()).resolve()
    for folder in (landing_dir(root), deliveries_dir(root), quarantine_dir(root)):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    # DuckDB creates its spill folder but not the folders above it: a home whose tmp/ was cleared must still close.
    for folder in (raw_dir(root), extracts_dir(root), validations_dir(root), dagster_home(root), duckdb_temp_dir(root)):
        folder.mkdir(parents=True, exist_ok=True)
    settings_file, wanted = dagster_home(root) / "dagster.yaml", instance_yaml(root)
    if not settings_file.exists() or (
        settings_file.read_text(encoding="utf-8").startswith(INSTANCE_YAML_HEADER)
        and settings_file.read_text(encoding="utf-8") != wanted
    ):
        settings_file.write_text(wanted, encoding="utf-8")
    return root
