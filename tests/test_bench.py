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
