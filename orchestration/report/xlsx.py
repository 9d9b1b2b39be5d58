"""The report's tables as one XLSX workbook: a sheet per table (Chinese names), a units column, and notes.

Cells hold the published (rounded) values, so a total is the rounded full-precision total, as displayed.
The workbook is byte-identical for the same tables: fixed core-property dates and zip entry timestamps.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from orchestration.report.document import Document
from orchestration.report.tables import CSV_HEADER, Row, Table, round_half_up

FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
WIDTHS = {"A": 34, "B": 30, "C": 8, "D": 18, "E": 18}


def number_format(decimals: int) -> str:
    """Excel format with thousands separators and ``decimals`` places (``#,##0.00`` for 万元)."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _cell_value(value: Decimal | str | None, decimals: int) -> float | str | None:
    if value is None or isinstance(value, str):
        return value
    return float(round_half_up(value, decimals))


def _sheet_name(table: Table, used: set[str]) -> str:
    name = table.title_zh[:31]
    suffix = 2
    while name in used:
        name = f"{table.title_zh[:28]}_{suffix}"
        suffix += 1
    used.add(name)
    return name


def _write_row(sheet: Worksheet, index: int, row: Row) -> None:
    for column, text in enumerate((row.code, row.name_zh, row.unit_zh), 1):
        sheet.cell(index, column, text).font = Font(bold=row.is_total)
    for column, value in enumerate((row.current, row.previous), 4):
        cell = sheet.cell(index, column, _cell_value(value, row.decimals))
        cell.font = Font(bold=row.is_total)
        cell.alignment = Alignment(horizontal="right")
        if isinstance(cell.value, float):
            cell.number_format = number_format(row.decimals)


def _deterministic_zip(data: bytes) -> bytes:
    """The same archive with every entry's timestamp fixed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def render_xlsx(doc: Document) -> bytes:
    """The workbook of every table of the report, then a 说明 (notes) sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = doc.title
    workbook.properties.creator = "regwh"
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    used: set[str] = set()
    for table in doc.tables:
        sheet = workbook.create_sheet(_sheet_name(table, used))
        sheet.append(CSV_HEADER)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for index, row in enumerate(table.rows, 2):
            _write_row(sheet, index, row)
        for column, width in WIDTHS.items():
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    notes.append(("说明",))
    notes["A1"].font = Font(bold=True)
    for i, note in enumerate(doc.notes, 1):
        notes.append((f"{i}. {note}",))
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return _deterministic_zip(buffer.getvalue())
