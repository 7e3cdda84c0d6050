"""The reports of a year to download: the per-dimension workbook and the open-data CSV.

The files are results/workbook.py's and results/opendata.py's; the views only wrap them.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from assessments.models import Round
from core.spreadsheets import XLSX_CONTENT_TYPE
from exports.models import Export
from exports.views import offer
from results.access import get_report_scope_for_user
from results.opendata import write_open_data_csv
from results.workbook import build_dimension_workbook

# A provincial workbook of up to 4 MB stays in memory; a larger one goes to a temporary file.
SPOOL_BYTES = 4 * 2**20


@login_required
def workbook(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-results-<year>-<province>.xlsx at once for one province (the department's choice
    with ?province=, a provincial office's own); the whole country's (about 20 s) is built in
    the background: the page offers it (exports app)."""
    assessment_round, province = get_report_scope_for_user(request.user, year, request.GET.get("province"))
    if province is None:
        return offer(request, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=assessment_round, province=None)
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    build_dimension_workbook(assessment_round, province=province).save(file)
    file.seek(0)
    name = f"lpa-results-{assessment_round.year}-{province.code}.xlsx"
    return FileResponse(file, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@login_required
def open_data(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-open-data-<year>.csv: the published results, for every signed-in user.

    No access helper narrows it: published results are public, and which rounds exist is no
    secret. It stays behind login like every page until the department publishes it openly.
    """
    assessment_round = get_object_or_404(Round, year=year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lpa-open-data-{assessment_round.year}.csv"'
    write_open_data_csv(assessment_round, response)
    return response
