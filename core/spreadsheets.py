"""Tables in and out of spreadsheets.

Reading tables people upload — CSV in UTF-8/TIS-620/UTF-16, or XLSX — into rows of clean text.
The file type is told from the content, never from the name: Excel users rename files freely,
and systems export HTML or old .xls files as ".xls" or ".csv". A file that is not a table raises
UnreadableFile with a Thai message that says what the file is and how to save it so it reads.
The messages do not name the kind of data, so each importer can say that in its own words.

Writing tables into XLSX worksheets, normal or write-only (streaming): every export goes through
Table (a header of Columns, then rows) or append_row (the lines of a notes sheet), so that every
cell is cleaned the same way (see `cell`).
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

# What an .xlsx is served as (downloads) and recognised as (uploads).
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The largest real upload, DLA's RE01 registry export of the whole country (a row per organization
# × subdistrict), stays far below this; more means a wrong file, or a decompression bomb posing
# as a workbook.
MAX_ROWS = 200_000
# Enough lines to see past a title or two above the header when guessing the delimiter.
SNIFF_LINES = 10

# Zero-width and no-break spaces come along when text is copied from web pages and Word.
_INVISIBLES = str.maketrans({"\u200b": " ", "\u200c": " ", "\u200d": " ", "\ufeff": " ", "\xa0": " "})
# Control characters other than tab and line ends do not occur in text: the file is binary
# (an image, a PDF, an executable) even when every byte happens to decode. They are also what
# XLSX cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE), so `cell` removes them from text written.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# How text that a spreadsheet would run begins: a formula ("=", and "+", "-", "@" that Excel and
# LibreOffice also read as one when typed), or tab and CR, which some programs skip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class UnreadableFile(Exception):
    """The upload is not a table this module can read; str(error) tells the user, in Thai, what to fix."""


def cell_text(value: object) -> str:
    """A cell as clean text: spaces collapsed, Excel's 5810401.0 back to 5810401, None as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores codes such as 5810401 as numbers and openpyxl hands them back as floats.
        value = int(value)
    # ํา (nikhahit + sara aa) is how ำ often arrives from old fonts; it looks the same but does not match.
    text = str(value).translate(_INVISIBLES).replace("\u0e4d\u0e32", "\u0e33")
    return " ".join(text.split())


def read_table(
    data: bytes,
    *,
    max_rows: int = MAX_ROWS,
    sheet_has_header: Callable[[list[list[str]]], bool] | None = None,
) -> list[list[str]]:
    """Every row of a CSV or XLSX file, each cell as cell_text; UnreadableFile if it is neither.

    Blank rows are kept, so that index + 1 is the row number Excel shows; a row may be shorter
    than the header, since files leave trailing empty cells out. From a workbook the
    rows come from the first sheet for which `sheet_has_header(rows)` is true (people put a notes
    sheet in front of the data), or from the first sheet when none is or no test is given.
    """
    if not data.strip():
        raise UnreadableFile(_("ไฟล์ว่างเปล่า กรุณาเลือกไฟล์ CSV หรือ Excel (.xlsx) ที่มีข้อมูล"))
    head = data[:2048]
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, max_rows=max_rows, sheet_has_header=sheet_has_header)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _(
                "ไฟล์นี้เป็น Excel รุ่นเก่า (.xls) ซึ่งระบบอ่านไม่ได้ "
                "กรุณาเปิดใน Excel แล้วบันทึกเป็น .xlsx หรือ CSV UTF-8 แล้วนำเข้าใหม่"
            )
        )
    if head.startswith(b"%PDF"):
        raise UnreadableFile(
            _(
                "ไฟล์นี้เป็น PDF ไม่ใช่ไฟล์ CSV หรือ XLSX ระบบอ่านตารางจาก PDF ไม่ได้ "
                "กรุณาใช้ไฟล์ Excel (.xlsx) หรือ CSV ต้นฉบับแทน"
            )
        )
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise UnreadableFile(
            _(
                "ไฟล์นี้เป็นรูปภาพ ไม่ใช่ไฟล์ CSV หรือ XLSX ระบบอ่านตารางจากรูปภาพไม่ได้ "
                "กรุณาใช้ไฟล์ Excel (.xlsx) หรือ CSV ต้นฉบับแทน"
            )
        )
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().lower().startswith((b"<html", b"<!doctype", b"<table")):
        # Many systems "export to Excel" as an HTML table named .xls.
        raise UnreadableFile(
            _(
                "ไฟล์นี้เป็นหน้าเว็บ (HTML) แม้จะตั้งชื่อเป็น .xls หรือ .csv "
                "กรุณาเปิดใน Excel แล้วบันทึกเป็น .xlsx หรือ CSV UTF-8 แล้วนำเข้าใหม่"
            )
        )
    return _read_csv(_decode(data), max_rows=max_rows)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode Text" export
    else:
        # UTF-8 from "CSV UTF-8" (with or without BOM); Thai Windows' plain "CSV" and many DLA
        # exports still write TIS-620, of which cp874 is the superset.
        encodings = ("utf-8-sig", "cp874")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            break  # cp874 decodes almost any bytes, so a binary file would only get worse
        return text
    raise UnreadableFile(
        _(
            "ไฟล์นี้ไม่ใช่ไฟล์ CSV หรือ XLSX ที่อ่านได้ หรืออ่านตัวอักษรในไฟล์ไม่ได้ "
            "กรุณาบันทึกจาก Excel เป็น “Excel Workbook (.xlsx)” หรือ “CSV UTF-8” แล้วนำเข้าใหม่"
        )
    )


