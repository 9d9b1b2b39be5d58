"""Display tables: units, ROUND_HALF_UP rounding, the footing policy and the rows each section shows.

Footing policy: every figure is rounded on its own, from its full-precision value, to its published
decimals. A total shown in a table is the full-precision total rounded once, not the sum of the rounded
rows, so the rows of a table may differ from its total by a rounding difference (尾差), bounded and checked
before publication by ``orchestration/footing.py``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from orchestration.report.model import Figure, ReportInput

UNIT_LABELS = {"wan_cny": "万元", "percent": "%", "count": "件", "seconds": "秒", "grade": "—"}
COUNT_UNITS = {"members_end": "人", "claims_count": "件", "rpt_count": "笔", "rpt_unified_agreements": "份"}
MISSING = "—"
CSV_HEADER = ("指标代码", "指标名称", "单位", "本期", "上期")
TOTAL_CODE = "total"
TOTAL_NAME = "合计"


@dataclass(frozen=True)
class Section:
    """A section of the report, in the seed report's order and wording."""

    key: str
    part_zh: str  # 第二部分 经营情况
    number_zh: str  # 第一节
    title_zh: str  # 产品经营情况

    @property
    def heading_zh(self) -> str:
        return f"{self.number_zh} {self.title_zh}"


PART_OPERATIONS = "第二部分 经营情况"
PART_SOCIAL = "第三部分 社会责任"
SECTIONS: tuple[Section, ...] = (
    Section("operations", PART_OPERATIONS, "第一节", "产品经营情况"),
    Section("claims", PART_OPERATIONS, "第二节", "赔付支出情况"),
    Section("finance", PART_OPERATIONS, "第三节", "财务运营情况"),
    Section("investment", PART_OPERATIONS, "第四节", "资金运用情况"),
    Section("reserves", PART_OPERATIONS, "第五节", "准备金提取情况"),
    Section("solvency", PART_OPERATIONS, "第六节", "偿付能力情况"),
    Section("related_party", PART_OPERATIONS, "第七节", "关联交易情况"),
    Section("service", PART_SOCIAL, "第一节", "会员服务情况"),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}


@dataclass(frozen=True)
class SeriesSpec:
    """A known chart series: where its table goes, its unit and whether the table shows a total."""

    key: str
    section: str
    title_zh: str
    title_en: str
    unit: str
    with_total: bool
    decimals: int = 2


SERIES: tuple[SeriesSpec, ...] = (
    SeriesSpec("premium_by_line", "operations", "原保费收入（按险种）", "Original premium by line", "wan_cny", True),
    SeriesSpec("claims_paid_by_quarter", "claims", "赔付支出（按季度）", "Claims paid by quarter", "wan_cny", True),
    SeriesSpec(
        "core_solvency_ratio_by_quarter",
        "solvency",
        "核心偿付能力充足率（按季度）",
        "Core solvency ratio by quarter",
        "percent",
        False,
    ),
    SeriesSpec(
        "solvency_ratio_by_quarter",
        "solvency",
        "综合偿付能力充足率（按季度）",
        "Comprehensive solvency ratio by quarter",
        "percent",
        False,
    ),
)
LINE_LABELS = {
    "health": ("健康险", "Health"),
    "accident": ("意外险", "Accident"),
    "credit": ("信用保险", "Credit"),
    "surety": ("保证保险", "Surety"),
    "other": ("其他", "Other"),
}
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_CHINESE_DIGITS = "一二三四"


@dataclass(frozen=True)
class Row:
    """One display row: values kept at full precision, rounded only when shown."""

    code: str
    name_zh: str
    unit_zh: str
    current: Decimal | str
    previous: Decimal | str | None
    decimals: int
    is_total: bool = False

    @property
    def current_display(self) -> str:
        return display(self.current, self.decimals)

    @property
    def previous_display(self) -> str:
        return MISSING if self.previous is None else display(self.previous, self.decimals)


