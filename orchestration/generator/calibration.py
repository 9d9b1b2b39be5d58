"""Calibrate the demo's investment mix so that the warehouse's own minimum capital meets the scenario's target.

Minimum capital depends on every exposure (premiums, reserves, receivables, investments) through the C-ROSS
aggregation, so the generator cannot know it in advance. It closes the period's last quarter once on the deliveries
it wrote (in a scratch home, with the warehouse's own pipeline), then asks the project's own model
``fct_minimum_capital`` (compiled by dbt, run on the scratch warehouse) what minimum capital a given shift of funds
from the CNY bank deposits into the CNY main-board equities (in equal shares, so that no single equity is a large
share of total assets) at the period end would give, and solves for the shift by the secant method. The deliveries
are then written again with that shift (``finance.shift_to_equity``); nothing else changes, as the period's
investment income is pinned by the yield target.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np

from orchestration import settings
from orchestration.generator.finance import (
    CALIBRATION_EQUITIES,
    SECURITIES,
    calibration_pool,
    equity_shift_floor,
    shift_to_equity,
)
from orchestration.generator.scenario import Scenario

TOLERANCE_CNY = Decimal("1")  # far inside the published precision (0.005 万元 = 50 CNY)
MAX_STEPS = 30
CLI = "import sys; from orchestration.cli import main; sys.exit(main(sys.argv[1:]))"


def _scratch_close(home: Path, quarter: str, progress: Callable[[str], None]) -> Path:
    """Close ``quarter`` on a hard-linked copy of the deliveries in a scratch home; its root."""
    scratch = home / "tmp" / "calibration"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(settings.landing_dir(home), settings.landing_dir(scratch), copy_function=os.link)
    env = {**os.environ, "REGWH_HOME": str(scratch), "DAGSTER_HOME": str(settings.dagster_home(scratch))}
    progress(f"calibration: closing {quarter} on the generated deliveries in {scratch}")
    closed = subprocess.run([sys.executable, "-c", CLI, "close", "--period", quarter], env=env, capture_output=True)
    if closed.returncode != 0:
        raise RuntimeError(f"calibration close failed:\n{closed.stderr.decode(errors='replace')[-3000:]}")
    return scratch


def _compiled_model(scratch: Path, quarter: str) -> str:
    """``fct_minimum_capital`` compiled by dbt for ``quarter`` against the scratch warehouse."""
    target = scratch / "tmp" / "dbt-compile"
    env = {**os.environ, "REGWH_HOME": str(scratch)}
    command = [
        str(Path(sys.executable).with_name("dbt")), "compile", "--quiet", "--select", "fct_minimum_capital",
        "--vars", json.dumps({"close_quarter": quarter}), "--target-path", str(target),
        "--profiles-dir", str(settings.DBT_PROJECT_DIR), "--project-dir", str(settings.DBT_PROJECT_DIR),
    ]  # fmt: skip
    compiled = subprocess.run(command, env=env, capture_output=True, cwd=settings.DBT_PROJECT_DIR)
    if compiled.returncode != 0:
        raise RuntimeError(f"calibration: dbt compile failed:\n{compiled.stdout.decode(errors='replace')[-3000:]}")
    return next(target.glob("compiled/*/models/marts/fct_minimum_capital.sql")).read_text(encoding="utf-8")


class WhatIf:
    """Minimum capital (CNY) of the scratch warehouse's ``quarter`` after moving funds into the calibration equities."""

    def __init__(self, con: duckdb.DuckDBPyConnection, model_sql: str, quarter: str, period_end: str) -> None:
        self.con, self.sql, self.quarter = con, model_sql, quarter
        held = con.execute(
            "select holding_id, cast(round(amount_cny * 100) as bigint) from staging.stg_investments__holdings "
            "where as_of_date = cast(? as date) and not is_financing",
            [period_end],
        ).fetchall()
        self.amounts = np.zeros(len(SECURITIES), dtype=np.int64)
        held_last = np.zeros(len(SECURITIES), dtype=bool)
        for holding_id, fen in held:  # holding "HS0030" is security 30 of the generator's list
            index = int(holding_id.removeprefix("HS")) - 1
            self.amounts[index], held_last[index] = fen, True
        if not held_last[CALIBRATION_EQUITIES].all():
            raise RuntimeError(f"calibration: a calibration equity is not held at {period_end}")
        klass = np.array([security[0] for security in SECURITIES])
        currency = np.array([security[3] for security in SECURITIES])
        self.pool = calibration_pool(klass, currency, held_last)

    def largest_equity(self, shift: int) -> int:
        """The largest calibration-equity holding (fen) after a shift of ``shift`` fen."""
        change = shift_to_equity(self.amounts, self.pool, shift)
        return int((self.amounts + change)[CALIBRATION_EQUITIES].max())

    def bounds(self) -> tuple[int, int]:
        """The shifts the holdings allow (fen)."""
        return -equity_shift_floor(self.amounts), int(self.amounts[self.pool].sum())

    def minimum_capital(self, shift: int) -> Decimal:
        """The model's minimum capital after a shift of ``shift`` fen (exposure rows patched in the scratch warehouse;
        demand deposits carry no charge and have no row)."""
        change = shift_to_equity(self.amounts, self.pool, shift)
        for index in [*self.pool, *CALIBRATION_EQUITIES]:
            self.con.execute(
                "update marts.fct_minimum_capital_exposures "
                "set exposure = cast(? as decimal(38, 10)) / 100, "
                "capital = cast(cast(? as decimal(38, 10)) / 100 * risk_factor as decimal(38, 10)) "
                "where quarter_label = ? and exposure_item = ?",
                [int(self.amounts[index] + change[index])] * 2 + [self.quarter, f"HS{index + 1:04d}"],
            )
        (value,) = self.con.execute(
            f"select minimum_capital from ({self.sql}) as model where quarter_label = ?", [self.quarter]
        ).fetchone()
        return Decimal(value)


