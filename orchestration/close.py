"""``regwh close``: extract every delivered quarter up to the period, then build, gate and publish it."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from orchestration import settings
from orchestration.delivery_rules import check_cross_table
from orchestration.landing_contract import delivered_quarters, load_contracts
from orchestration.periods import Period

QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


class CloseError(Exception):
    """The close did not publish; the message says why."""


@dataclass(frozen=True)
class CloseOutcome:
    period: Period
    package: Path | None
    written: bool


def to_extract(root: Path, delivered: list[Period]) -> list[Period]:
    """The delivered quarters from the first one with a delivery not extracted as it stands (new, changed or
    missing) to the last: later quarters' cross-delivery checks may read it, so they run again too. Empty when
    everything is extracted unchanged (a re-close), which saves a Dagster run of hashing and recording."""
    from orchestration.defs.raw import is_current  # imports Dagster: only once the environment is prepared

    tables = load_contracts()
    for index, quarter in enumerate(delivered):
        if not all(is_current(table, quarter, root) for table in tables):
            return delivered[index:]
    return []


def recheck_delivery_rules(root: Path, quarters: list[Period]) -> None:
    """The cross-delivery rules of every quarter, as the skipped extraction run would have checked them (a close
    that failed on them must not pass on a re-run with the same deliveries)."""
    broken = [
        (quarter, finding) for quarter in quarters for finding in check_cross_table(settings.raw_dir(root), quarter)
    ]
    if broken:
        raise CloseError(
            f"{len(broken)} cross-delivery rule(s) broken, nothing published:\n  "
            + "\n  ".join(f"{quarter}: {finding}" for quarter, finding in broken[:20])
        )


def _failures(result: object) -> list[str]:
    messages = []
    for event in result.all_events:  # type: ignore[attr-defined]
        if event.event_type_value == "STEP_FAILURE":
            data = event.step_failure_data
            text = (data.user_failure_data.description if data.user_failure_data else None) or (
                data.error.message.strip() if data.error else "failed"
            )
            messages.append(f"{event.step_key}: {text}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity.value == "ERROR":
                messages.append(f"check {evaluation.check_name} failed: {evaluation.description}")
    return messages


@contextmanager
def exclusive_close(root: Path) -> Iterator[None]:
    """One close per ``$REGWH_HOME`` at a time (DuckDB has one writer); a second fails at once, clearly.

    The lock is an ``flock`` on ``$REGWH_HOME/.close.lock``: the kernel releases it when the holder dies,
    so a killed close never blocks the next one.
    """
    path = root / ".close.lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise CloseError(f"another close is running on {root} (pid {holder}); nothing was changed") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare_environment(root: Path) -> None:
    """Point Dagster and dbt at ``$REGWH_HOME`` before the definitions load."""
    settings.ensure_home(root)
    os.environ["REGWH_HOME"] = str(root)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home(root))
    os.environ.setdefault("DBT_PROFILES_DIR", str(settings.DBT_PROJECT_DIR))


def close(
    period: Period, restatement_reason: str | None = None, progress: Callable[[str], None] = print
) -> CloseOutcome:
    """Run the close of ``period`` in-process on the local Dagster instance."""
    root = settings.home()
    prepare_environment(root)
    with exclusive_close(root):
        return _close(root, period, restatement_reason, progress)


def _close(root: Path, period: Period, restatement_reason: str | None, progress: Callable[[str], None]) -> CloseOutcome:
    import dagster as dg

    from orchestration import incremental
    from orchestration.definitions import defs
    from orchestration.defs.regulatory import RESTATEMENT_TAG

    instance = dg.DagsterInstance.get()
    delivered = delivered_quarters(settings.landing_dir(root), period)
    if not delivered:
        raise CloseError(f"nothing delivered in {settings.landing_dir(root)} up to {period.last_quarter.label}")
    quarters = to_extract(root, delivered)
    if not quarters:
        progress(f"extract: every delivery of {delivered[0]}..{delivered[-1]} is extracted as it stands")
        recheck_delivery_rules(root, delivered)
    else:
        progress(f"extract: {len(quarters)} quarters ({quarters[0]}..{quarters[-1]}) into {settings.raw_dir(root)}")
        extract = defs.resolve_job_def("extract").execute_in_process(
            instance=instance,
            run_config=QUIET_LOGGING,
            tags={
                "dagster/asset_partition_range_start": quarters[0].label,
                "dagster/asset_partition_range_end": quarters[-1].label,
                "regwh/period": period.label,
            },
            raise_on_error=False,
        )
        if not extract.success:
            raise CloseError("extraction failed, nothing published:\n  " + "\n  ".join(_failures(extract)))
    progress(f"close: dbt build, gate and publication for {period} (partition {period.last_quarter})")
    tags = {"regwh/period": period.label}
    if restatement_reason:
        tags[RESTATEMENT_TAG] = restatement_reason
    job, package = (
        ("close_quarter", "quarterly_solvency") if period.is_quarter else ("close_half_year", "half_year_disclosure")
    )
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance,
        partition_key=period.last_quarter.label,
        run_config=QUIET_LOGGING,
        tags=tags,
        raise_on_error=False,
    )
    planned = incremental.run_plan(root, result.run_id)
    if planned:
        progress(f"incremental models: {planned.describe()}")
    if not result.success:
        raise CloseError(f"close of {period} failed, nothing published:\n  " + "\n  ".join(_failures(result)))
    materialization = next(
        m for m in result.get_asset_materialization_events() if m.asset_key == dg.AssetKey(["extracts", package])
    )
    metadata = materialization.materialization.metadata
    return CloseOutcome(period, Path(metadata["package"].value), bool(metadata["written"].value))
