"""The review workflow (issue 6): who may move an assessment where, and what is recorded.

    draft → submitted → in review → (returned → resubmitted → in review)* → verified
          → approved → published → (appealed → published)

- The organization's head submits and resubmits (Assessment.submit).
- A member of the team assigned to the assessment starts the review (or saving the first
  verified answer starts it), scores each indicator (save_verified_answer) and may send the
  assessment back with a reason per indicator and a due date (return_for_revision); the
  provincial office may return too.
- The team's lead verifies once every indicator is scored, and scored again where the
  organization revised it after a return (verify, verification_problems).
- The provincial office of the organization's province approves, one or many (approve).
- The provincial office or the department reopens a verified or approved assessment with a
  reason (reopen): back in review.
- The department publishes the round's approved results, all at once (publish_round).
- The organization's head appeals single indicators in the appeal window (open_appeal); the
  team lead or the provincial office answers each (answer_appeal); when all are answered the
  assessment is published again.

Every transition checks the person first, then locks the assessment row (select_for_update)
and checks status, round phase and anything else that can change under it inside the lock, and
records an AssessmentEvent (the audit trail); notifications go out after the transaction
commits (notifications/sending.py). A refused transition raises PermissionDenied (wrong
person) or TransitionRefused with a Thai message (wrong moment) and changes nothing.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import scope_for
from accounts.models import Role, User
from assessments import scoring
from assessments.models import Answer, Assessment, AssessmentEvent, Evidence, Indicator, ReturnedIndicator, Round
from assessments.selfassessment import (
    AnswerInvalid,
    applies,
    bangkok_today,
    clean_answer,
    is_head,
    lock,
)
from lpa.templatetags.thai_dates import thai_date
from reviews.models import Appeal, Assignment, TeamMember, VerifiedAnswer

Status = Assessment.Status
VERIFIED_FIELDS = frozenset({"level", "ticked", "figure", "na_confirmed", "reason"})
# Days an organization gets to revise after a return when the reviewer names no date.
DEFAULT_REVISION_DAYS = 7


class TransitionRefused(ValidationError):
    """The assessment may not move now (status, phase, window, something missing)."""


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


# Who is who for one assessment.


def assignment_of(assessment: Assessment) -> Assignment | None:
    try:
        return assessment.assignment
    except Assignment.DoesNotExist:
        return None


def is_team_member(user: User | None, assessment: Assessment) -> bool:
    """Whether `user` is on the team assigned to the assessment.

    Only while they still hold a role in the organization's province: someone moved to
    another province keeps their old TeamMember row until the office edits the team, and
    must not keep scoring through it.
    """
    return _on_team(user, assessment, lead=False)


def is_team_lead(user: User | None, assessment: Assessment) -> bool:
    return _on_team(user, assessment, lead=True)


def _on_team(user: User | None, assessment: Assessment, *, lead: bool) -> bool:
    if user is None or not user.is_active:
        return False
    if assessment.organization.district.province_id not in scope_for(user).province_ids:
        return False
    members = TeamMember.objects.filter(team__assignments__assessment=assessment, user=user)
    return (members.filter(is_lead=True) if lead else members).exists()


def manages_province(user: User | None, assessment: Assessment) -> bool:
    """The provincial office (admin) of the organization's province."""
    return user is not None and assessment.organization.district.province_id in scope_for(user).manages_province_ids


def is_department(user: User | None) -> bool:
    return user is not None and scope_for(user).has(Role.Kind.DEPARTMENT_OFFICIAL, Role.Kind.SYSTEM_ADMIN)


def may_score(user: User | None, assessment: Assessment) -> bool:
    """Team members score; nobody else does (the office approves, the department publishes)."""
    return is_team_member(user, assessment)


def may_return(user: User | None, assessment: Assessment) -> bool:
    return is_team_member(user, assessment) or manages_province(user, assessment)


def may_answer_appeal(user: User | None, assessment: Assessment) -> bool:
    return is_team_lead(user, assessment) or manages_province(user, assessment)


# The trail.


