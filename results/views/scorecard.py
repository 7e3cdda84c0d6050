"""An organization's scorecard of a year, its PDF and workbook, and the drill-down to one indicator.

Who reads which, and whether the team's results show, is results.access's rule
(get_scorecard_for_user); the figures are results/scorecard.py's and results/drilldown.py's.
The organization itself is compared with published results only (`published_only`).
"""

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import scope_for
from assessments.models import Assessment, Indicator
from core.spreadsheets import XLSX_CONTENT_TYPE
from results.access import get_scorecard_for_user
from results.drilldown import build_indicator_detail
from results.scorecard import build_scorecard, build_scorecard_workbook
from results.scorecard_pdf import render_scorecard_pdf, scorecard_chart


def _scorecard_args(request: HttpRequest, year: int, code: str) -> tuple[Assessment, dict]:
    assessment, verified_visible = get_scorecard_for_user(request.user, year, code)
    own = assessment.organization_id in scope_for(request.user).organization_ids
    return assessment, {"verified_visible": verified_visible, "published_only": own}


def _crumbs(request: HttpRequest, assessment: Assessment) -> dict:
    """Which of country → province the reader may open (the dashboards' own rules)."""
    scope = scope_for(request.user)
    province_id = assessment.organization.district.province_id
    return {
        "country_crumb": scope.national,
        "province_crumb": scope.national or province_id in scope.manages_province_ids,
        "own": assessment.organization_id in scope.organization_ids,
    }


@login_required
def organization_scorecard(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The organization's results of the year beside its province's and the country's, and last year's."""
    assessment, flags = _scorecard_args(request, year, code)
    card = build_scorecard(assessment, **flags)
    context = {"card": card, "chart": scorecard_chart(card), **_crumbs(request, assessment)}
    return render(request, "results/organization_scorecard.html", context)


@login_required
def scorecard_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """lpa-scorecard-<year>-<code>.pdf: the scorecard on A4."""
    assessment, flags = _scorecard_args(request, year, code)
    response = HttpResponse(render_scorecard_pdf(assessment, **flags), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lpa-scorecard-{year}-{assessment.organization.code}.pdf"'
    return response


@login_required
def scorecard_workbook(request: HttpRequest, year: int, code: str) -> FileResponse:
    """lpa-scorecard-<year>-<code>.xlsx: the scorecard's tables."""
    assessment, flags = _scorecard_args(request, year, code)
    file = io.BytesIO()
    build_scorecard_workbook(build_scorecard(assessment, **flags)).save(file)
    file.seek(0)
    name = f"lpa-scorecard-{year}-{assessment.organization.code}.xlsx"
    return FileResponse(file, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


@login_required
def organization_indicator(request: HttpRequest, year: int, code: str, indicator: str) -> HttpResponse:
    """One indicator of the organization: question, answer, evidence, the team's result, the means."""
    assessment, flags = _scorecard_args(request, year, code)
    try:
        detail = build_indicator_detail(assessment, indicator, **flags)
    except Indicator.DoesNotExist:
        raise Http404 from None
    context = {"detail": detail, **_crumbs(request, assessment)}
    return render(request, "results/organization_indicator.html", context)