def _read_csv(text: str, *, max_rows: int) -> list[list[str]]:
    # Excel in some locales separates with ";", and its "Unicode Text" export with tabs. Counting
    # over several lines keeps a title line above the header from deciding.
    sample = list(islice(io.StringIO(text), SNIFF_LINES))
    delimiter = max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in sample))
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Every record counts, blank ones too, so row numbers stay equal to Excel's.
        for cells in reader:
            rows.append([cell_text(cell) for cell in cells])
            if len(rows) > max_rows:
                raise UnreadableFile(_too_many_rows(max_rows))
    except csv.Error:
        # In practice an unpaired quote: the rest of the file runs into one field until the
        # field limit. The record it starts in is where to look.
        raise UnreadableFile(
            _(
                "อ่านไฟล์ CSV ไม่ได้ เพราะรูปแบบเสียหายตั้งแต่แถว %(row)s (เช่น เครื่องหมายคำพูดไม่ครบคู่) "
                "กรุณาแก้แถวนั้น หรือเปิดใน Excel แล้วบันทึกเป็น CSV UTF-8 ใหม่"
            )
            % {"row": f"{len(rows) + 1:,}"}
        ) from None
    return rows


def _read_xlsx(
    data: bytes, *, max_rows: int, sheet_has_header: Callable[[list[list[str]]], bool] | None
) -> list[list[str]]:
    import openpyxl  # only workbook uploads pay for loading it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise UnreadableFile(_not_a_workbook()) from None
    try:
        first = None
        for sheet in workbook.worksheets:
            rows = _sheet_rows(sheet, max_rows=max_rows)
            if first is None:
                first = rows
            # Outside the catch-all below: a fault in the caller's test is a bug, not a bad file.
            if sheet_has_header is None or sheet_has_header(rows):
                return rows
        return first or []
    finally:
        workbook.close()


def _sheet_rows(sheet: "ReadOnlyWorksheet", *, max_rows: int) -> list[list[str]]:
    rows = []
    try:
        sheet.reset_dimensions()  # some writers record a wrong size, which would cut rows or columns off
        for values in sheet.iter_rows(values_only=True):
            rows.append([cell_text(value) for value in values])
            if len(rows) > max_rows:
                break
    except Exception:
        raise UnreadableFile(_not_a_workbook()) from None
    if len(rows) > max_rows:
        raise UnreadableFile(_too_many_rows(max_rows))
    return rows


def _not_a_workbook() -> str:
    # A zip that is not a workbook (a .docx, a damaged download) fails deep inside openpyxl with
    # BadZipFile, KeyError, its own InvalidFileException or an XML error, when opened or only when
    # a sheet is read: to the person uploading they all mean the same.
    return _(
        "ไฟล์นี้ไม่ใช่ไฟล์ CSV หรือ XLSX ที่อ่านได้ แต่เป็นไฟล์บีบอัด (zip) อื่น หรือไฟล์ Excel ที่เสียหาย "
        "กรุณาเปิดใน Excel แล้วบันทึกเป็น .xlsx หรือ CSV UTF-8 แล้วนำเข้าใหม่"
    )


def _too_many_rows(max_rows: int) -> str:
    return _("ไฟล์นี้มีเกิน %(limit)s แถว ซึ่งมากกว่าข้อมูลที่ระบบรับได้ กรุณาตรวจว่าเลือกไฟล์ถูก") % {
        "limit": f"{max_rows:,}"
    }


# Writing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a Table: its header, its width in characters, and how its values show."""

    header: str
    width: float
    number_format: str | None = None  # such as "0.00"; given to the values, not to blank cells
    alignment: "Alignment | None" = None  # such as wrapped text for long notes; likewise


