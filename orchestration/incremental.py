"""Which quarters a close rebuilds in the incremental dbt models (``materialized='incremental'``).

An incremental model's rows of a quarter depend only on the dbt code and on its event inputs delivered up to that
quarter (the landing contract refuses an event row outside its delivery quarter) plus the latest snapshot of its
snapshot inputs. The last successful close records, per target, the project's fingerprint, its closed quarter, the
sha256 of every event input's delivery per quarter and of each snapshot input's latest delivery. The next close
rebuilds from the first quarter whose event deliveries differ from that record (the quarter after the closed one
when none differs: nothing rebuilt); any other difference (no record, other code, an earlier closed quarter, a
changed snapshot, no manifest) means a full refresh. The record is removed before a close's build starts and
written only once the close succeeded, so a failed or foreign build is followed by a full refresh.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from orchestration import settings
from orchestration.defs.raw import source_record
from orchestration.ingest import raw_partition_path
from orchestration.landing_contract import Table, load_contracts
from orchestration.periods import Period

STATE_FILE = "dbt_incremental_state.json"
REBUILD_TAG = "regwh/rebuild_from"
FULL = "full"
# What a model's rows are computed from, and the tests: a close tests some incremental tables only in the quarters
# it rebuilds (tests/generic/unique_since_rebuild.sql), so an edited test must be run on every quarter once.
_CODE = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


def state_path(root: Path) -> Path:
    return root / f".{settings.target()}.{STATE_FILE}"


def project_fingerprint(project_dir: Path = settings.DBT_PROJECT_DIR) -> str:
    """sha256 over the path and bytes of every file the dbt build's tables are computed from."""
    digest = hashlib.sha256()
    for name in _CODE:
        path = project_dir / name
        for file in sorted([path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())):
            digest.update(str(file.relative_to(project_dir)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def incremental_inputs(manifest_path: Path) -> list[Table] | None:
    """The contract tables upstream of the incremental models (None without a manifest)."""
    if not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    todo = [uid for uid, node in manifest["nodes"].items() if node["config"].get("materialized") == "incremental"]
    seen, sources = set(todo), set()
    while todo:
        for parent in manifest["parent_map"].get(todo.pop(), []):
            if parent.startswith("source."):
                source = manifest["sources"][parent]
                sources.add(f"{source['source_name']}/{source['name']}")
            elif parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return [table for table in load_contracts() if table.key in sources]


def _sha(table: Table, quarter: Period, root: Path) -> str | None:
    record = source_record(raw_partition_path(settings.raw_dir(root), table, quarter))
    return record["sha256"] if record else None


def current_state(root: Path, close_quarter: Period, delivered: list[Period], tables: list[Table]) -> dict:
    """The record the close would write: fingerprint, closed quarter, event inputs per quarter, latest snapshots."""
    events = [t for t in tables if t.kind == "event"]
    snapshots = {}
    for table in (t for t in tables if t.kind != "event"):
        shas = [sha for quarter in delivered if (sha := _sha(table, quarter, root))]
        snapshots[table.key] = shas[-1] if shas else None
    return {
        "fingerprint": project_fingerprint(),
        "close_quarter": close_quarter.label,
        "quarters": {q.label: {t.key: _sha(t, q, root) for t in events} for q in delivered},
        "snapshots": snapshots,
    }


def plan(root: Path, close_quarter: Period, delivered: list[Period], manifest_path: Path) -> tuple[str, dict | None]:
    """The first quarter the incremental models rebuild (a label) or ``FULL``, and the record to write once the
    close succeeded (computed before the build: code edited during it is not taken for built)."""
    tables = incremental_inputs(manifest_path)
    if tables is None:
        return FULL, None
    now = current_state(root, close_quarter, delivered, tables)
    path = state_path(root)
    recorded = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if (
        recorded.get("fingerprint") != now["fingerprint"]
        or recorded.get("close_quarter", "") > close_quarter.label
        or recorded.get("snapshots") != now["snapshots"]
    ):
        return FULL, now
    for quarter in delivered:
        if recorded["quarters"].get(quarter.label) != now["quarters"][quarter.label]:
            return quarter.label, now
    return Period.quarter_of(close_quarter.end + timedelta(days=1)).label, now


def forget(root: Path) -> None:
    """Drop the record: the next close refreshes fully (called before any build that may change the tables)."""
    state_path(root).unlink(missing_ok=True)


def record(root: Path, state: dict | None) -> None:
    """Write the record of a successful close (from ``plan``)."""
    if state is None:
        return
    path = state_path(root)
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(state, indent=1), encoding="utf-8")
    staged.replace(path)
