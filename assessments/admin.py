"""Read-only admin pages: frameworks change only through assessments/framework.py, whose
rules (phase, corrections, audit trail) the admin's edit forms would bypass. The audit
trail (AssessmentEvent) is append-only: nobody adds, changes or deletes it here, not even a
superuser (the database refuses it too, migration 0004)."""

from django.contrib import admin

from assessments.models import Assessment, AssessmentEvent, FrameworkCorrection, Indicator, Round
from core.admin import ReadOnlyAdmin


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["year", "fiscal_year", "phase", "pass_mark", "opened_at"]
    list_filter = ["phase"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "round", "kind", "is_pilot", "province"]
    list_filter = ["round", "kind", "is_pilot"]
    search_fields = ["code", "title"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["round", "organization", "org_type", "status"]
    list_filter = ["round", "org_type", "status"]
    search_fields = ["organization__code", "organization__name"]
    list_select_related = ["round", "organization__district"]


@admin.register(FrameworkCorrection)
class FrameworkCorrectionAdmin(ReadOnlyAdmin):
    list_display = ["made_at", "round", "indicator_code", "made_by", "affected_assessments"]
    list_filter = ["round"]
    list_select_related = ["round", "made_by"]


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "assessment", "kind", "by", "from_status", "to_status", "indicator"]
    list_filter = ["kind", "assessment__round"]
    search_fields = ["assessment__organization__code", "assessment__organization__name", "note"]
    list_select_related = ["assessment__round", "assessment__organization", "by", "indicator"]
    # The trail grows by millions of rows: no exact count on every page.
    show_full_result_count = False
