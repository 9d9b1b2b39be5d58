"""What pushing validation into DuckDB gains: the fct_premium_transactions suite two ways on a closed warehouse.

``python scripts/bench_validation.py HOME PERIOD`` (HOME a closed ``$REGWH_HOME``, PERIOD e.g. ``2025H1``) runs,
each in its own process so that memory is its own:

- ``pushdown``: what the close does. DuckDB computes one row of aggregates per quarter
  (``orchestration/fact_checks``) and GX validates that frame with ``expectations/fct_premium_transactions.json``.
- ``whole_table``: the suite's rules validated the usual GX way, on every premium transaction booked in the
  period's quarters (the largest fact the suites read) read from DuckDB into pandas: a unique transaction id, a
  known line of business, the premium's sign by transaction type. The booked-quarter rule is left out, which
  flatters this side.

Prints wall seconds, CPU seconds (user + system) and peak resident memory of each process, and the ratio.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WHOLE_TABLE_SQL = """
select
    premium_transaction_id,
    line_of_business,
    transaction_type,
    cast(amount as double) as amount,
    case when transaction_type in ('written', 'endorsement') then amount else -amount end >= 0 as sign_as_typed
from marts.fct_premium_transactions
where booked_quarter in (select unnest(?))
"""


def _whole_table_suite() -> list[dict[str, object]]:
    """The row-level counterparts of the fct_premium_transactions suite's key, line and sign rules."""
    lines = ["accident", "credit", "health", "surety"]
    return [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "premium_transaction_id"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "line_of_business"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "line_of_business", "value_set": lines}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "sign_as_typed", "value_set": [True]}},
    ]


def _validate_whole_table(frame: object) -> bool:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    suite = context.suites.add(gx.ExpectationSuite(name="fct_premiums_rows", expectations=_whole_table_suite()))
    asset = context.data_sources.add_pandas("rows").add_dataframe_asset("rows")
    batch = asset.add_batch_definition_whole_dataframe("frame")
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="rows", data=batch, suite=suite))
    return bool(definition.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY").success)


def measure(mode: str, home: Path, period: str) -> dict[str, object]:
    """Run one mode in this process and return its figures."""
    from orchestration.fact_checks import FACT_CHECKS, aggregates
    from orchestration.periods import Period
    from orchestration.settings import duckdb_config, warehouse_path
    from orchestration.validation import run_suite

    quarters = Period.parse(period).quarters
    started = time.monotonic()
    with duckdb.connect(str(warehouse_path(home)), read_only=True, config=duckdb_config(home)) as con:
        if mode == "pushdown":
            check = next(check for check in FACT_CHECKS if check.suite == "fct_premium_transactions")
            frame = aggregates(con, check, quarters)
            success = run_suite(check.suite, frame, row_label=check.row_label).success
        else:
            frame = con.execute(WHOLE_TABLE_SQL, [[q.label for q in quarters]]).df()
            success = _validate_whole_table(frame)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "mode": mode,
        "rows": len(frame),
        "passed": success,
        "wall_s": round(time.monotonic() - started, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_gb": round(usage.ru_maxrss / 1024**2, 2),
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--mode"]:
        print(json.dumps(measure(argv[1], Path(argv[2]), argv[3])))
        return 0
    home, period = Path(argv[0]), argv[1]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        (table_rows,) = con.execute("select count(*) from marts.fct_premium_transactions").fetchone()
    results = []
    for mode in ("pushdown", "whole_table"):
        done = subprocess.run(
            [sys.executable, __file__, "--mode", mode, str(home), period], capture_output=True, text=True, check=True
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"fct_premium_transactions: {table_rows:,} rows in all; period {period}")
    print("| mode | rows validated by GX | passed | wall s | CPU s | peak GB |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['mode']} | {r['rows']:,} | {r['passed']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_gb']} |")
    push, whole = results
    cpu, memory = whole["cpu_s"] / push["cpu_s"], whole["peak_gb"] / push["peak_gb"]
    print(f"whole table / pushdown: CPU x{cpu:.1f}, peak memory x{memory:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
