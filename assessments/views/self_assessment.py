"""The organization's self-assessment pages: overview, a dimension's indicators, an
indicator's editor, saving an answer, submission, the printable summary and the provincial
office's extension page.

Every rule is assessments.selfassessment's; the views authorize through assessments.access,
call it and render. The dimension page shows each indicator compactly; its editor (forms,
evidence, comments) is fetched when a block is opened, or opened as a page without script.
Saving works as a plain form post (redirect back to the indicator, or the editor page with
the errors) and, with the page's small script, as a fetch (`X-Requested-With: fetch`) that
gets back JSON: 200 saved (version, summary, totals), 422 refused (messages by field); 409
when someone else saved first brings back the block with their answer. The evidence forms
get the block back.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import is_head, role_required, scope_for
from accounts.models import Role
from assessments import printing, scoring, selfassessment
from assessments.access import get_assessment_for_user, may_grant_extension
from assessments.answer_forms import EvidenceLinkForm, EvidenceUploadForm, ExtensionForm, IndicatorAnswerForm
from assessments.forms import add_errors
from assessments.models import Answer, Assessment, Evidence, Indicator
from assessments.selfassessment import StaleAnswer, SubmissionRefused
from core.templatetags.thai_dates import thai_date

BLOCK_TEMPLATE = "assessments/snippets/indicator_block.html"
EDITOR_TEMPLATE = "assessments/snippets/indicator_editor.html"
SUMMARY_TEMPLATE = "assessments/snippets/indicator_summary.html"
OK, REFUSED, CONFLICT = 200, 422, 409
# The dimension page's body is cached this long at most; any change to the assessment, to the
# round's settings or framework (Round.framework_version, which every framework edit
# changes) and the next day give it a new key sooner (page_cache_key).
PAGE_CACHE_SECONDS = 30 * 60
# Stands in for the CSRF token in a cached body: each response puts its own session's token.
CSRF_PLACEHOLDER = "lpa-csrf-token-placeholder"


@dataclass
class Block:
    """One indicator on the dimension page: shown compactly (answer, points, evidence count,
    state); `open` blocks also carry their editor (criteria, evidence, forms)."""

    indicator: Indicator
    answer: Answer
    editable: bool
    problem: str | None  # why a member may not change it now (None for readers: no reason to give)
    missing: list[str]
    answer_form: IndicatorAnswerForm | None = None
    upload_form: EvidenceUploadForm | None = None
    link_form: EvidenceLinkForm | None = None
    message: str = ""
    message_level: str = "success"
    answer_lines: list[str] = field(default_factory=list)
    points: Any = None  # what the answer earns (None: unanswered or not applicable)
    full_points: Any = None
    # Closed blocks carry no editor: the page's script fetches it when one is opened, and
    # without script its link opens the editor page. A block just posted to, refused, sent
    # back, or shown on its own editor page is rendered open, editor included.
    open: bool = False
    # The indicator's comment thread with the review team, added by the reviews app to the
    # open blocks (None for readers outside the conversation): reviews/snippets/comment_thread.html.
    thread: Any = None

    @property
    def evidence(self) -> list:
        return list(getattr(self.answer, "current_evidence", []))

    @property
    def evidence_count(self) -> int:
        return self.indicator.evidence_count

    @property
    def flags(self) -> list:
        return self.indicator.open_flags

    @property
    def state(self) -> str:
        """For the outline: sent back, missing something, or complete."""
        if self.flags:
            return "returned"
        return "missing" if self.missing else "complete"

    @property
    def state_label(self) -> str:
        return {"returned": _("ส่งกลับให้แก้ไข"), "missing": _("ยังไม่ครบ"), "complete": _("ครบแล้ว")}[self.state]


def wants_block(request: HttpRequest) -> bool:
    """The page's script asked for a fragment (a block, an editor, a save's result) only."""
    return request.headers.get("X-Requested-With") == "fetch"


def _answer_of(assessment: Assessment, indicator: Indicator) -> Answer:
    answer = indicator.answer_rows[0] if indicator.answer_rows else Answer(indicator=indicator)
    answer.assessment = assessment
    return answer


# What the apps above add to the open blocks of the dimension page (the comment thread with
# the review team: ReviewsConfig.ready()). Each is called with the request, the assessment,
# the blocks and the overrides of a post (indicator pk → fields), and takes the override
# keys that are its own out before the rest are applied. Closed blocks carry no editor, so
# they are not passed; a page with none open calls no extender.
BlockExtender = Callable[[HttpRequest, Assessment, list["Block"], dict[int, dict]], None]
block_extenders: list[BlockExtender] = []


def _blocks(
    request: HttpRequest,
    assessment: Assessment,
    indicators: list[Indicator],
    *,
    override: dict[int, dict] | None = None,
    open_pks: frozenset[int] = frozenset(),
) -> list[Block]:
    """The blocks of `indicators` (loaded with selfassessment.page_indicators); `override`
    replaces one block's forms or message after a post (indicator pk → Block fields, or an
    extender's own keys); the blocks of `open_pks`, of an override and the flagged ones open."""
    override = {pk: dict(changes) for pk, changes in (override or {}).items()}
    member = assessment.organization_id in scope_for(request.user).organization_ids
    problems = (
        selfassessment.edit_problems(assessment, indicators, user=request.user, today=timezone.localdate())
        if member
        else {}
    )
    blocks = []
    for indicator in indicators:
        answer = _answer_of(assessment, indicator)
        problem = problems.get(indicator.pk)
        block = Block(
            indicator=indicator,
            answer=answer,
            editable=member and problem is None,
            problem=problem if member else None,
            missing=[item.message for item in selfassessment.indicator_problems(indicator)],
            answer_lines=printing.answer_lines(indicator, answer if answer.pk else None),
        )
        spec = indicator.as_spec()
        block.full_points = spec.full_points
        if answer.pk and not answer.not_applicable:
            block.points = scoring.indicator_points(spec, answer.as_scoring_answer())
        block.open = indicator.pk in override or indicator.pk in open_pks or bool(block.flags)
        blocks.append(block)
    opened = [block for block in blocks if block.open]
    _attach_evidence([block.answer for block in opened if block.answer.pk])
    for block in opened:
        if block.editable:
            block.answer_form = IndicatorAnswerForm(answer=block.answer)
            block.upload_form = EvidenceUploadForm(answer=block.answer)
            block.link_form = EvidenceLinkForm(answer=block.answer)
    if opened:
        for extend in block_extenders:
            extend(request, assessment, opened, override)
    for block in opened:
        changes = override.get(block.indicator.pk, {})
        # Forms last: a form refused because the indicator closed replaces the message.
        for name, value in sorted(changes.items(), key=lambda item: item[0].endswith("_form")):
            if name.endswith("_form") and not block.editable:
                # Closed meanwhile (submitted, past the deadline): say why instead of a form.
                block.message, block.message_level = " ".join(value.non_field_errors() or [block.problem or ""]), "danger"
                continue
            setattr(block, name, value)
        for form in (block.answer_form, block.upload_form, block.link_form):
            if form is not None:
                mark_invalid(form)
    return blocks


