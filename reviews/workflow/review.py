"""Reviewing one assessment: start, return for revision, the verified answers, verify."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import scoring
from assessments.models import Answer, Assessment, AssessmentEvent, Evidence, Indicator, ReturnedIndicator
from assessments.selfassessment import AnswerInvalid, applies, clean_answer, lock
from assessments.signals import send_scores_changed
from reviews.models import VerifiedAnswer
from reviews.workflow.results import verified_score
from reviews.workflow.roles import is_team_lead, may_return, may_score
from reviews.workflow.trail import TransitionRefused, ensure_round_running, move, record, refuse_status, sync

Status = Assessment.Status

VERIFIED_FIELDS = frozenset({"level", "ticked", "figure", "na_confirmed", "reason"})
# Days an organization gets to revise after a return when the reviewer names no date.
DEFAULT_REVISION_DAYS = 7


class StaleVerifiedAnswer(Exception):
    """Another reviewer saved this indicator after the form was opened; `current` is theirs."""

    def __init__(self, current: VerifiedAnswer) -> None:
        self.current = current
        who = current.updated_by or _("ผู้ประเมินอื่น")
        self.message = _(
            "มีผู้บันทึกผลการตรวจตัวชี้วัดนี้ไปก่อนแล้ว (%(who)s) ระบบจึงไม่บันทึกทับ "
            "โปรดตรวจสอบผลปัจจุบันด้านล่าง แล้วบันทึกอีกครั้งหากยังต้องการแก้ไข"
        ) % {"who": who}
        super().__init__(self.message)


@dataclass(frozen=True)
class ReviewProblem:
    """Why the lead cannot verify yet: one indicator and what it lacks."""

    indicator: Indicator
    message: str


def start_review(*, assessment: Assessment, by: User) -> AssessmentEvent | None:
    """A team member takes up a submitted (or resubmitted) assessment; None if already in review."""
    if not may_score(by, assessment):
        raise PermissionDenied(_("เฉพาะคณะผู้ประเมินที่ได้รับมอบหมายเท่านั้นที่ตรวจประเมิน อปท. นี้ได้"))
    with transaction.atomic():
        locked = lock(assessment)
        ensure_round_running(locked)
        if locked.status == Status.IN_REVIEW:
            return None
        if locked.status not in (Status.SUBMITTED, Status.RESUBMITTED):
            raise refuse_status(locked, _("เริ่มตรวจประเมิน"))
        event = move(locked, Status.IN_REVIEW, kind=AssessmentEvent.Kind.REVIEW_STARTED, by=by)
    sync(assessment, locked)
    return event


def return_for_revision(
    *,
    assessment: Assessment,
    flags: Mapping[Indicator, str],
    by: User,
    due: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list[ReturnedIndicator]:
    """Send the assessment back: only the flagged indicators open again, each with its reason.

    A member of the assigned team or the provincial office may do it, while the assessment
    is submitted, resubmitted or in review. `due` is the last day to resubmit (default a
    week from today); the organization may revise until then even after the round's
    self-assessment window has closed.
    """
    today = today or timezone.localdate()
    if not may_return(by, assessment):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ส่งการประเมินนี้กลับให้แก้ไข"))
    if not flags:
        raise TransitionRefused(_("เลือกตัวชี้วัดที่ต้องการให้แก้ไขอย่างน้อย 1 ตัวชี้วัด"))
    due = due or today + datetime.timedelta(days=DEFAULT_REVISION_DAYS)
    if due < today:
        raise TransitionRefused({"due": _("กำหนดส่งผลที่แก้ไขต้องไม่ก่อนวันนี้")})
    with transaction.atomic():
        locked = lock(assessment)
        ensure_round_running(locked)
        if locked.status not in Assessment.RETURNABLE_STATUSES:
            raise refuse_status(locked, _("ส่งกลับให้แก้ไข"))
        errors = []
        for indicator, reason in flags.items():
            if not applies(locked, indicator):
                errors.append(_("ตัวชี้วัด %(code)s ไม่ใช้กับ อปท. นี้") % {"code": indicator.code})
            elif not (reason or "").strip():
                errors.append(_("ระบุเหตุผลที่ส่งตัวชี้วัด %(code)s กลับให้แก้ไข") % {"code": indicator.code})
        if errors:
            raise TransitionRefused(errors)
        now = timezone.now()
        locked.revision += 1
        reasons = {indicator.code: reason.strip() for indicator, reason in flags.items()}
        # What the reviewers saw, so the review page can say what the organization changed.
        evidence = Evidence.objects.current()
        answers = {
            answer.indicator_id: answer
            for answer in Answer.objects.filter(assessment=locked, indicator__in=list(flags)).prefetch_related(
                "ticked", Prefetch("evidence", queryset=evidence, to_attr="current_evidence")
            )
        }
        returned = ReturnedIndicator.objects.bulk_create(
            ReturnedIndicator(
                assessment=locked,
                indicator=indicator,
                revision=locked.revision,
                reason=reason.strip(),
                flagged_by=by,
                flagged_at=now,
                answer_before=Answer.snapshot_of(answers.get(indicator.pk)),
            )
            for indicator, reason in flags.items()
        )
        move(
            locked,
            Status.RETURNED,
            kind=AssessmentEvent.Kind.RETURNED,
            by=by,
            data={"indicators": reasons, "due": due.isoformat()},
            revision=locked.revision,
            revision_due=due,
        )
    sync(assessment, locked)
    return returned


def verified_answer_for(assessment: Assessment, indicator: Indicator) -> VerifiedAnswer:
    answer = VerifiedAnswer.objects.filter(assessment=assessment, indicator=indicator).first()
    return answer or VerifiedAnswer(assessment=assessment, indicator=indicator)


def save_verified_answer(
    *,
    assessment: Assessment,
    indicator: Indicator,
    data: Mapping[str, Any],
    expected_version: int,
    by: User,
) -> VerifiedAnswer:
    """A team member's verified result for one indicator; returns it with its new version.

    `data`: "level", "ticked", "figure" as in the self-assessment; "na_confirmed" (True,
    False or None) when the organization claimed "not applicable"; "reason", required
    whenever the result scores differently from the self-assessment. Saving the first result of a
    submitted assessment starts the review. A stale `expected_version` raises
    StaleVerifiedAnswer with the other reviewer's answer; nothing is written. The change of
    points is recorded in the trail.
    """
    unknown = set(data) - VERIFIED_FIELDS
    if unknown:
        raise ValueError(f"not verified answer fields: {sorted(unknown)}")
    if not may_score(by, assessment):
        raise PermissionDenied(_("เฉพาะคณะผู้ประเมินที่ได้รับมอบหมายเท่านั้นที่บันทึกผลการตรวจได้"))
    with transaction.atomic():
        locked = lock(assessment)
        ensure_round_running(locked)
        if locked.status not in Assessment.REVIEWABLE_STATUSES:
            raise refuse_status(locked, _("บันทึกผลการตรวจ"))
        if not applies(locked, indicator):
            raise TransitionRefused(_("ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้"))
        if locked.status != Status.IN_REVIEW:
            move(locked, Status.IN_REVIEW, kind=AssessmentEvent.Kind.REVIEW_STARTED, by=by)
        verified = verified_answer_for(locked, indicator)
        if verified.version != expected_version:
            raise StaleVerifiedAnswer(verified)
        verified = write_verified(locked, indicator, verified, data, by=by)
    sync(assessment, locked)
    return verified


def clean_verified(indicator: Indicator, data: Mapping[str, Any], *, own: Answer | None) -> dict[str, Any]:
    """The verified answer's values from `data`, or AnswerInvalid with Thai messages per field."""
    claimed_na = bool(own and own.not_applicable)
    reason = (data.get("reason") or "").strip()
    errors: dict[str, str] = {}
    na_confirmed = _yes_no(data.get("na_confirmed"))
    if claimed_na and na_confirmed is None:
        errors["na_confirmed"] = _("อปท. แจ้งว่าไม่มีภารกิจ: เลือกว่ายืนยันหรือไม่ยืนยัน")
    elif claimed_na and na_confirmed and not indicator.allows_not_applicable:
        # A correction may have withdrawn the option since the organization claimed it;
        # a confirmation would then score 0 out of full marks instead of leaving both.
        errors["na_confirmed"] = _("ตัวชี้วัดนี้ไม่มีตัวเลือกไม่มีภารกิจแล้ว: ไม่ยืนยันและระบุผลการตรวจ")
    if not claimed_na:
        na_confirmed = None
    if na_confirmed:
        values = {"level": None, "ticked": [], "figure": None}
    else:
        answer_data = {name: data[name] for name in ("level", "ticked", "figure") if name in data}
        try:
            values = clean_answer(indicator, answer_data)
        except AnswerInvalid as error:
            errors.update({field: " ".join(messages) for field, messages in error.message_dict.items()})
            values = {"level": None, "ticked": [], "figure": None}
        if not errors and not _has_value(indicator, values, data):
            errors[_value_field(indicator)] = _("ระบุผลการตรวจของตัวชี้วัดนี้")
    values = {
        "level": values["level"],
        "ticked": values["ticked"],
        "figure": values["figure"],
        "na_confirmed": na_confirmed,
        "reason": reason,
    }
    if not errors and _differs(indicator, values, own) and not reason:
        errors["reason"] = _("ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล")
    if errors:
        raise AnswerInvalid(errors)
    return values


