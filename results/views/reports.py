"""The provincial report and the national summary of a year as PDFs.

Who reads which is results.access's rule (get_report_scope_for_user); the files are
results/reports.py's. A report that takes more than a few seconds to print is built in the
background instead (exports app): the national summary always (about 3 s on the national
dataset, more under load), a province's report when the province has more organizations
than IMMEDIATE_ORGANIZATIONS (the largest, 334, takes about 12 s).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from assessments.models import Assessment
from exports.models import Export
from exports.views import offer
from results.access import get_report_scope_for_user
from results.reports import render_province_report_pdf

# Up to this many organizations a province's report prints within the request (about 3 s).
IMMEDIATE_ORGANIZATIONS = 100


@login_required
def national_report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The national summary, the department's only (a provincial office, whose scope is its
    province, gets 404 like every other outsider): offered as a background export."""
    assessment_round, province = get_report_scope_for_user(request.user, year)
    if province is not None:
        raise Http404
    return offer(request, kind=Export.Kind.NATIONAL_REPORT, assessment_round=assessment_round, province=None)


@login_required
def province_report_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """lpa-report-<year>-<code>.pdf: a province's report, for the department (any province)
    and the province's own office; a large province's is offered as a background export."""
    assessment_round, province = get_report_scope_for_user(request.user, year, code)
    size = Assessment.objects.filter(round=assessment_round, organization__district__province=province).count()
    if size > IMMEDIATE_ORGANIZATIONS:
        return offer(request, kind=Export.Kind.PROVINCE_REPORT, assessment_round=assessment_round, province=province)
    response = HttpResponse(render_province_report_pdf(assessment_round, province), content_type="application/pdf")
    # Inline: the browser shows it to print for the meeting; the name is kept when saved.
    response["Content-Disposition"] = f'inline; filename="lpa-report-{assessment_round.year}-{province.code}.pdf"'
    return response
