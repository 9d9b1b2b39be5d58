"""Time as int64: seconds (timestamps) and days (dates) since 1970-01-01, CST wall clock, naive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from orchestration.periods import Period, quarter_range

DAY = 86_400
EPOCH = date(1970, 1, 1)


def compact_seconds(seconds: np.ndarray, latest: int) -> np.ndarray:
    """Timestamps as int32 (half the memory of a large book) when ``latest`` (no timestamp is later) leaves a year
    of headroom below int32's limit (2038), else unchanged."""
    return seconds.astype(np.int32) if latest < np.iinfo(np.int32).max - 366 * DAY else seconds


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def years_ago(day: date, years: int) -> date:
    """Same calendar day ``years`` earlier (later if negative; 28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class Window:
    """The quarters landed: 12 quarters of history before the period, then the period's quarters."""

    period: Period
    quarters: tuple[Period, ...]

    @classmethod
    def for_period(cls, period: Period) -> Window:
        first = period.quarters[0]
        for _ in range(12):
            first = first.previous_quarter()
        return cls(period, tuple(quarter_range(first, period.last_quarter)))

    @property
    def labels(self) -> list[str]:
        return [q.label for q in self.quarters]

    @property
    def start_day(self) -> int:
        return day_number(self.quarters[0].start)

    @property
    def end_day(self) -> int:
        """Last day of data (the period end), inclusive."""
        return day_number(self.period.end)

    @property
    def start_ts(self) -> int:
        return self.start_day * DAY

    @property
    def end_ts(self) -> int:
        """Last second of data."""
        return (self.end_day + 1) * DAY - 1

    @property
    def period_start_ts(self) -> int:
        return day_number(self.period.start) * DAY

    def quarter_bounds_days(self) -> np.ndarray:
        """Start day of every quarter, plus the day after the last one."""
        starts = [day_number(q.start) for q in self.quarters]
        return np.array([*starts, day_number(self.quarters[-1].end) + 1], dtype=np.int64)

    def quarter_index(self, seconds: np.ndarray) -> np.ndarray:
        """Index of the quarter each timestamp falls in (-1 before, len(quarters) after)."""
        return np.searchsorted(self.quarter_bounds_days() * DAY, seconds, side="right") - 1

    def period_quarter_indices(self) -> list[int]:
        return [self.quarters.index(q) for q in self.period.quarters]

    @property
    def valuation_days(self) -> list[int]:
        """Quarter ends a close of any of the period's quarters values reserves at: the quarter before the period
        (the first quarter's last-quarter column and opening balances) and each quarter of the period."""
        quarters = [self.period.quarters[0].previous_quarter(), *self.period.quarters]
        return [day_number(q.end) for q in quarters]


def month_ends(first_day: int, last_day: int) -> np.ndarray:
    """Day numbers of every month end between two day numbers (inclusive)."""
    start = np.datetime64(int(first_day), "D").astype("datetime64[M]")
    stop = np.datetime64(int(last_day), "D").astype("datetime64[M]")
    months = np.arange(start, stop + 1)
    ends = ((months + 1).astype("datetime64[D]") - 1).astype(np.int64)
    return ends[(ends >= first_day) & (ends <= last_day)]


def parse_day(text: str) -> int:
    """Day number of an ISO date ``YYYY-MM-DD``."""
    return day_number(date.fromisoformat(text))