def record(
    assessment: Assessment,
    kind: str,
    *,
    by: User,
    from_status: str = "",
    to_status: str = "",
    indicator: Indicator | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime.datetime | None = None,
    notify: bool = True,
) -> AssessmentEvent:
    """Append one event to the assessment's trail; its notifications go out after commit."""
    event = AssessmentEvent.objects.create(
        assessment=assessment,
        kind=kind,
        at=at or timezone.now(),
        by=by,
        revision=assessment.revision,
        from_status=from_status,
        to_status=to_status,
        indicator=indicator,
        note=note,
        data=dict(data or {}),
    )
    if notify:
        from notifications.sending import announce

        transaction.on_commit(lambda: announce(event))
    return event


def _move(locked: Assessment, to: str, *, kind: str, by: User, note: str = "", data=None, **fields) -> AssessmentEvent:
    """Change the locked assessment's status (and `fields`), and record it."""
    before = locked.status
    locked.status = to
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *fields])
    return record(locked, kind, by=by, from_status=before, to_status=to, note=note, data=data)


def _refuse_status(locked: Assessment, action: str) -> TransitionRefused:
    return TransitionRefused(
        _("%(action)sไม่ได้ เพราะการประเมินอยู่ในสถานะ “%(status)s”")
        % {"action": action, "status": locked.get_status_display()}
    )


def _ensure_round_running(locked: Assessment) -> None:
    if locked.round.phase in (Round.Phase.SETUP, Round.Phase.CLOSED):
        raise TransitionRefused(
            _("รอบการประเมินปี %(year)s %(phase)s จึงเปลี่ยนแปลงไม่ได้")
            % {"year": locked.round.year, "phase": locked.round.get_phase_display()}
        )


def _sync(assessment: Assessment, locked: Assessment) -> None:
    """Copy what a transition changed back onto the caller's object."""
    for name in ("status", "revision", "revision_due"):
        setattr(assessment, name, getattr(locked, name))


# Review.


def start_review(*, assessment: Assessment, by: User) -> AssessmentEvent | None:
    """A team member takes up a submitted (or resubmitted) assessment; None if already in review."""
    if not may_score(by, assessment):
        raise PermissionDenied(_("เฉพาะคณะผู้ประเมินที่ได้รับมอบหมายเท่านั้นที่ตรวจประเมิน อปท. นี้ได้"))
    with transaction.atomic():
        locked = lock(assessment)
        _ensure_round_running(locked)
        if locked.status == Status.IN_REVIEW:
            return None
        if locked.status not in (Status.SUBMITTED, Status.RESUBMITTED):
            raise _refuse_status(locked, _("เริ่มตรวจประเมิน"))
        event = _move(locked, Status.IN_REVIEW, kind=AssessmentEvent.Kind.REVIEW_STARTED, by=by)
    _sync(assessment, locked)
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
    today = today or bangkok_today()
    if not may_return(by, assessment):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์ส่งการประเมินนี้กลับให้แก้ไข"))
    if not flags:
        raise TransitionRefused(_("เลือกตัวชี้วัดที่ต้องการให้แก้ไขอย่างน้อย 1 ตัวชี้วัด"))
    due = due or today + datetime.timedelta(days=DEFAULT_REVISION_DAYS)
    if due < today:
        raise TransitionRefused({"due": _("กำหนดส่งผลที่แก้ไขต้องไม่ก่อนวันนี้")})
    with transaction.atomic():
        locked = lock(assessment)
        _ensure_round_running(locked)
        if locked.status not in Assessment.RETURNABLE_STATUSES:
            raise _refuse_status(locked, _("ส่งกลับให้แก้ไข"))
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
        returned = ReturnedIndicator.objects.bulk_create(
            ReturnedIndicator(
                assessment=locked,
                indicator=indicator,
                revision=locked.revision,
                reason=reason.strip(),
                flagged_by=by,
                flagged_at=now,
            )
            for indicator, reason in flags.items()
        )
        _move(
            locked,
            Status.RETURNED,
            kind=AssessmentEvent.Kind.RETURNED,
            by=by,
            data={"indicators": reasons, "due": due.isoformat()},
            revision=locked.revision,
            revision_due=due,
        )
    _sync(assessment, locked)
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
    whenever the result differs from the self-assessment. Saving the first result of a
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
        _ensure_round_running(locked)
        if locked.status not in Assessment.REVIEWABLE_STATUSES:
            raise _refuse_status(locked, _("บันทึกผลการตรวจ"))
        if not applies(locked, indicator):
            raise TransitionRefused(_("ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้"))
        if locked.status != Status.IN_REVIEW:
            _move(locked, Status.IN_REVIEW, kind=AssessmentEvent.Kind.REVIEW_STARTED, by=by)
        verified = verified_answer_for(locked, indicator)
        if verified.version != expected_version:
            raise StaleVerifiedAnswer(verified)
        own = Answer.objects.filter(assessment=locked, indicator=indicator).prefetch_related("ticked").first()
        values = clean_verified(indicator, data, own=own)
        verified, before, after = _write_verified(locked, indicator, verified, values, by=by)
        record(
            locked,
            AssessmentEvent.Kind.SCORE_CHANGED,
            by=by,
            indicator=indicator,
            note=values["reason"],
            data={"indicator": indicator.code, "from": _points_text(before), "to": _points_text(after)},
            notify=False,
        )
    _sync(assessment, locked)
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
    """Whether the verified result is not what the organization answered."""
    if own is None or not own.is_answered:
        return True
    if own.not_applicable:
        return not values["na_confirmed"]
    if indicator.kind == Indicator.Kind.LEVELS:
        return getattr(values["level"], "pk", None) != own.level_id
    if indicator.kind == Indicator.Kind.FIGURE:
        return values["figure"] != own.figure
    return {option.pk for option in values["ticked"]} != {option.pk for option in own.ticked.all()}


