"""Reviewing one assessment: the overview, a dimension's indicators with the team's verified
results, comments on both sides, and the workflow's buttons (start, return for revision,
verify, approve, reopen).

Every rule is reviews.workflow's or reviews.comments'; the views authorize through
accounts.access, call them and render. As on the organization's pages, saving an
indicator's result works as a plain form post (redirect back to the indicator, or the page
again with the errors) and, with the page's small script, as a fetch that gets back only
the indicator's block (`X-Requested-With: fetch`): 200 saved, 422 refused, 409 when another
assessor saved first. The block then carries the dimension's new totals for the script to
put in place.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_assessment_for_user, get_review_for_user
from accounts.models import User
from assessments import printing, scoring
from assessments.models import Answer, Assessment, Dimension, Indicator, ReturnedIndicator, Round
from assessments.selfassessment import bangkok_today, is_member, self_assessed_score
from assessments.views import self_assessment as organization_pages
from assessments.views.self_assessment import mark_invalid, wants_block
from reviews import workflow
from reviews.comments import Reader, Thread, comments_for, may_post, reader
from reviews.forms.review import CommentForm, ReopenForm, ReturnForm, VerifiedAnswerForm
from reviews.models import Assignment, VerifiedAnswer

BLOCK_TEMPLATE = "reviews/snippets/review_block.html"
THREAD_TEMPLATE = "reviews/snippets/comment_thread.html"
OK, REFUSED, CONFLICT = 200, 422, 409
Status = Assessment.Status


@dataclass(frozen=True)
class Viewer:
    """What the signed-in user is to this assessment's review."""

    on_team: bool  # a member of the assigned team: scores, returns, comments
    office: bool  # the provincial office of the province: returns, approves, reopens, comments
    department: bool  # reads everything, reopens
    role: Reader

    @classmethod
    def of(cls, user: User, assessment: Assessment) -> "Viewer":
        on_team = workflow.is_team_member(user, assessment)
        office = workflow.manages_province(user, assessment)
        department = workflow.is_department(user)
        role = Reader.REVIEWER if on_team or office or department else reader(user, assessment)
        return cls(on_team=on_team, office=office, department=department, role=role)


@dataclass
class ReviewBlock:
    """One indicator on the review page: the organization's side, the team's, the thread."""

    indicator: Indicator
    answer: Answer | None
    answer_lines: list[str]
    verified: VerifiedAnswer | None
    verified_lines: list[str]
    returns: list[ReturnedIndicator]
    thread: Thread
    own_result: scoring.IndicatorResult | None
    verified_result: scoring.IndicatorResult | None
    form: VerifiedAnswerForm | None = None
    message: str = ""
    message_level: str = "success"

    @property
    def evidence(self) -> list:
        return list(getattr(self.answer, "current_evidence", [])) if self.answer else []

    @property
    def claimed_na(self) -> bool:
        return bool(self.answer and self.answer.not_applicable)


@dataclass(frozen=True)
class Totals:
    """A dimension's self-assessed and verified score, and how far the team has got."""

    own: scoring.DimensionScore | None
    verified: scoring.DimensionScore | None
    indicators: int
    verified_count: int


def running(assessment: Assessment) -> bool:
    return assessment.round.phase not in (Round.Phase.SETUP, Round.Phase.CLOSED)


def status_problem(assessment: Assessment, allowed: Iterable[str], action: str) -> str | None:
    """Why `action` cannot happen now (round not running, status not in `allowed`), or None."""
    if not running(assessment):
        return _("รอบการประเมินปี %(year)s ไม่ได้เปิดอยู่ จึง%(action)sไม่ได้") % {
            "year": assessment.round.year,
            "action": action,
        }
    if assessment.status not in allowed:
        return _("การประเมินอยู่ในสถานะ “%(status)s” จึง%(action)sไม่ได้") % {
            "status": assessment.get_status_display(),
            "action": action,
        }
    return None


def scoring_problem(viewer: Viewer, assessment: Assessment) -> str | None:
    """Why the viewer may not score now (None: they may)."""
    if not viewer.on_team:
        return _("ดูได้อย่างเดียว: ผลการตรวจบันทึกโดยคณะผู้ประเมินที่ได้รับมอบหมาย")
    return status_problem(assessment, Assessment.REVIEWABLE_STATUSES, _("บันทึกผลการตรวจ"))


