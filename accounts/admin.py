from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User


class RoleInline(admin.TabularInline):
    model = Role
    fk_name = "user"
    extra = 0
    raw_id_fields = ["organization"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("ข้อมูลติดต่อ"), {"fields": ("phone", "position")}),
    )
    list_display = ["username", "email", "first_name", "last_name", "is_active"]
    inlines = [RoleInline]
