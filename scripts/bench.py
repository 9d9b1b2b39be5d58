"""Benchmark of the half-year close at several scales: ``make bench`` (``scripts/bench.py 0.1 1 10``).

Per scale: generate the seed scenario's demo delivery (timed apart), run ``regwh close --period 2025H1`` in
a fresh ``$REGWH_HOME`` under ``$REGWH_BENCH_HOME`` (default ``var/bench``), then the same close again with
``--restate`` (deliveries unchanged; ``REGWH_BENCH_RECLOSE=0`` skips it; ``REGWH_BENCH_FORMAT=parquet`` delivers
the event tables as Parquet, a tenth of the CSV's disk), then the insurer's own sequence in a
second home (``REGWH_BENCH_QUARTERLY=0`` skips it): ``--period 2025Q1`` with every delivery up to 2025Q1 (the
first close of a home), then the 2025Q2 deliveries arrive and ``--period 2025H1`` closes (the next-quarter
close). ``REGWH_BENCH_FIRST=0`` skips the fresh-home 2025H1 close and its re-close (at scale 10 they would need a
second home's disk and about an hour): only the insurer's sequence runs. Records wall and
CPU seconds, peak resident memory of the largest process and of the whole process tree, per stage (extract, dbt,
reserving, validation, publication) the Dagster step time, rows per second and peak memory, and the floor: a bare
DuckDB script computing the premium, claims and reserve totals straight from the landing files, to which each stage
is compared. A scale that would not fit the machine's disk or memory (extrapolated from the scales measured
before it) is reported as not run, with the reason. Each scale's figures are kept in docs/performance.json (a
scale measured again replaces its record), from which the measured section of docs/performance.md (between its
bench markers) and docs/performance.png are written: one run may measure one scale and keep the others.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PAGE = os.sysconf("SC_PAGE_SIZE")
BEGIN, END = "<!-- bench: measured -->", "<!-- bench: end -->"
STAGES = ("extract", "dbt", "reserving", "validation", "publication")
# The floor: premium, claims and case reserve totals straight from the landing files (CSV typed by hand, no sniffing).
FLOOR_INPUTS = {
    "premium": ("policy/premium_transactions_2025Q*", "transaction_id, policy_id, transaction_type, booked_at"),
    "claims": ("claims/claim_payments_2025Q*", "payment_id, claim_id, payment_type, paid_at"),
    "case_reserves": ("claims/case_reserve_movements_*", "movement_id, claim_id, booked_at"),
}


def floor_sql(landing: Path, landing_format: str) -> str:
    """The floor's SQL over the landing files of ``landing_format`` (``csv`` or ``parquet``)."""
    sums = []
    for name, (pattern, text_columns) in FLOOR_INPUTS.items():
        path = f"{landing}/{pattern}.{landing_format}"
        if landing_format == "parquet":
            source = f"read_parquet('{path}')"
        else:
            columns = ", ".join(f"'{c}': 'VARCHAR'" for c in text_columns.split(", "))
            source = f"read_csv('{path}', header = true, columns = {{{columns}, 'amount': 'DECIMAL(18,2)'}})"
        sums.append(f"(select sum(cast(amount as DECIMAL(18,2))) from {source}) as {name}")
    return f"select {', '.join(sums)}"


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


def step_intervals(home: Path, since: float = 0.0) -> dict[str, list[tuple[float, float]]]:
    """(start, end) epoch seconds of every step per stage, over the runs of the home's Dagster instance that
    started at or after ``since``."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home / "dagster"))
    starts: dict[tuple[str, str], float] = {}
    intervals: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for run in instance.get_runs():
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or not event.step_key or entry.timestamp < since:
                continue
            key = (run.run_id, event.step_key)
            if event.event_type_value == "STEP_START":
                starts[key] = entry.timestamp
            elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE") and key in starts:
                intervals[stage_of(event.step_key)].append((starts.pop(key), entry.timestamp))
    return dict(intervals)


@dataclass(frozen=True)
class Stage:
    """One stage of a close: wall seconds (its steps, summed) and the process tree's peak memory while it ran."""

    wall_s: float
    peak_gb: float


def stages(intervals: dict[str, list[tuple[float, float]]], samples: tuple[tuple[float, int], ...]) -> dict[str, Stage]:
    """Each stage's time and the largest memory sample taken inside one of its steps (0 if none was)."""
    return {
        name: Stage(
            sum(end - start for start, end in spans),
            max((rss for at, rss in samples if any(start <= at <= end for start, end in spans)), default=0) / 1e9,
        )
        for name, spans in intervals.items()
    }