def verified_lines(indicator: Indicator, verified: VerifiedAnswer | None, *, claimed_na: bool) -> list[str]:
    """The team's result in words, a line per item (as printing.answer_lines for the organization's)."""
    if verified is None:
        return [_("ยังไม่ได้บันทึกผลการตรวจ")]
    lines = []
    if claimed_na:
        if verified.na_confirmed:
            return [_("ยืนยันว่าไม่มีภารกิจ (ไม่นับตัวชี้วัดนี้)")]
        lines.append(_("ไม่ยืนยันว่าไม่มีภารกิจ"))
    if indicator.kind == Indicator.Kind.LEVELS:
        level = verified.level
        lines.append(
            _("ระดับ %(position)s: %(label)s") % {"position": level.position, "label": level.label} if level else "–"
        )
    elif indicator.kind == Indicator.Kind.FIGURE:
        figure = verified.figure
        lines.append(f"{printing.format_figure(figure)} {indicator.unit}".strip() if figure is not None else "–")
    else:
        ticked = {option.pk for option in verified.ticked.all()}
        lines += [
            (_("ผ่าน – %(label)s") if option.pk in ticked else _("ไม่ผ่าน – %(label)s")) % {"label": option.label}
            for option in indicator.options.all()
        ]
    return lines


def _indicators(assessment: Assessment, **filters: Any) -> list[Indicator]:
    """The indicators with both sides loaded, in a fixed number of queries: the
    organization's answers and evidence (with_answers), the team's results and every return."""
    verified = (
        VerifiedAnswer.objects.filter(assessment=assessment)
        .select_related("level", "updated_by")
        .prefetch_related("ticked")
    )
    returns = (
        ReturnedIndicator.objects.filter(assessment=assessment).select_related("flagged_by").order_by("revision", "pk")
    )
    return list(
        Indicator.objects.for_assessment(assessment)
        .filter(**filters)
        .with_answers(assessment)
        .prefetch_related(
            Prefetch("verified_answers", queryset=verified, to_attr="verified_rows"),
            Prefetch("returns", queryset=returns, to_attr="all_returns"),
        )
    )


def _first(rows: list | None):
    return rows[0] if rows else None


def _scores(
    assessment: Assessment, indicators: list[Indicator]
) -> tuple[scoring.AssessmentScore, scoring.AssessmentScore]:
    """Both sides' scores over `indicators` alone, from what is loaded (no query).

    Enough for one dimension's totals and each indicator's points; the overview scores the
    whole assessment (self_assessed_score, workflow.verified_score).
    """
    specs = [indicator.as_spec() for indicator in indicators]
    own, verified = {}, {}
    for indicator in indicators:
        answer, result = _first(indicator.answer_rows), _first(indicator.verified_rows)
        if answer is not None:
            own[indicator.code] = answer.as_scoring_answer()
        if result is not None:
            verified[indicator.code] = result.as_scoring_answer(claimed_na=bool(answer and answer.not_applicable))
    common = {
        "indicators": specs,
        "org_type": assessment.org_type,
        "pass_mark": assessment.round.pass_mark,
        "bands": (),
        "province": assessment.organization.district.province.code,
    }
    return scoring.score_assessment(answers=own, **common), scoring.score_assessment(answers=verified, **common)


def _blocks(
    request: HttpRequest,
    assessment: Assessment,
    indicators: list[Indicator],
    *,
    viewer: Viewer,
    override: dict[int, dict] | None = None,
) -> tuple[list[ReviewBlock], tuple[scoring.AssessmentScore, scoring.AssessmentScore]]:
    """The blocks of `indicators` (from _indicators); `override` replaces one block's forms or
    message after a post (indicator pk → ReviewBlock fields, "comment_form", "comment_message")."""
    override = override or {}
    problem = scoring_problem(viewer, assessment)
    threads = comments_for(assessment, user=request.user, role=viewer.role)
    can_post = may_post(request.user, assessment, role=viewer.role)
    own_score, verified_score = _scores(assessment, indicators)
    own_results = {result.code: result for result in own_score.indicators}
    verified_results = {result.code: result for result in verified_score.indicators}
    blocks = []
    for indicator in indicators:
        answer, verified = _first(indicator.answer_rows), _first(indicator.verified_rows)
        claimed_na = bool(answer and answer.not_applicable)
        block = ReviewBlock(
            indicator=indicator,
            answer=answer,
            answer_lines=printing.answer_lines(indicator, answer),
            verified=verified,
            verified_lines=verified_lines(indicator, verified, claimed_na=claimed_na),
            returns=indicator.all_returns,
            thread=Thread(
                indicator,
                threads.get(indicator.pk, []),
                form=CommentForm(indicator=indicator, internal_allowed=True) if can_post else None,
            ),
            own_result=own_results.get(indicator.code) if answer else None,
            verified_result=verified_results.get(indicator.code) if verified else None,
        )
        if problem is None:
            block.form = VerifiedAnswerForm(
                verified=verified or VerifiedAnswer(assessment=assessment, indicator=indicator), own=answer
            )
        for name, value in override.get(indicator.pk, {}).items():
            if name == "comment_form":
                block.thread.form = value
            elif name == "comment_message":
                block.thread.message, block.thread.message_level = value
            elif name == "form" and problem is not None:
                # Closed meanwhile (verified, returned): say why instead of a form.
                block.message, block.message_level = " ".join(value.non_field_errors() or [problem]), "danger"
            else:
                setattr(block, name, value)
        for form in (block.form, block.thread.form):
            if form is not None:
                mark_invalid(form)
        blocks.append(block)
    return blocks, (own_score, verified_score)


