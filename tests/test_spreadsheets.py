"""Reading uploaded tables (core.spreadsheets): encodings, delimiters, workbooks and the files it refuses."""

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.spreadsheets import Column, Table, UnreadableFile, append_row, cell, cell_text, read_table, set_title
from tests.formulas import FORMULAS, assert_inert, saved

HEADER = ["จังหวัด", "รหัส อปท.", "ชื่อ"]
ROW = ["กระบี่", "6810403", "คลองท่อมเหนือ"]


@pytest.fixture(autouse=True)
def _thai():
    # The messages are checked in Thai, the interface language, whatever an earlier request activated.
    with translation.override("th"):
        yield


def workbook_bytes(*sheets: tuple[str, list[list]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def has_code_column(rows: list[list[str]]) -> bool:
    return any("รหัส อปท." in cells for cells in rows[:5])


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, **kwargs)
    return str(refused.value)


# Cells ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (5810401.0, "5810401"),
        (81, "81"),
        (7.65, "7.65"),
        ("  คลอง   ท่อม \n", "คลอง ท่อม"),
        ("ลำ\u200bปาง\xa0", "ลำ ปาง"),
        ("\ufeffจังหวัด", "จังหวัด"),
        ("ก\u0e4d\u0e32แพงเพชร", "กำแพงเพชร"),
    ],
)
def test_cell_text_cleans_what_excel_and_copying_leave_behind(value, expected):
    assert cell_text(value) == expected


# CSV ----------------------------------------------------------------------------------------------


def test_utf8_csv_with_bom_reads_without_the_bom():
    data = "\ufeff" + ",".join(HEADER) + "\r\n" + ",".join(ROW) + "\r\n"
    assert read_table(data.encode("utf-8")) == [HEADER, ROW]


def test_cp874_csv_from_thai_windows_is_read():
    data = ",".join(HEADER) + "\n" + ",".join(ROW)
    assert read_table(data.encode("cp874")) == [HEADER, ROW]


def test_utf16_tab_separated_unicode_text_is_read():
    data = "\t".join(HEADER) + "\r\n" + "\t".join(["กระบี่", "6810403", "คลองท่อม, เหนือ"])
    assert read_table(data.encode("utf-16")) == [HEADER, ["กระบี่", "6810403", "คลองท่อม, เหนือ"]]


def test_semicolon_separated_csv_is_read():
    data = ";".join(HEADER) + "\n" + ";".join(["กระบี่", "6810403", "คลองท่อม, เหนือ"])
    assert read_table(data.encode()) == [HEADER, ["กระบี่", "6810403", "คลองท่อม, เหนือ"]]


def test_title_line_with_commas_does_not_decide_the_delimiter():
    data = "ทะเบียน อปท., ฉบับปรับปรุง\n" + "\n".join(";".join(r) for r in [HEADER, ROW, ROW, ROW])
    assert read_table(data.encode())[1:] == [HEADER, ROW, ROW, ROW]


def test_blank_lines_are_kept_so_row_numbers_match_excel():
    data = ",".join(HEADER) + "\n\n" + ",".join(ROW) + "\n"
    rows = read_table(data.encode())
    assert rows[2] == ROW  # row 3 in Excel


def test_quoted_line_break_stays_in_its_cell():
    data = ",".join(HEADER) + '\r\nกระบี่,6810403,"คลองท่อม\r\nเหนือ"\r\n'
    assert read_table(data.encode()) == [HEADER, ["กระบี่", "6810403", "คลองท่อม เหนือ"]]


def test_unpaired_quote_names_the_row_it_starts_in():
    data = ",".join(HEADER) + '\nกระบี่,"6810403,ไม่ปิด\n' + "ก" * 200_000 + "\n"
    message = refusal(data.encode())
    assert "เครื่องหมายคำพูด" in message and "แถว 2" in message


def test_csv_over_the_row_limit_is_refused():
    data = "\n".join(",".join(ROW) for _ in range(11))
    assert "เกิน 10 แถว" in refusal(data.encode(), max_rows=10)
    assert len(read_table(data.encode(), max_rows=11)) == 11


# XLSX ---------------------------------------------------------------------------------------------


def test_xlsx_codes_stored_as_numbers_come_back_as_codes():
    data = workbook_bytes(("ข้อมูล", [HEADER, ["กระบี่", 6810403.0, "คลองท่อมเหนือ"], ["กระบี่", 81, None]]))
    # A row ends at its last filled cell, as the file stores it; importers index with care.
    assert read_table(data) == [HEADER, ROW, ["กระบี่", "81"]]


