"""Giving and taking roles, and switching accounts off and on: the rules a manager follows.

Who may manage whom is decided in accounts.access; this module adds the reasons a manager
sees when a change is refused, so the web pages and the bulk import explain it the same way.
Each `*_refusal` function returns a Thai sentence telling what is wrong, or None when the
change may go ahead.
"""

from django.utils.translation import gettext as _

from accounts.access import can_grant, forget_scope, grantable_roles
from accounts.models import Role, User
from organizations.models import Organization, Province

# Roles that let their holder manage other people's accounts (see Scope.manages_users).
MANAGING_KINDS = (Role.Kind.PROVINCIAL_ADMIN, Role.Kind.DEPARTMENT_OFFICIAL, Role.Kind.SYSTEM_ADMIN)


def grant_refusal(
    manager: User, *, kind: str, organization: Organization | None, province: Province | None
) -> str | None:
    """Why `manager` may not grant this role, or None if they may."""
    if kind not in grantable_roles(manager):
        return _("ท่านไม่มีสิทธิ์มอบบทบาท “%(role)s”") % {"role": Role.Kind(kind).label}
    if kind in Role.ORGANIZATION_KINDS:
        if organization is None:
            return _("บทบาทนี้ต้องระบุรหัส อปท.")
        if not organization.is_active:
            return _("อปท. รหัส %(code)s ถูกยกเลิกในทะเบียนแล้ว จึงมอบบทบาทไม่ได้") % {"code": organization.code}
        if not can_grant(manager, kind=kind, organization=organization, province_id=None):
            return _("อปท. รหัส %(code)s อยู่นอกจังหวัดที่ท่านดูแล กรุณาตรวจสอบรหัส") % {"code": organization.code}
    elif kind in Role.PROVINCE_KINDS:
        if province is None:
            return _("บทบาทนี้ต้องระบุจังหวัด")
        if not can_grant(manager, kind=kind, organization=None, province_id=province.pk):
            return _("จังหวัด%(province)s อยู่นอกจังหวัดที่ท่านดูแล") % {"province": province.name_th}
    return None


def find_role(user: User, *, kind: str, organization: Organization | None, province: Province | None) -> Role | None:
    """The role `user` already holds with this kind and scope, if any."""
    scope = {"organization": None, "province": None}
    if kind in Role.ORGANIZATION_KINDS:
        scope["organization"] = organization
    elif kind in Role.PROVINCE_KINDS:
        scope["province"] = province
    return user.roles.filter(kind=kind, **scope).first()


def grant_role(
    user: User, *, kind: str, organization: Organization | None, province: Province | None, by: User
) -> Role:
    """Give `user` the role; the caller has checked `grant_refusal` and `find_role` first."""
    role = Role.objects.create(
        user=user,
        kind=kind,
        organization=organization if kind in Role.ORGANIZATION_KINDS else None,
        province=province if kind in Role.PROVINCE_KINDS else None,
        granted_by=by,
    )
    forget_scope(user)
    return role


def removal_refusal(manager: User, role: Role) -> str | None:
    """Why `manager` may not take `role` away, or None if they may."""
    if not can_grant(manager, kind=role.kind, organization=role.organization, province_id=role.province_id):
        return _("ท่านไม่มีสิทธิ์ยกเลิกบทบาทนี้")
    others = Role.objects.filter(user_id=role.user_id).exclude(pk=role.pk)
    if not others.exists():
        # A provincial office could no longer even find an account with no role, so it would be lost.
        return _("บัญชีต้องมีอย่างน้อยหนึ่งบทบาท หากผู้ใช้นี้ไม่ต้องใช้งานแล้ว ให้ระงับบัญชีแทน")
    own_last_managing_role = (
        role.user_id == manager.pk
        and role.kind in MANAGING_KINDS
        and not manager.is_superuser
        and not others.filter(kind__in=MANAGING_KINDS).exists()
    )
    if own_last_managing_role:
        return _("ท่านยกเลิกบทบาทผู้ดูแลผู้ใช้บทบาทสุดท้ายของตนเองไม่ได้ ให้ผู้ดูแลอีกคนหนึ่งดำเนินการแทน")
    return None


def remove_role(role: Role) -> None:
    user = role.user
    role.delete()
    forget_scope(user)


def deactivation_refusal(manager: User, user: User) -> str | None:
    if user.pk == manager.pk:
        return _("ท่านระงับบัญชีของตนเองไม่ได้ ให้ผู้ดูแลอีกคนหนึ่งดำเนินการแทน")
    if not user.is_active:
        return _("บัญชีนี้ถูกระงับอยู่แล้ว")
    return None
