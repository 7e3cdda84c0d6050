"""Result reports to download: the per-dimension workbook and the open-data CSV.

Who gets which report is accounts.access's rule (get_report_scope_for_user); what is in them
is results/workbook.py's and results/opendata.py's. The views only wrap the builders.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.access import get_report_scope_for_user
from assessments.models import Round
from results.opendata import write_open_data_csv
from results.workbook import build_dimension_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A provincial workbook stays in memory; the national one (about 5 MB) goes to a temporary file.
SPOOL_BYTES = 4 * 2**20


@login_required
def workbook(request: HttpRequest, year: int) -> FileResponse:
    """lpa-results-<year>[-<province>].xlsx: the department's whole country (or ?province=),
    a provincial office's own province."""
    round, province = get_report_scope_for_user(request.user, year, request.GET.get("province"))
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    build_dimension_workbook(round, province=province).save(file)
    file.seek(0)
    name = f"lpa-results-{round.year}-{province.code}.xlsx" if province else f"lpa-results-{round.year}.xlsx"
    return FileResponse(file, as_attachment=True, filename=name, content_type=XLSX)


@login_required
def open_data(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-open-data-<year>.csv: the published results, for every signed-in user.

    No access helper narrows it: published results are public, and which rounds exist is no
    secret. It stays behind login like every page until the department publishes it openly.
    """
    round = get_object_or_404(Round, year=year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lpa-open-data-{round.year}.csv"'
    write_open_data_csv(round, response)
    return response