def test_xlsx_picks_the_data_sheet_behind_a_notes_sheet():
    notes = ("คำอธิบาย", [["กรอกข้อมูลในแผ่นงานถัดไป"], ["ห้ามแก้หัวตาราง"]])
    data = workbook_bytes(notes, ("ข้อมูล", [HEADER, ROW]))
    assert read_table(data, sheet_has_header=has_code_column) == [HEADER, ROW]


def test_xlsx_without_a_header_test_or_a_match_gives_the_first_sheet():
    notes = ("คำอธิบาย", [["กรอกข้อมูลในแผ่นงานถัดไป"]])
    data = workbook_bytes(notes, ("ข้อมูล", [["อื่น ๆ"]]))
    assert read_table(data) == [["กรอกข้อมูลในแผ่นงานถัดไป"]]
    assert read_table(data, sheet_has_header=has_code_column) == [["กรอกข้อมูลในแผ่นงานถัดไป"]]


def test_xlsx_blank_rows_are_kept_so_row_numbers_match_excel():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.cell(row=4, column=1, value="กระบี่")
    out = io.BytesIO()
    workbook.save(out)
    rows = read_table(out.getvalue())
    assert len(rows) == 4 and rows[3][0] == "กระบี่" and not any(rows[1]) and not any(rows[2])


def test_xlsx_over_the_row_limit_is_refused():
    data = workbook_bytes(("ข้อมูล", [ROW] * 11))
    assert "เกิน 10 แถว" in refusal(data, max_rows=10)


# Files that are not tables ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", ["ไฟล์ว่างเปล่า"]),
        (b"\r\n  \n\t", ["ไฟล์ว่างเปล่า"]),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ["Excel รุ่นเก่า (.xls)", ".xlsx"]),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", ["PDF", "ไม่ใช่ไฟล์ CSV หรือ XLSX"]),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, ["รูปภาพ", "ไม่ใช่ไฟล์ CSV หรือ XLSX"]),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ["รูปภาพ"]),
        (b"GIF89a\x01\x00", ["รูปภาพ"]),
        (b"\xef\xbb\xbf\r\n<!DOCTYPE html><html><table><tr><td>1</td></tr></table>", ["HTML", ".xlsx"]),
        (b"<TABLE border=1><TR><TD>x</TD></TR></TABLE>", ["HTML"]),
        (bytes(range(256)) * 8, ["ไม่ใช่ไฟล์ CSV หรือ XLSX"]),
        # Decodes as cp874 and has no NUL byte, but no text holds these control characters.
        (b"\x01\x02\x03ELF\x7f\x05\x06" * 100, ["ไม่ใช่ไฟล์ CSV หรือ XLSX"]),
        (b"\xff\xfea\x00\x01\x00", ["ไม่ใช่ไฟล์ CSV หรือ XLSX"]),
    ],
)
def test_files_that_are_not_tables_are_refused_in_thai(data, words):
    message = refusal(data)
    for word in words:
        assert word in message


@pytest.mark.parametrize("name", ["word/document.xml", "readme.txt"])
def test_zip_that_is_not_a_workbook_is_refused(name):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, "not a workbook")
    message = refusal(out.getvalue())
    assert "zip" in message and "ไม่ใช่ไฟล์ CSV หรือ XLSX" in message