def _attach_evidence(answers: list[Answer]) -> None:
    """The evidence rows the open blocks list (one query, none when no block is open)."""
    if not answers:
        return
    rows: dict[int, list[Evidence]] = {answer.pk: [] for answer in answers}
    for evidence in Evidence.objects.current().filter(answer__in=answers).order_by("uploaded_at", "pk"):
        rows[evidence.answer_id].append(evidence)
    for answer in answers:
        answer.current_evidence = rows[answer.pk]


def mark_invalid(form) -> None:
    """Tie each error to its field for screen readers (aria-invalid, aria-describedby)."""
    if not form.is_bound:
        return
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{form[name].auto_id}_errors"


def _indicators(assessment: Assessment, **filters: Any) -> list[Indicator]:
    return selfassessment.page_indicators(assessment, **filters)


def page_cache_key(request: HttpRequest, assessment: Assessment, number: int) -> str:
    """The cached body of one user's dimension page: it changes with the assessment (version),
    the round (settings, phase, framework), the day (days left, the window), the language and the
    user's rights; each user has their own (forms, comment threads, what they may change)."""
    scope = scope_for(request.user)
    rights = hashlib.sha256(
        repr(
            (
                sorted(scope.kinds),
                sorted(scope.organization_ids),
                sorted(scope.head_organization_ids),
                sorted(scope.province_ids),
                sorted(scope.manages_province_ids),
                scope.national,
            )
        ).encode()
    ).hexdigest()[:16]
    return ":".join(
        str(part)
        for part in (
            "lpa-dimension-page",
            request.user.pk,
            assessment.pk,
            number,
            assessment.version,
            assessment.round.updated_at.timestamp(),
            assessment.round.framework_version,
            timezone.localdate().isoformat(),
            get_language(),
            rights,
        )
    )