def _write_verified(
    assessment: Assessment, indicator: Indicator, verified: VerifiedAnswer, values: Mapping[str, Any], *, by: User
) -> tuple[VerifiedAnswer, Decimal | None, Decimal]:
    """Store `values` on `verified`; returns it with its points before (None: new) and after."""
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
    return verified, before, verified.points


def _points_text(points: Decimal | None) -> str | None:
    return None if points is None else format(points.normalize(), "f")


def verification_problems(assessment: Assessment) -> list[ReviewProblem]:
    """What stops the lead from verifying, in framework order (three queries).

    An indicator that applies but has no verified result; and one the organization revised
    after a return (its flag resolved by the resubmission) whose verified result is older
    than the revision, since the team has not looked at what was sent again.
    """
    indicators = Indicator.objects.for_assessment(assessment).select_related("category__dimension")
    saved = dict(VerifiedAnswer.objects.filter(assessment=assessment).values_list("indicator_id", "updated_at"))
    revised = dict(
        ReturnedIndicator.objects.filter(assessment=assessment, resolved_at__isnull=False)
        .values("indicator_id")
        .annotate(last=Max("resolved_at"))
        .values_list("indicator_id", "last")
    )
    problems = []
    for indicator in indicators:
        if indicator.pk not in saved:
            problems.append(ReviewProblem(indicator, _("ยังไม่ได้บันทึกผลการตรวจ")))
        elif indicator.pk in revised and (saved[indicator.pk] is None or saved[indicator.pk] < revised[indicator.pk]):
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
        _ensure_round_running(locked)
        if locked.status != Status.IN_REVIEW:
            raise _refuse_status(locked, _("ยืนยันผลการตรวจ"))
        problems = verification_problems(locked)
        if problems:
            raise TransitionRefused(
                _("ยังยืนยันผลไม่ได้: มี %(count)s ตัวชี้วัดที่ยังตรวจไม่ครบ ได้แก่ %(items)s")
                % {"count": len(problems), "items": _problems_text(problems)}
            )
        score = verified_score(locked)
        event = _move(
            locked,
            Status.VERIFIED,
            kind=AssessmentEvent.Kind.VERIFIED,
            by=by,
            # Two places, as reports show it: the exact figure is recomputed from the answers.
            data={
                "percent": None if score.percent is None else scoring.format_percent(score.percent),
                "points": _points_text(score.points),
            },
        )
    _sync(assessment, locked)
    return event


def approve(*, assessment: Assessment, by: User) -> AssessmentEvent:
    """The provincial office approves a verified assessment of its province."""
    if not manages_province(by, assessment):
        raise PermissionDenied(_("เฉพาะสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดของ อปท. นี้เท่านั้นที่รับรองผลได้"))
    with transaction.atomic():
        locked = lock(assessment)
        _ensure_round_running(locked)
        if locked.status != Status.VERIFIED:
            raise _refuse_status(locked, _("รับรองผล"))
        event = _move(locked, Status.APPROVED, kind=AssessmentEvent.Kind.APPROVED, by=by)
    _sync(assessment, locked)
    return event


