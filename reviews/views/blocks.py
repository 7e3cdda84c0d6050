"""One indicator as the review and results pages show it: both sides loaded, the team's
result in words, and the review page's blocks and the dimension's totals.

The review page shows each indicator compactly (answer, points, evidence count, state); its
editor (evidence, both sides in full, the result's form, the thread) comes from the
indicator's own URL when opened. Only the blocks that must stay open (posted to, refused,
revised by the organization and awaiting a new check) carry their editor in the page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.access import is_department
from accounts.models import User
from assessments import printing, scoring
from assessments.models import Answer, Assessment, Dimension, Evidence, Indicator, ReturnedIndicator, Round
from assessments.views.self_assessment import mark_invalid
from reviews import workflow
from reviews.comments import Reader, Thread, comments_for, may_post, reader
from reviews.forms.review import CommentForm, VerifiedAnswerForm
from reviews.models import VerifiedAnswer
from reviews.printing import verified_lines


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
        department = is_department(user)
        role = Reader.REVIEWER if on_team or office or department else reader(user, assessment)
        return cls(on_team=on_team, office=office, department=department, role=role)

    @classmethod
    def team_member(cls) -> "Viewer":
        """For views that checked team membership already (get_review_for_user(write=True)):
        what they show a member needs no further query."""
        return cls(on_team=True, office=False, department=False, role=Reader.REVIEWER)


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
    # The organization's revision the team has not checked since it was resubmitted, if any.
    recheck: ReturnedIndicator | None = None
    # The block carries its editor (evidence, full answers, forms, thread) in the page: one
    # just posted to, or to re-check. The others load it when opened (review_editor).
    open: bool = False
    full_points: Decimal = Decimal(0)

    @property
    def changes(self) -> list[str] | None:
        """What the organization changed in the revision awaiting a new check, in words."""
        return changes_in_words(self.recheck, self.answer)

    @property
    def before_lines(self) -> list[str]:
        """The answer and note as the team saw them, where the revision changed them."""
        return answer_before_lines(self.indicator, self.recheck, self.answer)

    @property
    def is_checked(self) -> bool:
        """Has a verified result the team saved after the organization's latest revision."""
        return self.verified is not None and self.recheck is None

    @property
    def evidence(self) -> list:
        return list(getattr(self.answer, "current_evidence", [])) if self.answer else []

    @property
    def evidence_count(self) -> int:
        return getattr(self.indicator, "evidence_count", 0)

    @property
    def state(self) -> str:
        """For the outline: to re-check after a revision, checked, or not yet checked."""
        if self.recheck is not None:
            return "recheck"
        return "checked" if self.is_checked else "unchecked"

    @property
    def state_label(self) -> str:
        return {"recheck": _("แก้ไขแล้ว รอตรวจอีกครั้ง"), "checked": _("ตรวจแล้ว"), "unchecked": _("ยังไม่ได้ตรวจ")}[self.state]

    @property
    def claimed_na(self) -> bool:
        return bool(self.answer and self.answer.not_applicable)


@dataclass(frozen=True)
class Totals:
    """A dimension's self-assessed and verified score, and how far the team has got."""

    own: scoring.DimensionScore | None
    verified: scoring.DimensionScore | None
    indicators: int
    verified_count: int  # checked since the organization's latest revision
    recheck_count: int = 0  # revised by the organization since the team's result


def changes_in_words(flag: ReturnedIndicator | None, answer: Answer | None) -> list[str] | None:
    """ReturnedIndicator.changes() as the page says them; None when unknown (or no flag)."""
    if flag is None:
        return None
    changes = flag.changes(answer)
    return None if changes is None else [str(ReturnedIndicator.CHANGE_LABELS[change]) for change in changes]


def answer_before_lines(indicator: Indicator, flag: ReturnedIndicator | None, answer: Answer | None) -> list[str]:
    """What the revision replaced, in words, from the answer kept when `flag` was raised: the
    answer (as printing.answer_lines says it) and the note, each only if it changed."""
    changes = flag.changes(answer) if flag is not None else None
    if not changes:
        return []
    before = flag.answer_before
    lines = []
    if ReturnedIndicator.ANSWER in changes:
        options = {option.pk: option for option in indicator.options.all()}
        if before.get("not_applicable"):
            said = _("ไม่มีภารกิจ: %(reason)s") % {"reason": before.get("na_reason", "")}
        elif indicator.kind == Indicator.Kind.LEVELS and before.get("level") in options:
            level = options[before["level"]]
            said = _("ระดับ %(position)s: %(label)s") % {"position": level.position, "label": level.label}
        elif indicator.kind == Indicator.Kind.FIGURE and before.get("figure") is not None:
            said = f"{printing.format_figure(Decimal(before['figure']))} {indicator.unit}".strip()
        elif indicator.kind not in (Indicator.Kind.LEVELS, Indicator.Kind.FIGURE) and before.get("ticked") is not None:
            ticked = [options[pk].label for pk in before["ticked"] if pk in options]
            said = _("ผ่าน %(n)s ข้อ: %(labels)s") % {"n": len(ticked), "labels": ", ".join(ticked) or "–"}
        else:
            said = _("ยังไม่ได้ตอบ")
        lines.append(_("ก่อนแก้ไข: %(answer)s") % {"answer": said})
    if ReturnedIndicator.NOTE in changes:
        lines.append(_("หมายเหตุเดิม: %(note)s") % {"note": before.get("note") or _("(ไม่มี)")})
    return lines


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


