"""One indicator as the review and results pages show it: both sides loaded, the team's
result in words, and the review page's blocks with their forms and the dimension's totals.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.access import is_department
from accounts.models import User
from assessments import printing, scoring
from assessments.models import Answer, Assessment, Dimension, Indicator, ReturnedIndicator, Round
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
    # The evidence, answers and form start folded; a block just posted to or to re-check opens.
    open: bool = False

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


def review_indicators(assessment: Assessment, **filters: Any) -> list[Indicator]:
    """The indicators with both sides loaded, in a fixed number of queries: the
    organization's answers and evidence (with_answers), the team's results and every return."""
    returns = (
        ReturnedIndicator.objects.filter(assessment=assessment).select_related("flagged_by").order_by("revision", "pk")
    )
    return list(
        Indicator.objects.for_assessment(assessment)
        .filter(**filters)
        .with_answers(assessment)
        .prefetch_related(verified_rows(assessment), Prefetch("returns", queryset=returns, to_attr="all_returns"))
    )


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
        answer, result = first(indicator.answer_rows), first(indicator.verified_rows)
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
) -> tuple[list[ReviewBlock], tuple[scoring.AssessmentScore, scoring.AssessmentScore]]:
    """The blocks of `indicators` (from review_indicators); `override` replaces one block's forms or
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
        answer, verified = first(indicator.answer_rows), first(indicator.verified_rows)
        claimed_na = bool(answer and answer.not_applicable)
        recheck = workflow.awaiting_recheck(indicator.all_returns, verified)
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
            recheck=recheck,
        )
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
        block.open = bool(override.get(indicator.pk)) or recheck is not None
        blocks.append(block)
    return blocks, (own_score, verified_score)


def dimension_totals(dimension: Dimension, blocks: list[ReviewBlock], scores) -> Totals:
    own_score, verified_score = scores
    return Totals(
        own=own_score.dimension(dimension.number),
        verified=verified_score.dimension(dimension.number),
        indicators=len(blocks),
        verified_count=sum(block.is_checked for block in blocks),
        recheck_count=sum(block.recheck is not None for block in blocks),
    )
