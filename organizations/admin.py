from django.contrib import admin

from organizations.models import District, Organization, OrganizationTypeChange, Province, RegistryImport


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_th", "name_en"]


class TypeChangeInline(admin.TabularInline):
    model = OrganizationTypeChange
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "district", "is_active"]
    list_filter = ["type", "is_active", "district__province"]
    search_fields = ["code", "name"]
    list_select_related = ["district"]
    raw_id_fields = ["district"]
    inlines = [TypeChangeInline]


@admin.register(RegistryImport)
class RegistryImportAdmin(admin.ModelAdmin):
    """Import records are history: readable, never edited."""

    list_display = ["imported_at", "file_name", "imported_by", "created", "updated", "unchanged", "rejected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
