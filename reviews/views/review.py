"""Reviewing one assessment: the overview, a dimension's indicators with the team's verified
results, and comments on both sides. The workflow's buttons are views/actions.py; the blocks
and what they show, views/blocks.py.

Every rule is reviews.workflow's or reviews.comments'; the views authorize through
reviews.access, call them and render. The dimension page shows each indicator compactly;
its editor (evidence, both sides, the result's form, the thread) is review_editor's: a
fragment the page's script puts in the opened block, or, without the script, a page of its
own. Saving an indicator's result works as a plain form post (redirect back to the
indicator on the dimension page, or the editor's page again with the errors) and, with the
script, as a fetch (`X-Requested-With: fetch`) answered with JSON: 200 saved (the new
version, points, state, the dimension's verified totals and counters, the message), 422
refused and 409 when another assessor saved first (both with the editor again, its errors
beside the fields).
"""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import scoring
from assessments.models import Assessment, Dimension, Indicator
from assessments.selfassessment import self_assessed_score
from assessments.views import self_assessment as organization_pages
from assessments.views.self_assessment import mark_invalid, wants_block
from reviews import workflow
from reviews.access import appeals_user_may_answer, get_results_for_user, get_review_for_user
from reviews.comments import Reader, Thread, comments_for, reader
from reviews.forms.review import CommentForm, VerifiedAnswerForm
from reviews.models import Appeal, Assignment, VerifiedAnswer
from reviews.printing import verified_lines
from reviews.views.blocks import (
    ReviewBlock,
    Viewer,
    build_blocks,
    changes_in_words,
    dimension_blocks,
    dimension_totals,
    first,
    review_indicators,
    running,
    saved_totals,
    scoring_indicators,
    scoring_problem,
    verified_rows,
)

EDITOR_TEMPLATE = "reviews/snippets/review_editor.html"
THREAD_TEMPLATE = "reviews/snippets/comment_thread.html"
OK, REFUSED, CONFLICT = 200, 422, 409
Status = Assessment.Status


def _render_dimension(
    request: HttpRequest,
    assessment: Assessment,
    dimension: Dimension,
    *,
    viewer: Viewer,
    override: dict[int, dict] | None = None,
    status: int = 200,
) -> HttpResponse:
    blocks, scores = dimension_blocks(request, assessment, dimension, viewer=viewer, override=override)
    categories: list[tuple[Any, list[ReviewBlock]]] = []
    for block in blocks:
        category = block.indicator.category
        if not categories or categories[-1][0].pk != category.pk:
            categories.append((category, []))
        categories[-1][1].append(block)
    return render(
        request,
        "reviews/review_dimension.html",
        {
            **header(assessment),
            "dimension": dimension,
            "dimensions": list(assessment.round.dimensions.all()),
            "categories": categories,
            "indicator_count": len(blocks),
            "done_count": sum(block.state == "checked" for block in blocks),
            "done_label": _("ตรวจแล้ว"),
            "totals": dimension_totals(dimension, blocks, scores),
            "scoring_problem": scoring_problem(viewer, assessment),
        },
        status=status,
    )


def header(assessment: Assessment) -> dict[str, Any]:
    return {"assessment": assessment, "round": assessment.round, "organization": assessment.organization}


def _editor_block(
    request: HttpRequest, assessment: Assessment, indicator_pk: int, *, viewer: Viewer, override: dict | None = None
) -> ReviewBlock:
    """One indicator's block with its editor: everything loaded, the forms if the viewer may use them."""
    indicators = review_indicators(assessment, pk=indicator_pk)
    if not indicators:
        raise Http404(_("ไม่พบตัวชี้วัดนี้ในการประเมินของ อปท. นี้"))
    (block,), _scores = build_blocks(
        request, assessment, indicators, viewer=viewer, override={indicator_pk: override or {}}, editors=True
    )
    return block