def approve_many(*, assessments: Iterable[Assessment], by: User) -> tuple[list[Assessment], dict[Assessment, str]]:
    """Approve each of `assessments`; returns those approved and, for the others, why not.

    Each one is its own transaction, so one refusal does not undo the rest.
    """
    approved, refused = [], {}
    for assessment in assessments:
        try:
            approve(assessment=assessment, by=by)
        except (PermissionDenied, ValidationError) as error:
            refused[assessment] = _message(error)
        else:
            approved.append(assessment)
    return approved, refused


def reopen(*, assessment: Assessment, by: User, reason: str) -> AssessmentEvent:
    """Back to review from verified or approved; the provincial office or the department, with a reason."""
    if not (manages_province(by, assessment) or is_department(by)):
        raise PermissionDenied(_("เฉพาะสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดหรือกรมเท่านั้นที่เปิดการตรวจประเมินอีกครั้งได้"))
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused({"reason": _("ระบุเหตุผลที่เปิดการตรวจประเมินอีกครั้ง")})
    with transaction.atomic():
        locked = lock(assessment)
        _ensure_round_running(locked)
        if locked.status not in (Status.VERIFIED, Status.APPROVED):
            raise _refuse_status(locked, _("เปิดการตรวจประเมินอีกครั้ง"))
        event = _move(locked, Status.IN_REVIEW, kind=AssessmentEvent.Kind.REOPENED, by=by, note=reason)
    _sync(assessment, locked)
    return event


def publish_round(
    *,
    round: Round,
    by: User,
    appeal_opens: datetime.date | None = None,
    appeal_closes: datetime.date | None = None,
    today: datetime.date | None = None,
) -> int:
    """The department publishes every approved assessment of the round; returns how many.

    The round moves to its appeal phase. `appeal_opens`/`appeal_closes`, when given, set the
    appeal window announced with the results (organizations dispute within it; it may not
    end before today). Assessments approved later are published by publishing again. With
    nothing approved, nothing changes (0), not even the phase or the window.
    A fixed number of queries however many are published (a whole country's round is
    thousands): one UPDATE, the events in batches, and their notifications in one go after
    commit (notifications.sending.announce_many).
    """
    if not is_department(by):
        raise PermissionDenied(_("เฉพาะกรมส่งเสริมการปกครองท้องถิ่นเท่านั้นที่ประกาศผลได้"))
    today = today or bangkok_today()
    window = {}
    if appeal_opens or appeal_closes:
        if not (appeal_opens and appeal_closes):
            window_error = _("ระบุทั้งวันเปิดและวันปิดรับอุทธรณ์")
            raise TransitionRefused({"appeal_opens" if not appeal_opens else "appeal_closes": window_error})
        if appeal_closes < appeal_opens:
            raise TransitionRefused({"appeal_closes": _("วันปิดรับอุทธรณ์ต้องไม่ก่อนวันเปิดรับอุทธรณ์")})
        if appeal_closes < today:
            raise TransitionRefused({"appeal_closes": _("วันปิดรับอุทธรณ์ต้องไม่ก่อนวันนี้")})
        window = {"appeal_opens": appeal_opens, "appeal_closes": appeal_closes}
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round.pk)
        # The phase read inside the lock: a round closed meanwhile publishes nothing.
        if locked_round.phase in (Round.Phase.SETUP, Round.Phase.CLOSED):
            raise TransitionRefused(
                _("รอบการประเมินปี %(year)s ยังไม่เปิดหรือปิดแล้ว จึงประกาศผลไม่ได้") % {"year": locked_round.year}
            )
        approved = Assessment.objects.filter(round=locked_round, status=Status.APPROVED)
        # Locked, so none is reopened between this list and the UPDATE below.
        revisions = list(approved.select_for_update(of=("self",)).order_by("pk").values_list("pk", "revision"))
        if revisions:
            approved.update(status=Status.PUBLISHED)
            now = timezone.now()
            events = AssessmentEvent.objects.bulk_create(
                [
                    AssessmentEvent(
                        assessment_id=pk,
                        kind=AssessmentEvent.Kind.PUBLISHED,
                        at=now,
                        by=by,
                        revision=revision,
                        from_status=Status.APPROVED,
                        to_status=Status.PUBLISHED,
                    )
                    for pk, revision in revisions
                ],
                batch_size=500,
            )
            transaction.on_commit(lambda: _announce_many(events), robust=True)
            locked_round.phase = Round.Phase.APPEAL
            for name, value in window.items():
                setattr(locked_round, name, value)
            locked_round.save(update_fields=["phase", *window, "updated_at"])
    round.phase, round.appeal_opens, round.appeal_closes = (
        locked_round.phase,
        locked_round.appeal_opens,
        locked_round.appeal_closes,
    )
    return len(revisions)


