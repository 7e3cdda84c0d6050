"""One assessment per organization per round, and its self-assessment workflow.

Extensions, indicators returned by the province and the assessment's history
(AssessmentEvent) belong to one assessment; the answers and their evidence are in
assessments/models/answers.py.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_for
from assessments.models.framework import Indicator
from assessments.models.rounds import Round
from core.templatetags.thai_dates import thai_date
from organizations.models import Organization

if TYPE_CHECKING:
    from accounts.models import User


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user: "User") -> "AssessmentQuerySet":
        """The assessments inside the user's reach (see assessments.access.get_assessment_for_user).

        An organization's own people see its assessments; the provincial office (admin) those
        of its province's organizations; an assessor only those assigned to a team they are on,
        as for the review (reviewable_by); the department all.
        """
        scope = scope_for(user)
        if scope.national:
            return self
        condition = Q(organization_id__in=scope.organization_ids) | Q(
            organization__district__province_id__in=scope.manages_province_ids
        )
        if scope.province_ids:
            # A subquery rather than a join: no duplicates for a user on several teams, and
            # callers may still lock, count or aggregate.
            condition |= Q(pk__in=Assessment.objects.filter(assignment__team__members__user=user).values("pk"))
        return self.filter(condition)

    def reviewable_by(self, user: "User") -> "AssessmentQuerySet":
        """The assessments whose review the user takes part in (see reviews.access.get_review_for_user).

        The department: all; a provincial office: its province's; an assessor: those assigned
        to a team they are on. Organization roles: none.
        """
        scope = scope_for(user)
        if scope.national:
            return self
        condition = Q(assignment__team__members__user=user)
        if scope.manages_province_ids:
            condition |= Q(organization__district__province_id__in=scope.manages_province_ids)
        return self.filter(condition).distinct() if scope.province_ids else self.none()

    def touch(self) -> int:
        """Assessment.touch() for many: their cached pages are stale."""
        return self.update(version=models.F("version") + 1)

    def running(self) -> "AssessmentQuerySet":
        """Assessments of rounds between opening and closing."""
        return self.exclude(round__phase__in=[Round.Phase.SETUP, Round.Phase.CLOSED])

    def affected_by(self, indicators: Iterable[Indicator]) -> "AssessmentQuerySet":
        """Assessments whose score any of `indicators` takes part in (by type and province)."""
        condition = Q(pk__in=[])
        for indicator in indicators:
            applies = Q(org_type__in=indicator.applies_to)
            if indicator.province_id:
                applies &= Q(organization__district__province_id=indicator.province_id)
            condition |= applies
        return self.filter(condition)


class Assessment(models.Model):
    """One organization's assessment in one round: its answers, evidence and workflow.

    Organization staff answer while it is a draft; the head submits it, which locks it for
    the organization. The province may return it with flagged indicators (only those open
    again); the head then resubmits. Each return adds one to `revision`, and AssessmentEvent
    keeps every round trip. The rules are in assessments/selfassessment.py.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("กำลังประเมินตนเอง")
        SUBMITTED = "submitted", _("ส่งผลการประเมินตนเองแล้ว")
        RETURNED = "returned", _("ส่งกลับให้แก้ไข")
        RESUBMITTED = "resubmitted", _("ส่งผลที่แก้ไขแล้ว")
        IN_REVIEW = "in_review", _("อยู่ระหว่างตรวจประเมิน")
        VERIFIED = "verified", _("ตรวจประเมินแล้ว")
        APPROVED = "approved", _("จังหวัดรับรองผลแล้ว")
        PUBLISHED = "published", _("ประกาศผลแล้ว")
        APPEALED = "appealed", _("อุทธรณ์ผลการประเมิน")

    # The organization changes answers only in these (when returned: the flagged indicators only).
    OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)
    # What the province may send back, and what its team may score (reviews/workflow/).
    RETURNABLE_STATUSES = (Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW)
    REVIEWABLE_STATUSES = (Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW)
    # Sent by the organization at least once: what the province sees in its queue.
    SENT_STATUSES = (
        Status.SUBMITTED,
        Status.RESUBMITTED,
        Status.IN_REVIEW,
        Status.VERIFIED,
        Status.APPROVED,
        Status.PUBLISHED,
        Status.APPEALED,
    )
    # The organization sees its verified results once the department has published them.
    RESULT_STATUSES = (Status.PUBLISHED, Status.APPEALED)

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="assessments")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    # The type the organization had for this round; its current type may have changed since.
    org_type = models.CharField(_("ประเภท อปท. ในรอบนี้"), max_length=20, choices=Organization.Type.choices)
    status = models.CharField(_("สถานะ"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The latest submission (first or re-); every one of them is also an AssessmentEvent.
    submitted_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ส่ง"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # How many times the province has sent it back.
    revision = models.PositiveSmallIntegerField(_("ครั้งที่ส่งกลับแก้ไข"), default=0, editable=False)
    # The last day (Bangkok) to resubmit after the latest return, set by the reviewer.
    revision_due = models.DateField(_("กำหนดส่งผลที่แก้ไข"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Goes up with every change to what the organization's pages show (answers, evidence,
    # status, extensions, returns, verified answers, comments): the cached dimension pages
    # are keyed on it (touch()).
    version = models.PositiveIntegerField(_("รุ่นของข้อมูลการประเมิน"), default=0, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["round", "organization"]
        verbose_name = _("การประเมิน")
        verbose_name_plural = _("การประเมิน")
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="assessment_unique_per_round"),
            models.CheckConstraint(condition=Q(org_type__in=Organization.Type.values), name="assessment_org_type_valid"),
            # Later issues add statuses: extend this list with them.
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "returned",
                        "resubmitted",
                        "in_review",
                        "verified",
                        "approved",
                        "published",
                        "appealed",
                    ]
                ),
                name="assessment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="draft") | Q(submitted_at__isnull=True, submitted_by__isnull=True, revision=0),
                name="assessment_draft_never_submitted",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False, submitted_by__isnull=False),
                name="assessment_submission_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["returned", "resubmitted"]) | Q(revision__gte=1),
                name="assessment_return_counted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.round.year}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_detail", args=[self.pk])

    @property
    def is_open_to_organization(self) -> bool:
        """Whether the status lets the organization change anything (dates aside)."""
        return self.status in self.OPEN_STATUSES

    def deadline(self) -> datetime.date | None:
        """The last day (Asia/Bangkok) the organization may change and submit; None: no closing date.

        The round's closing day, or the latest extension granted to this organization if
        later: the latest grant wins, so a province can correct an extension it gave. After a
        return, the reviewer's due date for the revision if that is later still.
        """
        closes = self.round.self_assessment_closes
        extension = self.__dict__["latest_extension"] if "latest_extension" in self.__dict__ else self._latest_extension()
        if extension and (closes is None or extension.until > closes):
            closes = extension.until
        if self.status == self.Status.RETURNED and self.revision_due and (closes is None or self.revision_due > closes):
            return self.revision_due
        return closes

    def _latest_extension(self) -> "Extension | None":
        return self.extensions.order_by("-granted_at", "-pk").first()

    def remember_latest_extension(self) -> None:
        """Load the latest extension once for the rest of a request that asks the deadline
        more than once (a page shows it and checks the window); grants go to a fresh instance."""
        self.__dict__["latest_extension"] = self._latest_extension()

    def touch(self) -> None:
        """Record a change to what the organization's pages show: the pages cached under the
        previous `version` are no longer served. Call it in the change's transaction (under
        the assessment's lock, as selfassessment.lock() does), or after the change is saved,
        never before: a page rendered in between would be cached under the new version."""
        Assessment.objects.filter(pk=self.pk).touch()

    def date_asked(self) -> datetime.date | None:
        """The date the organization is asked to send by, as its pages show it: a return's own
        due date while returned (deadline() may still allow the window's later closing day)."""
        if self.status == self.Status.RETURNED and self.revision_due:
            return self.revision_due
        return self.deadline()

    def window_problem(self, today: datetime.date) -> str | None:
        """Why the organization may not change or submit on `today` (a Bangkok date), or None."""
        if self.round.phase in (Round.Phase.SETUP, Round.Phase.CLOSED):
            return _("รอบการประเมินปี %(year)s ไม่ได้เปิดให้ประเมินตนเอง") % {"year": self.round.year}
        opens = self.round.self_assessment_opens
        if opens and today < opens:
            return _("ยังไม่ถึงวันเปิดการประเมินตนเอง (%(date)s)") % {"date": thai_date(opens, "long")}
        deadline = self.deadline()
        if deadline and today > deadline:
            return _(
                "พ้นกำหนดการประเมินตนเองแล้ว (สิ้นวันที่ %(date)s) "
                "หากจำเป็นต้องแก้ไข ติดต่อสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเพื่อขอขยายเวลา"
            ) % {"date": thai_date(deadline, "long")}
        return None