def verified_rows(assessment: Assessment) -> Prefetch:
    """The team's results of `assessment`, on each indicator as `verified_rows` (two queries)."""
    verified = (
        VerifiedAnswer.objects.filter(assessment=assessment)
        .select_related("level", "updated_by")
        .prefetch_related("ticked")
    )
    return Prefetch("verified_answers", queryset=verified, to_attr="verified_rows")


def first(rows: list | None):
    return rows[0] if rows else None


def _returns(assessment: Assessment) -> Prefetch:
    """Every return of the assessment's indicators, oldest first, on each as `all_returns`."""
    returns = (
        ReturnedIndicator.objects.filter(assessment=assessment).select_related("flagged_by").order_by("revision", "pk")
    )
    return Prefetch("returns", queryset=returns, to_attr="all_returns")


def review_indicators(assessment: Assessment, *, evidence: bool = True, **filters: Any) -> list[Indicator]:
    """The indicators with both sides loaded, in a fixed number of queries whatever their
    number: the options, the organization's answer (`answer_rows`, with its ticks) and how
    much evidence it has (`evidence_count`), the team's result (`verified_rows`), every
    return (`all_returns`); with `evidence`, the evidence itself too (with_evidence).

    Not with_answers: it loads the evidence and this revision's returns again beside
    `all_returns`, which a compact block does not need; loading both cost the page most of
    its loading time."""
    evidence_count = (
        Evidence.objects.current()
        .filter(answer__assessment=assessment, answer__indicator=OuterRef("pk"))
        .order_by()
        .values("answer")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    answers = (
        Answer.objects.filter(assessment=assessment).select_related("level", "updated_by").prefetch_related("ticked")
    )
    indicators = list(
        Indicator.objects.for_assessment(assessment)
        .filter(**filters)
        .select_related("category__dimension", "province")
        .prefetch_related(
            "options",
            Prefetch("answers", queryset=answers, to_attr="answer_rows"),
            verified_rows(assessment),
            _returns(assessment),
        )
        .annotate(evidence_count=Coalesce(Subquery(evidence_count), 0))
    )
    if evidence:
        with_evidence(indicators)
    return indicators


def with_evidence(indicators: list[Indicator]) -> None:
    """Put each loaded answer's evidence not removed on it (`current_evidence`), one query."""
    answers = [first(indicator.answer_rows) for indicator in indicators if indicator.answer_rows]
    if not answers:
        return
    found: dict[int, list[Evidence]] = {answer.pk: [] for answer in answers}
    for item in Evidence.objects.current().filter(answer__in=answers).order_by("uploaded_at", "pk"):
        found[item.answer_id].append(item)
    for answer in answers:
        answer.current_evidence = found[answer.pk]


def _scores(
    assessment: Assessment, indicators: list[Indicator], specs: dict[int, scoring.IndicatorSpec]
) -> tuple[scoring.AssessmentScore, scoring.AssessmentScore]:
    """Both sides' scores over `indicators` alone, from what is loaded (no query).

    Enough for one dimension's totals and each indicator's points; the overview scores the
    whole assessment (self_assessed_score, workflow.verified_score).
    """
    own, verified = {}, {}
    for indicator in indicators:
        answer, result = first(indicator.answer_rows), first(indicator.verified_rows)
        if answer is not None:
            own[indicator.code] = answer.as_scoring_answer()
        if result is not None:
            verified[indicator.code] = result.as_scoring_answer(claimed_na=bool(answer and answer.not_applicable))
    common = {
        "indicators": [specs[indicator.pk] for indicator in indicators],
        "org_type": assessment.org_type,
        "pass_mark": assessment.round.pass_mark,
        "bands": (),
        "province": assessment.organization.district.province.code,
    }
    return (
        scoring.score_assessment(answers=own, self_assessed=True, **common),
        scoring.score_assessment(answers=verified, **common),
    )


def build_blocks(
    request: HttpRequest,
    assessment: Assessment,
    indicators: list[Indicator],
    *,
    viewer: Viewer,
    override: dict[int, dict] | None = None,
    editors: bool = False,
) -> tuple[list[ReviewBlock], tuple[scoring.AssessmentScore, scoring.AssessmentScore]]:
    """The blocks of `indicators`; `override` replaces one block's forms or message after a
    post (indicator pk → ReviewBlock fields, "comment_form", "comment_message").

    Forms are made only for the blocks that show their editor: all of them with `editors`
    (the editor of one indicator, loaded by review_indicators), else those posted to or
    awaiting a new check (block.open; the caller loads them in full, see dimension_blocks).
    """
    override = override or {}
    problem = scoring_problem(viewer, assessment)
    threads = comments_for(assessment, user=request.user, role=viewer.role)
    can_post: bool | None = None  # asked once, and only when a block shows its editor
    specs = {indicator.pk: indicator.as_spec() for indicator in indicators}
    own_score, verified_score = _scores(assessment, indicators, specs)
    own_results = {result.code: result for result in own_score.indicators}
    verified_results = {result.code: result for result in verified_score.indicators}
    blocks = []
    for indicator in indicators:
        answer, verified = first(indicator.answer_rows), first(indicator.verified_rows)
        claimed_na = bool(answer and answer.not_applicable)
        recheck = workflow.awaiting_recheck(indicator.all_returns, verified)
        block = ReviewBlock(
            indicator=indicator,
            answer=answer,
            answer_lines=printing.answer_lines(indicator, answer),
            verified=verified,
            verified_lines=[],
            returns=indicator.all_returns,
            thread=Thread(indicator, threads.get(indicator.pk, [])),
            own_result=own_results.get(indicator.code) if answer else None,
            verified_result=verified_results.get(indicator.code) if verified else None,
            recheck=recheck,
            full_points=specs[indicator.pk].full_points,
        )
        block.open = editors or bool(override.get(indicator.pk)) or recheck is not None
        if block.open:
            block.verified_lines = verified_lines(indicator, verified, claimed_na=claimed_na)
            if can_post is None:
                can_post = may_post(request.user, assessment, role=viewer.role)
            if can_post:
                block.thread.form = CommentForm(indicator=indicator, internal_allowed=True)
            if problem is None:
                block.form = VerifiedAnswerForm(
                    verified=verified or VerifiedAnswer(assessment=assessment, indicator=indicator),
                    own=answer,
                    recheck=recheck is not None,
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


def dimension_blocks(
    request: HttpRequest,
    assessment: Assessment,
    dimension: Dimension,
    *,
    viewer: Viewer,
    override: dict[int, dict] | None = None,
) -> tuple[list[ReviewBlock], tuple[scoring.AssessmentScore, scoring.AssessmentScore]]:
    """The review page's blocks: compact, and with their evidence those that open."""
    override = override or {}
    indicators = review_indicators(assessment, evidence=False, category__dimension=dimension)
    opening = [
        indicator
        for indicator in indicators
        if indicator.pk in override or workflow.awaiting_recheck(indicator.all_returns, first(indicator.verified_rows))
    ]
    with_evidence(opening)
    return build_blocks(request, assessment, indicators, viewer=viewer, override=override)


def dimension_totals(dimension: Dimension, blocks: list[ReviewBlock], scores) -> Totals:
    own_score, verified_score = scores
    return Totals(
        own=own_score.dimension(dimension.number),
        verified=verified_score.dimension(dimension.number),
        indicators=len(blocks),
        verified_count=sum(block.is_checked for block in blocks),
        recheck_count=sum(block.recheck is not None for block in blocks),
    )


def scoring_indicators(assessment: Assessment, indicator_pk: int) -> list[Indicator]:
    """The indicators of the dimension of indicator `indicator_pk` (none if it does not apply
    to the assessment), with their options, whether the organization claimed "not
    applicable" (`claimed_na`) and when it last resubmitted each (`revised_at`): what a
    verified save needs for its form and the dimension's new totals, in two queries."""
    dimension = Indicator.objects.filter(pk=indicator_pk).values("category__dimension_id")
    claimed = Answer.objects.filter(assessment=assessment, indicator=OuterRef("pk"), not_applicable=True)
    revised = (
        ReturnedIndicator.objects.filter(assessment=assessment, indicator=OuterRef("pk"), resolved_at__isnull=False)
        .order_by()
        .values("indicator")
        .annotate(last=Max("resolved_at"))
        .values("last")[:1]
    )
    return list(
        Indicator.objects.for_assessment(assessment)
        .filter(category__dimension_id=Subquery(dimension))
        .defer("description", "evidence_required")
        .select_related("category__dimension", "province")
        .prefetch_related("options")
        .annotate(claimed_na=Exists(claimed), revised_at=Subquery(revised))
    )


def saved_totals(
    assessment: Assessment, dimension: Dimension, indicators: list[Indicator], verified: dict[int, VerifiedAnswer]
) -> Totals:
    """The dimension's verified totals and counters after a save, from scoring_indicators and
    the team's results by indicator pk; the self-assessed side is left out (a save does not
    change it)."""
    answers, checked, recheck = {}, 0, 0
    for indicator in indicators:
        result = verified.get(indicator.pk)
        if result is not None:
            answers[indicator.code] = result.as_scoring_answer(claimed_na=indicator.claimed_na)
        if indicator.revised_at is not None and (result is None or result.updated_at < indicator.revised_at):
            recheck += 1
        elif result is not None:
            checked += 1
    score = scoring.score_assessment(
        indicators=[indicator.as_spec() for indicator in indicators],
        answers=answers,
        org_type=assessment.org_type,
        pass_mark=assessment.round.pass_mark,
        bands=(),
        province=assessment.organization.district.province.code,
    )
    return Totals(
        own=None,
        verified=score.dimension(dimension.number),
        indicators=len(indicators),
        verified_count=checked,
        recheck_count=recheck,
    )