def _totals(dimension: Dimension, blocks: list[ReviewBlock], scores) -> Totals:
    own_score, verified_score = scores
    return Totals(
        own=own_score.dimension(dimension.number),
        verified=verified_score.dimension(dimension.number),
        indicators=len(blocks),
        verified_count=sum(block.verified is not None for block in blocks),
    )


def _render_dimension(
    request: HttpRequest,
    assessment: Assessment,
    dimension: Dimension,
    *,
    viewer: Viewer,
    override: dict[int, dict] | None = None,
    status: int = 200,
) -> HttpResponse:
    indicators = _indicators(assessment, category__dimension=dimension)
    blocks, scores = _blocks(request, assessment, indicators, viewer=viewer, override=override)
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
            **_header(assessment),
            "dimension": dimension,
            "dimensions": list(assessment.round.dimensions.all()),
            "categories": categories,
            "totals": _totals(dimension, blocks, scores),
            "scoring_problem": scoring_problem(viewer, assessment),
            "any_form": any(block.form or block.thread.form for block in blocks),
        },
        status=status,
    )


def _header(assessment: Assessment) -> dict[str, Any]:
    return {"assessment": assessment, "round": assessment.round, "organization": assessment.organization}


def _block_response(
    request: HttpRequest, assessment: Assessment, indicator: Indicator, *, viewer: Viewer, status: int, **override: Any
) -> HttpResponse:
    """After a post on one indicator: its block and the dimension's totals (script), or the page."""
    dimension = indicator.category.dimension
    if wants_block(request):
        indicators = _indicators(assessment, category__dimension=dimension)
        blocks, scores = _blocks(request, assessment, indicators, viewer=viewer, override={indicator.pk: override})
        (block,) = [block for block in blocks if block.indicator.pk == indicator.pk]
        response = render(
            request,
            BLOCK_TEMPLATE,
            {
                "block": block,
                "assessment": assessment,
                "totals": _totals(dimension, blocks, scores),
                "out_of_band": True,
            },
            status=status,
        )
        response["X-LPA-Block"] = str(indicator.pk)
        return response
    if status == OK:
        if override.get("message"):
            messages.success(request, override["message"])
        return redirect(_indicator_url(assessment, indicator))
    return _render_dimension(request, assessment, dimension, viewer=viewer, override={indicator.pk: override})


def _indicator_url(assessment: Assessment, indicator: Indicator, anchor: str = "ind") -> str:
    url = reverse("reviews:review_dimension", args=[assessment.pk, indicator.category.dimension.number])
    return f"{url}#{anchor}-{indicator.pk}"


def _indicator_or_404(assessment: Assessment, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.for_assessment(assessment).select_related("category__dimension").prefetch_related("options"),
        pk=pk,
    )


# The overview.


def _progress(assessment: Assessment) -> dict[int, tuple[int, int]]:
    """Per dimension pk: (indicators that apply, indicators with a verified result), one query."""
    done = VerifiedAnswer.objects.filter(assessment=assessment, indicator=OuterRef("pk"))
    rows = (
        Indicator.objects.for_assessment(assessment)
        .annotate(done=Exists(done))
        .order_by()
        .values_list("category__dimension_id", "done")
    )
    counts: dict[int, list[int]] = {}
    for dimension_id, is_done in rows:
        row = counts.setdefault(dimension_id, [0, 0])
        row[0] += 1
        row[1] += is_done
    return {key: (total, verified) for key, (total, verified) in counts.items()}


