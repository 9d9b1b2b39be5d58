"""The benchmark's bookkeeping (scripts/bench.py): stage memory attribution and the fit check for large scales."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
spec = importlib.util.spec_from_file_location("bench", SCRIPT)
bench = importlib.util.module_from_spec(spec)
sys.modules["bench"] = bench  # dataclasses look their module up
spec.loader.exec_module(bench)


def test_a_stage_takes_its_steps_time_and_the_peak_sampled_inside_them() -> None:
    intervals = {"extract": [(10.0, 12.0), (20.0, 21.5)], "dbt": [(12.0, 19.0)]}
    samples = ((9.0, 9_000_000_000), (11.0, 1_000_000_000), (15.0, 3_000_000_000), (21.0, 2_000_000_000))

    measured = bench.stages(intervals, samples)

    assert measured["extract"] == bench.Stage(3.5, 2.0)  # the 9 GB sample at t=9 falls in no step
    assert measured["dbt"] == bench.Stage(7.0, 3.0)


def test_a_scale_that_would_not_fit_the_disk_is_not_run_and_says_why(tmp_path: Path) -> None:
    measure = bench.Measure(wall_s=1.0, cpu_s=1.0, peak_process_gb=0.1, peak_tree_gb=0.1)
    done = [{"scale": "1", "generate": measure, "close": measure, "home_bytes": 10**9}]

    assert bench.unfit("2", tmp_path, done) is None
    why = bench.unfit("1000000", tmp_path, done)

    assert why is not None and "GB of disk needed" in why and "GB of memory" in why
    assert bench.unfit("0.1", tmp_path, []) is None


@pytest.mark.parametrize("step", ["raw__policy__policies", "raw__delivery_checks"])
def test_extraction_steps_count_as_the_extract_stage(step: str) -> None:
    assert bench.stage_of(step) == "extract"


def test_the_quarterly_sequence_links_all_but_the_last_quarter_then_only_it(tmp_path: Path) -> None:
    source = tmp_path / "landing"
    for name in ("policy/members_2025Q1.csv", "policy/members_2025Q2.csv", "policy/2025Q2.done", "claims/c_2024Q4.csv"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(name)
    target = tmp_path / "home" / "landing"

    assert bench.link_landing(source, target, exclude="2025Q2") == 2
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == ["c_2024Q4.csv", "members_2025Q1.csv"]
    assert bench.link_landing(source, target, only="2025Q2") == 2
    linked = target / "policy" / "members_2025Q2.csv"
    assert linked.stat().st_ino == (source / "policy" / "members_2025Q2.csv").stat().st_ino  # a link, not a copy
    assert len([p for p in target.rglob("*") if p.is_file()]) == 4


def test_the_floor_sums_the_same_totals_from_csv_and_parquet_landing(tmp_path: Path) -> None:
    import duckdb

    rows = {
        "policy/premium_transactions_2025Q1": "transaction_id, policy_id, transaction_type, booked_at, amount",
        "claims/claim_payments_2025Q2": "payment_id, claim_id, payment_type, paid_at, amount",
        "claims/case_reserve_movements_2024Q4": "movement_id, claim_id, booked_at, amount",
    }
    for stem, header in rows.items():
        path = tmp_path / f"{stem}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        width = len(header.split(", ")) - 1
        path.write_text(f"{header.replace(' ', '')}\n" + "".join(f"{'x,' * width}{a}\n" for a in ("0.10", "0.20")))
        duckdb.sql(f"copy (select * from read_csv('{path}', all_varchar = true)) to '{tmp_path / stem}.parquet'")
    (tmp_path / "policy" / "premium_transactions_2024Q4.csv").write_text("transaction_id\n")  # outside the glob

    from_csv = duckdb.sql(bench.floor_sql(tmp_path, "csv")).fetchall()[0]
    from_parquet = duckdb.sql(bench.floor_sql(tmp_path, "parquet")).fetchall()[0]

    assert [str(total) for total in from_csv] == ["0.30", "0.30", "0.30"]
    assert from_parquet == from_csv


def _result(scale: str, wall: float, first: bool = True) -> dict:
    """A bench result as bench.bench() returns it (the fresh-home closes left out when ``first`` is false)."""
    measure = bench.Measure(wall_s=wall, cpu_s=wall * 2, peak_process_gb=1.0, peak_tree_gb=1.5, samples=((1.0, 2),))
    stages = {"dbt": bench.Stage(wall / 2, 1.2)}
    closes = {"close": measure, "stages": stages, "reclose": measure, "reclose_stages": stages} if first else {}
    return {"scale": scale, "rows": 1000, "generate": measure, "floor_s": 0.5, "load": 1.0, "home_bytes": 10**9,
            "close": None, "stages": {}, "reclose": None, "reclose_stages": {}, "quarter": measure,
            "quarter_stages": stages, "next": measure, "next_stages": stages,
            "measured": "2026-12-01 01:00, PARQUET, 9GB", **closes}  # fmt: skip


def test_kept_results_survive_a_run_of_another_scale(tmp_path: Path) -> None:
    path = tmp_path / "performance.json"
    bench.save_results(path, {"1": _result("1", 50.0), "0.1": _result("0.1", 5.0)})
    kept = bench.load_results(path)
    kept["10"] = _result("10", 300.0, first=False)
    bench.save_results(path, kept)

    again = bench.load_results(path)

    assert list(again) == ["0.1", "1", "10"]  # ordered by scale
    assert again["1"]["close"] == bench.Measure(50.0, 100.0, 1.0, 1.5)  # the memory samples are not kept
    assert again["1"]["stages"] == {"dbt": bench.Stage(25.0, 1.2)}
    assert again["10"]["close"] is None and again["10"]["next"].wall_s == 300.0


def test_a_scale_run_as_the_insurers_sequence_only_reports_its_fresh_home_closes_as_not_run() -> None:
    table = bench.report([_result("1", 50.0), _result("10", 300.0, first=False)], {"100": "too big"})
    closes, by_stage = table.split("\n\n")
    rows = {line.split(" | ")[0].strip("| "): line for line in closes.splitlines() if line.startswith("| ")}

    assert "| not run | | | | not run |" in rows["10"] and "| 300 (600, 1.50) | 300 (600, 1.50) |" in rows["10"]
    assert "| 50 | 100 | 20 | 1.00 / 1.50 | 50 (100, 1.50) |" in rows["1"]
    assert "not run: too big" in rows["100"]
    assert "| 10 | next quarter | dbt | 150.0 |" in by_stage and "| 10 | first | dbt |" not in by_stage


def test_the_disk_check_counts_two_homes_unless_only_the_sequence_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    free = bench.shutil.disk_usage(tmp_path).free
    done = [{**_result("1", 1.0), "home_bytes": int(free * 0.6)}]
    monkeypatch.setenv("REGWH_BENCH_FIRST", "1")
    monkeypatch.setenv("REGWH_BENCH_QUARTERLY", "1")
    assert "GB of disk needed" in bench.unfit("1", tmp_path, done)
    monkeypatch.setenv("REGWH_BENCH_FIRST", "0")
    assert bench.unfit("1", tmp_path, done) is None
