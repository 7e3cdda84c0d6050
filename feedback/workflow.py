"""Sending, reading and answering comments on the system.

The screenshot goes through the evidence content checks (assessments.evidence.file_type reads
the type from the bytes), narrowed to PNG and JPEG, within the evidence size limit.
"""

import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.evidence import JPEG, PNG, MacrosFound, evidence_max_bytes, file_type
from feedback.models import MAX_PAGE, Feedback
from notifications.models import Notification
from notifications.sending import deliver

SCREENSHOT_TYPES = (PNG, JPEG)
CHUNK = 64 * 1024


def local_page(value: str, *, host: str = "") -> str:
    """`value` as a path of this site ("/assessments/3/?tab=1"), or "" when it is none.

    An address on `host` (the Referer header) keeps its path and query; another site's, a
    scheme-relative "//evil" or a backslash trick is no local page. Control characters go.
    """
    value = "".join(ch for ch in (value or "") if unicodedata.category(ch) != "Cc").strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or not host or parts.netloc.lower() != host.lower():
            return ""
        value = parts.path + (f"?{parts.query}" if parts.query else "")
    if not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value.split("?", 1)[0]:
        return ""
    return value[:MAX_PAGE]


def check_screenshot(upload: File) -> tuple[str, str]:
    """(extension, content type) of an uploaded screenshot, or ValidationError in Thai:
    empty, larger than the evidence limit, or not a PNG or JPEG by its content."""
    limit = evidence_max_bytes()
    size = 0
    for chunk in upload.chunks(CHUNK):
        size += len(chunk)
        if size > limit:
            raise ValidationError(
                _("ภาพหน้าจอมีขนาดเกิน %(max)s MB") % {"max": f"{limit / (1024 * 1024):.0f}"}, code="too_big"
            )
    if size == 0:
        raise ValidationError(_("ไฟล์ภาพหน้าจอว่างเปล่า (0 ไบต์) โปรดเลือกไฟล์ใหม่"), code="empty")
    try:
        kind = file_type(upload)
    except MacrosFound:
        kind = None
    upload.seek(0)
    if kind not in SCREENSHOT_TYPES:
        raise ValidationError(
            _("ภาพหน้าจอต้องเป็นไฟล์รูปภาพ PNG หรือ JPEG (ตรวจจากเนื้อไฟล์ ไม่ใช่จากนามสกุล)"), code="not_image"
        )
    return kind.extension, kind.content_type


def send_feedback(*, author: User, page: str, text: str, screenshot: File | None = None) -> Feedback:
    """Store a comment; the screenshot (already checked by check_screenshot) under a random name."""
    feedback = Feedback(author=author, page=page, text=text)
    if screenshot is not None:
        extension, content_type = check_screenshot(screenshot)
        name = "".join(ch for ch in (screenshot.name or "") if unicodedata.category(ch) != "Cc").strip()
        feedback.screenshot_name = name[:255] or f"screenshot.{extension}"
        feedback.screenshot_type = content_type
        feedback.screenshot.save(f"screenshot.{extension}", screenshot, save=False)
    try:
        feedback.save()
    except BaseException:
        if feedback.screenshot.name:
            feedback.screenshot.storage.delete(feedback.screenshot.name)
        raise
    return feedback


def mark_read(feedback: Feedback) -> None:
    """A new comment opened by the department becomes read (answered ones stay answered)."""
    if feedback.status == Feedback.Status.NEW:
        updated = Feedback.objects.filter(pk=feedback.pk, status=Feedback.Status.NEW).update(
            status=Feedback.Status.READ
        )
        if updated:
            feedback.status = Feedback.Status.READ


def answer_feedback(feedback: Feedback, *, by: User, text: str) -> Feedback:
    """Record the department's answer (a later answer replaces it) and tell the author,
    in the app and by email."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("โปรดพิมพ์คำตอบ"), code="required")
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        locked.answer, locked.answered_by, locked.answered_at = text, by, timezone.now()
        locked.status = Feedback.Status.ANSWERED
        locked.save(update_fields=["answer", "answered_by", "answered_at", "status"])
        # In the site's language, whatever the answerer's: the author did not choose it.
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("กรมส่งเสริมการปกครองท้องถิ่นตอบความคิดเห็นของท่านแล้ว")
            body = _("ความคิดเห็นของท่าน: %(text)s\n\nคำตอบ: %(answer)s") % {"text": locked.text[:500], "answer": text}
        deliver(
            [locked.author],
            kind=Notification.Kind.FEEDBACK_ANSWERED,
            subject=subject,
            body=body,
            url=reverse("feedback:detail", args=[locked.pk]),
        )
    return locked
