from django.contrib import admin

from feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["pk", "created_at", "author", "status", "page"]
    list_filter = ["status"]
    raw_id_fields = ["author", "answered_by"]
    readonly_fields = ["screenshot", "screenshot_name", "screenshot_type", "created_at"]
