from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from exports.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "round", "province", "requested_by", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["round", "province", "requested_by"]
    # The stored file's name as text: the storage has no public address to link to.
    exclude = ["file"]
    readonly_fields = [field.name for field in Export._meta.fields if field.name != "file"] + ["stored_as"]

    @admin.display(description=_("ที่เก็บไฟล์"))
    def stored_as(self, export: Export) -> str:
        return export.file.name or "–"

    def has_add_permission(self, request) -> bool:
        return False