class Extension(models.Model):
    """More time for one organization, granted by its provincial office."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="extensions")
    until = models.DateField(_("ขยายถึงวันที่"))
    reason = models.TextField(_("เหตุผล"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้อนุมัติ"), on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("อนุมัติเมื่อ"), default=timezone.now)

    class Meta:
        ordering = ["assessment", "granted_at", "pk"]
        verbose_name = _("การขยายเวลา")
        verbose_name_plural = _("การขยายเวลา")
        constraints = [
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="extension_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} → {self.until}"


class ReturnedIndicator(models.Model):
    """An indicator the province sent back, with its reason: one row per return (revision).

    `answer_before` is the organization's answer as the reviewers saw it when they flagged it
    (Answer.snapshot()), so after the resubmission the review page can say what the
    organization changed: the answer, the note, the evidence (changes()).
    """

    # What changes() names, in the order the review page lists them.
    ANSWER, NOTE, EVIDENCE = "answer", "note", "evidence"
    CHANGE_LABELS = {ANSWER: _("คำตอบ"), NOTE: _("หมายเหตุ"), EVIDENCE: _("หลักฐาน")}

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="returned_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="returns")
    revision = models.PositiveSmallIntegerField(_("ส่งกลับครั้งที่"))
    reason = models.TextField(_("เหตุผลที่ส่งกลับ"))
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้ส่งกลับ"), on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField(_("ส่งกลับเมื่อ"), default=timezone.now)
    # Set when the organization resubmits.
    resolved_at = models.DateTimeField(_("ส่งแก้ไขแล้วเมื่อ"), null=True, blank=True)
    # Empty for returns made before snapshots were kept: changes() cannot tell then.
    answer_before = models.JSONField(_("คำตอบเมื่อส่งกลับ"), default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["assessment", "revision", "indicator"]
        verbose_name = _("ตัวชี้วัดที่ส่งกลับให้แก้ไข")
        verbose_name_plural = _("ตัวชี้วัดที่ส่งกลับให้แก้ไข")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator", "revision"], name="returned_indicator_once_per_revision"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="returned_indicator_revision_positive"),
            models.CheckConstraint(condition=Q(reason__regex=r"\S"), name="returned_indicator_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.code} (ครั้งที่ {self.revision})"

    def changes(self, answer) -> list[str] | None:
        """What differs between `answer` (an Answer or None, its ticked and current_evidence
        loaded) and the answer when flagged: ANSWER, NOTE, EVIDENCE; None when no snapshot
        was kept."""
        if not self.answer_before:
            return None
        from assessments.models.answers import Answer

        now, before = Answer.snapshot_of(answer), self.answer_before
        found = []
        if any(now[key] != before.get(key) for key in Answer.SNAPSHOT_VALUE_KEYS):
            found.append(self.ANSWER)
        if now["note"] != before.get("note"):
            found.append(self.NOTE)
        if now["evidence"] != before.get("evidence"):
            found.append(self.EVIDENCE)
        return found


class AssessmentEventQuerySet(models.QuerySet):
    def milestones(self) -> "AssessmentEventQuerySet":
        """The steps of the assessment's course, without each evidence file and each score saved."""
        return self.exclude(kind__in=[AssessmentEvent.Kind.EVIDENCE_ADDED, AssessmentEvent.Kind.SCORE_CHANGED])

    def visible_to_organization(self, assessment: "Assessment") -> "AssessmentEventQuerySet":
        """The organization sees its whole trail except the team's scoring before publication."""
        if assessment.status in Assessment.RESULT_STATUSES:
            return self
        return self.exclude(kind=AssessmentEvent.Kind.SCORE_CHANGED)


