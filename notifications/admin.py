"""Notifications in the admin, read-only: a record of what the system told whom, and whether
its email went (filter by email status; failed ones show their attempts and last error and
can be queued again)."""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdmin
from notifications.models import Notification
from notifications.sending import retry_failed


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "subject",
        "read_at",
        "email_status",
        "email_attempts",
        "last_error",
        "emailed_at",
    ]
    list_filter = ["email_status", "kind"]
    search_fields = ["recipient__username", "recipient__email", "subject"]
    list_select_related = ["recipient"]
    show_full_result_count = False
    actions = ["retry_email"]

    @admin.display(description=_("ข้อผิดพลาดล่าสุด"))
    def last_error(self, notification: Notification) -> str:
        return Truncator(notification.email_last_error).chars(120)

    @admin.action(description=_("ส่งอีเมลที่ส่งไม่สำเร็จอีกครั้ง"), permissions=["retry_email"])
    def retry_email(self, request, queryset) -> None:
        count = retry_failed(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("เข้าคิวส่งอีเมลอีกครั้ง %(n)s ฉบับ", "เข้าคิวส่งอีเมลอีกครั้ง %(n)s ฉบับ", count) % {"n": count},
            messages.SUCCESS,
        )

    def has_retry_email_permission(self, request) -> bool:
        # The record stays read-only; queueing a failed email again is the one change allowed.
        return request.user.has_perm("notifications.change_notification")
