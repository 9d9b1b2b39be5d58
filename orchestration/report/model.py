"""The figures a report is rendered from: already computed, full precision."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Figure:
    """One metric of one period."""

    code: str  # e.g. premium_income_original
    name_zh: str  # e.g. 原保费收入
    unit: str  # wan_cny | percent | count | seconds | grade
    section: str  # operations | claims | service | finance | investment | reserves | solvency | related_party
    value: Decimal | str  # full precision (str for grades)
    decimals: int  # published decimals


@dataclass(frozen=True)
class ReportInput:
    """Everything one package's human-readable files show."""

    title_zh: str  # e.g. "众惠财产相互保险社 2025上半年经营情况报告"
    period: str  # e.g. "2025H1"
    figures: list[Figure]
    previous: dict[str, Decimal | str] = field(default_factory=dict)  # same codes, previous comparable period
    series: dict[str, list[tuple[str, Decimal]]] = field(default_factory=dict)  # chart series, any may be absent