@dataclass(frozen=True)
class Table:
    """One output table: a section's figures or one chart series."""

    key: str  # operations, ... or a series key
    title_zh: str
    rows: tuple[Row, ...]

    @property
    def has_previous(self) -> bool:
        return any(row.previous is not None for row in self.rows)


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """``value`` rounded half away from zero to ``decimals`` places."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def display(value: Decimal | str, decimals: int, grouping: bool = True) -> str:
    """The published text of a value: rounded half up, thousands separated; grades as they are."""
    if isinstance(value, str):
        return value
    rounded = round_half_up(value, decimals)
    return f"{rounded:,.{decimals}f}" if grouping else f"{rounded:.{decimals}f}"


def with_unit(value: Decimal | str, decimals: int, unit: str, code: str = "") -> str:
    """A value as a sentence writes it: ``210,183.79 万元``, ``95.82%``, ``35 笔``, ``BB``."""
    text = display(value, decimals)
    if unit == "grade":
        return text
    if unit == "percent":
        return f"{text}%"
    return f"{text} {unit_label(unit, code)}"


def unit_label(unit: str, code: str = "") -> str:
    """The Chinese unit of a metric (counts name what they count where known)."""
    if unit == "count":
        return COUNT_UNITS.get(code, UNIT_LABELS["count"])
    return UNIT_LABELS[unit]


def category_labels(category: str) -> tuple[str, str]:
    """Chinese and English labels of a series category (a line of business or a quarter)."""
    if category in LINE_LABELS:
        return LINE_LABELS[category]
    match = _QUARTER.match(category)
    if match:
        return f"{match.group(1)}年第{_CHINESE_DIGITS[int(match.group(2)) - 1]}季度", category
    return category, category


def figure_table(section: Section, figures: list[Figure], previous: dict[str, Decimal | str]) -> Table:
    """The table of one section's figures, in the order they were given."""
    rows = tuple(
        Row(f.code, f.name_zh, unit_label(f.unit, f.code), f.value, previous.get(f.code), f.decimals) for f in figures
    )
    return Table(section.key, section.title_zh, rows)


def series_table(spec: SeriesSpec, points: list[tuple[str, Decimal]]) -> Table:
    """The table of one chart series, with a footed total row when the series adds up."""
    unit_zh = unit_label(spec.unit)
    rows = [
        Row(category, category_labels(category)[0], unit_zh, value, None, spec.decimals) for category, value in points
    ]
    if spec.with_total:  # footing policy: the full-precision total, rounded only when shown
        total = sum((value for _, value in points), Decimal(0))
        rows.append(Row(TOTAL_CODE, TOTAL_NAME, unit_zh, total, None, spec.decimals, is_total=True))
    return Table(spec.key, spec.title_zh, tuple(rows))


def present_sections(report: ReportInput) -> list[Section]:
    """The sections that have figures or a known series, in report order."""
    keys = {f.section for f in report.figures} | {s.section for s in SERIES if report.series.get(s.key)}
    unknown = keys - SECTION_BY_KEY.keys()
    if unknown:
        raise ValueError(f"unknown report sections: {sorted(unknown)}")
    return [section for section in SECTIONS if section.key in keys]


def section_tables(report: ReportInput, section: Section) -> list[Table]:
    """A section's figure table (if it has figures) followed by its series tables."""
    tables = []
    figures = [f for f in report.figures if f.section == section.key]
    if figures:
        tables.append(figure_table(section, figures, report.previous))
    tables.extend(
        series_table(spec, report.series[spec.key])
        for spec in SERIES
        if spec.section == section.key and report.series.get(spec.key)
    )
    return tables


def table_csv(table: Table) -> bytes:
    """A table as CSV (UTF-8 with BOM, for spreadsheet programs): display values without separators."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in table.rows:
        previous = "" if row.previous is None else display(row.previous, row.decimals, grouping=False)
        writer.writerow(
            (row.code, row.name_zh, row.unit_zh, display(row.current, row.decimals, grouping=False), previous)
        )
    return buffer.getvalue().encode("utf-8-sig")
