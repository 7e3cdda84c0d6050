"""Self-assessment: the organization's answers and the evidence behind them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import scoring
from assessments.models.assessment import Assessment
from assessments.models.framework import Indicator, IndicatorOption
from assessments.storage import evidence_path, evidence_storage, stored_file_path
from organizations.models import Organization


class Answer(models.Model):
    """The organization's own answer to one indicator; the reviewers' scores are kept apart.

    Only the fields of the indicator's kind are used: a level (LEVELS), ticked criteria
    (CHECKLIST, ALL_OR_NOTHING) or a figure (FIGURE); or "not applicable" with a reason,
    which counts as 0 until a reviewer confirms it (scoring.py). `version` goes up with
    every save, so two people saving the same indicator cannot overwrite each other
    (selfassessment.save_answer). A row may exist with no answer yet: evidence can be
    attached first.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="answers")
    # SET_NULL: a correction that removes a level leaves the indicator unanswered, not broken.
    level = models.ForeignKey(
        IndicatorOption, verbose_name=_("ระดับที่เลือก"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A relation rather than a JSON list of ids: removed criteria drop out by themselves and
    # the loader prefetches them in one query.
    ticked = models.ManyToManyField(
        IndicatorOption, verbose_name=_("รายการที่ผ่าน"), blank=True, related_name="ticked_in_answers"
    )
    figure = models.DecimalField(_("ค่าตัวเลข"), max_digits=18, decimal_places=4, null=True, blank=True)
    not_applicable = models.BooleanField(_("ไม่มีภารกิจ"), default=False)
    na_reason = models.TextField(_("เหตุผลที่ไม่มีภารกิจ"), blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    # When a value (or N/A) was last given: tells "nothing ticked" from "not answered yet".
    answered_at = models.DateTimeField(_("ตอบเมื่อ"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("รุ่นของคำตอบ"), default=0, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้บันทึกล่าสุด"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("บันทึกล่าสุดเมื่อ"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["assessment", "indicator"]
        verbose_name = _("คำตอบการประเมินตนเอง")
        verbose_name_plural = _("คำตอบการประเมินตนเอง")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique_per_indicator"),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(na_reason__regex=r"\S"),
                name="answer_not_applicable_has_reason",
                violation_error_message=_("ระบุเหตุผลที่ไม่มีภารกิจ"),
            ),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(level__isnull=True, figure__isnull=True),
                name="answer_not_applicable_has_no_value",
            ),
            models.CheckConstraint(
                condition=Q(figure__isnull=True) | Q(figure__gte=0), name="answer_figure_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.code}"

    @property
    def is_answered(self) -> bool:
        if self.not_applicable:
            return True
        kind = self.indicator.kind
        if kind == Indicator.Kind.LEVELS:
            return self.level_id is not None
        if kind == Indicator.Kind.FIGURE:
            return self.figure is not None
        return self.answered_at is not None

    # The keys of snapshot() that make the answer itself (the rest: the note, the evidence).
    SNAPSHOT_VALUE_KEYS = ("level", "ticked", "figure", "not_applicable", "na_reason")

    @classmethod
    def snapshot_of(cls, answer: "Answer | None") -> dict:
        """The answer as JSON, to compare with later (ReturnedIndicator.answer_before); its
        ticked options and current_evidence (else its evidence not removed) are read."""
        if answer is None:
            values = {"level": None, "ticked": [], "figure": None, "not_applicable": False, "na_reason": ""}
            return {**values, "note": "", "evidence": []}
        evidence = getattr(answer, "current_evidence", None)
        if evidence is None:
            evidence = answer.evidence.filter(deleted_at__isnull=True) if answer.pk else []
        return {
            "level": answer.level_id,
            "ticked": sorted(option.pk for option in answer.ticked.all()) if answer.pk else [],
            "figure": None if answer.figure is None else format(answer.figure.normalize(), "f"),
            "not_applicable": answer.not_applicable,
            "na_reason": answer.na_reason,
            "note": answer.note,
            "evidence": sorted(item.pk for item in evidence),
        }

    def as_scoring_answer(self) -> scoring.Answer:
        """The answer for the scoring engine; a claimed N/A stays unconfirmed (it scores 0)."""
        return scoring.Answer(
            level=self.level_id,
            ticked=frozenset(option.pk for option in self.ticked.all()),
            figure=self.figure,
            not_applicable=self.not_applicable,
            na_confirmed=False,
        )


class StoredFileQuerySet(models.QuerySet):
    def with_uses(self) -> "StoredFileQuerySet":
        """Annotate `use_count`: the evidence not removed that shows this file."""
        return self.annotate(
            use_count=models.Count("attachments", filter=Q(attachments__deleted_at__isnull=True), distinct=True)
        )


class StoredFile(models.Model):
    """One file's bytes, stored once per organization and found by their SHA-256.

    Every piece of evidence showing the same bytes of the same organization (on another
    indicator, in another year) refers to the one stored file, so a PDF given for 56
    indicators is stored once (assessments.evidence). The file is deleted, row and bytes, when
    the last evidence showing it is removed. Access is always decided by the Evidence row,
    never by the hash.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("ไฟล์"), storage=evidence_storage, upload_to=stored_file_path, max_length=200)
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"))
    # What the content check found, as on the evidence.
    content_type = models.CharField(_("ชนิดไฟล์"), max_length=100)
    created_at = models.DateTimeField(_("จัดเก็บเมื่อ"), default=timezone.now)

    objects = StoredFileQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "-created_at", "pk"]
        verbose_name = _("ไฟล์ที่จัดเก็บ")
        verbose_name_plural = _("ไฟล์ที่จัดเก็บ")
        constraints = [
            models.UniqueConstraint(fields=["organization", "sha256"], name="stored_file_once_per_organization"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="stored_file_sha256_hex"),
            models.CheckConstraint(condition=Q(size__gt=0), name="stored_file_not_empty"),
            models.UniqueConstraint(fields=["file"], name="stored_file_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} B)"


class EvidenceQuerySet(models.QuerySet):
    def current(self) -> "EvidenceQuerySet":
        """Evidence not removed."""
        return self.filter(deleted_at__isnull=True)


class Evidence(models.Model):
    """A document (file) or a web page (link) given as evidence for one answer.

    Files live in the private evidence storage under a generated name; the uploader's file
    name is kept for display only. A file's bytes are a StoredFile shared by every piece of
    evidence of the organization with the same bytes (`stored`; `file` names the same stored
    object). Removal is a soft delete, so the history still shows what was there; the bytes
    go with the last evidence showing them (assessments/evidence.py). Evidence from before
    files were shared, and removed evidence, may have no `stored`.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    stored = models.ForeignKey(
        StoredFile,
        verbose_name=_("ไฟล์ที่จัดเก็บ"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(
        _("ไฟล์"), storage=evidence_storage, upload_to=evidence_path, max_length=200, blank=True
    )
    url = models.URLField(_("ลิงก์"), max_length=2000, blank=True)
    title = models.CharField(_("ชื่อหลักฐาน"), max_length=300, blank=True)
    original_name = models.CharField(_("ชื่อไฟล์เดิม"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # What the content check found, not what the browser claimed.
    content_type = models.CharField(_("ชนิดไฟล์"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้แนบ"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("แนบเมื่อ"), default=timezone.now)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ลบ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("ลบเมื่อ"), null=True, blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["answer", "uploaded_at", "pk"]
        verbose_name = _("หลักฐาน")
        verbose_name_plural = _("หลักฐาน")
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="evidence_file_or_link",
            ),
            models.CheckConstraint(
                condition=Q(file="")
                | Q(size__gt=0, sha256__regex=r"^[0-9a-f]{64}$", original_name__regex=r"\S", content_type__regex=r"\S"),
                name="evidence_file_described",
            ),
            models.CheckConstraint(condition=Q(url="") | Q(url__regex=r"^https?://"), name="evidence_link_http"),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True, deleted_by__isnull=True)
                | Q(deleted_at__isnull=False, deleted_by__isnull=False),
                name="evidence_removal_stamped",
            ),
            models.UniqueConstraint(
                fields=["answer", "sha256"],
                condition=Q(deleted_at__isnull=True) & ~Q(sha256=""),
                name="evidence_file_once_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_link(self) -> bool:
        return bool(self.url)

    @property
    def is_removed(self) -> bool:
        return self.deleted_at is not None

    @property
    def display_name(self) -> str:
        """What people see: the uploader's file name or the link's title (never a storage path)."""
        return self.title or self.original_name or self.url