@dataclass(frozen=True)
class Measure:
    """One command: wall and CPU seconds (its whole process tree), peak RSS of its largest process and of the tree,
    and the tree's resident memory sampled over time (epoch seconds, bytes)."""

    wall_s: float
    cpu_s: float
    peak_process_gb: float
    peak_tree_gb: float
    samples: tuple[tuple[float, int], ...] = ()


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
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            samples.append((time.time(), _tree_rss_bytes(process.pid)))

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
    peak = max((rss for _, rss in samples), default=0)
    return Measure(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1e6, peak / 1e9, tuple(samples))


def home_bytes(home: Path) -> int:
    """Bytes on disk under ``home`` (landing, archived deliveries, lake, warehouse)."""
    return sum(path.stat().st_size for path in home.rglob("*") if path.is_file() and not path.is_symlink())


def unfit(scale: str, base: Path, done: list[dict]) -> str | None:
    """Why ``scale`` cannot run here, extrapolated linearly from the largest scale already measured, or None.

    Disk: the measured home's bytes per unit of scale (twice: the fresh home stays while the insurer's sequence
    runs in a second one, unless ``REGWH_BENCH_FIRST=0`` or ``REGWH_BENCH_QUARTERLY=0``) against the free space;
    memory: the generator's peak per unit of scale against the machine's memory (the close's is bounded by
    ``REGWH_DUCKDB_MEMORY_LIMIT``, whatever the scale)."""
    if not done:
        return None
    last = max(done, key=lambda r: float(r["scale"]))
    factor = float(scale) / float(last["scale"])
    homes = 2 if all(os.environ.get(f"REGWH_BENCH_{flag}", "1") == "1" for flag in ("FIRST", "QUARTERLY")) else 1
    disk = last["home_bytes"] * factor * homes
    memory = last["generate"].peak_tree_gb * factor * 1e9
    free = shutil.disk_usage(base if base.exists() else REPO).free
    total = os.sysconf("SC_PHYS_PAGES") * PAGE
    reasons = []
    if disk > free:
        reasons.append(f"about {disk / 1e9:.0f} GB of disk needed, {free / 1e9:.0f} GB free")
    if memory > total:
        reasons.append(f"the generator needs about {memory / 1e9:.0f} GB of memory, the machine has {total / 1e9:.0f}")
    return "; ".join(reasons) or None


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "REGWH_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "PATH": f"{BIN}:{os.environ['PATH']}",
    }


def link_landing(source: Path, target: Path, exclude: str | None = None, only: str | None = None) -> int:
    """Hard-link ``source``'s landing files into ``target`` (no copy): those whose name does not contain ``exclude``,
    or only those whose name contains ``only``. Returns the number of files linked."""
    linked = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or (exclude and exclude in path.name) or (only and only not in path.name):
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, destination)
        linked += 1
    return linked


def quarterly(scale: str, base: Path, landing: Path) -> dict:
    """The 2025Q1 close with the deliveries up to 2025Q1 (a home's first close), then 2025Q2 delivered and the
    2025H1 close (the next-quarter close: its extraction reads one quarter, the warehouse keeps what the first
    built). Both measured; with the second close's input rows and the home's bytes."""
    home = base / f"scale-{scale}-quarterly"
    subprocess.run(["rm", "-rf", str(home)], check=True)
    env = _env(home)
    link_landing(landing, home / "landing", exclude="2025Q2")
    first = run([str(BIN / "regwh"), "close", "--period", "2025Q1"], env)
    first_stages = stages(step_intervals(home), first.samples)
    link_landing(landing, home / "landing", only="2025Q2")
    since = time.time()
    following = run([str(BIN / "regwh"), "close", "--period", "2025H1"], env)
    result = {
        "quarter": first,
        "quarter_stages": first_stages,
        "next": following,
        "next_stages": stages(step_intervals(home, since), following.samples),
        "rows": input_rows(home),
        "home_bytes": home_bytes(home),
    }
    subprocess.run(["rm", "-rf", str(home)], check=True)
    return result


def input_rows(home: Path) -> int:
    """Rows of every input of the home's 2025H1 package (its manifest)."""
    manifest = json.loads((home / "extracts" / "2025H1" / "v1" / "manifest.json").read_text(encoding="utf-8"))
    return sum(item["rows"] for item in manifest["inputs"])


