"""Writing a table as CSV (UTF-8 with BOM, for Excel on Chinese Windows) or XLSX (openpyxl).

A table is a header row, each column's kind, and rows of plain values. Kinds: ``text``, ``int``,
``number`` (one decimal), ``percent`` (a share 0…1), ``date`` and ``month`` (``datetime.date`` values).
"""
import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

KINDS = ("text", "int", "number", "percent", "date", "month")
XLSX_FORMATS = {"int": "0", "number": "0.0", "percent": "0.0%", "date": "yyyy-mm-dd", "month": "yyyy-mm"}
# A text cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: list[str]
    kinds: list[str]
    rows: list[list]


def text_of(value, kind: str) -> str:
    """A cell as text (CSV; also what the column width is measured on)."""
    if value is None:
        return ""
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "number":
        return f"{value:.1f}"
    if kind == "month" and isinstance(value, date):
        return value.strftime("%Y-%m")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv_cell(value, kind: str) -> str:
    text = text_of(value, kind)
    return "'" + text if kind == "text" and text.startswith(FORMULA_START) else text


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_csv_cell(v, k) for v, k in zip(row, sheet.kinds)])
    return out.getvalue().encode("utf-8-sig")


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a CJK character is about two Latin ones wide."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def column_widths(sheet: Sheet) -> list[int]:
    widths = [display_width(h) for h in sheet.headers]
    for row in sheet.rows:
        for i, (value, kind) in enumerate(zip(row, sheet.kinds)):
            widths[i] = max(widths[i], display_width(text_of(value, kind)))
    return [min(MAX_WIDTH, w + 2) for w in widths]


def to_xlsx(sheet: Sheet) -> bytes:
    """Header row in bold, frozen under it, columns as wide as their content, dates as real dates."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_sheet_title(sheet.title))
    for index, width in enumerate(column_widths(sheet), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(vertical="top")
    header = []
    for text in sheet.headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    ws.append(header)
    for row in sheet.rows:
        ws.append([_xlsx_cell(ws, value, kind) for value, kind in zip(row, sheet.kinds)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cell(ws, value, kind: str):
    cell = WriteOnlyCell(ws, value=value)
    if kind == "text" and isinstance(value, str):
        cell.data_type = "s"   # never a formula, whatever the text starts with
    elif kind in XLSX_FORMATS and value is not None:
        cell.number_format = XLSX_FORMATS[kind]
    return cell


def _sheet_title(title: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return (cleaned or "Sheet")[:31]
