"""All human-readable files of a regulator extract package, rendered from computed figures."""

from __future__ import annotations

from orchestration.report.document import build_document
from orchestration.report.html import render_html
from orchestration.report.model import ReportInput
from orchestration.report.pdf import render_pdf
from orchestration.report.tables import table_csv
from orchestration.report.xlsx import render_xlsx


def render_package_files(report: ReportInput) -> dict[str, bytes]:
    """``tables.xlsx``, ``report.html``, ``report.pdf`` and ``table_<key>.csv`` per table, sorted by name."""
    doc = build_document(report)
    files = {
        "tables.xlsx": render_xlsx(doc),
        "report.html": render_html(doc),
        "report.pdf": render_pdf(doc),
        **{f"table_{table.key}.csv": table_csv(table) for table in doc.tables},
    }
    return dict(sorted(files.items()))
