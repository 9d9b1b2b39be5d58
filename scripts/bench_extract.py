"""The close's extract stage alone: ``python scripts/bench_extract.py <period>`` with ``$REGWH_HOME`` set.

Runs job ``extract`` over every delivered quarter up to the period, in-process, as ``regwh close`` does, and
prints its wall time, then each step's time from the run's event log and the number of events it wrote (Dagster's
own cost). Run it under ``/usr/bin/time -v`` for CPU seconds and peak resident memory. The home's ``lake/raw``
and ``deliveries`` must be empty for a first close.
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from orchestration import close, settings
from orchestration.landing_contract import delivered_quarters
from orchestration.periods import Period


def main(period_label: str) -> None:
    root = settings.home()
    close.prepare_environment(root)
    import dagster as dg

    from orchestration.definitions import defs

    period = Period.parse(period_label)
    quarters = delivered_quarters(settings.landing_dir(root), period)
    instance = dg.DagsterInstance.get()
    start = time.perf_counter()
    result = defs.resolve_job_def("extract").execute_in_process(
        instance=instance,
        run_config=close.QUIET_LOGGING,
        tags={
            "dagster/asset_partition_range_start": quarters[0].label,
            "dagster/asset_partition_range_end": quarters[-1].label,
        },
        raise_on_error=False,
    )
    wall = time.perf_counter() - start
    print(f"extract job: {len(quarters)} quarters, success={result.success}, wall {wall:.1f} s")
    starts: dict[str, float] = {}
    steps: dict[str, float] = {}
    kinds: Counter[str] = Counter()
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        kinds[event.event_type_value if event else "log"] += 1
        if event is None or not event.step_key:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = entry.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            steps[event.step_key] = entry.timestamp - starts[event.step_key]
    for step, seconds in sorted(steps.items(), key=lambda item: -item[1]):
        print(f"  {step:55s} {seconds:7.1f} s")
    print(f"  steps together {sum(steps.values()):.1f} s; outside the steps {wall - sum(steps.values()):.1f} s")
    print("events: " + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))
    if not result.success:
        print("\n".join(close._failures(result)))
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
