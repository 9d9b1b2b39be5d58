"""Benchmark of the half-year close at several scales: ``make bench`` (``scripts/bench.py 0.1 1 10``).

Per scale: generate the seed scenario's demo delivery (timed apart), run ``regwh close --period 2025H1`` in
a fresh ``$REGWH_HOME`` under ``$REGWH_BENCH_HOME`` (default ``var/bench``), then the same close again with
``--restate`` (deliveries unchanged; ``REGWH_BENCH_RECLOSE=0`` skips it). Records wall and CPU seconds, peak
resident memory of the largest process and of the whole process tree, the Dagster step timings per stage
(extract, dbt, reserving, validation, publication) and the floor: a bare DuckDB script computing the premium,
claims and reserve totals straight from the landing files. Writes the measured section of docs/performance.md
(between its bench markers) and docs/performance.png.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")
BEGIN, END = "<!-- bench: measured -->", "<!-- bench: end -->"
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


@dataclass(frozen=True)
class Measure:
    """One command: wall and CPU seconds (its whole process tree), peak RSS of its largest process and of the tree."""

    wall_s: float
    cpu_s: float
    peak_process_gb: float
    peak_tree_gb: float


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and its descendants, from /proc."""
    parents: dict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[int(fields[1])].append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(parents.get(pid, []))
    return total


def run(command: list[str], env: dict[str, str]) -> Measure:
    """Run ``command``, sampling its process tree's resident memory every 0.2 s."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss_bytes(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    # wait4 reports the child with its waited-for descendants (dbt runs in a subprocess of the close).
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1e6, peak[0] / 1e9)


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
    close = run([str(BIN / "regwh"), "close", "--period", "2025H1"], env)
    rows = json.loads((home / "extracts" / "2025H1" / "v1" / "manifest.json").read_text())["inputs"]
    input_rows = sum(item["rows"] for item in rows)
    started = time.perf_counter()
    duckdb.sql(FLOOR_SQL.format(landing=home / "landing")).fetchall()
    floor = time.perf_counter() - started
    stages = step_durations(home)
    # The steady state: every delivery already extracted (unchanged sha256), the warehouse rebuilt and republished.
    reclose = (
        run([str(BIN / "regwh"), "close", "--period", "2025H1", "--restate", "bench: close again"], env)
        if os.environ.get("REGWH_BENCH_RECLOSE", "1") == "1"
        else None
    )
    return {"scale": scale, "rows": input_rows, "generate": generate, "close": close, "reclose": reclose,
            "floor_s": floor, "stages": stages}  # fmt: skip


def report(results: list[dict]) -> str:
    lines = [
        "| scale | input rows | generate s (peak GB) | close s | close CPU s | rows/s | peak GB process / tree | "
        "re-close s (CPU s, peak GB tree) | load | floor s | " + " | ".join(f"{s} s" for s in STAGES) + " |",
        "|" + "---|" * (10 + len(STAGES)),
    ]
    for r in results:
        gen, close, again = r["generate"], r["close"], r["reclose"]
        stages = " | ".join(f"{r['stages'].get(s, 0):.1f}" for s in STAGES)
        lines.append(
            f"| {r['scale']} | {r['rows']:,} | {gen.wall_s:.0f} ({gen.peak_tree_gb:.1f}) | {close.wall_s:.0f} | "
            f"{close.cpu_s:.0f} | {r['rows'] / close.wall_s:,.0f} | {close.peak_process_gb:.2f} / "
            f"{close.peak_tree_gb:.2f} | "
            + (f"{again.wall_s:.0f} ({again.cpu_s:.0f}, {again.peak_tree_gb:.2f})" if again else "not run")
            + " | "
            f"{r['load']:.1f} | {r['floor_s']:.1f} | {stages} |"
        )
    return "\n".join(lines)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    rows = [r["rows"] for r in results]
    axes.loglog(rows, [r["close"].wall_s for r in results], "o-", label="close (wall)")
    axes.loglog(rows, [r["close"].cpu_s for r in results], "^-", label="close (CPU)")
    axes.loglog(rows, [r["floor_s"] for r in results], "s--", label="DuckDB floor")
    axes.set_xlabel("input rows")
    axes.set_ylabel("seconds")
    axes.legend()
    figure.savefig(path, dpi=100, metadata={"Software": None})


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.machine(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kb / 2**20:.0f} GiB RAM, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, REGWH_DUCKDB_MEMORY_LIMIT={os.environ.get('REGWH_DUCKDB_MEMORY_LIMIT', '4GB')}"
    )


def main(scales: list[str]) -> None:
    base = Path(os.environ.get("REGWH_BENCH_HOME") or REPO / "var" / "bench")
    results = []
    for scale in scales:
        load = os.getloadavg()[0]
        results.append({**bench(scale, base), "load": load})
    table = report(results)
    print(table)
    docs = REPO / "docs"
    plot(results, docs / "performance.png")
    measured = (
        f'Measured with `make bench SCALES="{" ".join(scales)}"` (scripts/bench.py) on {machine()}, '
        f"{time.strftime('%Y-%m-%d %H:%M')}. Close = `regwh close --period 2025H1` in a fresh home, without "
        "generation; CPU = user + system seconds of its process tree; peak GB = largest single process (wait4) "
        "and whole process tree (the close and its dbt subprocess, sampled every 0.2 s); load = 1-minute load "
        "average when the close started; stages from the Dagster event log (extract = every delivered quarter, "
        "14 at the first close); re-close = the same close again with `--restate` (deliveries unchanged, so "
        "nothing is extracted again: the warehouse is rebuilt, gated and republished); floor = a bare DuckDB "
        "script summing premium, claims and case reserves straight from the landing CSVs.\n\n"
        + table
        + "\n\n![time against rows](performance.png)\n"
    )
    write_section(docs / "performance.md", measured)


def write_section(path: Path, measured: str) -> None:
    """Replace the measured section of ``path`` (between the bench markers), keeping the text around it."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Performance of the close\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(f"{head}{BEGIN}\n{measured}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:] or ["0.1", "1", "10"])
