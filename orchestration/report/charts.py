"""Charts of the report's series, drawn with matplotlib (no pyplot): inline SVG for HTML, PNG for PDF.

Labels are Chinese when matplotlib's font manager finds a CJK font, English otherwise. Output is
deterministic: fixed SVG hash salt, no dates in the metadata.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from decimal import Decimal

from matplotlib import font_manager, rc_context
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import StrMethodFormatter

from orchestration.report.model import ReportInput
from orchestration.report.tables import category_labels, display

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Noto Serif CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
COLOURS = ("#1f5fa8", "#e07b39", "#3a9e5c", "#b8443c", "#7d5ba6", "#8c8c8c")
SVG_HASH_SALT = "regwh-report"
THOUSANDS = "{x:,.0f}"
MONEY_UNITS = ("万元", "10k CNY")
PREMIUM_TITLES = ("原保费收入险种结构", "Original premium by line")
CLAIMS_TITLES = ("赔付支出（按季度）", "Claims paid by quarter")
SOLVENCY_TITLES = ("偿付能力充足率（按季度）", "Solvency ratios by quarter")


@dataclass(frozen=True)
class Line:
    """One value series of a chart."""

    name_zh: str
    name_en: str
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class ChartSpec:
    """A chart: ``barh`` (shares of a whole), ``bar`` or ``line`` over labelled categories."""

    key: str
    section: str
    kind: str
    title_zh: str
    title_en: str
    unit_zh: str
    unit_en: str
    labels_zh: tuple[str, ...]
    labels_en: tuple[str, ...]
    lines: tuple[Line, ...]


@functools.cache
def cjk_font() -> str | None:
    """The first CJK font matplotlib knows of, or None."""
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def _labels(points: list[tuple[str, Decimal]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = [category_labels(category) for category, _ in points]
    return tuple(zh for zh, _ in pairs), tuple(en for _, en in pairs)


def build_charts(report: ReportInput) -> list[ChartSpec]:
    """The charts whose series exist: premium mix by line, claims paid and solvency ratios by quarter."""
    charts = []
    premium = report.series.get("premium_by_line")
    if premium:
        zh, en = _labels(premium)
        line = Line("原保费收入", "Original premium", tuple(v for _, v in premium))
        charts.append(ChartSpec("premium_mix", "operations", "barh", *PREMIUM_TITLES, *MONEY_UNITS, zh, en, (line,)))
    claims = report.series.get("claims_paid_by_quarter")
    if claims:
        zh, en = _labels(claims)
        line = Line("赔付支出", "Claims paid", tuple(v for _, v in claims))
        charts.append(ChartSpec("claims_by_quarter", "claims", "bar", *CLAIMS_TITLES, *MONEY_UNITS, zh, en, (line,)))
    solvency = [
        (report.series[key], name_zh, name_en)
        for key, name_zh, name_en in (
            ("core_solvency_ratio_by_quarter", "核心偿付能力充足率", "Core solvency ratio"),
            ("solvency_ratio_by_quarter", "综合偿付能力充足率", "Comprehensive solvency ratio"),
        )
        if report.series.get(key)
    ]
    if solvency:
        zh, en = _labels(solvency[0][0])
        lines = tuple(Line(name_zh, name_en, tuple(v for _, v in points)) for points, name_zh, name_en in solvency)
        charts.append(ChartSpec("solvency_by_quarter", "solvency", "line", *SOLVENCY_TITLES, "%", "%", zh, en, lines))
    return charts


def _draw(spec: ChartSpec, chinese: bool) -> MplFigure:
    labels = spec.labels_zh if chinese else spec.labels_en
    title = spec.title_zh if chinese else spec.title_en
    unit = spec.unit_zh if chinese else spec.unit_en
    figure = MplFigure(figsize=(6.4, 3.4))
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.spines[["top", "right"]].set_visible(False)
    if spec.kind == "barh":
        values = spec.lines[0].values
        whole = sum(values, Decimal(0)) or Decimal(1)
        positions = range(len(values))
        axes.barh(positions, [float(v) for v in values], color=COLOURS[0])
        axes.set_yticks(list(positions), labels)
        axes.invert_yaxis()
        axes.set_xlabel(unit)
        axes.xaxis.set_major_formatter(StrMethodFormatter(THOUSANDS))
        for position, value in zip(positions, values, strict=True):
            share = display(value / whole * 100, 2)
            axes.annotate(f" {display(value, 2)} ({share}%)", (float(value), position), va="center", fontsize=8)
        axes.margins(x=0.35)
    elif spec.kind == "bar":
        values = spec.lines[0].values
        positions = range(len(values))
        axes.bar(positions, [float(v) for v in values], color=COLOURS[0])
        axes.set_xticks(list(positions), labels)
        axes.set_ylabel(unit)
        axes.yaxis.set_major_formatter(StrMethodFormatter(THOUSANDS))
        for position, value in zip(positions, values, strict=True):
            axes.annotate(display(value, 2), (position, float(value)), ha="center", va="bottom", fontsize=8)
        axes.margins(y=0.15)
    else:
        positions = range(len(labels))
        for colour, line in zip(COLOURS, spec.lines, strict=False):
            name = line.name_zh if chinese else line.name_en
            axes.plot(list(positions), [float(v) for v in line.values], marker="o", color=colour, label=name)
        axes.axhline(100, color="#8c8c8c", linestyle="--", linewidth=0.8)
        axes.set_xticks(list(positions), labels)
        axes.set_ylabel(unit)
        axes.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def _render(spec: ChartSpec, fmt: str, **kwargs: object) -> bytes:
    font = cjk_font()
    rc = {"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "none", "font.size": 9}
    if font:
        rc["font.family"] = [font, "DejaVu Sans"]
    buffer = io.BytesIO()
    with rc_context(rc):
        _draw(spec, chinese=font is not None).savefig(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def chart_svg(spec: ChartSpec) -> str:
    """The chart as an ``<svg>`` element to inline in HTML (text kept as text)."""
    svg = _render(spec, "svg", metadata={"Date": None}).decode("utf-8")
    return svg[svg.index("<svg") :]


def chart_png(spec: ChartSpec, dpi: int = 150) -> bytes:
    """The chart as a PNG image (for the PDF)."""
    return _render(spec, "png", dpi=dpi, metadata={"Software": None})
