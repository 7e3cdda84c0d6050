"""The workflow's buttons on the review page: start, verify, approve, return for revision, reopen.

The rules are reviews.workflow's: the views authorize (reviews.access.get_review_for_user,
and the workflow's own roles before drawing a page), call it, and go back to the review's
overview with what happened. Verify and approve cannot be undone by who does them, so each
first shows a page saying what will happen and to how much; only its button's post
(with CONFIRMED) acts.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments import scoring
from assessments.models import Assessment, Dimension, Indicator
from assessments.views.self_assessment import mark_invalid
from reviews import workflow
from reviews.access import get_review_for_user
from reviews.forms.review import ReopenForm, ReturnForm
from reviews.views.blocks import status_problem
from reviews.views.review import header, render_detail

Status = Assessment.Status


@login_required
@require_POST
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_review_for_user(request.user, pk, write=True)
    try:
        event = workflow.start_review(assessment=assessment, by=request.user)
    except workflow.TransitionRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        if event is None:
            messages.info(request, _("การประเมินนี้อยู่ระหว่างตรวจประเมินอยู่แล้ว"))
        else:
            messages.success(request, _("เริ่มตรวจประเมินแล้ว"))
    return redirect("reviews:review_detail", pk=assessment.pk)


# A post acts only with this field, which the confirmation page's button sends.
CONFIRMED = "confirmed"


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and bool(request.POST.get(CONFIRMED))


def _confirm_page(request: HttpRequest, assessment: Assessment, **context) -> HttpResponse:
    """The confirmation of verify or approve: what will happen and to how much, then the button."""
    verified = workflow.verified_score(assessment)
    return render(
        request,
        "reviews/review_confirm.html",
        {
            **header(assessment),
            "indicators": Indicator.objects.for_assessment(assessment).count(),
            "verified": verified,
            "verified_percent": scoring.format_percent(verified.percent),
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead confirms the team's results: a page says what will happen (and what is still
    unscored), its button posts the confirmation."""
    assessment = get_review_for_user(request.user, pk)
    if not workflow.is_team_lead(request.user, assessment):
        raise PermissionDenied
    if confirmed(request):
        try:
            workflow.verify(assessment=assessment, by=request.user)
        except workflow.TransitionRefused as refused:
            return render_detail(
                request,
                assessment,
                problems=workflow.verification_problems(assessment),
                error=" ".join(refused.messages),
            )
        messages.success(request, _("ยืนยันผลการตรวจแล้ว ส่งให้สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดรับรองผล"))
        return redirect("reviews:review_detail", pk=assessment.pk)
    problem = status_problem(assessment, (Status.IN_REVIEW,), _("ยืนยันผลการตรวจ"))
    return _confirm_page(
        request,
        assessment,
        action="verify",
        problem=problem,
        problems=[] if problem else workflow.verification_problems(assessment),
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial office approves a verified result: a page says what will happen first."""
    assessment = get_review_for_user(request.user, pk)
    if not workflow.manages_province(request.user, assessment):
        raise PermissionDenied
    if confirmed(request):
        try:
            workflow.approve(assessment=assessment, by=request.user)
        except workflow.TransitionRefused as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(
                request, _("รับรองผลการประเมินของ %(org)s แล้ว") % {"org": assessment.organization.full_name}
            )
        return redirect("reviews:review_detail", pk=assessment.pk)
    return _confirm_page(
        request,
        assessment,
        action="approve",
        problem=status_problem(assessment, (Status.VERIFIED,), _("รับรองผล")),
        problems=[],
    )


@login_required
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the assessment back: the indicators to revise, a reason each, and a due date."""
    assessment = get_review_for_user(request.user, pk)
    if not workflow.may_return(request.user, assessment):
        raise PermissionDenied
    indicators = list(Indicator.objects.for_assessment(assessment).select_related("category__dimension"))
    form = ReturnForm(request.POST if request.method == "POST" else None, indicators=indicators, today=timezone.localdate())
    if request.method == "POST" and form.is_valid() and form.save(assessment=assessment, by=request.user):
        messages.success(
            request,
            _("ส่งกลับให้ %(org)s แก้ไขแล้ว %(n)s ตัวชี้วัด")
            % {"org": assessment.organization.full_name, "n": len(form.flags)},
        )
        return redirect("reviews:review_detail", pk=assessment.pk)
    mark_invalid(form)
    groups: list[tuple[Dimension, list]] = []
    for row in form.rows():
        dimension = row[0].category.dimension
        if not groups or groups[-1][0].pk != dimension.pk:
            groups.append((dimension, []))
        groups[-1][1].append(row)
    return render(
        request,
        "reviews/review_return.html",
        {
            **header(assessment),
            "form": form,
            "groups": groups,
            "problem": status_problem(assessment, Assessment.RETURNABLE_STATUSES, _("ส่งกลับให้แก้ไข")),
        },
    )


@login_required
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial office or the department sends a verified or approved result back to review."""
    assessment = get_review_for_user(request.user, pk)
    if not workflow.may_reopen(request.user, assessment):
        raise PermissionDenied
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and form.save(assessment=assessment, by=request.user):
        messages.success(request, _("เปิดการตรวจประเมินอีกครั้งแล้ว คณะผู้ประเมินแก้ไขผลการตรวจได้"))
        return redirect("reviews:review_detail", pk=assessment.pk)
    mark_invalid(form)
    return render(
        request,
        "reviews/review_reopen.html",
        {
            **header(assessment),
            "form": form,
            "problem": status_problem(
                assessment, (Status.VERIFIED, Status.APPROVED), _("เปิดการตรวจประเมินอีกครั้ง")
            ),
        },
    )
