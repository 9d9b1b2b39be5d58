"""Incremental close (orchestration/incremental.py): a close after an earlier one rebuilds the incremental models
only from the first new or changed quarter, and every table and published figure equals a full rebuild's."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest

from orchestration.incremental import FULL, plan, project_fingerprint, runs_path, settle, state_path
from orchestration.periods import Period, quarter_range
from tests.conftest import REPO, SEED_SCENARIO, regwh, regwh_env

SCHEMAS = ("intermediate", "marts", "regulatory")
DBT_PROJECT = REPO / "dbt_project"
MANIFEST = DBT_PROJECT / "target" / "manifest.json"
KEYS = [dg.AssetKey(["marts", "fct_policies"]), dg.AssetKey(["marts", "dim_members"])]
INCREMENTAL = (
    "int_policies__quarter_end_upr",
    "int_policies__premium_by_terms",
    "fct_premiums",
    "fct_policies",
)


def differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Tables of the two warehouses that differ: name -> rows only in left, rows only in right (``except all``)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{left / 'warehouse.duckdb'}' as l (read_only)")
        con.execute(f"attach '{right / 'warehouse.duckdb'}' as r (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'l' and schema_name in "
            f"{SCHEMAS} order by all"
        ).fetchall()
        assert {name for _, name in tables} >= set(INCREMENTAL)
        found = {}
        for schema, table in tables:
            name = f"{schema}.{table}"
            only_left, only_right = (
                con.execute(f"select count(*) from (from {a}.{name} except all from {b}.{name})").fetchone()[0]
                for a, b in (("l", "r"), ("r", "l"))
            )
            if only_left or only_right:
                found[name] = (only_left, only_right)
        return found


def package_tables(root: Path, period: str) -> dict[str, list[dict[str, str]]]:
    """The CSV files of the period's latest published package."""
    package = max((root / "extracts" / period).iterdir(), key=lambda p: int(p.name[1:]))
    return {f.name: list(csv.DictReader(f.open(encoding="utf-8"))) for f in sorted(package.glob("*.csv"))}