def _render_detail(
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
    progress = _progress(assessment)
    rows = [
        (dimension, own.dimension(dimension.number), verified.dimension(dimension.number), *progress[dimension.pk])
        for dimension in assessment.round.dimensions.all()
        if dimension.pk in progress
    ]
    is_running, state = running(assessment), assessment.status
    return render(
        request,
        "reviews/review_detail.html",
        {
            **_header(assessment),
            "assignment": assignment,
            "team": assignment.team if assignment else None,
            "rows": rows,
            "own": own,
            "verified": verified,
            "own_percent": scoring.format_percent(own.percent),
            "verified_percent": scoring.format_percent(verified.percent),
            "indicators": sum(row[3] for row in rows),
            "verified_count": sum(row[4] for row in rows),
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
            "problems": list(problems),
            "error": error,
        },
        status=status,
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The review's overview: who reviews, both scores per dimension, how far, what to do next."""
    return _render_detail(request, get_review_for_user(request.user, pk))


@login_required
def review_dimension(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One dimension's indicators: the organization's answer and evidence beside the team's result."""
    assessment = get_review_for_user(request.user, pk)
    dimension = get_object_or_404(Dimension, round_id=assessment.round_id, number=number)
    return _render_dimension(request, assessment, dimension, viewer=Viewer.of(request.user, assessment))


@login_required
@require_POST
def verified_answer_save(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    assessment = get_review_for_user(request.user, pk, write=True)
    indicator = _indicator_or_404(assessment, indicator)
    viewer = Viewer.of(request.user, assessment)
    current = (
        VerifiedAnswer.objects.filter(assessment=assessment, indicator=indicator).prefetch_related("ticked").first()
        or VerifiedAnswer(assessment=assessment)
    )
    current.indicator = indicator
    own = Answer.objects.filter(assessment=assessment, indicator=indicator).prefetch_related("ticked").first()
    form = VerifiedAnswerForm(request.POST, verified=current, own=own)
    if not form.is_valid():
        return _block_response(request, assessment, indicator, viewer=viewer, status=REFUSED, form=form)
    try:
        saved = form.save(assessment=assessment, by=request.user)
    except workflow.StaleVerifiedAnswer as stale:
        # The block comes back with the other assessor's result in the form and in words:
        # saving again is a choice, not an accident.
        return _block_response(
            request,
            assessment,
            indicator,
            viewer=viewer,
            status=CONFLICT,
            message=stale.message,
            message_level="warning",
        )
    if saved is None:
        return _block_response(request, assessment, indicator, viewer=viewer, status=REFUSED, form=form)
    return _block_response(
        request,
        assessment,
        indicator,
        viewer=viewer,
        status=OK,
        message=_("บันทึกผลการตรวจตัวชี้วัด %(code)s แล้ว (%(points)s คะแนน)")
        % {"code": indicator.code, "points": f"{saved.points.normalize():f}"},
    )


def _thread_assessment(user: User, pk: int) -> Assessment:
    """The assessment for its comments: the organization's people through their own reach,
    everyone else only as a reviewer (another assessor of the province gets 404)."""
    assessment = get_assessment_for_user(user, pk)
    if is_member(user, assessment.organization_id):
        return assessment
    return get_review_for_user(user, pk)


@login_required
@require_POST
def comment_add(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """A comment from either side: the organization's page or the review page posts here."""
    assessment = _thread_assessment(request.user, pk)
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
        return redirect(_indicator_url(assessment, indicator, anchor="thread"))
    if organization_side:
        return organization_pages.block_response(request, assessment, indicator, status=REFUSED, comment_form=form)
    return _render_dimension(
        request,
        assessment,
        indicator.category.dimension,
        viewer=Viewer.of(request.user, assessment),
        override={indicator.pk: {"comment_form": form}},
    )


# The workflow's buttons.


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


@login_required
@require_POST
def review_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead confirms the team's results; refused, the page lists what is still unscored."""
    assessment = get_review_for_user(request.user, pk)
    try:
        workflow.verify(assessment=assessment, by=request.user)
    except workflow.TransitionRefused as refused:
        return _render_detail(
            request,
            assessment,
            problems=workflow.verification_problems(assessment),
            error=" ".join(refused.messages),
        )
    messages.success(request, _("ยืนยันผลการตรวจแล้ว ส่งให้สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดรับรองผล"))
    return redirect("reviews:review_detail", pk=assessment.pk)


@login_required
@require_POST
def review_approve(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_review_for_user(request.user, pk)
    try:
        workflow.approve(assessment=assessment, by=request.user)
    except workflow.TransitionRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("รับรองผลการประเมินของ %(org)s แล้ว") % {"org": assessment.organization.full_name})
    return redirect("reviews:review_detail", pk=assessment.pk)


@login_required
def review_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the assessment back: the indicators to revise, a reason each, and a due date."""
    assessment = get_review_for_user(request.user, pk)
    if not workflow.may_return(request.user, assessment):
        raise PermissionDenied
    indicators = list(Indicator.objects.for_assessment(assessment).select_related("category__dimension"))
    form = ReturnForm(request.POST if request.method == "POST" else None, indicators=indicators, today=bangkok_today())
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
            **_header(assessment),
            "form": form,
            "groups": groups,
            "problem": status_problem(assessment, Assessment.RETURNABLE_STATUSES, _("ส่งกลับให้แก้ไข")),
        },
    )


@login_required
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial office or the department sends a verified or approved result back to review."""
    assessment = get_review_for_user(request.user, pk)
    if not (workflow.manages_province(request.user, assessment) or workflow.is_department(request.user)):
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
            **_header(assessment),
            "form": form,
            "problem": status_problem(
                assessment, (Status.VERIFIED, Status.APPROVED), _("เปิดการตรวจประเมินอีกครั้ง")
            ),
        },
    )