def bench(scale: str, base: Path, landing_format: str = "csv") -> dict:
    home = base / f"scale-{scale}"
    env = _env(home)
    subprocess.run(["rm", "-rf", str(home)], check=True)
    # The generator itself: calibration (on by default) closes the period once more in a scratch home.
    scenario = ["--scenario", "scenarios/seed_2025h1.yaml", "--no-calibrate", "--format", landing_format]
    generate = run([str(BIN / "regwh"), "generate", *scenario, "--scale", scale], env)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    duckdb.sql(floor_sql(home / "landing", landing_format)).fetchall()
    floor = time.perf_counter() - started
    result: dict = {"scale": scale, "generate": generate, "floor_s": floor, "load": load, "close": None,
                    "stages": {}, "reclose": None, "reclose_stages": {}, "quarter": None, "quarter_stages": {},
                    "next": None, "next_stages": {}}  # fmt: skip
    if os.environ.get("REGWH_BENCH_FIRST", "1") == "1":
        close = run([str(BIN / "regwh"), "close", "--period", "2025H1"], env)
        result.update(close=close, stages=stages(step_intervals(home), close.samples), rows=input_rows(home))
        # The steady state: every delivery already extracted (unchanged sha256), the warehouse rebuilt and
        # republished.
        if os.environ.get("REGWH_BENCH_RECLOSE", "1") == "1":
            since = time.time()
            again = run([str(BIN / "regwh"), "close", "--period", "2025H1", "--restate", "bench: close again"], env)
            result.update(reclose=again, reclose_stages=stages(step_intervals(home, since), again.samples))
        result["home_bytes"] = home_bytes(home)
    if os.environ.get("REGWH_BENCH_QUARTERLY", "1") == "1" or result["close"] is None:
        sequence = quarterly(scale, base, home / "landing")
        rows, size = sequence.pop("rows"), sequence.pop("home_bytes")
        result.setdefault("rows", rows)  # the fresh home's, when it was closed
        result.setdefault("home_bytes", size)
        result.update(sequence)
    if os.environ.get("REGWH_BENCH_KEEP", "0") != "1":
        subprocess.run(["rm", "-rf", str(home)], check=True)
    result["measured"] = (
        f"{time.strftime('%Y-%m-%d %H:%M')}, {landing_format.upper()}, "
        f"{os.environ.get('REGWH_DUCKDB_MEMORY_LIMIT') or '2.5GB'}"
    )
    return result


CLOSES = ("close", "reclose", "quarter", "next")  # a result's closes; their stages are under stages_of(close)


def stages_of(close: str) -> str:
    return "stages" if close == "close" else f"{close}_stages"


def to_record(result: dict) -> dict:
    """A result as JSON: its measures without their memory samples."""
    record = dict(result)
    for key in ("generate", *CLOSES):
        measure = result.get(key)
        record[key] = {**asdict(measure), "samples": []} if measure else None
    for key in CLOSES:
        record[stages_of(key)] = {name: asdict(stage) for name, stage in result.get(stages_of(key), {}).items()}
    return record


def from_record(record: dict) -> dict:
    """The result a record was made from (measures and stages as dataclasses)."""
    result = dict(record)
    for key in ("generate", *CLOSES):
        measure = record.get(key)
        result[key] = Measure(**{**measure, "samples": ()}) if measure else None
    for key in CLOSES:
        result[stages_of(key)] = {name: Stage(**stage) for name, stage in record.get(stages_of(key), {}).items()}
    return result


def load_results(path: Path) -> dict[str, dict]:
    """The kept results by scale (none if the file does not exist)."""
    if not path.exists():
        return {}
    return {scale: from_record(record) for scale, record in json.loads(path.read_text(encoding="utf-8")).items()}


def save_results(path: Path, results: dict[str, dict]) -> None:
    records = {scale: to_record(results[scale]) for scale in sorted(results, key=float)}
    path.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")


def _measure(measure: Measure | None) -> str:
    return f"{measure.wall_s:.0f} ({measure.cpu_s:.0f}, {measure.peak_tree_gb:.2f})" if measure else "not run"


