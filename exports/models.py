"""Exports built off the request: one row per file someone asked for.

A request creates the row and enqueues exports.tasks.build_export in the same transaction;
the worker (`manage.py db_worker`) builds the file, writing its progress here as it goes,
so the person's page shows how far it is and offers the file when it is done. Files are
kept in the private "exports" storage (exports/storage.py: LPA_EXPORTS_ROOT or an S3
bucket) and are served only through a permission-checked view, like evidence.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Round
from exports.storage import export_path, export_storage
from organizations.models import Province

# A queued export not started after this long is shown with a hint that no worker may be running.
WAIT_WARNING = datetime.timedelta(minutes=2)


class ExportQuerySet(models.QuerySet):
    def pending(self) -> "ExportQuerySet":
        return self.filter(status__in=(Export.Status.QUEUED, Export.Status.RUNNING))

    def finished_before(self, moment) -> "ExportQuerySet":
        return self.exclude(status__in=(Export.Status.QUEUED, Export.Status.RUNNING)).filter(created_at__lt=moment)


class Export(models.Model):
    class Kind(models.TextChoices):
        RESULTS_WORKBOOK = "results_workbook", _("ผลการประเมินรายด้าน (Excel)")
        NATIONAL_REPORT = "national_report", _("รายงานสรุปผลการประเมินระดับประเทศ (PDF)")
        PROVINCE_REPORT = "province_report", _("รายงานผลการประเมินระดับจังหวัด (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("รอคิว")
        RUNNING = "running", _("กำลังจัดทำ")
        DONE = "done", _("พร้อมดาวน์โหลด")
        FAILED = "failed", _("จัดทำไม่สำเร็จ")

    kind = models.CharField(_("รายงาน"), max_length=30, choices=Kind.choices)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="exports")
    # None: the whole country.
    province = models.ForeignKey(Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(_("สถานะ"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Steps done of the builder's total (organizations for a workbook, stages for a PDF).
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # The name the person downloads it under; `file` is where it is stored.
    file_name = models.CharField(max_length=200, blank=True)
    file = models.FileField(_("ไฟล์"), storage=export_storage, upload_to=export_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("ขนาด"), null=True, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("สั่งเมื่อ"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ไฟล์รายงาน")
        verbose_name_plural = _("ไฟล์รายงาน")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="province_report") | Q(province__isnull=False), name="export_province_report_has_province"
            ),
            models.CheckConstraint(
                condition=~Q(kind="national_report") | Q(province__isnull=True), name="export_national_report_has_no_province"
            ),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")) | Q(total=0), name="export_done_within_total"),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_by_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.round.year} {self.scope_label}"

    def get_absolute_url(self) -> str:
        return reverse("exports:detail", args=[self.pk])

    @property
    def scope_label(self) -> str:
        return f"จังหวัด{self.province.name_th}" if self.province_id else str(_("ทั้งประเทศ"))

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def waiting_long(self) -> bool:
        """Still queued after WAIT_WARNING: no worker may be running."""
        return self.status == self.Status.QUEUED and self.created_at < timezone.now() - WAIT_WARNING

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
