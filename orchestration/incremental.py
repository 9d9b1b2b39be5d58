"""Which quarters a close rebuilds in the incremental dbt models (``materialized`` in ``MATERIALIZATIONS``).

An incremental model's rows of a quarter depend only on the dbt code and on its event inputs delivered up to that
quarter (the landing contract refuses an event row outside its delivery quarter) plus the latest snapshot of its
snapshot inputs. The last successful close records, per target, the project's fingerprint, its closed quarter, the
sha256 of every event input's delivery per quarter and of each snapshot input's latest delivery. The next close
rebuilds from the first quarter whose event deliveries differ from that record (the quarter after the closed one
when none differs: nothing rebuilt); any other difference (no record, other code, an earlier closed quarter, a
changed snapshot, no manifest) means a full refresh.

Every run decides this itself, once (``for_run``, called by each step of the dbt asset): its first dbt step settles
the plans of earlier runs, plans, drops the record (the build may change the tables) and keeps its plan in
``$REGWH_HOME/.<target>.dbt_incremental_runs/<run id>.json``; its later steps read that file. A run's plan becomes
the record only once the Dagster instance reports the whole run succeeded (publication included): the next run's
first dbt step checks (``settle``). A failed, cancelled or unknown run's plan is dropped, so a failed build is
followed by a full refresh, whichever step failed and however the run was launched (``regwh close``, a schedule,
the sensor, the UI), with no daemon needed. Runs that may build only part of the project (re-executions, asset
subsets, other jobs) and runs tagged ``regwh/rebuild_from=<quarter>`` by hand plan (or obey the tag) but never
become the record.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import dagster as dg

from orchestration import settings
from orchestration.defs.dbt_project import dbt_project
from orchestration.defs.jobs import close_half_year_job, close_quarter_job
from orchestration.defs.raw import source_record
from orchestration.ingest import raw_partition_path
from orchestration.landing_contract import Table, delivered_quarters, load_contracts
from orchestration.periods import Period

STATE_FILE = "dbt_incremental_state.json"
REBUILD_TAG = "regwh/rebuild_from"
PLAN_TAG = "regwh/incremental"  # set by a run's first dbt step: what the incremental models rebuild, and why
FULL = "full"
# dbt materialisations that rebuild by quarter (macros/incremental.sql)
MATERIALIZATIONS = ("incremental",)
RUNS = "dbt_incremental_runs"
CLOSE_JOBS = (close_quarter_job.name, close_half_year_job.name)
_RUNNING = {
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
}
# What a model's rows are computed from, and the tests: a close tests some incremental tables only in the quarters
# it rebuilds (tests/generic/unique_since_rebuild.sql), so an edited test must be run on every quarter once.
_CODE = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


@dataclass(frozen=True)
class Plan:
    """What a run's incremental models rebuild: from quarter ``start`` on (a label) or all (``FULL``), why, and
    the record to write once the run succeeded (computed before the build: code edited during it is not taken for
    built; None: never recorded)."""

    start: str
    reason: str
    state: dict | None

    def describe(self) -> str:
        return f"{'full refresh' if self.start == FULL else f'quarters from {self.start}'} ({self.reason})"


def state_path(root: Path) -> Path:
    return root / f".{settings.target()}.{STATE_FILE}"


def runs_path(root: Path) -> Path:
    """The plans of runs not settled yet, one ``<run id>.json`` each."""
    return root / f".{settings.target()}.{RUNS}"


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
    todo = [uid for uid, node in manifest["nodes"].items() if node["config"].get("materialized") in MATERIALIZATIONS]
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


def plan(root: Path, close_quarter: Period, delivered: list[Period], manifest_path: Path) -> Plan:
    """The plan of a close of ``close_quarter`` against the record of the last successful close."""
    tables = incremental_inputs(manifest_path)
    if tables is None:
        return Plan(FULL, "no dbt manifest", None)
    now = current_state(root, close_quarter, delivered, tables)
    path = state_path(root)
    if not path.exists():
        return Plan(FULL, "no record of a successful close", now)
    recorded = json.loads(path.read_text(encoding="utf-8"))
    if recorded.get("fingerprint") != now["fingerprint"]:
        return Plan(FULL, "the dbt project changed", now)
    if recorded.get("close_quarter", "") > close_quarter.label:
        return Plan(FULL, f"{close_quarter} is before the last closed quarter {recorded['close_quarter']}", now)
    changed = [key for key, sha in now["snapshots"].items() if recorded.get("snapshots", {}).get(key) != sha]
    if changed:
        return Plan(FULL, f"snapshot {', '.join(changed)} changed", now)
    for quarter in delivered:
        before, after = recorded["quarters"].get(quarter.label), now["quarters"][quarter.label]
        if before is None:
            return Plan(quarter.label, f"{quarter} delivered since the {recorded['close_quarter']} close", now)
        changed = [key for key in {**before, **after} if before.get(key) != after.get(key)]
        if changed:
            return Plan(quarter.label, f"{', '.join(changed)} changed in {quarter}", now)
    since = recorded["close_quarter"]
    return Plan(Period.quarter_of(close_quarter.end + timedelta(days=1)).label, f"nothing new since {since}", now)


def recordable(run: dg.DagsterRun, dbt_keys: Collection[dg.AssetKey]) -> bool:
    """Whether the run builds the whole project as a close (a close job, not a re-execution, no asset subset:
    a run of the whole job has no asset selection, or an empty one)."""
    selection = run.asset_selection
    return run.job_name in CLOSE_JOBS and run.parent_run_id is None and (not selection or set(dbt_keys) <= selection)


@contextmanager
def _locked(root: Path) -> Iterator[Path]:
    """The runs' plan folder, held exclusively (steps of a multiprocess run may plan at once)."""
    folder = runs_path(root)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield folder
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def settle(root: Path, status_of: Callable[[str], dg.DagsterRunStatus | None]) -> None:
    """Turn the plan of every earlier run that finished into the record if the run succeeded, and drop it
    (a run still going keeps its plan: its later steps read it)."""
    folder = runs_path(root)
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime) if folder.exists() else []:
        status = status_of(path.stem)
        if status in _RUNNING:
            continue
        state = json.loads(path.read_text(encoding="utf-8"))["state"]
        if status == dg.DagsterRunStatus.SUCCESS and state is not None:
            record(root, state)
        path.unlink()


