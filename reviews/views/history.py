"""The audit trail of one assessment: its history page and the same rows as an XLSX.

Anyone who may see the assessment reads its history (assessments.access.get_assessment_for_user);
what of it they read is reviews.history.trail_for's rule.
"""

import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments.access import get_assessment_for_user
from core.spreadsheets import XLSX_CONTENT_TYPE
from reviews.history import build_history_workbook, history_rows, trail_for

# Evidence files and score saves run a trail to hundreds of rows: a page at a time.
PER_PAGE = 50


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """ประวัติการประเมิน: who did what when, from → to, with the reasons, oldest first, in pages."""
    assessment = get_assessment_for_user(request.user, pk)
    trail = trail_for(request.user, assessment)
    # The main steps alone on request.
    milestones = request.GET.get("show") == "milestones"
    events = trail.events.milestones() if milestones else trail.events
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/history.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "rows": history_rows(page, scores=trail.scores),
            "page": page,
            "query": "show=milestones" if milestones else "",
            "milestones": milestones,
            "full": trail.full,
            "scores": trail.scores,
        },
    )


@login_required
def history_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The history page's rows as lpa-history-<code>-<year>.xlsx."""
    assessment = get_assessment_for_user(request.user, pk)
    trail = trail_for(request.user, assessment)
    buffer = io.BytesIO()
    build_history_workbook(assessment, trail.events, scores=trail.scores).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    filename = f"lpa-history-{assessment.organization.code}-{assessment.round.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
