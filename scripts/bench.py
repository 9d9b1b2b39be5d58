"""Benchmark of the half-year close at several scales: ``make bench`` (``scripts/bench.py 0.1 1 10``).

Per scale: generate the seed scenario's demo delivery (timed apart), run ``regwh close --period 2025H1`` in
a fresh ``$REGWH_HOME``, read the step timings from the Dagster event log and print per stage (extract,
dbt, reserving, validation, publication) wall time and rows per second, the close's peak resident memory,
and the floor: a bare DuckDB script computing the premium, claims and reserve totals straight from the
landing files. Writes docs/performance.md and docs/performance.png.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STAGES = ("extract", "dbt", "reserving", "validation", "publication")
FLOOR_SQL = """
select
    (select sum(amount) from read_csv('{landing}/policy/premium_transactions_2025Q*.csv', header = true,
        columns = {{'transaction_id': 'VARCHAR', 'policy_id': 'VARCHAR', 'transaction_type': 'VARCHAR',
                    'booked_at': 'TIMESTAMP', 'amount': 'DECIMAL(18,2)'}})) as premium,
    (select sum(amount) from read_csv('{landing}/claims/claim_payments_2025Q*.csv', header = true,
        columns = {{'payment_id': 'VARCHAR', 'claim_id': 'VARCHAR', 'payment_type': 'VARCHAR',
                    'paid_at': 'TIMESTAMP', 'amount': 'DECIMAL(18,2)'}})) as claims,
    (select sum(amount) from read_csv('{landing}/claims/case_reserve_movements_*.csv', header = true,
        columns = {{'movement_id': 'VARCHAR', 'claim_id': 'VARCHAR', 'booked_at': 'TIMESTAMP',
                    'amount': 'DECIMAL(18,2)'}})) as case_reserves
"""


def stage_of(step: str) -> str:
    if step.startswith("raw__"):
        return "extract"
    if step.startswith("warehouse_models"):
        return "dbt"
    if step == "claims_reserving":
        return "reserving"
    if step.startswith("extracts__"):
        return "publication"
    return "validation"


def step_durations(home: Path) -> dict[str, float]:
    """Seconds per stage, summed over the steps of every run in the home's Dagster instance."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    starts: dict[tuple[str, str], float] = {}
    totals: dict[str, float] = defaultdict(float)
    for run in instance.get_runs():
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or not event.step_key:
                continue
            key = (run.run_id, event.step_key)
            if event.event_type_value == "STEP_START":
                starts[key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and key in starts:
                totals[stage_of(event.step_key)] += entry.timestamp - starts.pop(key)
    return dict(totals)


def run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def bench(scale: str, base: Path) -> dict:
    home = base / f"scale-{scale}"
    env = {
        **os.environ,
        "REGWH_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }
    subprocess.run(["rm", "-rf", str(home)], check=True)
    generate = run([str(BIN / "regwh"), "generate", "--scenario", "scenarios/seed_2025h1.yaml", "--scale", scale], env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    close = run([str(BIN / "regwh"), "close", "--period", "2025H1"], env)
    peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    rows = json.loads((home / "extracts" / "2025H1" / "v1" / "manifest.json").read_text())["inputs"]
    input_rows = sum(item["rows"] for item in rows)
    started = time.perf_counter()
    duckdb.sql(FLOOR_SQL.format(landing=home / "landing")).fetchall()
    floor = time.perf_counter() - started
    return {"scale": scale, "rows": input_rows, "generate_s": generate, "close_s": close, "peak_rss_gb": peak_kb / 1e6,
            "floor_s": floor, "stages": step_durations(home)}  # fmt: skip


def report(results: list[dict]) -> str:
    lines = [
        "| scale | input rows | generate s | close s | rows/s | peak RSS GB | floor s | "
        + " | ".join(f"{s} s (× floor)" for s in STAGES)
        + " |",
        "|" + "---|" * (7 + len(STAGES)),
    ]
    for r in results:
        stages = " | ".join(
            f"{r['stages'].get(s, 0):.1f} ({r['stages'].get(s, 0) / r['floor_s']:.0f}×)" for s in STAGES
        )
        lines.append(
            f"| {r['scale']} | {r['rows']:,} | {r['generate_s']:.1f} | {r['close_s']:.1f} | "
            f"{r['rows'] / r['close_s']:,.0f} | {r['peak_rss_gb']:.2f} | {r['floor_s']:.2f} | {stages} |"
        )
    return "\n".join(lines)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    axes.loglog([r["rows"] for r in results], [r["close_s"] for r in results], "o-", label="close")
    axes.loglog([r["rows"] for r in results], [r["floor_s"] for r in results], "s--", label="DuckDB floor")
    axes.set_xlabel("input rows")
    axes.set_ylabel("seconds")
    axes.legend()
    figure.savefig(path, dpi=100, metadata={"Software": None})


def main(scales: list[str]) -> None:
    base = REPO / "var" / "bench"
    results = [bench(scale, base) for scale in scales]
    table = report(results)
    print(table)
    docs = REPO / "docs"
    plot(results, docs / "performance.png")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    (docs / "performance.md").write_text(
        "# Performance of the half-year close\n\n"
        f'Measured with `make bench SCALES="{" ".join(scales)}"` (scripts/bench.py) on {machine}, '
        f"{time.strftime('%Y-%m-%d')}. Close = `regwh close --period 2025H1` in a fresh home, without generation; "
        "stages from the Dagster event log; floor = a bare DuckDB script summing premium, claims and case "
        "reserves straight from the landing CSVs.\n\n" + table + "\n\n![time against rows](performance.png)\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(sys.argv[1:] or ["0.1", "1", "10"])