def _dimension_body(
    request: HttpRequest,
    assessment: Assessment,
    number: int,
    *,
    override: dict[int, dict] | None = None,
) -> dict[str, str]:
    """The dimension page's own part (everything in the base layout's content block) and the
    dimension's name for the title; the CSRF token left as CSRF_PLACEHOLDER."""
    dimensions = list(assessment.round.dimensions.order_by("number"))
    dimension = next((item for item in dimensions if item.number == number), None)
    if dimension is None:
        raise Http404
    notice = selfassessment.return_notice(assessment)
    flags: dict[int, list] | None = None
    if notice is not None:
        flags = {}
        for flag in notice.flags:
            flags.setdefault(flag.indicator_id, []).append(flag)
    assessment.remember_latest_extension()
    indicators = selfassessment.page_indicators(assessment, flags=flags, category__dimension=dimension)
    blocks = _blocks(request, assessment, indicators, override=override)
    categories: list[tuple[Any, list[Block]]] = []
    for block in blocks:
        category = block.indicator.category
        if not categories or categories[-1][0].pk != category.pk:
            categories.append((category, []))
        categories[-1][1].append(block)
    deadline = assessment.date_asked()
    body = render_to_string(
        "assessments/snippets/dimension_body.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "dimension": dimension,
            "dimensions": dimensions,
            "categories": categories,
            "indicator_count": len(blocks),
            "done_count": sum(block.state == "complete" for block in blocks),
            "done_label": _("ครบแล้ว"),
            "deadline": deadline,
            "days_left": None if deadline is None else (deadline - timezone.localdate()).days,
            "notice": notice,
            "is_member": assessment.organization_id in scope_for(request.user).organization_ids,
            "any_editable": any(block.editable for block in blocks),
            "csrf_token": CSRF_PLACEHOLDER,
        },
        request=request,
    )
    return {"name": dimension.name, "body": body}


def _dimension_page(request: HttpRequest, assessment: Assessment, number: int, parts: dict[str, str], *, status: int = 200):
    body = parts["body"]
    if CSRF_PLACEHOLDER in body:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    return render(
        request,
        "assessments/assessment_dimension.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "number": number,
            "dimension_name": parts["name"],
            "body": mark_safe(body),  # noqa: S308 - rendered by dimension_body.html, escaped there
        },
        status=status,
    )


def _render_editor_page(
    request: HttpRequest, assessment: Assessment, indicator: Indicator, *, override: dict | None = None, status: int = 200
) -> HttpResponse:
    """One indicator's editor as a page of its own (the way in without script); `indicator`
    as page_indicators loads it, or any other (read again)."""
    if hasattr(indicator, "answer_rows"):
        loaded = indicator
    else:
        assessment.remember_latest_extension()
        (loaded,) = _indicators(assessment, pk=indicator.pk)
    (block,) = _blocks(
        request, assessment, [loaded], override={loaded.pk: override} if override else None, open_pks=frozenset([loaded.pk])
    )
    return render(
        request,
        "assessments/indicator_editor.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "dimension": loaded.category.dimension,
            "editor_block": block,
            "dimension_url": _indicator_url(assessment, loaded),
        },
        status=status,
    )


def block_response(
    request: HttpRequest, assessment: Assessment, indicator: Indicator, *, status: int, **override: Any
) -> HttpResponse:
    """After a post on one indicator: its block alone, open (script); the dimension page at the
    indicator (saved, without script); or the indicator's editor page with the errors."""
    if wants_block(request):
        assessment.remember_latest_extension()
        (reloaded,) = _indicators(assessment, pk=indicator.pk)
        (block,) = _blocks(request, assessment, [reloaded], override={reloaded.pk: override})
        response = render(request, BLOCK_TEMPLATE, {"block": block, "assessment": assessment}, status=status)
        response["X-LPA-Block"] = str(indicator.pk)
        return response
    if status == OK:
        if override.get("message"):
            messages.success(request, override["message"])
        return redirect(_indicator_url(assessment, indicator))
    return _render_editor_page(request, assessment, indicator, override=override)


def _indicator_url(assessment: Assessment, indicator: Indicator) -> str:
    url = reverse("assessments:assessment_dimension", args=[assessment.pk, indicator.category.dimension.number])
    return f"{url}#ind-{indicator.pk}"


def indicator_or_404(assessment: Assessment, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.for_assessment(assessment).select_related("category__dimension", "province").prefetch_related("options"),
        pk=pk,
    )


