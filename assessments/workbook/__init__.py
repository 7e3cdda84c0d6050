"""A round's framework as an Excel workbook: export, and import into a round in set-up.

The format is documented in docs/framework-workbook.md. Export → import → export gives the
same cells. An import reads and checks everything first, reports every problem with its
sheet, row and column in Thai, and changes nothing unless the whole workbook is right.
"""

from assessments.workbook.export import build_framework_workbook
from assessments.workbook.importer import WorkbookError, WorkbookErrors, import_framework_workbook

__all__ = ["build_framework_workbook", "import_framework_workbook", "WorkbookError", "WorkbookErrors"]
