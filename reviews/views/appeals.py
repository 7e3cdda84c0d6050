"""Verified results and appeals: what the organization sees once the results are published,
the head's appeal of single indicators, its answer, and the province's list of appeals.

Who reads the results: the organization's own people once the department has published
them (before that the page says so and shows no score), and everyone taking part in the
review (reviews.access.get_review_for_user) at any status. The rules of appeals are
reviews.workflow's; the views authorize, call it and render.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import is_head, scope_for
from assessments import scoring, selfassessment
from assessments.access import get_assessment_for_user, get_round_for_user
from assessments.models import Answer, Assessment, Dimension, Evidence, Indicator
from assessments.printing import answer_lines
from assessments.views.self_assessment import mark_invalid
from reviews import workflow
from reviews.access import (
    appeals_user_may_answer,
    get_appeal_for_user,
    get_province_appeals_for_user,
    get_results_for_user,
)
from reviews.forms.appeals import AppealAnswerForm, AppealForm
from reviews.models import Appeal, VerifiedAnswer
from reviews.printing import verified_lines
from reviews.views.blocks import first, verified_rows

Status = Assessment.Status


@dataclass
class ResultRow:
    """One indicator: the organization's answer beside the team's verified result."""

    indicator: Indicator
    answer: Answer | None
    verified: VerifiedAnswer | None
    appeal: Appeal | None
    own: scoring.IndicatorResult | None
    result: scoring.IndicatorResult | None
    own_lines: list[str]
    verified_lines: list[str]

    @property
    def claimed_na(self) -> bool:
        return bool(self.answer and self.answer.not_applicable)

    @property
    def changed(self) -> bool:
        """The team's result earns other points than the organization's answer did."""
        return bool(self.verified and self.own and self.result and self.own.points != self.result.points)


@dataclass
class DimensionResult:
    dimension: Dimension
    own: scoring.DimensionScore | None
    verified: scoring.DimensionScore | None
    rows: list[ResultRow] = field(default_factory=list)


def _result_indicators(assessment: Assessment, **filters) -> list[Indicator]:
    """The assessment's indicators with the answer, the verified answer and the appeal of each,
    in a fixed number of queries (with_answers' six, two for verified answers, two for appeals)."""
    appeals = (
        Appeal.objects.filter(assessment=assessment)
        .select_related("opened_by", "answered_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")))
    )
    return list(
        Indicator.objects.for_assessment(assessment)
        .filter(**filters)
        .with_answers(assessment)
        .prefetch_related(
            verified_rows(assessment),
            Prefetch("appeals", queryset=appeals, to_attr="appeal_rows"),
        )
    )


def _row(
    indicator: Indicator,
    own: dict[str, scoring.IndicatorResult] | None = None,
    verified: dict[str, scoring.IndicatorResult] | None = None,
) -> ResultRow:
    answer, checked = first(indicator.answer_rows), first(indicator.verified_rows)
    claimed_na = bool(answer and answer.not_applicable)
    return ResultRow(
        indicator=indicator,
        answer=answer,
        verified=checked,
        appeal=first(indicator.appeal_rows),
        own=(own or {}).get(indicator.code),
        result=(verified or {}).get(indicator.code),
        own_lines=answer_lines(indicator, answer),
        verified_lines=verified_lines(indicator, checked, claimed_na=claimed_na),
    )