def run_plan(root: Path, run_id: str) -> Plan | None:
    """The plan a run made (None before its first dbt step, or once settled)."""
    path = runs_path(root) / f"{run_id}.json"
    return Plan(**json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


def for_run(context: dg.AssetExecutionContext, dbt_keys: Collection[dg.AssetKey]) -> Plan:
    """The run's plan, the same in each of its dbt steps: the first one settles earlier runs, plans (or takes the
    run's ``regwh/rebuild_from`` tag), drops the record and keeps the plan for the others."""
    root, run = settings.home(), context.run
    with _locked(root) as folder:
        kept = run_plan(root, run.run_id)
        if kept is not None:
            return kept
        settle(root, lambda run_id: found.status if (found := context.instance.get_run_by_id(run_id)) else None)
        tag = run.tags.get(REBUILD_TAG)
        quarter = Period.parse(context.partition_key)
        delivered = delivered_quarters(settings.landing_dir(root), quarter)
        made = plan(root, quarter, delivered, dbt_project.manifest_path)
        if tag:
            made = Plan(tag, f"the run's {REBUILD_TAG} tag", made.state if tag == FULL else None)
        if not recordable(run, dbt_keys):
            made = Plan(made.start, made.reason, None)
        forget(root)
        staged = folder / f"{run.run_id}.tmp"
        staged.write_text(json.dumps(asdict(made), indent=1), encoding="utf-8")
        staged.replace(folder / f"{run.run_id}.json")
    context.instance.add_run_tags(run.run_id, {PLAN_TAG: made.describe()})
    return made


def forget(root: Path) -> None:
    """Drop the record: the next close refreshes fully (called before any build that may change the tables)."""
    state_path(root).unlink(missing_ok=True)


def record(root: Path, state: dict) -> None:
    """Write the record of a successful close (its plan's ``state``)."""
    path = state_path(root)
    staged = path.with_suffix(".tmp")
    staged.write_text(json.dumps(state, indent=1), encoding="utf-8")
    staged.replace(path)
