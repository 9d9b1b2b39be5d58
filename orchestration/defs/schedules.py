"""Unattended closes: quarter-end and half-year schedules, and a sensor on complete deliveries.

Their runs carry the partition and ``regwh/period`` only: each run decides itself which quarters the incremental
dbt models rebuild, as ``regwh close``'s do (orchestration/incremental.py).
"""

import json
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration import settings
from orchestration.landing_contract import DELIVERY_MARKER_SUFFIX, systems
from orchestration.periods import Period

TIMEZONE = "Asia/Shanghai"


def quarter_before(day: date) -> Period:
    """The last quarter that ended before ``day``."""
    return Period.quarter_of(day).previous_quarter()


@dg.schedule(
    job_name="close_quarter",
    cron_schedule="0 6 15 1,4,7,10 *",
    execution_timezone=TIMEZONE,
    description="On the 15th day after each quarter end (06:00 CST), close the quarter that ended.",
)
def quarter_end_close(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    quarter = quarter_before(context.scheduled_execution_time.date())
    return dg.RunRequest(
        run_key=f"close-{quarter.label}", partition_key=quarter.label, tags={"regwh/period": quarter.label}
    )


@dg.schedule(
    job_name="close_half_year",
    cron_schedule="0 6 20 1,7 *",
    execution_timezone=TIMEZONE,
    description="On 20 January and 20 July (06:00 CST), publish the half-year disclosure of the half year that ended.",
)
def half_year_disclosure_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    quarter = quarter_before(context.scheduled_execution_time.date())
    half = Period(quarter.year, "H", quarter.number // 2)
    return dg.RunRequest(
        run_key=f"publish-{half.label}", partition_key=quarter.label, tags={"regwh/period": half.label}
    )


def complete_quarters(landing: Path) -> dict[str, float]:
    """Quarters for which every source system has delivered its marker ``landing/<system>/<YYYYQn>.done``,
    with the newest marker's modification time."""
    by_quarter: dict[str, list[float]] = {}
    for system in systems():
        for marker in (landing / system).glob(f"*{DELIVERY_MARKER_SUFFIX}"):
            by_quarter.setdefault(marker.name.removesuffix(DELIVERY_MARKER_SUFFIX), []).append(marker.stat().st_mtime)
    return {q: max(times) for q, times in sorted(by_quarter.items()) if len(times) == len(systems())}


@dg.sensor(
    job_name="close_quarter",
    minimum_interval_seconds=300,
    description="Start the close of a quarter once every source system has delivered its marker file.",
)
def complete_delivery_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    seen: dict[str, float] = json.loads(context.cursor) if context.cursor else {}
    complete = complete_quarters(settings.landing_dir())
    requests = [
        dg.RunRequest(run_key=f"delivery-{quarter}-{int(stamp)}", partition_key=quarter, tags={"regwh/period": quarter})
        for quarter, stamp in complete.items()
        if seen.get(quarter) != stamp
    ]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps({**seen, **complete}, sort_keys=True))
