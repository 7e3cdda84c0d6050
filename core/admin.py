from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record the admin shows but never changes: the workflows own every change (and its trail)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