def solve_equity_shift(scenario: Scenario, home: Path, progress: Callable[[str], None]) -> int:
    """The shift (fen) that gives the scenario's minimum capital at the period end, by the secant method."""
    quarter = scenario.period.last_quarter
    target = Decimal(scenario.targets["minimum_capital"].value) * 10_000
    scratch = _scratch_close(home, quarter.label, progress)
    sql = _compiled_model(scratch, quarter.label)
    with settings.duckdb_connect(str(settings.warehouse_path(scratch)), base=scratch) as con:
        what_if = WhatIf(con, sql, quarter.label, quarter.end.isoformat())
        low, high = what_if.bounds()
        previous, previous_gap = 0, what_if.minimum_capital(0) - target
        shift = max(min(10**9, high), low)  # 10 million CNY for the first slope
        for _ in range(MAX_STEPS):
            gap = what_if.minimum_capital(shift) - target
            if abs(gap) <= TOLERANCE_CNY:
                break
            if gap == previous_gap:
                break
            step = int((Decimal(shift - previous) * gap / (gap - previous_gap)).to_integral_value())
            previous, previous_gap = shift, gap
            shift = max(min(shift - step, high), low)
        else:
            gap = None
        if gap is None or abs(gap) > TOLERANCE_CNY:
            reach = [what_if.minimum_capital(bound) for bound in (low, high)]
            raise RuntimeError(
                f"calibration: minimum capital {target:,.2f} CNY is out of reach of the investment mix "
                f"({min(reach):,.2f} to {max(reach):,.2f} CNY); choose a target in that range"
            )
        (total_assets,) = con.execute(
            "select total_assets from marts.fct_balance_sheet where month_end = cast(? as date)", [quarter.end]
        ).fetchone()
        largest = Decimal(what_if.largest_equity(shift)) / 100 / Decimal(total_assets) * 100
    shutil.rmtree(scratch, ignore_errors=True)
    progress(
        f"calibration: {shift / 100:,.2f} CNY from deposits into {CALIBRATION_EQUITIES.size} equities gives minimum "
        f"capital {target:,.2f} CNY; the largest equity is {largest:.2f} % of total assets"
    )
    return shift
