"""Comments on the system itself: what page, what happened, optionally a screenshot.

Any signed-in user sends one; the department reads, answers (the author is notified) and
exports them. The screenshot is kept in the private evidence storage under "feedback/" and
leaves it only through a permission-checked view (feedback.views.screenshot).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.storage import evidence_storage

MAX_PAGE = 500
MAX_TEXT = 5000
MAX_ANSWER = 5000


def screenshot_path(instance: "Feedback", filename: str) -> str:
    """feedback/<random name>.<detected extension>: never the uploader's file name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"feedback/{uuid.uuid4().hex}.{extension}"


class FeedbackQuerySet(models.QuerySet):
    def for_author(self, user) -> "FeedbackQuerySet":
        return self.filter(author=user)

    def for_department(self, *, status: str = "") -> "FeedbackQuerySet":
        """The department's list: every comment (or those of one status), with who sent it."""
        queryset = self.select_related("author", "answered_by")
        return queryset.filter(status=status) if status else queryset


class Feedback(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("ใหม่")
        READ = "read", _("อ่านแล้ว")
        ANSWERED = "answered", _("ตอบแล้ว")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ผู้ส่ง"), on_delete=models.CASCADE, related_name="feedback"
    )
    # A local path (the page the user came from), kept as text: shown, never followed on its own.
    page = models.CharField(_("หน้าที่พบ"), max_length=MAX_PAGE, blank=True)
    text = models.TextField(_("สิ่งที่เกิดขึ้น"), max_length=MAX_TEXT)
    screenshot = models.FileField(
        _("ภาพหน้าจอ"), storage=evidence_storage, upload_to=screenshot_path, max_length=200, blank=True
    )
    screenshot_name = models.CharField(_("ชื่อไฟล์ภาพหน้าจอ"), max_length=255, blank=True)
    screenshot_type = models.CharField(max_length=50, blank=True)
    status = models.CharField(_("สถานะ"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("ส่งเมื่อ"), auto_now_add=True)
    answer = models.TextField(_("คำตอบ"), max_length=MAX_ANSWER, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ตอบ"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("ตอบเมื่อ"), null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ความคิดเห็นต่อระบบ")
        verbose_name_plural = _("ความคิดเห็นต่อระบบ")
        indexes = [models.Index(fields=["status", "-created_at"], name="feedback_by_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["new", "read", "answered"]), name="feedback_status_known"),
            # Answered exactly when there is an answer with its time.
            models.CheckConstraint(
                condition=(Q(status="answered") & ~Q(answer="") & Q(answered_at__isnull=False))
                | (~Q(status="answered") & Q(answer="") & Q(answered_at__isnull=True)),
                name="feedback_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:50]}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:detail", args=[self.pk])

    @property
    def page_link(self) -> str:
        """The page as a link target when it is a plain local path, else "" (shown as text)."""
        page = self.page
        if page.startswith("/") and not page.startswith(("//", "/\\")):
            return page
        return ""