def _announce_many(events: list[AssessmentEvent]) -> None:
    from notifications.sending import announce_many

    announce_many(events)


# Appeals.


def appeal_window_problem(assessment: Assessment, today: datetime.date) -> str | None:
    """Why the organization may not appeal on `today`, or None."""
    round = assessment.round
    if round.phase != Round.Phase.APPEAL:
        return _("ไม่อยู่ในช่วงอุทธรณ์ผลการประเมิน")
    if round.appeal_opens and today < round.appeal_opens:
        return _("ยังไม่ถึงวันเปิดรับอุทธรณ์ (%(date)s)") % {"date": thai_date(round.appeal_opens, "long")}
    if round.appeal_closes and today > round.appeal_closes:
        return _("พ้นกำหนดอุทธรณ์แล้ว (สิ้นวันที่ %(date)s)") % {"date": thai_date(round.appeal_closes, "long")}
    return None


def open_appeal(
    *,
    assessment: Assessment,
    arguments: Mapping[Indicator, str],
    by: User,
    evidence: Mapping[Indicator, Iterable[Evidence]] | None = None,
    today: datetime.date | None = None,
) -> list[Appeal]:
    """The head disputes published results of single indicators, each with an argument.

    Once per assessment, in the round's appeal window; optional new evidence (already
    attached to the indicator's answer, see assessments/evidence.py) is linked per indicator.
    """
    today = today or bangkok_today()
    if not is_head(by, assessment.organization_id):
        raise PermissionDenied(_("เฉพาะผู้บริหาร อปท. นี้เท่านั้นที่อุทธรณ์ผลการประเมินได้"))
    if not arguments:
        raise TransitionRefused(_("เลือกตัวชี้วัดที่ต้องการอุทธรณ์อย่างน้อย 1 ตัวชี้วัด"))
    evidence = evidence or {}
    with transaction.atomic():
        locked = lock(assessment)
        if locked.status != Status.PUBLISHED:
            raise _refuse_status(locked, _("อุทธรณ์ผลการประเมิน"))
        problem = appeal_window_problem(locked, today)
        if problem:
            raise TransitionRefused(problem)
        if locked.appeals.exists():
            raise TransitionRefused(_("อปท. นี้อุทธรณ์ผลการประเมินของรอบนี้ไปแล้ว (อุทธรณ์ได้ครั้งเดียว)"))
        errors = []
        for indicator, argument in arguments.items():
            if not applies(locked, indicator):
                errors.append(_("ตัวชี้วัด %(code)s ไม่ใช้กับ อปท. นี้") % {"code": indicator.code})
            elif not (argument or "").strip():
                errors.append(_("ระบุเหตุผลการอุทธรณ์ตัวชี้วัด %(code)s") % {"code": indicator.code})
        # Evidence ids come from a form: only this organization's current files of that indicator.
        for indicator, items in evidence.items():
            if indicator not in arguments:
                errors.append(_("แนบหลักฐานได้เฉพาะตัวชี้วัดที่อุทธรณ์ (%(code)s)") % {"code": indicator.code})
                continue
            answer_id = (
                Answer.objects.filter(assessment=locked, indicator=indicator).values_list("pk", flat=True).first()
            )
            if any(item.answer_id != answer_id or item.deleted_at is not None for item in items):
                errors.append(_("หลักฐานที่เลือกไม่ใช่หลักฐานของตัวชี้วัด %(code)s ของ อปท. นี้") % {"code": indicator.code})
        if errors:
            raise TransitionRefused(errors)
        points = dict(
            VerifiedAnswer.objects.filter(assessment=locked, indicator__in=list(arguments)).values_list(
                "indicator_id", "points"
            )
        )
        appeals = []
        for indicator, argument in arguments.items():
            appeal = Appeal.objects.create(
                assessment=locked,
                indicator=indicator,
                argument=argument.strip(),
                opened_by=by,
                points_before=points.get(indicator.pk, Decimal(0)),
            )
            appeal.evidence.set(evidence.get(indicator, []))
            appeals.append(appeal)
        _move(
            locked,
            Status.APPEALED,
            kind=AssessmentEvent.Kind.APPEAL_OPENED,
            by=by,
            data={"indicators": {indicator.code: argument.strip() for indicator, argument in arguments.items()}},
        )
    _sync(assessment, locked)
    return appeals


