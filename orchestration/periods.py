"""Reporting periods: quarters (``2025Q2``) and half years (``2025H1``), in China Standard Time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), name="CST")
_PERIOD = re.compile(r"^(\d{4})(Q[1-4]|H[12])$")


@dataclass(frozen=True, order=True)
class Period:
    """A quarter or a half year, written ``2025Q1`` or ``2025H1``."""

    year: int
    kind: str  # "Q" or "H"
    number: int

    @classmethod
    def parse(cls, label: str) -> Period:
        match = _PERIOD.match(label.strip())
        if not match:
            raise ValueError(f"period {label!r} is not written like 2025Q1 or 2025H1")
        part = match.group(2)
        return cls(int(match.group(1)), part[0], int(part[1]))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls(day.year, "Q", (day.month - 1) // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}{self.kind}{self.number}"

    @property
    def is_quarter(self) -> bool:
        return self.kind == "Q"

    @property
    def start(self) -> date:
        months = 3 if self.is_quarter else 6
        return date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        months = 3 if self.is_quarter else 6
        last_month = self.number * months
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    @property
    def quarters(self) -> list[Period]:
        if self.is_quarter:
            return [self]
        first = 2 * self.number - 1
        return [Period(self.year, "Q", first), Period(self.year, "Q", first + 1)]

    @property
    def last_quarter(self) -> Period:
        return self.quarters[-1]

    def previous_quarter(self) -> Period:
        q = self.quarters[0]
        if q.number == 1:
            return Period(q.year - 1, "Q", 4)
        return Period(q.year, "Q", q.number - 1)

    def __str__(self) -> str:
        return self.label


def quarter_range(first: Period, last: Period) -> list[Period]:
    """All quarters from ``first`` to ``last`` inclusive."""
    quarters, current = [], first.quarters[0]
    while current <= last.last_quarter:
        quarters.append(current)
        current = Period(current.year + current.number // 4, "Q", current.number % 4 + 1)
    return quarters


def cst_now() -> datetime:
    """Current time in China Standard Time."""
    return datetime.now(CST)
