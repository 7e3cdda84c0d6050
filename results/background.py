"""The results reports that the exports app builds in the background (registered in ResultsConfig.ready()).

The national workbook and reports are too large to build within a request; the exports app
queues them, runs the builders below in the worker and keeps the files. Who may have one is
the reports' own rule (results.access.check_report_scope), asked again at every look.
"""

from pathlib import Path

from core.pdf import PDF_CONTENT_TYPE
from core.spreadsheets import XLSX_CONTENT_TYPE
from exports.building import Progress, Report, register
from exports.models import Export
from results.access import check_report_scope
from results.reports import render_national_report_pdf, render_province_report_pdf
from results.workbook import build_dimension_workbook


def _write_workbook(export: Export, path: Path, progress: Progress) -> None:
    build_dimension_workbook(export.round, province=export.province, progress=progress).save(path)


def _write_national_report(export: Export, path: Path, progress: Progress) -> None:
    path.write_bytes(render_national_report_pdf(export.round, progress=progress))


def _write_province_report(export: Export, path: Path, progress: Progress) -> None:
    path.write_bytes(render_province_report_pdf(export.round, export.province, progress=progress))


def register_reports() -> None:
    register(
        Export.Kind.RESULTS_WORKBOOK,
        Report("lpa-results", "xlsx", XLSX_CONTENT_TYPE, _write_workbook, check_report_scope),
    )
    register(
        Export.Kind.NATIONAL_REPORT,
        Report("lpa-report", "pdf", PDF_CONTENT_TYPE, _write_national_report, check_report_scope),
    )
    register(
        Export.Kind.PROVINCE_REPORT,
        Report("lpa-report", "pdf", PDF_CONTENT_TYPE, _write_province_report, check_report_scope),
    )