def answer_appeal(
    *,
    appeal: Appeal,
    decision: str,
    response: str,
    by: User,
    data: Mapping[str, Any] | None = None,
) -> Appeal:
    """The team lead or the provincial office answers one appealed indicator.

    ACCEPTED changes the verified answer to `data` (as save_verified_answer takes it; the
    response is the reason) and records the score change; REJECTED keeps it. When the last
    appeal of the assessment is answered, it is published again.
    """
    unknown = set(data or {}) - VERIFIED_FIELDS
    if unknown:
        raise ValueError(f"not verified answer fields: {sorted(unknown)}")
    assessment = appeal.assessment
    if not may_answer_appeal(by, assessment):
        raise PermissionDenied(_("เฉพาะหัวหน้าคณะผู้ประเมินหรือสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเท่านั้นที่พิจารณาอุทธรณ์ได้"))
    response = (response or "").strip()
    errors = {}
    if decision not in Appeal.Decision.values:
        errors["decision"] = _("เลือกผลการพิจารณา")
    if not response:
        errors["response"] = _("ระบุคำชี้แจงผลการพิจารณา")
    if errors:
        raise TransitionRefused(errors)
    with transaction.atomic():
        locked = lock(assessment)
        _ensure_round_running(locked)
        # of=("self",): the joined indicator row is the framework's, shared by every organization.
        current = Appeal.objects.select_for_update(of=("self",)).select_related("indicator").get(pk=appeal.pk)
        if locked.status != Status.APPEALED or current.is_answered:
            raise TransitionRefused(_("อุทธรณ์นี้พิจารณาไปแล้ว"))
        indicator = current.indicator
        verified = verified_answer_for(locked, indicator)
        after = verified.points
        if decision == Appeal.Decision.ACCEPTED:
            own = Answer.objects.filter(assessment=locked, indicator=indicator).prefetch_related("ticked").first()
            values = clean_verified(indicator, {**(data or {}), "reason": response}, own=own)
            verified, before, after = _write_verified(locked, indicator, verified, values, by=by)
            record(
                locked,
                AssessmentEvent.Kind.SCORE_CHANGED,
                by=by,
                indicator=indicator,
                note=response,
                data={
                    "indicator": indicator.code,
                    "from": _points_text(before),
                    "to": _points_text(after),
                    "appeal": True,
                },
                notify=False,
            )
        current.decision, current.response, current.points_after = decision, response, after
        current.answered_by, current.answered_at = by, timezone.now()
        current.save(update_fields=["decision", "response", "points_after", "answered_by", "answered_at"])
        record(
            locked,
            AssessmentEvent.Kind.APPEAL_ANSWERED,
            by=by,
            indicator=indicator,
            note=response,
            data={
                "indicator": indicator.code,
                "decision": decision,
                "from": _points_text(current.points_before),
                "to": _points_text(after),
            },
        )
        if not locked.appeals.filter(decision="").exists():
            _move(locked, Status.PUBLISHED, kind=AssessmentEvent.Kind.PUBLISHED, by=by, data={"after_appeal": True})
    _sync(assessment, locked)
    appeal.refresh_from_db()
    return appeal


# Scores.


def verified_score(assessment: Assessment) -> scoring.AssessmentScore:
    """The score of the team's verified answers (unscored indicators count 0)."""
    from assessments.framework import specs_for_round

    round = assessment.round
    claimed = set(
        Answer.objects.filter(assessment=assessment, not_applicable=True).values_list("indicator__code", flat=True)
    )
    rows = VerifiedAnswer.objects.filter(assessment=assessment).select_related("indicator").prefetch_related("ticked")
    return scoring.score_assessment(
        indicators=specs_for_round(round),
        answers={row.indicator.code: row.as_scoring_answer(claimed_na=row.indicator.code in claimed) for row in rows},
        org_type=assessment.org_type,
        pass_mark=round.pass_mark,
        bands=round.band_specs(),
        province=assessment.organization.district.province.code,
    )


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("คุณไม่มีสิทธิ์ทำรายการนี้")