class AssessmentEvent(models.Model):
    """The audit trail of an assessment: append-only, one row per step that changed its course.

    Every status change, verified score change, evidence added or removed, extension,
    framework correction and reopening: who, when, from → to (in `data`), reason (`note`).
    Self-assessment saves are not events (Answer keeps who and when). Rows are never
    changed or deleted: the admin shows them read-only and the database refuses it
    (migration assessments 0004).
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("ส่งผลการประเมินตนเอง")
        RETURNED = "returned", _("ส่งกลับให้แก้ไข")
        RESUBMITTED = "resubmitted", _("ส่งผลที่แก้ไขแล้ว")
        EXTENSION_GRANTED = "extension_granted", _("ขยายเวลาการประเมินตนเอง")
        EVIDENCE_ADDED = "evidence_added", _("แนบหลักฐาน")
        EVIDENCE_REMOVED = "evidence_removed", _("ลบหลักฐาน")
        ASSIGNED = "assigned", _("มอบหมายคณะผู้ประเมิน")
        REVIEW_STARTED = "review_started", _("เริ่มตรวจประเมิน")
        SCORE_CHANGED = "score_changed", _("บันทึกผลการตรวจ")
        VERIFIED = "verified", _("ตรวจประเมินแล้ว")
        APPROVED = "approved", _("จังหวัดรับรองผล")
        REOPENED = "reopened", _("เปิดการตรวจประเมินอีกครั้ง")
        PUBLISHED = "published", _("ประกาศผล")
        APPEAL_OPENED = "appeal_opened", _("อุทธรณ์ผลการประเมิน")
        APPEAL_ANSWERED = "appeal_answered", _("พิจารณาอุทธรณ์")
        CORRECTION = "correction", _("แก้ไขกรอบการประเมิน")

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("เหตุการณ์"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("เมื่อ"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("โดย"), on_delete=models.PROTECT, related_name="+")
    # The assessment's revision at the time, so each round trip can be told apart.
    revision = models.PositiveSmallIntegerField(_("ครั้งที่ส่งกลับแก้ไข"), default=0)
    # SET_NULL: the data keeps the indicator's code should a correction remove it.
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("ตัวชี้วัด"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Status changes: the assessment's status before and after (blank for other events).
    from_status = models.CharField(_("จากสถานะ"), max_length=20, choices=Assessment.Status.choices, blank=True)
    to_status = models.CharField(_("เป็นสถานะ"), max_length=20, choices=Assessment.Status.choices, blank=True)
    note = models.TextField(_("หมายเหตุ/เหตุผล"), blank=True)
    data = models.JSONField(_("รายละเอียด"), default=dict, blank=True)

    objects = AssessmentEventQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "at", "pk"]
        verbose_name = _("ประวัติการประเมิน")
        verbose_name_plural = _("ประวัติการประเมิน")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[
                    "submitted",
                    "returned",
                    "resubmitted",
                    "extension_granted",
                    "evidence_added",
                    "evidence_removed",
                    "assigned",
                    "review_started",
                    "score_changed",
                    "verified",
                    "approved",
                    "reopened",
                    "published",
                    "appeal_opened",
                    "appeal_answered",
                    "correction",
                ]),
                name="assessment_event_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"