def _render_editor(
    request: HttpRequest, assessment: Assessment, block: ReviewBlock, *, viewer: Viewer, status: int = 200
) -> HttpResponse:
    """The editor alone for the page's script, or the editor's own page (no script)."""
    context = {**header(assessment), "block": block, "scoring_problem": scoring_problem(viewer, assessment)}
    if wants_block(request):
        response = render(request, EDITOR_TEMPLATE, context, status=status)
        # An editor (static/js/editors.js) that holds the block's thread (reviews/review.js).
        response["X-LPA-Editor"] = response["X-LPA-Block"] = str(block.indicator.pk)
        return response
    indicator = block.indicator
    return render(
        request,
        "reviews/review_editor.html",
        {
            **context,
            # `block` is the template's own name inside {% block %}: the page passes it on by another.
            "editor_block": block,
            "dimension": indicator.category.dimension,
            "back": _indicator_url(assessment, indicator),
        },
        status=status,
    )


def _indicator_url(assessment: Assessment, indicator: Indicator, anchor: str = "ind") -> str:
    url = reverse("reviews:review_dimension", args=[assessment.pk, indicator.category.dimension.number])
    return f"{url}#{anchor}-{indicator.pk}"


def _editor_url(assessment: Assessment, indicator: Indicator, anchor: str = "") -> str:
    url = reverse("reviews:review_editor", args=[assessment.pk, indicator.pk])
    return f"{url}#{anchor}-{indicator.pk}" if anchor else url


def _indicator_or_404(assessment: Assessment, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.for_assessment(assessment).select_related("category__dimension").prefetch_related("options"),
        pk=pk,
    )


# The overview.


