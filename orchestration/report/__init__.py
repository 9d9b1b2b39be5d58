"""Rendering of a regulator extract package's human-readable files (XLSX, HTML, PDF, CSV) from computed figures.

Pure: no Dagster, no DuckDB. Figures are rounded ROUND_HALF_UP to their published decimals for display;
a total is the rounded full-precision total (see :mod:`orchestration.report.tables`).
"""

from orchestration.report.charts import ChartSpec, build_charts, chart_png, chart_svg, cjk_font
from orchestration.report.document import Document, build_document
from orchestration.report.html import render_html
from orchestration.report.model import Figure, ReportInput
from orchestration.report.package import render_package_files
from orchestration.report.pdf import render_pdf
from orchestration.report.tables import Row, Table, display, round_half_up, table_csv, with_unit
from orchestration.report.xlsx import render_xlsx

__all__ = [
    "ChartSpec",
    "Document",
    "Figure",
    "ReportInput",
    "Row",
    "Table",
    "build_charts",
    "build_document",
    "chart_png",
    "chart_svg",
    "cjk_font",
    "display",
    "render_html",
    "render_package_files",
    "render_pdf",
    "render_xlsx",
    "round_half_up",
    "table_csv",
    "with_unit",
]