def close(root: Path, period: str, *args: str) -> str:
    result = regwh(root, "close", "--period", period, *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


# A close job run as the schedule starts it: the schedule's own run request (partition and period tag, no
# ``regwh/rebuild_from``), executed in-process on the home's instance; prints the outcome and the run's plan tag.
SCHEDULED = """
import json, os, sys
from datetime import datetime
from pathlib import Path
from orchestration.close import prepare_environment
prepare_environment(Path(os.environ["REGWH_HOME"]))
import dagster as dg
from orchestration.definitions import defs
from orchestration.defs.schedules import half_year_disclosure_schedule
request = half_year_disclosure_schedule(dg.build_schedule_context(scheduled_execution_time=datetime(2025, 7, 20, 6)))
instance = dg.DagsterInstance.get()
result = defs.resolve_job_def("close_half_year").execute_in_process(
    instance=instance, partition_key=request.partition_key, tags=request.tags, raise_on_error=False
)
tags = instance.get_run_by_id(result.run_id).tags
print(json.dumps({"success": result.success, "tags": tags}))
"""


def scheduled(root: Path) -> dict:
    """The half-year schedule's run of 2025H1 on ``root``: its success and tags."""
    result = subprocess.run(
        [sys.executable, "-c", SCHEDULED], env=regwh_env(root), cwd=REPO, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def settled(root: Path) -> None:
    """Settle the home's runs as the next run's first dbt step does (the record of the last one, if it succeeded)."""
    instance = dg.DagsterInstance.from_config(str(root / "dagster"))
    settle(root, lambda run_id: run.status if (run := instance.get_run_by_id(run_id)) else None)


def change_one_channel(landing: Path, quarter: str) -> None:
    """Move the first policy of the quarter's delivery to another channel (a corrected delivery: its premium,
    UPR and fct_premiums rows change from that quarter on, the ledger totals do not)."""
    path = landing / "policy" / f"policies_{quarter}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["channel"] = "broker" if rows[0]["channel"] != "broker" else "agency"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def query(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def cancelled_in_q2(root: Path) -> dict[str, int]:
    """Policies cancelled in 2025Q2 by the quarter they were issued in, 2025Q1 and before (counts)."""
    rows = query(
        root,
        "select case when issued_quarter = '2025Q1' then '2025Q1' else 'earlier' end, count(*) from "
        "marts.fct_policies where issued_quarter < '2025Q2' and cancelled_on between '2025-04-01' and '2025-06-30' "
        "group by all",
    )
    return dict(rows)


def dbt_test(root: Path, selector: str, rebuild_from: str, target: Path) -> int:
    """``dbt test`` of the selected tests on ``root``'s warehouse as a close of 2025Q2 rebuilding from
    ``rebuild_from``; the tests that failed."""
    command = [str(REPO / ".venv/bin/dbt"), "test", "--select", selector, "--profiles-dir", ".", "--target-path"]
    command += [str(target), "--log-path", str(target / "logs")]
    command += ["--vars", json.dumps({"close_quarter": "2025Q2", "rebuild_from": rebuild_from})]
    result = subprocess.run(command, cwd=DBT_PROJECT, env=regwh_env(root), capture_output=True, text=True, timeout=600)
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert results, result.stdout[-3000:]
    return sum(r["status"] == "fail" for r in results)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scale-0.002 seed delivery, 2022Q1..2025Q2."""
    root = tmp_path_factory.mktemp("incremental") / "source"
    scenario = root.parent / "scenario.yaml"
    shutil.copy(SEED_SCENARIO, scenario)
    result = regwh(root, "generate", "--scenario", str(scenario), "--scale", "0.002", "--seed", "7")
    assert result.returncode == 0, result.stderr
    return root


def test_incremental_closes_equal_full_rebuilds(generated: Path, tmp_path: Path) -> None:
    """The insurer's sequence (2025Q1 closed, then 2025Q2 delivered and 2025H1 closed, incrementally) builds and
    publishes what a fresh home closing 2025H1 at once does; so does a corrected earlier delivery closed again in
    both (one incrementally, one refreshed fully). The 2024Q4 valuation the 2025Q1 close leaves in the reserving
    tables is not the 2025H1 close's: fct_reserves reads only the quarters the close reports."""
    incremental, scratch = tmp_path / "incremental", tmp_path / "scratch"
    held = tmp_path / "held"
    shutil.copytree(generated / "landing", held)
    incremental.mkdir()
    shutil.copytree(held, incremental / "landing", ignore=shutil.ignore_patterns("*2025Q2*"))
    scratch.mkdir()
    shutil.copytree(held, scratch / "landing")

    # 2025Q1 with the deliveries through 2025Q1, then 2025Q2 delivered and 2025H1 closed by the half-year schedule
    # (no rebuild tag: the run plans itself), extracting 2025Q2 in the same run: only 2025Q2 rebuilt.
    # (An earlier half year does not close on the generated data: its ledger reconciles from 2024Q4 on.)
    assert "incremental models: full refresh (no record of a successful close)" in close(incremental, "2025Q1")
    assert cancelled_in_q2(incremental) == {}
    shutil.copytree(held, incremental / "landing", dirs_exist_ok=True)
    run = scheduled(incremental)
    assert run["success"], run
    # Set by the run's first dbt step; a later step planning again would have found no record (full refresh).
    assert run["tags"]["regwh/incremental"].startswith("quarters from 2025Q2 ("), run
    assert "regwh/rebuild_from" not in run["tags"]
    # Policies issued in 2025Q1 and before, cancelled in 2025Q2: rows of fct_policies the 2025Q1 close built
    # without a cancellation, rewritten by the incremental close (and equal to the fresh close's, below).
    cancelled = cancelled_in_q2(incremental)
    assert cancelled.get("2025Q1", 0) > 0 and cancelled.get("earlier", 0) > 0, cancelled
    assert "incremental models: full refresh" in close(scratch, "2025H1")
    assert differences(incremental, scratch) == {}
    assert package_tables(incremental, "2025H1") == package_tables(scratch, "2025H1")

    # The scheduled run succeeded: its plan becomes the record. Nothing delivered anew: nothing of the incremental
    # models is rebuilt (the quarter after the close).
    delivered = quarter_range(Period.parse("2022Q1"), Period.parse("2025Q2"))
    settled(incremental)
    assert json.loads(state_path(incremental).read_text(encoding="utf-8"))["close_quarter"] == "2025Q2"
    assert plan(incremental, Period.parse("2025Q2"), delivered, MANIFEST).start == "2025Q3"

    # A corrected 2024Q3 delivery: the incremental close rebuilds from 2024Q3 and still equals a full rebuild.
    for home in (incremental, scratch):
        change_one_channel(home / "landing", "2024Q3")
    shutil.rmtree(runs_path(scratch))
    assert "incremental models: quarters from 2024Q3" in close(incremental, "2025H1", "--restate", "2024Q3 corrected")
    assert "incremental models: full refresh" in close(scratch, "2025H1", "--restate", "2024Q3 corrected")
    assert differences(incremental, scratch) == {}
    assert package_tables(incremental, "2025H1") == package_tables(scratch, "2025H1")

    # A scheduled run that fails after its build started (a raw partition the dbt build reads is broken) leaves no
    # record: the next run refreshes fully.
    (incremental / "lake/raw/claims/claim_payments/quarter=2024Q1/data.parquet").write_bytes(b"broken")
    run = scheduled(incremental)
    assert not run["success"] and run["tags"]["regwh/incremental"].startswith("quarters from 2025Q3 ("), run
    settled(incremental)
    assert not state_path(incremental).exists()
    assert not list(runs_path(incremental).glob("*.json"))
    assert plan(incremental, Period.parse("2025Q2"), delivered, MANIFEST).start == FULL

    # The key tests read from the rebuilt quarters: a repeat within the older quarters alone is left to the close
    # that built them (a full build's test finds it), a rebuilt row repeated in an older quarter is found.
    selector = "fct_policies,test_name:unique_since_rebuild"
    repeat = "insert into marts.fct_policies select * replace ('2022Q2' as issued_quarter) from "
    repeat += "marts.fct_policies where issued_quarter = '{of}' limit 1"
    with duckdb.connect(str(scratch / "warehouse.duckdb")) as con:
        con.execute(repeat.format(of="2022Q1"))
    assert dbt_test(scratch, selector, "2025Q2", tmp_path / "dbt-old") == 0
    assert dbt_test(scratch, selector, "", tmp_path / "dbt-full") == 1
    with duckdb.connect(str(scratch / "warehouse.duckdb")) as con:
        con.execute(repeat.format(of="2025Q2"))
    assert dbt_test(scratch, selector, "2025Q2", tmp_path / "dbt-new") == 1


def test_rebuild_start_from_the_record(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No record, other dbt code, an earlier closed quarter: full refresh; a changed delivery: from its quarter."""
    from orchestration import incremental
    from orchestration.ingest import raw_partition_path
    from orchestration.landing_contract import load_contracts
    from orchestration.settings import raw_dir

    inputs = {table.key for table in incremental.incremental_inputs(MANIFEST)}
    assert inputs == {
        "policy/products",
        "policy/policies",
        "policy/premium_transactions",
        "reinsurance/cessions",
    }
    delivered = quarter_range(Period.parse("2024Q1"), Period.parse("2024Q4"))
    q4 = Period.parse("2024Q4")
    assert plan(home, q4, delivered, MANIFEST).reason == "no record of a successful close"
    incremental.record(home, incremental.plan(home, q4, delivered, MANIFEST).state)
    assert plan(home, q4, delivered, MANIFEST).start == "2025Q1"
    assert plan(home, Period.parse("2025Q1"), [*delivered, Period.parse("2025Q1")], MANIFEST).start == "2025Q1"
    assert plan(home, Period.parse("2024Q3"), delivered[:3], MANIFEST).start == FULL

    premiums = next(t for t in load_contracts() if t.key == "policy/premium_transactions")
    partition = raw_partition_path(raw_dir(home), premiums, Period.parse("2024Q2"))
    partition.parent.mkdir(parents=True)
    (partition.parent / "_source.json").write_text(json.dumps({"sha256": "changed"}), encoding="utf-8")
    changed = plan(home, q4, delivered, MANIFEST)
    assert (changed.start, changed.reason) == ("2024Q2", "policy/premium_transactions changed in 2024Q2")

    monkeypatch.setattr(incremental, "project_fingerprint", lambda: "other code")
    assert plan(home, q4, delivered, MANIFEST).describe() == "full refresh (the dbt project changed)"
    incremental.forget(home)
    assert not incremental.state_path(home).exists()


def test_only_a_succeeded_close_becomes_the_record(home: Path) -> None:
    """A run plans once (its later dbt steps reuse the plan), an explicit tag wins, and a run's plan becomes the
    record only if the run succeeded and built the whole project as a close job."""
    from orchestration import incremental

    (home / "landing" / "policy").mkdir(parents=True)
    (home / "landing" / "policy" / "policies_2024Q4.csv").touch()
    statuses: dict[str, dg.DagsterRunStatus] = {}
    tagged: dict[str, dict[str, str]] = {}

    def step(run: dg.DagsterRun) -> incremental.Plan:
        """A dbt step of ``run`` (the context's parts ``for_run`` reads)."""
        instance = SimpleNamespace(
            get_run_by_id=lambda run_id: SimpleNamespace(status=statuses[run_id]) if run_id in statuses else None,
            add_run_tags=lambda run_id, tags: tagged.setdefault(run_id, {}).update(tags),
        )
        context = SimpleNamespace(run=run, instance=instance, partition_key="2024Q4")
        return incremental.for_run(context, KEYS)  # type: ignore[arg-type]

    first = dg.DagsterRun(job_name="close_quarter", run_id="first")
    made = step(first)
    assert (made.start, made.state is not None) == (FULL, True)
    assert tagged["first"] == {"regwh/incremental": "full refresh (no record of a successful close)"}
    incremental.record(home, made.state)  # the same run does not plan again (it would find this record)
    assert step(first) == made
    incremental.forget(home)

    statuses["first"] = dg.DagsterRunStatus.FAILURE
    second = dg.DagsterRun(job_name="close_quarter", run_id="second")
    assert step(second).reason == "no record of a successful close"
    assert not (runs_path(home) / "first.json").exists()
    statuses["second"] = dg.DagsterRunStatus.SUCCESS
    later = [
        dg.DagsterRun(job_name="close_quarter", run_id="again", parent_run_id="second", root_run_id="second"),
        dg.DagsterRun(job_name="close_quarter", run_id="tagged", tags={"regwh/rebuild_from": "2024Q3"}),
        dg.DagsterRun(job_name="close_quarter", run_id="subset", asset_selection=frozenset(KEYS[:1])),
        dg.DagsterRun(job_name="extract", run_id="other job"),
    ]
    plans = {run.run_id: step(run) for run in later}
    assert (plans["tagged"].start, plans["tagged"].reason) == ("2024Q3", "the run's regwh/rebuild_from tag")
    assert plans["again"].start == "2025Q1"  # the second run's plan became the record: nothing new since
    assert all(p.state is None for p in plans.values())
    statuses.update(dict.fromkeys(plans, dg.DagsterRunStatus.SUCCESS))
    settle(home, statuses.get)
    assert not state_path(home).exists()
    # A whole job's run executed in-process has an empty asset selection.
    assert incremental.recordable(dg.DagsterRun(job_name="close_half_year", asset_selection=frozenset()), KEYS)


def test_fingerprint_covers_the_models(tmp_path: Path) -> None:
    """Any edit to a model changes the project's fingerprint (so the next close refreshes fully)."""
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    before = project_fingerprint(project)
    assert project_fingerprint(project) == before
    model = project / "models" / "marts" / "fct_premiums.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert project_fingerprint(project) != before
