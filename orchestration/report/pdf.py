"""The report as PDF (reportlab): the built-in CID font STSong-Light renders Chinese without a system font."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from orchestration.report.charts import chart_png
from orchestration.report.document import Document
from orchestration.report.tables import Table

FONT = "STSong-Light"
CHART_WIDTH = 160 * mm
CHART_HEIGHT = CHART_WIDTH * 3.4 / 6.4  # the charts' aspect ratio
MARGIN = 20 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21)
    return {
        "title": ParagraphStyle("title", base, fontSize=18, leading=26, alignment=1, firstLineIndent=0, spaceAfter=6),
        "period": ParagraphStyle("period", base, alignment=1, firstLineIndent=0, spaceAfter=12),
        "part": ParagraphStyle(
            "part", base, fontSize=15, leading=22, firstLineIndent=0, spaceBefore=14, spaceAfter=6, keepWithNext=1
        ),
        "section": ParagraphStyle(
            "section", base, fontSize=12.5, leading=19, firstLineIndent=0, spaceBefore=10, spaceAfter=4, keepWithNext=1
        ),
        "body": ParagraphStyle("text", base, spaceAfter=6),
        "caption": ParagraphStyle("caption", base, firstLineIndent=0, spaceBefore=4, spaceAfter=2),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=12, firstLineIndent=0),
        "note": ParagraphStyle("note", base, fontSize=9, leading=14, firstLineIndent=0),
    }


def _table(table: Table, styles: dict[str, ParagraphStyle]) -> Flowable:
    header = ["指标代码", "指标名称", "单位", "本期"] + (["上期"] if table.has_previous else [])
    data: list[list[object]] = [header]
    for row in table.rows:
        cells: list[object] = [
            Paragraph(escape(row.code), styles["cell"]),
            Paragraph(escape(row.name_zh), styles["cell"]),
            row.unit_zh,
            row.current_display,
        ]
        if table.has_previous:
            cells.append(row.previous_display)
        data.append(cells)
    widths = [48 * mm, 44 * mm, 16 * mm, 30 * mm] + ([30 * mm] if table.has_previous else [])
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    style += [
        ("BACKGROUND", (0, i), (-1, i), colors.HexColor("#f5f5f5"))
        for i, row in enumerate(table.rows, 1)
        if row.is_total
    ]
    grid = PdfTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT", style=TableStyle(style))
    return KeepTogether([Paragraph(escape(table.title_zh), styles["caption"]), grid, Spacer(1, 6)])


def _page_number(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {canvas.getPageNumber()} —")


def render_pdf(doc: Document) -> bytes:
    """The PDF report; byte-identical for the same document (reportlab's invariant mode)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(escape(doc.title), styles["title"]),
        Paragraph(escape(f"报告期间：{doc.period}"), styles["period"]),
    ]
    for part in doc.parts:
        story.append(Paragraph(escape(part.title), styles["part"]))
        for section in part.sections:
            story.append(Paragraph(escape(section.heading), styles["section"]))
            story += [Paragraph(escape(text), styles["body"]) for text in section.paragraphs]
            story += [_table(table, styles) for table in section.tables]
            story += [
                Image(io.BytesIO(chart_png(chart)), width=CHART_WIDTH, height=CHART_HEIGHT) for chart in section.charts
            ]
    story.append(Paragraph("说明", styles["part"]))
    story += [Paragraph(escape(f"{i}. {note}"), styles["note"]) for i, note in enumerate(doc.notes, 1)]
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=doc.title,
        author="regwh",
        subject=doc.period,
        creator="regwh",
        invariant=1,
    )
    template.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