@login_required
@role_required(*Role.ORGANIZATION_KINDS)
def assessment_list(request: HttpRequest) -> HttpResponse:
    """การประเมินของฉัน: every assessment of the user's organizations, newest round first."""
    assessments = (
        Assessment.objects.filter(organization_id__in=scope_for(request.user).organization_ids)
        .select_related("round", "organization")
        .order_by("-round__year", "organization__code")
    )
    return render(request, "assessments/assessment_list.html", {"assessments": assessments})


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The overview: progress and score by dimension, time left, status, what was sent back, history."""
    assessment = get_assessment_for_user(request.user, pk)
    today = timezone.localdate()
    progress = selfassessment.progress(assessment)
    score = selfassessment.self_assessed_score(assessment)
    notice = selfassessment.return_notice(assessment, today=today)
    rows = [
        (row, score.dimension(row.dimension.number), notice.flagged_in(row.dimension.pk) if notice else 0)
        for row in progress
    ]
    events = assessment.events.milestones().select_related("by", "indicator").order_by("-at", "-pk")
    member = assessment.organization_id in scope_for(request.user).organization_ids
    # No query for the organization's people: reviewable_by gives them nothing.
    in_review_reach = Assessment.objects.reviewable_by(request.user).filter(pk=assessment.pk).exists()
    return render(
        request,
        "assessments/assessment_detail.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "rows": rows,
            "answered": sum(row.answered for row in progress),
            "applicable": sum(row.indicators for row in progress),
            "score": score,
            "percent": printing.scoring.format_percent(score.percent),
            # A returned assessment shows the return's due date, not the window's.
            "deadline": (asked := assessment.date_asked()),
            "days_left": None if asked is None else (asked - today).days,
            "window_problem": assessment.window_problem(today) if assessment.is_open_to_organization else None,
            "notice": notice,
            "events": [(event, printing.event_details(event)) for event in events],
            "is_member": member,
            "is_head": member and is_head(request.user, assessment.organization_id),
            "can_extend": may_grant_extension(request.user, assessment),
            "in_review_reach": in_review_reach,
            "has_results": member and assessment.status in Assessment.RESULT_STATUSES,
        },
    )


@login_required
def assessment_dimension(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One dimension's indicators, each shown compactly with its answer, points, evidence
    count and state; an indicator's editor opens on demand (indicator_editor).

    The page's own part is cached per user, assessment version, day and language
    (page_cache_key): a page nothing changed since is served without reading the indicators.
    """
    assessment = get_assessment_for_user(request.user, pk)
    key = page_cache_key(request, assessment, number)
    parts = cache.get(key)
    if parts is None:
        parts = _dimension_body(request, assessment, number)
        cache.set(key, parts, PAGE_CACHE_SECONDS)
    return _dimension_page(request, assessment, number, parts)


