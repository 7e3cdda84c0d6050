"""The review's records in the admin, read-only.

Teams, assignments, verified answers, comments and appeals change only through the review
pages (reviews/teams.py, reviews/workflow/): their rules (a team of the province's people,
one lead, every assignment and score change recorded in the audit trail) are bypassed by
the admin's edit forms, so the admin only shows them.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reviews.models import Appeal, Assignment, Comment, Team, TeamMember, VerifiedAnswer


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    fields = ["user", "is_lead", "position"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "round", "province", "created_at"]
    list_filter = ["round", "province"]
    search_fields = ["name", "members__user__username", "members__user__last_name"]
    list_select_related = ["round", "province"]
    inlines = [TeamMemberInline]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "team", "visit_on", "assigned_by", "assigned_at"]
    list_filter = ["team__round", "team__province"]
    search_fields = ["assessment__organization__code", "assessment__organization__name", "team__name"]
    list_select_related = ["assessment__round", "assessment__organization", "team", "assigned_by"]


@admin.register(VerifiedAnswer)
class VerifiedAnswerAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "indicator", "points", "na_confirmed", "version", "updated_by", "updated_at"]
    list_filter = ["assessment__round"]
    search_fields = ["assessment__organization__code", "indicator__code"]
    list_select_related = ["assessment__round", "assessment__organization", "indicator", "updated_by"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "assessment", "indicator", "author", "internal"]
    list_filter = ["internal", "assessment__round"]
    search_fields = ["assessment__organization__code", "indicator__code", "body"]
    list_select_related = ["assessment__round", "assessment__organization", "indicator", "author"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "indicator", "opened_at", "decision", "points_before", "points_after", "answered_at"]
    list_filter = ["decision", "assessment__round"]
    search_fields = ["assessment__organization__code", "indicator__code"]
    list_select_related = ["assessment__round", "assessment__organization", "indicator"]
