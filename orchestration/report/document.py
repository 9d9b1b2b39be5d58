"""The report's content, independent of its format: parts, sections, paragraphs, tables, charts, notes."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.report.charts import ChartSpec, build_charts
from orchestration.report.model import ReportInput
from orchestration.report.tables import Table, present_sections, section_tables
from orchestration.report.text import NOTES, period_name, section_paragraphs


@dataclass(frozen=True)
class SectionContent:
    """One rendered section: ``第一节 产品经营情况`` with its prose, tables and charts."""

    key: str
    heading: str
    title: str
    paragraphs: tuple[str, ...]
    tables: tuple[Table, ...]
    charts: tuple[ChartSpec, ...]


@dataclass(frozen=True)
class Part:
    """A part of the report (``第二部分 经营情况``) and its sections present."""

    title: str
    sections: tuple[SectionContent, ...]


@dataclass(frozen=True)
class Document:
    """Everything the HTML, PDF and XLSX files show."""

    title: str
    period: str
    parts: tuple[Part, ...]
    notes: tuple[str, ...]

    @property
    def sections(self) -> tuple[SectionContent, ...]:
        return tuple(section for part in self.parts for section in part.sections)

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(table for section in self.sections for table in section.tables)


def _period_label(period: str) -> str:
    name = period_name(period)
    return name if name == period else f"{name}（{period}）"


def build_document(report: ReportInput) -> Document:
    """Assemble the report's content from its figures and series."""
    charts = build_charts(report)
    parts: dict[str, list[SectionContent]] = {}
    for section in present_sections(report):
        parts.setdefault(section.part_zh, []).append(
            SectionContent(
                key=section.key,
                heading=section.heading_zh,
                title=section.title_zh,
                paragraphs=tuple(section_paragraphs(report, section.key)),
                tables=tuple(section_tables(report, section)),
                charts=tuple(chart for chart in charts if chart.section == section.key),
            )
        )
    return Document(
        title=report.title_zh,
        period=_period_label(report.period),
        parts=tuple(Part(title, tuple(sections)) for title, sections in parts.items()),
        notes=NOTES,
    )
