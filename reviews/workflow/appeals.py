"""Appeals: the window, the head's appeal of single indicators, its answer."""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_head
from accounts.models import User
from assessments.evidence import attach_file
from assessments.models import Answer, Assessment, AssessmentEvent, Evidence, Indicator, Round
from assessments.selfassessment import AssessmentLocked, applies, lock
from core.templatetags.thai_dates import thai_date
from reviews.models import Appeal, VerifiedAnswer
from reviews.workflow.review import VERIFIED_FIELDS, points_text, verified_answer_for, write_verified
from reviews.workflow.roles import may_answer_appeal
from reviews.workflow.trail import TransitionRefused, ensure_round_running, move, record, refuse_status, sync

Status = Assessment.Status


def appeal_window_problem(assessment: Assessment, today: datetime.date) -> str | None:
    """Why the organization may not appeal on `today`, or None."""
    assessment_round = assessment.round
    if assessment_round.phase != Round.Phase.APPEAL:
        return _("ไม่อยู่ในช่วงอุทธรณ์ผลการประเมิน")
    if assessment_round.appeal_opens and today < assessment_round.appeal_opens:
        return _("ยังไม่ถึงวันเปิดรับอุทธรณ์ (%(date)s)") % {"date": thai_date(assessment_round.appeal_opens, "long")}
    if assessment_round.appeal_closes and today > assessment_round.appeal_closes:
        return _("พ้นกำหนดอุทธรณ์แล้ว (สิ้นวันที่ %(date)s)") % {"date": thai_date(assessment_round.appeal_closes, "long")}
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
    today = today or timezone.localdate()
    if not is_head(by, assessment.organization_id):
        raise PermissionDenied(_("เฉพาะผู้บริหาร อปท. นี้เท่านั้นที่อุทธรณ์ผลการประเมินได้"))
    if not arguments:
        raise TransitionRefused(_("เลือกตัวชี้วัดที่ต้องการอุทธรณ์อย่างน้อย 1 ตัวชี้วัด"))
    evidence = evidence or {}
    with transaction.atomic():
        locked = lock(assessment)
        if locked.status != Status.PUBLISHED:
            raise refuse_status(locked, _("อุทธรณ์ผลการประเมิน"))
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
        move(
            locked,
            Status.APPEALED,
            kind=AssessmentEvent.Kind.APPEAL_OPENED,
            by=by,
            data={"indicators": {indicator.code: argument.strip() for indicator, argument in arguments.items()}},
        )
    sync(assessment, locked)
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
        ensure_round_running(locked)
        # of=("self",): the joined indicator row is the framework's, shared by every organization.
        current = Appeal.objects.select_for_update(of=("self",)).select_related("indicator").get(pk=appeal.pk)
        if locked.status != Status.APPEALED or current.is_answered:
            raise TransitionRefused(_("อุทธรณ์นี้พิจารณาไปแล้ว"))
        indicator = current.indicator
        verified = verified_answer_for(locked, indicator)
        after = verified.points
        if decision == Appeal.Decision.ACCEPTED:
            # The response is the new result's reason.
            values = {**(data or {}), "reason": response}
            after = write_verified(locked, indicator, verified, values, by=by, appeal=True).points
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
                "from": points_text(current.points_before),
                "to": points_text(after),
            },
        )
        if not locked.appeals.filter(decision="").exists():
            move(locked, Status.PUBLISHED, kind=AssessmentEvent.Kind.PUBLISHED, by=by, data={"after_appeal": True})
    sync(assessment, locked)
    appeal.refresh_from_db()
    return appeal


def add_appeal_evidence_file(
    *,
    assessment: Assessment,
    indicator: Indicator,
    upload: File,
    by: User,
    max_bytes: int | None = None,
    today: datetime.date | None = None,
) -> Evidence:
    """New evidence for an appeal: a file attached to the indicator's answer after publication.

    The self-assessment is closed by then, so instead of ensure_editable: only the
    organization's head, only while the results are published and the round's appeal
    window is open (PermissionDenied / AssessmentLocked with the Thai reason). The content
    checks are add_evidence_file's. The file does not count against the answer's limit of
    items (what the organization sent before stays as it was); the event says it came
    with an appeal. The caller links it with the Appeal (open_appeal) in
    the same transaction, and deletes the stored file if that is refused (delete_stored_file).
    """
    today = today or timezone.localdate()

    def check(locked: Assessment) -> None:
        ensure_may_add_appeal_evidence(locked, indicator, user=by, today=today)

    answer = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
    answer = answer or Answer(assessment=assessment, indicator=indicator)
    return attach_file(answer, upload, by=by, check=check, max_bytes=max_bytes, counted=False, appeal=True)


def ensure_may_add_appeal_evidence(
    assessment: Assessment, indicator: Indicator, *, user: User, today: datetime.date
) -> None:
    """PermissionDenied unless `user` is the head; AssessmentLocked outside the appeal window."""
    if not is_head(user, assessment.organization_id):
        raise PermissionDenied(_("เฉพาะผู้บริหาร อปท. นี้เท่านั้นที่อุทธรณ์ผลการประเมินได้"))
    if not applies(assessment, indicator):
        raise AssessmentLocked(_("ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้"))
    if assessment.status != Assessment.Status.PUBLISHED:
        raise AssessmentLocked(
            _("แนบหลักฐานประกอบการอุทธรณ์ได้เฉพาะเมื่อประกาศผลแล้วและยังไม่ได้อุทธรณ์ (สถานะปัจจุบัน “%(status)s”)")
            % {"status": assessment.get_status_display()}
        )
    problem = appeal_window_problem(assessment, today)
    if problem:
        raise AssessmentLocked(problem)
