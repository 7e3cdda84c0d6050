"""Results: the office approves (one or many) or reopens, the department publishes, the verified score."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_department
from accounts.models import User
from assessments import scoring
from assessments.framework import specs_for_round
from assessments.models import Answer, Assessment, AssessmentEvent, Round
from assessments.selfassessment import lock
from reviews import notices
from reviews.models import VerifiedAnswer
from reviews.workflow.roles import manages_province, may_reopen
from reviews.workflow.trail import TransitionRefused, ensure_round_running, move, refuse_status, sync

Status = Assessment.Status


def approve(*, assessment: Assessment, by: User) -> AssessmentEvent:
    """The provincial office approves a verified assessment of its province."""
    if not manages_province(by, assessment):
        raise PermissionDenied(_("เฉพาะสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดของ อปท. นี้เท่านั้นที่รับรองผลได้"))
    with transaction.atomic():
        locked = lock(assessment)
        ensure_round_running(locked)
        if locked.status != Status.VERIFIED:
            raise refuse_status(locked, _("รับรองผล"))
        event = move(locked, Status.APPROVED, kind=AssessmentEvent.Kind.APPROVED, by=by)
    sync(assessment, locked)
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
    if not may_reopen(by, assessment):
        raise PermissionDenied(_("เฉพาะสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดหรือกรมเท่านั้นที่เปิดการตรวจประเมินอีกครั้งได้"))
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused({"reason": _("ระบุเหตุผลที่เปิดการตรวจประเมินอีกครั้ง")})
    with transaction.atomic():
        locked = lock(assessment)
        ensure_round_running(locked)
        if locked.status not in (Status.VERIFIED, Status.APPROVED):
            raise refuse_status(locked, _("เปิดการตรวจประเมินอีกครั้ง"))
        event = move(locked, Status.IN_REVIEW, kind=AssessmentEvent.Kind.REOPENED, by=by, note=reason)
    sync(assessment, locked)
    return event


def publish_round(
    *,
    assessment_round: Round,
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
    commit (reviews.notices.announce_many).
    """
    if not is_department(by):
        raise PermissionDenied(_("เฉพาะกรมส่งเสริมการปกครองท้องถิ่นเท่านั้นที่ประกาศผลได้"))
    today = today or timezone.localdate()
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
        locked_round = Round.objects.select_for_update().get(pk=assessment_round.pk)
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
    assessment_round.phase, assessment_round.appeal_opens, assessment_round.appeal_closes = (
        locked_round.phase,
        locked_round.appeal_opens,
        locked_round.appeal_closes,
    )
    return len(revisions)


def _announce_many(events: list[AssessmentEvent]) -> None:
    notices.announce_many(events)


def verified_score(assessment: Assessment) -> scoring.AssessmentScore:
    """The score of the team's verified answers (unscored indicators count 0)."""

    assessment_round = assessment.round
    claimed = set(
        Answer.objects.filter(assessment=assessment, not_applicable=True).values_list("indicator__code", flat=True)
    )
    rows = VerifiedAnswer.objects.filter(assessment=assessment).select_related("indicator").prefetch_related("ticked")
    return scoring.score_assessment(
        indicators=specs_for_round(assessment_round),
        answers={row.indicator.code: row.as_scoring_answer(claimed_na=row.indicator.code in claimed) for row in rows},
        org_type=assessment.org_type,
        pass_mark=assessment_round.pass_mark,
        bands=assessment_round.band_specs(),
        province=assessment.organization.district.province.code,
    )


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("คุณไม่มีสิทธิ์ทำรายการนี้")