def cell(
    sheet: "Worksheet | WriteOnlyWorksheet",
    value: Any,
    *,
    number_format: str | None = None,
    alignment: "Alignment | None" = None,
    font: "Font | None" = None,
) -> "Cell | Any":
    """`value` ready for `sheet.append`: text cleaned and never run, styled as asked.

    Text loses the characters XLSX cannot hold (openpyxl would refuse to write them), and empty
    text is a blank cell. Text that starts like a formula (FORMULA_STARTS) stays text. openpyxl
    writes any text starting with "=" as a formula, which Excel would run (=HYPERLINK to another
    site, =WEBSERVICE); so such text goes in a string cell (data type "s": Excel and LibreOffice
    show it as it is and never calculate it) marked with the "quote prefix", the mark Excel itself
    gives text typed after an apostrophe, so that it stays text when someone edits the cell. An
    apostrophe put into the text itself would not do: in a file (unlike typing) it is part of
    the text, so Excel would show it and every importer would have to strip it. This way the cell
    shows the text as written and reads back the same. Numbers (negative ones too), Decimals and
    dates stay numbers; lazy translations become their text.

    Where a style is needed the value comes back as a cell of `sheet`, else as it is: normal and
    write-only sheets both take either.
    """
    if isinstance(value, Promise):
        value = str(value)
    inert = False
    if isinstance(value, str):
        value = _CONTROL.sub("", value) or None
        inert = value is not None and value.startswith(FORMULA_STARTS)
    if value is None or not (inert or number_format or alignment or font):
        return value
    from openpyxl.cell import WriteOnlyCell

    written = WriteOnlyCell(sheet, value)
    if inert:
        written.data_type = "s"
        written.quotePrefix = True
    if number_format:
        written.number_format = number_format
    if alignment:
        written.alignment = alignment
    if font:
        written.font = font
    return written


def set_title(workbook: "Workbook", title: str) -> None:
    """The workbook's document title (File › Properties), without the characters XLSX cannot
    hold: it is made of names people typed, and one stray control character would make the
    whole file unwritable."""
    workbook.properties.title = _CONTROL.sub("", str(title))


def append_row(sheet: "Worksheet | WriteOnlyWorksheet", values: Iterable[Any], *, font: "Font | None" = None) -> None:
    """Append `values` to `sheet` as a row of cells (see `cell`): the lines of a notes sheet."""
    sheet.append([cell(sheet, value, font=font) for value in values])


class Table:
    """A table on a new sheet: a title line if given, a bold header row kept in view (with the
    first `frozen_columns` columns), then the rows; `add_filter` puts a filter over them.

    `subheaders`, if given, is a second header line under the first (a value per column, such
    as the long name behind a short code), kept in view too; the filter sits on it, so sorting
    never moves it among the rows.

    Widths and panes are set before the first row and rows are only appended, the order a
    write-only sheet needs (the large exports stream), so one writer serves both kinds of sheet.
    """

    def __init__(
        self,
        sheet: "Worksheet | WriteOnlyWorksheet",
        columns: Sequence[Column],
        *,
        title: str | None = None,
        frozen_columns: int = 0,
        subheaders: Sequence[Any] | None = None,
    ) -> None:
        from openpyxl.styles import Alignment, Font
        from openpyxl.utils import get_column_letter

        self.sheet, self.columns = sheet, list(columns)
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        self.header_row = (2 if title else 1) + (1 if subheaders is not None else 0)
        sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{self.header_row + 1}"
        if title:
            append_row(sheet, [title], font=Font(bold=True, size=13))
        bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        sheet.append([cell(sheet, column.header, font=bold, alignment=wrapped) for column in self.columns])
        if subheaders is not None:
            sheet.append([cell(sheet, value, alignment=wrapped) for _, value in zip(self.columns, subheaders, strict=True)])
        self.rows = self.header_row

    def append(self, values: Sequence[Any]) -> None:
        """Append a row: a value per column, each cleaned and formatted as its column says."""
        sheet = self.sheet
        sheet.append(
            [
                cell(sheet, value, number_format=column.number_format, alignment=column.alignment)
                for column, value in zip(self.columns, values, strict=True)
            ]
        )
        self.rows += 1

    def add_filter(self) -> None:
        """A filter over the header and the rows appended so far: call it after the last row."""
        from openpyxl.utils import get_column_letter

        self.sheet.auto_filter.ref = f"A{self.header_row}:{get_column_letter(len(self.columns))}{self.rows}"