def _yes_no(value: Any) -> bool | None:
    """na_confirmed as a form may send it ("true", "false", "", "on"…); None: not chosen (or unreadable).

    bool("false") is True, so the text must be read, not cast.
    """
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "on", "yes"}:
        return True
    if text in {"false", "0", "off", "no"}:
        return False
    return None


def _value_field(indicator: Indicator) -> str:
    return {Indicator.Kind.LEVELS: "level", Indicator.Kind.FIGURE: "figure"}.get(indicator.kind, "ticked")


def _has_value(indicator: Indicator, values: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    if indicator.kind == Indicator.Kind.LEVELS:
        return values["level"] is not None
    if indicator.kind == Indicator.Kind.FIGURE:
        return values["figure"] is not None
    return "ticked" in data


def _differs(indicator: Indicator, values: Mapping[str, Any], own: Answer | None) -> bool:
    """Whether the verified result differs from what the organization answered: in points
    (a different level, figure or ticks that score the same need no reason), or a claimed
    "not applicable" the team does not confirm."""
    if own is None or not own.is_answered:
        return True
    if own.not_applicable:
        return not values["na_confirmed"]
    spec = indicator.as_spec()
    verified = scoring.Answer(
        level=getattr(values["level"], "pk", None),
        ticked=frozenset(option.pk for option in values["ticked"]),
        figure=values["figure"],
        not_applicable=False,
        na_confirmed=False,
    )
    return scoring.indicator_points(spec, verified) != scoring.indicator_points(spec, own.as_scoring_answer())


def write_verified(
    locked: Assessment,
    indicator: Indicator,
    verified: VerifiedAnswer,
    data: Mapping[str, Any],
    *,
    by: User,
    appeal: bool = False,
) -> VerifiedAnswer:
    """Store `data` (clean_verified against the organization's answer) on `verified` and
    record the change of points, marked as an appeal's when `appeal`; AnswerInvalid writes nothing.

    For the transitions that hold the lock on the assessment (`locked`).
    """
    own = Answer.objects.filter(assessment=locked, indicator=indicator).prefetch_related("ticked").first()
    if own is not None:
        own.indicator = indicator  # read by clean_verified: not a second load of the indicator
    values = clean_verified(indicator, data, own=own)
    before = verified.points if verified.pk else None
    ticked = values["ticked"]
    for name in ("level", "figure", "na_confirmed", "reason"):
        setattr(verified, name, values[name])
    spec = indicator.as_spec()
    verified.points = scoring.indicator_points(
        spec,
        scoring.Answer(
            level=getattr(values["level"], "pk", None),
            ticked=frozenset(option.pk for option in ticked),
            figure=values["figure"],
            not_applicable=bool(values["na_confirmed"]),
            na_confirmed=bool(values["na_confirmed"]),
        ),
    )
    verified.version += 1
    verified.updated_by, verified.updated_at = by, timezone.now()
    verified.save()
    verified.ticked.set(ticked)
    record(
        locked,
        AssessmentEvent.Kind.SCORE_CHANGED,
        by=by,
        indicator=indicator,
        note=values["reason"],
        data={
            "indicator": indicator.code,
            "from": points_text(before),
            "to": points_text(verified.points),
            **({"appeal": True} if appeal else {}),
        },
        notify=False,
    )
    # The stored results follow, in the same transaction.
    send_scores_changed([locked], sender=VerifiedAnswer, indicators=[indicator.pk])
    return verified


def points_text(points: Decimal | None) -> str | None:
    return None if points is None else format(points.normalize(), "f")


def revised_since_review(assessment: Assessment) -> dict[int, datetime.datetime]:
    """Indicator pk → when the organization resubmitted it, for the indicators it revised
    after a return (their flag resolved) whose verified result, if any, is older than that:
    the team has not looked at what was sent again (two queries)."""
    saved = dict(VerifiedAnswer.objects.filter(assessment=assessment).values_list("indicator_id", "updated_at"))
    revised = (
        ReturnedIndicator.objects.filter(assessment=assessment, resolved_at__isnull=False)
        .values("indicator_id")
        .annotate(last=Max("resolved_at"))
        .values_list("indicator_id", "last")
    )
    return {
        indicator_id: last
        for indicator_id, last in revised
        if indicator_id not in saved or saved[indicator_id] is None or saved[indicator_id] < last
    }


def awaiting_recheck(returns: list[ReturnedIndicator], verified: VerifiedAnswer | None) -> ReturnedIndicator | None:
    """The latest resolved return of one indicator (`returns`, all of them) if the team has
    not saved a result since the organization resubmitted it (as revised_since_review, from
    what is loaded); else None."""
    resolved = [flag for flag in returns if flag.resolved_at is not None]
    if not resolved:
        return None
    latest = max(resolved, key=lambda flag: (flag.resolved_at, flag.revision))
    if verified is None or verified.updated_at is None or verified.updated_at < latest.resolved_at:
        return latest
    return None


def verification_problems(assessment: Assessment) -> list[ReviewProblem]:
    """What stops the lead from verifying, in framework order (three queries).

    An indicator that applies but has no verified result; and one the organization revised
    after a return (its flag resolved by the resubmission) whose verified result is older
    than the revision, since the team has not looked at what was sent again.
    """
    indicators = Indicator.objects.for_assessment(assessment).select_related("category__dimension")
    saved = set(VerifiedAnswer.objects.filter(assessment=assessment).values_list("indicator_id", flat=True))
    revised = revised_since_review(assessment)
    problems = []
    for indicator in indicators:
        if indicator.pk not in saved:
            problems.append(ReviewProblem(indicator, _("ยังไม่ได้บันทึกผลการตรวจ")))
        elif indicator.pk in revised:
            problems.append(ReviewProblem(indicator, _("อปท. ส่งผลที่แก้ไขแล้ว ยังไม่ได้ตรวจอีกครั้ง")))
    return problems


def _problems_text(problems: list[ReviewProblem], *, shown: int = 10) -> str:
    items = ", ".join(f"{p.indicator.code} ({p.message})" for p in problems[:shown])
    if len(problems) > shown:
        items += _(" และอีก %(count)s ตัวชี้วัด") % {"count": len(problems) - shown}
    return items


def verify(*, assessment: Assessment, by: User) -> AssessmentEvent:
    """The team lead confirms the team's results once every indicator has one."""
    if not is_team_lead(by, assessment):
        raise PermissionDenied(_("เฉพาะหัวหน้าคณะผู้ประเมินที่ได้รับมอบหมายเท่านั้นที่ยืนยันผลการตรวจได้"))
    with transaction.atomic():
        locked = lock(assessment)
        ensure_round_running(locked)
        if locked.status != Status.IN_REVIEW:
            raise refuse_status(locked, _("ยืนยันผลการตรวจ"))
        problems = verification_problems(locked)
        if problems:
            raise TransitionRefused(
                _("ยังยืนยันผลไม่ได้: มี %(count)s ตัวชี้วัดที่ยังตรวจไม่ครบ ได้แก่ %(items)s")
                % {"count": len(problems), "items": _problems_text(problems)}
            )
        score = verified_score(locked)
        event = move(
            locked,
            Status.VERIFIED,
            kind=AssessmentEvent.Kind.VERIFIED,
            by=by,
            # Two places, as reports show it: the exact figure is recomputed from the answers.
            data={
                "percent": None if score.percent is None else scoring.format_percent(score.percent),
                "points": points_text(score.points),
            },
        )
    sync(assessment, locked)
    return event