def report(results: list[dict], skipped: dict[str, str]) -> str:
    """Two Markdown tables: the closes per scale, then each stage against the floor."""
    lines = [
        "| scale | input rows | generate s (peak GB) | close s | close CPU s | rows/s | peak GB process / tree | "
        "re-close s (CPU s, peak GB tree) | first close of 2025Q1 s (CPU s, peak GB tree) | "
        "next-quarter close s (CPU s, peak GB tree) | load | floor s | home GB | measured (landing, DuckDB limit) |",
        "|" + "---|" * 14,
    ]
    for r in results:
        gen, close = r["generate"], r["close"]
        closed = (
            f"{close.wall_s:.0f} | {close.cpu_s:.0f} | {r['rows'] / close.wall_s:,.0f} | "
            f"{close.peak_process_gb:.2f} / {close.peak_tree_gb:.2f}"
            if close
            else "not run | | |"
        )
        lines.append(
            f"| {r['scale']} | {r['rows']:,} | {gen.wall_s:.0f} ({gen.peak_tree_gb:.1f}) | {closed} | "
            f"{_measure(r['reclose'])} | {_measure(r.get('quarter'))} | {_measure(r.get('next'))} | "
            f"{r['load']:.1f} | {r['floor_s']:.3g} | {r['home_bytes'] / 1e9:.1f} | {r.get('measured', '')} |"
        )
    for scale, why in skipped.items():
        lines.append(f"| {scale} | not run: {why} |" + " |" * 12)
    lines += [
        "",
        "| scale | close | stage | wall s | rows/s | peak GB (tree) | × floor |",
        "|---|---|---|---|---|---|---|",
    ]
    labels = {"close": "first", "reclose": "re-close", "quarter": "2025Q1 first", "next": "next quarter"}
    for r in results:
        for key, label in labels.items():
            measured = r.get(stages_of(key), {})
            for name in STAGES:
                if name in measured:
                    stage = measured[name]
                    rate = f"{r['rows'] / stage.wall_s:,.0f}" if stage.wall_s else "-"
                    lines.append(
                        f"| {r['scale']} | {label} | {name} | {stage.wall_s:.1f} | {rate} | {stage.peak_gb:.2f} | "
                        f"{stage.wall_s / r['floor_s']:.0f} |"
                    )
    return "\n".join(lines)


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    series = (
        ("close", "wall_s", "o-", "close 2025H1, fresh home (wall)"),
        ("close", "cpu_s", "^-", "close 2025H1, fresh home (CPU)"),
        ("reclose", "wall_s", "v-", "re-close (wall)"),
        ("quarter", "wall_s", "x-", "first close of 2025Q1 (wall)"),
        ("next", "wall_s", "D-", "next-quarter close (wall)"),
    )
    for key, field, style, label in series:
        points = [(r["rows"], getattr(r[key], field)) for r in results if r.get(key)]
        if points:
            axes.loglog(*zip(*points, strict=True), style, label=label)
    axes.loglog([r["rows"] for r in results], [r["floor_s"] for r in results], "s--", label="DuckDB floor")
    axes.set_xlabel("input rows")
    axes.set_ylabel("seconds")
    axes.legend(fontsize="small")
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
        f"DuckDB {duckdb.__version__}"
    )


def main(scales: list[str]) -> None:
    base = Path(os.environ.get("REGWH_BENCH_HOME") or REPO / "var" / "bench")
    landing_format = os.environ.get("REGWH_BENCH_FORMAT", "csv")
    docs = REPO / "docs"
    kept = load_results(docs / "performance.json")
    skipped: dict[str, str] = {}
    for scale in scales:
        why = unfit(scale, base, [result for key, result in kept.items() if float(key) < float(scale)])
        if why:
            print(f"scale {scale} not run: {why}", flush=True)
            skipped[scale] = why
            continue
        kept[scale] = bench(scale, base, landing_format)
        save_results(docs / "performance.json", kept)
        print(report([kept[scale]], {}), flush=True)
    results = [kept[scale] for scale in sorted(kept, key=float)]
    table = report(results, {scale: why for scale, why in skipped.items() if scale not in kept})
    print(table)
    plot(results, docs / "performance.png")
    measured = (
        f"Measured with `make bench` (scripts/bench.py; `SCALES=...` picks the scales, the figures of the others "
        f"are kept from their last run in docs/performance.json) on {machine()}; when each scale was measured, its "
        "landing format and `REGWH_DUCKDB_MEMORY_LIMIT` are in the table's last column. Generate = `regwh "
        "generate --no-calibrate` (the generator alone: calibration closes the period once more); close = `regwh "
        "close --period 2025H1` in a fresh home, without generation; CPU = user + system seconds of its process "
        "tree; peak GB = largest single process (wait4) and whole process tree (the close and its dbt subprocess, "
        "sampled every 0.2 s); load = 1-minute load average when the close started; stages from the Dagster event "
        "log (extract = every delivered quarter, 14 at the first close); re-close = the same close again with "
        "`--restate` (deliveries unchanged, so nothing is extracted again: the warehouse is rebuilt, gated and "
        "republished); first close of 2025Q1 and next-quarter close = in a second home, `--period 2025Q1` closed "
        "with the deliveries up to 2025Q1 (13 quarters), then the 2025Q2 deliveries arrive and `--period 2025H1` "
        "is closed (the insurer's own sequence); `REGWH_BENCH_FIRST=0` runs only that sequence (scale 10); floor = "
        "a bare DuckDB script summing premium, claims and case reserves straight from the landing files; home GB "
        "= the measured home's files after its closes (deleted afterwards unless `REGWH_BENCH_KEEP=1`). Per stage: "
        "wall s = its steps' time summed; rows/s = input rows ÷ that time; peak GB = the largest sample of the "
        "tree's memory taken during one of its steps; × floor = its time ÷ the floor's. A scale whose disk or "
        "generator memory need (extrapolated linearly from the largest scale measured before it) exceeds the "
        "machine is not run, and the table says why.\n\n" + table + "\n\n![time against rows](performance.png)\n"
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
