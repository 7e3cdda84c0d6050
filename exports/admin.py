from django.contrib import admin

from exports.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "round", "province", "requested_by", "status", "done", "total", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["round", "province", "requested_by"]
    readonly_fields = [field.name for field in Export._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
