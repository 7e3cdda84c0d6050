"""Text people type that a spreadsheet would run if an export wrote it as it is.

Every XLSX export writes such text as inert text (core.spreadsheets.cell): a string cell,
marked with Excel's quote prefix, holding the text unchanged.
"""

import io

import openpyxl

FORMULAS = ('=HYPERLINK("http://evil","x")', "+1+1", "@SUM(A1)", "-2+3")


def saved(workbook: openpyxl.Workbook) -> openpyxl.Workbook:
    """`workbook` as Excel would open it: saved, then loaded again."""
    out = io.BytesIO()
    workbook.save(out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def assert_inert(cell, text: str) -> None:
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), (
        f"{cell.coordinate}: {cell.value!r} written as data type {cell.data_type!r}"
    )