@login_required
def indicator_editor(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """One indicator's editor: criteria, the answer's form, evidence, comments. The dimension
    page's script fetches it into the block being opened; without script it is a page."""
    assessment = get_assessment_for_user(request.user, pk)
    assessment.remember_latest_extension()
    indicators = _indicators(assessment, pk=indicator)
    if not indicators:
        raise Http404
    if not wants_block(request):
        return _render_editor_page(request, assessment, indicators[0])
    (block,) = _blocks(request, assessment, indicators, open_pks=frozenset([indicator]))
    response = render(request, EDITOR_TEMPLATE, {"block": block, "assessment": assessment})
    response["X-LPA-Editor"] = str(indicator)
    return response


def _field_errors(form: IndicatorAnswerForm) -> list[dict[str, Any]]:
    """A refused answer's messages by field, for the page's script to show beside each one."""
    errors = []
    for name, messages_ in form.errors.items():
        if name in form.fields:
            bound = form[name]
            errors.append({"name": bound.html_name, "id": bound.auto_id, "messages": list(messages_)})
    return errors


def _saved_json(request: HttpRequest, assessment: Assessment, indicator: Indicator, answer: Answer, message: str) -> JsonResponse:
    """What the page's script needs after a save: the new version, the block's summary and
    state, the dimension's counters and the message (no editor, no forms)."""
    totals = selfassessment.dimension_totals(assessment, indicator.category.dimension_id, evidence_of=indicator.pk)
    indicator.answer_rows = [answer]
    indicator.evidence_count = totals.evidence
    indicator.open_flags = []
    if assessment.status == Assessment.Status.RETURNED:
        indicator.open_flags = list(selfassessment.open_flags(assessment).filter(indicator=indicator))
    (block,) = _blocks(request, assessment, [indicator])
    return JsonResponse(
        {
            "indicator": indicator.pk,
            "version": answer.version,
            "points": None if block.points is None else f"{block.points.normalize():f}",
            "state": block.state,
            "state_label": block.state_label,
            "summary": render_to_string(SUMMARY_TEMPLATE, {"block": block}, request=request),
            "message": message,
            "done": totals.complete,
            "answered": totals.answered,
            "count": totals.indicators,
            "percent": totals.percent,
        }
    )


@login_required
@require_POST
def answer_save(request: HttpRequest, pk: int, indicator: int) -> HttpResponse:
    """Save one indicator's answer. The page's script gets JSON back (200 saved, 422 with the
    messages by field); a conflict (409) brings back the block with what the other person
    saved. Without script: back to the indicator on the dimension page, or its editor page
    with the messages."""
    assessment = get_assessment_for_user(request.user, pk, write=True)
    indicator = indicator_or_404(assessment, indicator)
    # Read again under the lock by save_answer: here it only carries the context.
    form = IndicatorAnswerForm(request.POST, answer=Answer(assessment=assessment, indicator=indicator))
    if not form.is_valid():
        return _refused(request, assessment, indicator, form)
    try:
        saved = form.save(by=request.user)
    except StaleAnswer as stale:
        # Show what the other person saved, with its version: saving again is a choice, not an accident.
        return block_response(request, assessment, indicator, status=CONFLICT, message=stale.message, message_level="warning")
    if saved is None:
        return _refused(request, assessment, indicator, form)
    message = _("บันทึกคำตอบตัวชี้วัด %(code)s แล้ว") % {"code": indicator.code}
    if wants_block(request):
        return _saved_json(request, assessment, indicator, saved, message)
    return block_response(request, assessment, indicator, status=OK, message=message)


def _refused(request: HttpRequest, assessment: Assessment, indicator: Indicator, form: IndicatorAnswerForm) -> HttpResponse:
    if wants_block(request):
        return JsonResponse(
            {
                "indicator": indicator.pk,
                "errors": _field_errors(form),
                "message": " ".join(form.non_field_errors())
                or _("บันทึกไม่ได้: โปรดแก้ไขตามข้อความที่แสดงในตัวชี้วัด %(code)s") % {"code": indicator.code},
            },
            status=REFUSED,
        )
    return block_response(request, assessment, indicator, status=REFUSED, answer_form=form)


@login_required
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """What is still missing, and the head's submission (refused while anything is missing)."""
    assessment = get_assessment_for_user(request.user, pk, write=request.method == "POST")
    problem = None
    if request.method == "POST":
        try:
            selfassessment.submit(assessment, by=request.user)
        except SubmissionRefused as refused:
            problem = refused.messages[0]
        else:
            messages.success(
                request,
                _("ส่งผลการประเมินตนเองแล้ว ตั้งแต่นี้ อปท. แก้ไขไม่ได้ เว้นแต่จังหวัดส่งกลับให้แก้ไข"),
            )
            return redirect(assessment)
    missing = selfassessment.missing_items(assessment)
    member = assessment.organization_id in scope_for(request.user).organization_ids
    head = member and is_head(request.user, assessment.organization_id)
    window = assessment.window_problem(timezone.localdate()) if assessment.is_open_to_organization else None
    return render(
        request,
        "assessments/assessment_submit.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "missing": missing,
            "problem": problem,
            "window_problem": window,
            "is_member": member,
            "is_head": head,
            "can_submit": head and assessment.is_open_to_organization and not missing and not window,
        },
    )


@login_required
def assessment_print(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    return HttpResponse(printing.render_summary_html(assessment))


@login_required
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    response = HttpResponse(printing.render_summary_pdf(assessment), content_type="application/pdf")
    name = f"lpa-{assessment.round.year}-{assessment.organization.code}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def extension_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial office gives one organization more time: until a date, with a reason."""
    assessment = get_assessment_for_user(request.user, pk)
    if not may_grant_extension(request.user, assessment):
        raise PermissionDenied
    form = ExtensionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            extension = selfassessment.grant_extension(
                assessment=assessment, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("ขยายเวลาการประเมินตนเองของ %(org)s ถึงวันที่ %(date)s แล้ว")
                % {"org": assessment.organization.full_name, "date": thai_date(extension.until, "long")},
            )
            return redirect(assessment)
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{form[name].auto_id}_errors"})
    return render(
        request,
        "assessments/extension_grant.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "organization": assessment.organization,
            "form": form,
            "deadline": assessment.deadline(),
            "extensions": assessment.extensions.select_related("granted_by").order_by("-granted_at", "-pk"),
        },
    )
