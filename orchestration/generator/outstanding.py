"""Outstanding claims reserve as the warehouse values it at a quarter end: case reserves booked by then, IBNR by
``orchestration.reserving`` on the incurred triangle (payments and case-reserve movements by accident and booking
quarter) with the ``reserving_assumptions`` seed and booked premium as exposure, and ULAE on both."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.generator.timeline import DAY, EPOCH
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


@dataclass
class Incurred:
    """Incremental incurred movements (line index, accident day, booking day, fen, case-reserve flag) and booked
    premium (line index, booking second, fen), with the line names."""

    lines: tuple[str, ...]
    line: np.ndarray
    accident: np.ndarray
    booked: np.ndarray
    fen: np.ndarray
    is_case: np.ndarray
    premium_line: np.ndarray
    premium_ts: np.ndarray
    premium_fen: np.ndarray

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
        prem = self.premium_ts // DAY <= day
        quarter = _quarter_start(self.premium_ts[prem] // DAY)
        first = int(quarter.min()) if quarter.size else 0
        cells, inverse = np.unique(self.premium_line[prem] * 100_000 + (quarter - first), return_inverse=True)
        exposure = pd.DataFrame(
            {
                "line": np.array(self.lines)[cells // 100_000],
                "origin": [date.fromordinal(EPOCH.toordinal() + int(q)) for q in cells % 100_000 + first],
                "amount": np.bincount(inverse, weights=self.premium_fen[prem].astype(np.float64)) / 100,
            }
        )
        ibnr = estimate_ibnr(build_triangle(frame, date.fromordinal(EPOCH.toordinal() + day)), assumptions(), exposure)
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
