"""What the system told whom: in-app notifications, also sent by email.

One row per recipient and message. Users see their own list (unread first counted in
the navigation bar). Its email goes out from the background queue (notifications/sending.py):
`email_status` says where it stands, with the attempts made, the last error and when the
next attempt may be made; `emailed_at` when it went. The messages and their recipients are
decided by the apps that compose them (reviews/notices.py, assessments/reminders.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class EmailStatus(models.TextChoices):
        NOT_NEEDED = "not_needed", _("ไม่ต้องส่ง")
        QUEUED = "queued", _("รอส่ง")
        SENT = "sent", _("ส่งแล้ว")
        FAILED = "failed", _("ส่งไม่สำเร็จ")

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("อปท. ส่งผลการประเมินตนเอง")
        RETURNED = "returned", _("ส่งกลับให้แก้ไข")
        RESUBMITTED = "resubmitted", _("อปท. ส่งผลที่แก้ไขแล้ว")
        VERIFIED = "verified", _("คณะผู้ประเมินตรวจประเมินแล้ว")
        APPROVED = "approved", _("จังหวัดรับรองผลแล้ว")
        REOPENED = "reopened", _("เปิดการตรวจประเมินอีกครั้ง")
        PUBLISHED = "published", _("ประกาศผลการประเมิน")
        APPEAL_OPENED = "appeal_opened", _("อปท. อุทธรณ์ผลการประเมิน")
        APPEAL_ANSWERED = "appeal_answered", _("ผลการพิจารณาอุทธรณ์")
        ASSIGNED = "assigned", _("มอบหมายให้ตรวจประเมิน")
        REMINDER = "reminder", _("เตือนกำหนดส่ง")
        EXPORT_READY = "export_ready", _("ไฟล์รายงานพร้อมดาวน์โหลด")
        FEEDBACK_ANSWERED = "feedback_answered", _("คำตอบความคิดเห็นต่อระบบ")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("เรื่อง"), max_length=30, choices=Kind.choices)
    subject = models.CharField(_("หัวข้อ"), max_length=300)
    body = models.TextField(_("ข้อความ"))
    url = models.CharField(_("ลิงก์"), max_length=500, blank=True)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # Reminders: which deadline and how many days before, so cron runs never repeat one.
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("เมื่อ"), default=timezone.now)
    read_at = models.DateTimeField(_("อ่านเมื่อ"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("ส่งอีเมลเมื่อ"), null=True, blank=True)
    # Not needed unless the delivery queues it: a row created any other way is never emailed.
    email_status = models.CharField(
        _("สถานะอีเมล"), max_length=20, choices=EmailStatus.choices, default=EmailStatus.NOT_NEEDED
    )
    email_attempts = models.PositiveSmallIntegerField(_("ส่งอีเมลไปแล้ว (ครั้ง)"), default=0)
    email_last_error = models.TextField(_("ข้อผิดพลาดล่าสุด"), blank=True)
    # No one tries to send it before then: the backoff after a failure, or the lease of the
    # worker sending it now (a worker killed mid-batch leaves it for send_queued_mail).
    email_next_attempt_at = models.DateTimeField(_("ส่งอีเมลครั้งต่อไป"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("การแจ้งเตือน")
        verbose_name_plural = _("การแจ้งเตือน")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            # Few rows wait or failed among millions sent: the sweep and the admin's filter read these.
            models.Index(
                fields=["email_status", "email_next_attempt_at"],
                condition=Q(email_status__in=["queued", "failed"]),
                name="notification_email_pending",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "assessment", "key"], condition=~Q(key=""), name="notification_key_once"
            ),
            models.CheckConstraint(
                condition=Q(email_status__in=["not_needed", "queued", "sent", "failed"]),
                name="notification_email_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("notifications:open", args=[self.pk])