def _progress(assessment: Assessment, revised: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    """Per dimension pk: (indicators that apply, indicators checked since the organization's
    latest revision, indicators revised since the team's result), one query; `revised` is
    workflow.revised_since_review's."""
    revised = set(revised)
    done = VerifiedAnswer.objects.filter(assessment=assessment, indicator=OuterRef("pk"))
    rows = (
        Indicator.objects.for_assessment(assessment)
        .annotate(done=Exists(done))
        .order_by()
        .values_list("category__dimension_id", "pk", "done")
    )
    counts: dict[int, list[int]] = {}
    for dimension_id, pk, is_done in rows:
        row = counts.setdefault(dimension_id, [0, 0, 0])
        row[0] += 1
        if pk in revised:
            row[2] += 1
        elif is_done:
            row[1] += 1
    return {key: (total, verified, recheck) for key, (total, verified, recheck) in counts.items()}


def _recheck_list(assessment: Assessment, revised: Iterable[int]) -> list[dict[str, Any]]:
    """The indicators the organization revised since the team's result, in framework order,
    with the return's reason and what changed (nothing to load when there are none)."""
    revised = list(revised)
    if not revised:
        return []
    items = []
    for indicator in review_indicators(assessment, evidence=False, pk__in=revised):
        answer, verified = first(indicator.answer_rows), first(indicator.verified_rows)
        flag = workflow.awaiting_recheck(indicator.all_returns, verified)
        items.append({"indicator": indicator, "flag": flag, "changes": changes_in_words(flag, answer)})
    return items


def render_detail(
    request: HttpRequest,
    assessment: Assessment,
    *,
    problems: Iterable[workflow.ReviewProblem] = (),
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    viewer = Viewer.of(user, assessment)
    lead = viewer.on_team and workflow.is_team_lead(user, assessment)
    assignment = (
        Assignment.objects.filter(assessment=assessment)
        .select_related("team")
        .prefetch_related("team__members__user")
        .first()
    )
    own, verified = self_assessed_score(assessment), workflow.verified_score(assessment)
    revised = workflow.revised_since_review(assessment)
    progress = _progress(assessment, revised)
    rows = [
        (dimension, own.dimension(dimension.number), verified.dimension(dimension.number), *progress[dimension.pk])
        for dimension in assessment.round.dimensions.all()
        if dimension.pk in progress
    ]
    appeals = list(Appeal.objects.filter(assessment=assessment).select_related("indicator").order_by("indicator__code"))
    for appeal in appeals:
        appeal.assessment = assessment
    answerable = appeals_user_may_answer(user, appeals)
    for appeal in appeals:
        appeal.may_answer = appeal.pk in answerable
    is_running, state = running(assessment), assessment.status
    return render(
        request,
        "reviews/review_detail.html",
        {
            **header(assessment),
            "assignment": assignment,
            "team": assignment.team if assignment else None,
            "rows": rows,
            "own": own,
            "verified": verified,
            "own_percent": scoring.format_percent(own.percent),
            "verified_percent": scoring.format_percent(verified.percent),
            "indicators": sum(row[3] for row in rows),
            "verified_count": sum(row[4] for row in rows),
            "recheck_count": sum(row[5] for row in rows),
            "recheck": _recheck_list(assessment, revised),
            "viewer": viewer,
            "is_lead": lead,
            "can_start": is_running and viewer.on_team and state in (Status.SUBMITTED, Status.RESUBMITTED),
            "can_return": is_running
            and (viewer.on_team or viewer.office)
            and state in Assessment.RETURNABLE_STATUSES,
            "can_verify": is_running and lead and state == Status.IN_REVIEW,
            "can_approve": is_running and viewer.office and state == Status.VERIFIED,
            "can_reopen": is_running
            and (viewer.office or viewer.department)
            and state in (Status.VERIFIED, Status.APPROVED),
            "appeals": appeals,
            # The province's list: its office and the department, and the team of the organization.
            "appeal_list": bool(appeals) and (viewer.on_team or viewer.office or viewer.department),
            "problems": list(problems),
            "error": error,
        },
        status=status,
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The review's overview: who reviews, both scores per dimension, how far, what to do next."""
    return render_detail(request, get_review_for_user(request.user, pk))


@login_required
def review_dimension(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One dimension's indicators: the organization's answer and evidence beside the team's result."""
    assessment = get_review_for_user(request.user, pk)
    dimension = get_object_or_404(Dimension, round_id=assessment.round_id, number=number)
    return _render_dimension(request, assessment, dimension, viewer=Viewer.of(request.user, assessment))


@login_required
@require_GET
def review_editor(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """One indicator's editor: the organization's answer and evidence beside the team's
    result and its form, and the thread. The dimension page's script puts it in the opened
    block; without the script it is a page, reached by the block's link."""
    assessment = get_review_for_user(request.user, pk)
    viewer = Viewer.of(request.user, assessment)
    return _render_editor(request, assessment, _editor_block(request, assessment, indicator, viewer=viewer), viewer=viewer)


def _refused(
    request: HttpRequest, assessment: Assessment, indicator: Indicator, *, status: int, **override: Any
) -> HttpResponse:
    """A save that did not happen: the editor again with the post's form and its errors
    (or the other assessor's result), as JSON for the script or as the editor's page."""
    viewer = Viewer.team_member()
    block = _editor_block(request, assessment, indicator.pk, viewer=viewer, override=override)
    if not wants_block(request):
        return _render_editor(request, assessment, block, viewer=viewer, status=status)
    errors = []
    if block.form is not None and block.form.is_bound:
        errors = [str(error) for field_errors in block.form.errors.values() for error in field_errors]
    message = block.message or " ".join(errors)
    editor = render_to_string(
        EDITOR_TEMPLATE,
        {**header(assessment), "block": block, "scoring_problem": scoring_problem(viewer, assessment)},
        request=request,
    )
    return JsonResponse(
        {"saved": False, "indicator": indicator.pk, "message": message, "level": block.message_level, "editor": editor},
        status=status,
    )


def _saved(
    request: HttpRequest,
    assessment: Assessment,
    indicator: Indicator,
    indicators: list[Indicator],
    saved: VerifiedAnswer,
    message: str,
) -> HttpResponse:
    """After a save: the script's small answer (the result, the block's state, the dimension's
    verified totals and counters, the message); without the script, back to the indicator."""
    if not wants_block(request):
        messages.success(request, message)
        return redirect(_indicator_url(assessment, indicator))
    # The dimension's results as they stand now (this save's among them), for its totals.
    fresh = verified_rows(assessment).queryset.filter(indicator__in=[i.pk for i in indicators])
    verified = {row.indicator_id: row for row in fresh}
    dimension = indicator.category.dimension
    totals = saved_totals(assessment, dimension, indicators, verified)
    result = verified.get(indicator.pk, saved)
    spec = indicator.as_spec()
    answer = result.as_scoring_answer(claimed_na=indicator.claimed_na)
    not_counted = bool(indicator.claimed_na and result.na_confirmed)
    points = scoring.indicator_points(spec, answer)
    recheck = indicator.revised_at is not None and result.updated_at < indicator.revised_at
    state = "recheck" if recheck else "checked"
    return JsonResponse(
        {
            "saved": True,
            "indicator": indicator.pk,
            "version": result.version,
            "points": f"{points.normalize():f}",
            "points_text": _("ไม่นับ (ไม่มีภารกิจ)") if not_counted else f"{points.normalize():f}",
            "state": state,
            "state_label": {"recheck": _("แก้ไขแล้ว รอตรวจอีกครั้ง"), "checked": _("ตรวจแล้ว")}[state],
            "lines": verified_lines(indicator, result, claimed_na=indicator.claimed_na),
            "reason": result.reason,
            "message": message,
            "checked": totals.verified_count,
            "recheck": totals.recheck_count,
            "indicators": totals.indicators,
            "totals": render_to_string("reviews/snippets/review_verified_total.html", {"totals": totals}),
        }
    )


@login_required
@require_POST
def verified_answer_save(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    assessment = get_review_for_user(request.user, pk, write=True)
    # The indicator's dimension, loaded once for the form and for the totals after the save.
    indicators = scoring_indicators(assessment, indicator)
    found = next((item for item in indicators if item.pk == indicator), None)
    if found is None:
        raise Http404(_("ไม่พบตัวชี้วัดนี้ในการประเมินของ อปท. นี้"))
    indicator = found
    form = VerifiedAnswerForm(
        request.POST, verified=VerifiedAnswer(assessment=assessment, indicator=indicator), claimed_na=indicator.claimed_na
    )
    if not form.is_valid():
        return _refused(request, assessment, indicator, status=REFUSED, form=form)
    try:
        saved = form.save(assessment=assessment, by=request.user)
    except workflow.StaleVerifiedAnswer as stale:
        # The editor comes back with the other assessor's result in the form and in words:
        # saving again is a choice, not an accident.
        return _refused(request, assessment, indicator, status=CONFLICT, message=stale.message, message_level="warning")
    if saved is None:
        return _refused(request, assessment, indicator, status=REFUSED, form=form)
    message = _("บันทึกผลการตรวจตัวชี้วัด %(code)s แล้ว (%(points)s คะแนน)") % {
        "code": indicator.code,
        "points": f"{saved.points.normalize():f}",
    }
    return _saved(request, assessment, indicator, indicators, saved, message)


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """A comment from either side: the organization's page or the review page posts here."""
    assessment, _as_reviewer = get_results_for_user(request.user, pk)
    indicator = _indicator_or_404(assessment, indicator)
    role = reader(request.user, assessment)
    form = CommentForm(request.POST, indicator=indicator, internal_allowed=role == Reader.REVIEWER)
    comment = form.save(assessment=assessment, by=request.user) if form.is_valid() else None
    organization_side = role == Reader.ORGANIZATION
    message = ""
    if comment is not None:
        message = _("บันทึกภายในแล้ว") if comment.internal else _("ส่งความเห็นแล้ว")
        form = CommentForm(indicator=indicator, internal_allowed=role == Reader.REVIEWER)
    status = OK if comment is not None else REFUSED
    if wants_block(request):
        mark_invalid(form)
        thread = Thread(
            indicator,
            comments_for(assessment, user=request.user, role=role).get(indicator.pk, []),
            form=form,
            message=message,
        )
        response = render(request, THREAD_TEMPLATE, {"thread": thread, "assessment": assessment}, status=status)
        response["X-LPA-Block"] = str(indicator.pk)
        return response
    if comment is not None:
        messages.success(request, message)
        if organization_side:
            url = reverse("assessments:assessment_dimension", args=[assessment.pk, indicator.category.dimension.number])
            return redirect(f"{url}#thread-{indicator.pk}")
        return redirect(_editor_url(assessment, indicator, anchor="thread"))
    if organization_side:
        return organization_pages.block_response(request, assessment, indicator, status=REFUSED, comment_form=form)
    viewer = Viewer.of(request.user, assessment)
    block = _editor_block(request, assessment, indicator.pk, viewer=viewer, override={"comment_form": form})
    return _render_editor(request, assessment, block, viewer=viewer, status=REFUSED)
