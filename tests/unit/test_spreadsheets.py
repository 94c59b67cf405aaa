"""CSV for Excel on Chinese Windows (UTF-8 with BOM) and XLSX with a header row, frozen panes, widths, real dates."""
import csv
import io
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook

from engine.reads.spreadsheets import Sheet, display_width, to_csv, to_xlsx

SHEET = Sheet("个案台账", ["案号", "儿童", "建档日期", "月份", "次数", "小时", "到场率"],
              ["text", "text", "date", "month", "int", "number", "percent"],
              [["JB-2026-00001", "王**", date(2026, 3, 17), date(2026, 3, 1), 4, 2.5, 0.6667],
               ["=HYPERLINK(\"x\")", "-1+2", None, date(2026, 4, 1), 0, 0.0, None]])


def test_csv_has_a_bom_a_header_row_and_formatted_cells():
    data = to_csv(SHEET)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == SHEET.headers
    assert rows[1] == ["JB-2026-00001", "王**", "2026-03-17", "2026-03", "4", "2.5", "66.7%"]


def test_csv_neutralises_text_that_a_spreadsheet_would_run_as_a_formula():
    rows = list(csv.reader(io.StringIO(to_csv(SHEET).decode("utf-8-sig"))))
    assert rows[2][:3] == ["'=HYPERLINK(\"x\")", "'-1+2", ""]


def test_xlsx_header_frozen_widths_and_real_dates():
    book = load_workbook(io.BytesIO(to_xlsx(SHEET)))
    ws = book.active
    assert ws.title == "个案台账" and ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == SHEET.headers and all(c.font.bold for c in ws[1])
    opened, month = ws["C2"], ws["D2"]
    assert isinstance(opened.value, datetime) and opened.value.date() == date(2026, 3, 17)
    assert opened.number_format == "yyyy-mm-dd" and month.number_format == "yyyy-mm"
    assert ws["G2"].number_format == "0.0%" and ws["G2"].value == 0.6667 and ws["E2"].value == 4
    assert ws.column_dimensions["A"].width >= len("JB-2026-00001")
    assert ws.column_dimensions["B"].width >= display_width("王**")


def test_xlsx_keeps_formula_like_text_as_text():
    book = load_workbook(io.BytesIO(to_xlsx(SHEET)))
    cell = book.active["A3"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(\"x\")"
    with zipfile.ZipFile(io.BytesIO(to_xlsx(SHEET))) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_display_width_counts_chinese_double():
    assert display_width("江北区") == 6 and display_width("JB") == 2