def test_truncated_workbook_is_refused():
    data = workbook_bytes(("ข้อมูล", [HEADER, ROW]))
    assert "เสียหาย" in refusal(data[: len(data) // 2])


def test_workbook_whose_sheet_breaks_off_is_refused():
    # The workbook opens; the damage shows only once the rows are read.
    good = zipfile.ZipFile(io.BytesIO(workbook_bytes(("ข้อมูล", [HEADER] + [ROW] * 50))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in good.infolist():
            content = good.read(item)
            damaged.writestr(item, content[: len(content) // 2] if "worksheets/sheet" in item.filename else content)
    assert "เสียหาย" in refusal(out.getvalue())


def test_messages_do_not_name_one_importer():
    for data in (b"", b"%PDF-1.4", b"\x89PNG\r\n", b"\xd0\xcf\x11\xe0", b"\x00\x01" * 10):
        message = refusal(data)
        assert "ทะเบียน" not in message and "ผู้ใช้" not in message


# Writing ----------------------------------------------------------------------------------------


@pytest.fixture(params=[False, True], ids=["normal", "write-only"])
def workbook(request) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook(write_only=request.param)
    if not request.param:
        workbook.remove(workbook.active)
    return workbook


@pytest.mark.parametrize("text", [*FORMULAS, "\t=1+1", "-", "=", "@ท้องถิ่น"])
def test_text_a_spreadsheet_would_run_is_written_as_inert_text(workbook, text):
    table = Table(workbook.create_sheet("ข้อมูล"), [Column("ชื่อ", 30), Column("ร้อยละ", 10, "0.00")])
    table.append([text, Decimal("1.5")])

    assert_inert(saved(workbook)["ข้อมูล"]["A2"], text)


def test_text_after_a_carriage_return_is_inert_too():
    # Not read back: XML turns the CR into a line feed, in Excel's files as in openpyxl's.
    written = cell(openpyxl.Workbook().active, "\r=1+1")
    assert (written.value, written.data_type, written.quotePrefix) == ("\r=1+1", "s", True)


def test_numbers_dates_and_plain_text_are_written_as_they_are(workbook):
    formats = ["0", "0.00", "0.00", "d/mm/yyyy hh:mm", None, None]
    table = Table(workbook.create_sheet("ข้อมูล"), [Column(str(n), 10, shown) for n, shown in enumerate(formats)])
    values = [-2, Decimal("-72.5"), -0.25, datetime.datetime(2026, 2, 1, 9, 30), "คลองท่อม", "ก-2"]
    table.append(values)

    row = saved(workbook)["ข้อมูล"][2]
    assert [written.value for written in row] == values
    assert [written.data_type for written in row] == ["n", "n", "n", "d", "s", "s"]
    assert not any(written.quotePrefix for written in row)
    assert [written.number_format for written in row] == [*formats[:4], "General", "General"]


def test_characters_xlsx_cannot_hold_go_and_empty_text_is_blank(workbook):
    sheet = workbook.create_sheet("ข้อมูล")
    append_row(sheet, ["ลำ\x0bปาง\x00", "", "\x1f", gettext_lazy("จังหวัด"), "บรรทัด\nใหม่\tแท็บ"])

    values = [cell.value for cell in saved(workbook)["ข้อมูล"][1]]
    assert values == ["ลำปาง", None, None, "จังหวัด", "บรรทัด\nใหม่\tแท็บ"]


def test_table_sets_widths_panes_header_formats_and_filter(workbook):
    table = Table(
        workbook.create_sheet("ข้อมูล"),
        [Column("รหัส", 10), Column("ชื่อ", 34), Column("ร้อยละ", 11, "0.00")],
        title="=รายงาน",
        frozen_columns=2,
    )
    table.append(["6810401", "คลองท่อม", Decimal("72.5")])
    table.append(["6810402", "เหนือคลอง", None])
    table.add_filter()

    sheet = saved(workbook)["ข้อมูล"]
    assert_inert(sheet["A1"], "=รายงาน")
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 13
    assert [cell.value for cell in sheet[2]] == ["รหัส", "ชื่อ", "ร้อยละ"]
    assert all(cell.font.b and cell.alignment.wrap_text for cell in sheet[2])
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("C3", "A2:C4")
    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [10, 34, 11]
    assert (sheet["C3"].number_format, sheet["A3"].number_format) == ("0.00", "General")


def test_a_row_must_have_a_value_per_column():
    table = Table(openpyxl.Workbook().active, [Column("รหัส", 10), Column("ชื่อ", 34)])
    with pytest.raises(ValueError):
        table.append(["6810401"])


def test_written_table_reads_back_as_typed():
    # What the importers (users, registry) read from a workbook an export wrote.
    workbook = openpyxl.Workbook()
    table = Table(workbook.active, [Column(header, 20) for header in HEADER])
    rows = [ROW, ["กระบี่", "6810404", "=HYPERLINK(\"http://evil\",\"x\")"], ["-2+3", "+1+1", "@SUM(A1)"]]
    for row in rows:
        table.append(row)
    out = io.BytesIO()
    workbook.save(out)

    assert read_table(out.getvalue()) == [HEADER, *rows]


def test_the_document_title_loses_characters_xlsx_cannot_hold():
    workbook = openpyxl.Workbook()
    set_title(workbook, "ผลการประเมิน\x0b เทศบาล\x00ตำบล")

    assert saved(workbook).properties.title == "ผลการประเมิน เทศบาลตำบล"
