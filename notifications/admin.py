"""Notifications in the admin, read-only: a record of what the system told whom."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "recipient__email", "subject"]
    list_select_related = ["recipient"]
    show_full_result_count = False
