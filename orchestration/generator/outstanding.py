"""Outstanding claims reserve as the warehouse values it at a quarter end: case reserves booked by then, IBNR by
``orchestration.reserving`` on the incurred triangle (payments and case-reserve movements by accident and booking
quarter) with the ``reserving_assumptions`` seed and earned premium (as ``fct_premiums`` computes it) as the
Bornhuetter-Ferguson exposure, and ULAE on both."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.generator.policy import LINES, PolicyBook
from orchestration.generator.timeline import DAY, EPOCH
from orchestration.generator.upr import cancelled_on, upr_by
from orchestration.reserving import LineAssumptions, build_triangle, estimate_ibnr

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "reserving_assumptions.csv"


@cache
def assumptions() -> dict[str, LineAssumptions]:
    with SEED.open(encoding="utf-8") as handle:
        return {
            row["line_of_business"]: LineAssumptions(
                row["line_of_business"],
                int(row["min_origin_periods"]),
                float(row["apriori_loss_ratio"]),
                float(row["ulae_ratio"]),
            )
            for row in csv.DictReader(handle)
        }


def _quarter_start(days: np.ndarray) -> np.ndarray:
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return (months - months % 3).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _fen(value: float) -> int:
    return int(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def _day(number: int) -> date:
    return date.fromordinal(EPOCH.toordinal() + int(number))


def earned_premium(book: PolicyBook, last_day: int) -> pd.DataFrame:
    """Earned premium (line, origin = quarter start, amount in CNY) of every quarter up to ``last_day``, as
    ``fct_premiums`` computes it: written in the quarter + UPR at the previous quarter end - UPR at its end, the
    UPR policy by policy (1/365), rounded per policy (the warehouse rounds per cohort of equal cover: within a fen)."""
    issued_day = (book.issued_ts // DAY).astype(np.int32)
    cancel = cancelled_on(book.start_day.size, book.booked_policy, book.booked_type, book.booked_ts)
    booked_day = book.booked_ts // DAY
    first = np.datetime64(int(booked_day.min()), "D").astype("datetime64[M]")
    first -= first.astype(np.int64) % 3
    months = np.arange(first, np.datetime64(int(last_day), "D").astype("datetime64[M]") + 1, 3)
    starts = months.astype("datetime64[D]").astype(np.int64)
    ends = (months + 3).astype("datetime64[D]").astype(np.int64) - 1
    upr = np.zeros((starts.size + 1, len(LINES)))  # micro-CNY at each quarter end; row 0 before the first
    booked = (book.booked_policy, book.booked_ts, book.booked_fen)
    for i, day in enumerate(ends):
        upr[i + 1] = upr_by(day, book.line, len(LINES), booked, issued_day, book.start_day, book.end_day, cancel)
    rows = booked_day <= ends[-1]
    quarter = np.searchsorted(starts, booked_day[rows], side="right") - 1
    written = np.zeros((starts.size, len(LINES)))
    np.add.at(written, (quarter, book.booked_line[rows]), book.booked_fen[rows] * 10_000)
    earned = written + upr[:-1] - upr[1:]
    return pd.DataFrame(
        {
            "line": np.tile(np.array(LINES), starts.size),
            "origin": np.repeat([_day(d) for d in starts], len(LINES)),
            "amount": earned.ravel() / 1_000_000,
        }
    )


@dataclass
class Incurred:
    """Incremental incurred movements (line index, accident day, booking day, fen, case-reserve flag), earned premium
    per line and quarter (``earned_premium``), with the line names."""

    lines: tuple[str, ...]
    line: np.ndarray
    accident: np.ndarray
    booked: np.ndarray
    fen: np.ndarray
    is_case: np.ndarray
    earned: pd.DataFrame

    def value(self, day: int, fen: np.ndarray | None = None) -> tuple[int, int]:
        """(outstanding claims reserve, case reserves) in fen at ``day``."""
        fen = self.fen if fen is None else fen
        rows = self.booked <= day
        origin, dev = _quarter_start(self.accident[rows]), _quarter_start(self.booked[rows])
        key = (self.line[rows] * 100_000 + (origin - origin.min())) * 100_000 + (dev - dev.min())
        cells, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=fen[rows].astype(np.float64))
        cell_line = cells // 10_000_000_000
        frame = pd.DataFrame(
            {
                "line": np.array(self.lines)[cell_line],
                "origin_date": pd.to_datetime(((cells // 100_000) % 100_000 + origin.min()), unit="D"),
                "development_date": pd.to_datetime(cells % 100_000 + dev.min(), unit="D"),
                "amount": sums / 100,
            }
        )
        exposure = self.earned[self.earned["origin"] <= _day(day)]
        ibnr = estimate_ibnr(build_triangle(frame, _day(day)), assumptions(), exposure)
        per_line = ibnr.groupby("line")["ibnr"].sum()
        case_rows = rows & self.is_case
        case = np.bincount(self.line[case_rows], weights=fen[case_rows], minlength=len(self.lines)).astype(np.int64)
        total = 0
        for i, name in enumerate(self.lines):
            base = int(case[i]) + _fen(float(per_line.get(name, 0.0)))
            total += base + _ulae(name, base)
        return total, int(case.sum())


def _ulae(line: str, base_fen: int) -> int:
    return _fen(assumptions()[line].ulae_ratio * (base_fen / 100))