def _dimension_results(
    indicators: Iterable[Indicator], own: scoring.AssessmentScore, verified: scoring.AssessmentScore
) -> list[DimensionResult]:
    own_by_code = {result.code: result for result in own.indicators}
    verified_by_code = {result.code: result for result in verified.indicators}
    sections: list[DimensionResult] = []
    for indicator in indicators:
        dimension = indicator.category.dimension
        if not sections or sections[-1].dimension.pk != dimension.pk:
            sections.append(
                DimensionResult(dimension, own.dimension(dimension.number), verified.dimension(dimension.number))
            )
        sections[-1].rows.append(_row(indicator, own_by_code, verified_by_code))
    return sections


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The verified results per dimension and indicator beside the self-assessment, with the
    reasons, the appeals and their answers; the overall percentage, band and pass."""
    assessment, as_reviewer = get_results_for_user(request.user, pk)
    published = assessment.status in Assessment.RESULT_STATUSES
    context = {
        "assessment": assessment,
        "round": assessment.round,
        "organization": assessment.organization,
        "as_reviewer": as_reviewer,
        "published": published,
    }
    if not as_reviewer and not published:
        # Not a 404: the organization knows its assessment exists; it learns when to come back.
        return render(request, "reviews/results.html", {**context, "pending": True})
    indicators = _result_indicators(assessment)
    own = selfassessment.self_assessed_score(assessment)
    verified = workflow.verified_score(assessment)
    appeals = [indicator.appeal_rows[0] for indicator in indicators if indicator.appeal_rows]
    head = not as_reviewer and is_head(request.user, assessment.organization_id)
    window = workflow.appeal_window_problem(assessment, timezone.localdate()) if head and not appeals else None
    context.update(
        sections=_dimension_results(indicators, own, verified),
        own=own,
        verified=verified,
        own_percent=scoring.format_percent(own.percent),
        percent=scoring.format_percent(verified.percent),
        appeals=appeals,
        open_appeals=sum(not appeal.is_answered for appeal in appeals),
        may_answer=as_reviewer and workflow.may_answer_appeal(request.user, assessment),
        is_head=head,
        can_appeal=head and assessment.status == Status.PUBLISHED and not appeals and window is None,
        window_problem=window if head and assessment.status == Status.PUBLISHED and not appeals else None,
        confirmed=assessment.status in (Status.VERIFIED, Status.APPROVED, Status.PUBLISHED, Status.APPEALED),
    )
    return render(request, "reviews/results.html", context)


def _appeal_problem(assessment: Assessment) -> str | None:
    """Why the head may not appeal now, checked again by open_appeal when the form is sent."""
    if assessment.status == Status.APPEALED or assessment.appeals.exists():
        return _("อปท. นี้อุทธรณ์ผลการประเมินของรอบนี้ไปแล้ว (อุทธรณ์ได้ครั้งเดียว)")
    if assessment.status != Status.PUBLISHED:
        return _("ยังอุทธรณ์ไม่ได้ เพราะยังไม่ประกาศผลการประเมิน (สถานะ “%(status)s”)") % {
            "status": assessment.get_status_display()
        }
    return workflow.appeal_window_problem(assessment, timezone.localdate())


@login_required
def appeal_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The head disputes single indicators: an argument each and, if any, new evidence.

    Other people of the organization read the page (only the head appeals); the province
    and the department get 403 (they answer appeals elsewhere); outsiders 404.
    """
    # With write: the organization's own people only, 403 for the province and the department.
    assessment = get_assessment_for_user(request.user, pk, write=True)
    head = is_head(request.user, assessment.organization_id)
    if request.method == "POST" and not head:
        raise PermissionDenied
    problem = _appeal_problem(assessment)
    published = assessment.status in Assessment.RESULT_STATUSES
    form, indicators = None, []
    # After a refused post the form stays, with what was typed; before publication there is
    # nothing to appeal against.
    if head and published and (problem is None or request.method == "POST"):
        indicators = _result_indicators(assessment)
        form = AppealForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            indicators=indicators,
        )
    if form is not None and form.is_bound and form.is_valid():
        appeals = form.save(assessment=assessment, by=request.user)
        if appeals is not None:
            messages.success(
                request,
                ngettext(
                    "ส่งคำอุทธรณ์ %(n)s ตัวชี้วัดแล้ว จังหวัดจะพิจารณาและแจ้งผล",
                    "ส่งคำอุทธรณ์ %(n)s ตัวชี้วัดแล้ว จังหวัดจะพิจารณาและแจ้งผล",
                    len(appeals),
                )
                % {"n": len(appeals)},
            )
            return redirect("reviews:results", pk=assessment.pk)
    rows = []
    if form is not None:
        own = {result.code: result for result in selfassessment.self_assessed_score(assessment).indicators}
        verified = {result.code: result for result in workflow.verified_score(assessment).indicators}
        by_pk = {indicator.pk: _row(indicator, own, verified) for indicator in indicators}
        rows = list(form.rows())
        for row in rows:
            row.result = by_pk[row.indicator.pk]
        mark_invalid(form)
    return render(
        request,
        "reviews/appeal_open.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "form": form,
            "rows": rows,
            "problem": problem,
            "is_head": head,
            "published": published,
        },
    )


@login_required
def appeal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The argument, the new evidence and the current verified result; accept (with the new
    result) or reject, with a response the organization reads. The team lead or the provincial
    office only (get_appeal_for_user with write: 403 for the other readers, 404 for outsiders)."""
    appeal = get_appeal_for_user(request.user, pk, write=True)
    assessment = appeal.assessment
    loaded = _result_indicators(assessment, pk=appeal.indicator_id)
    if not loaded:
        # A framework correction took the indicator away from this organization's type.
        raise Http404
    (indicator,) = loaded
    row = _row(indicator)
    # The appeal as loaded with the indicator: its evidence prefetched, the indicator's options too.
    appeal = row.appeal
    appeal.indicator, appeal.assessment = indicator, assessment
    form = None
    if not appeal.is_answered:
        form = AppealAnswerForm(
            request.POST if request.method == "POST" else None,
            appeal=appeal,
            verified=row.verified,
            claimed_na=row.claimed_na,
        )
        if request.method == "POST" and form.is_valid():
            answered = form.save(by=request.user)
            if answered is not None:
                messages.success(
                    request,
                    _("บันทึกผลการพิจารณาอุทธรณ์ตัวชี้วัด %(code)s แล้ว") % {"code": indicator.code},
                )
                return redirect("reviews:results", pk=assessment.pk)
        mark_invalid(form)
    elif request.method == "POST":
        messages.warning(request, _("อุทธรณ์นี้พิจารณาไปแล้ว"))
    appeal_evidence = {item.pk for item in appeal.evidence.all()}
    earlier = [item for item in (row.answer.current_evidence if row.answer else []) if item.pk not in appeal_evidence]
    return render(
        request,
        "reviews/appeal_answer.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "appeal": appeal,
            "row": row,
            "earlier_evidence": earlier,
            "form": form,
        },
    )


@login_required
def appeal_list(request: HttpRequest, year: int, province: str) -> HttpResponse:
    """The province's appeals of the round, open first: for its provincial office and the
    department; for the province's assessors, those of their teams' organizations."""
    assessment_round = get_round_for_user(request.user, year)
    province, appeals = get_province_appeals_for_user(request.user, assessment_round, province)
    appeals = list(
        appeals.select_related(
            "assessment__organization__district",
            "indicator",
            "opened_by",
            "answered_by",
            "assessment__assignment__team",
        ).order_by("opened_at", "assessment__organization__code", "indicator__code")
    )
    answerable = appeals_user_may_answer(request.user, appeals)
    for appeal in appeals:
        appeal.may_answer = appeal.pk in answerable
    return render(
        request,
        "reviews/appeal_list.html",
        {
            "round": assessment_round,
            "province": province,
            "open_appeals": [appeal for appeal in appeals if not appeal.is_answered],
            "answered_appeals": [appeal for appeal in appeals if appeal.is_answered],
            "is_office": province.pk in scope_for(request.user).manages_province_ids,
        },
    )
