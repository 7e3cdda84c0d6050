from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet):
    def manageable_by(self, manager) -> "UserQuerySet":
        """Users that `manager` may create, deactivate and reset (see Scope.manages_users)."""
        scope = manager.scope
        if scope.is_system_admin:
            return self
        if scope.national and Role.Kind.DEPARTMENT_OFFICIAL in scope.kinds:
            return self.exclude(Q(is_superuser=True) | Q(roles__kind=Role.Kind.SYSTEM_ADMIN)).distinct()
        if not scope.manages_province_ids:
            return self.none()
        in_scope = Q(organization__district__province_id__in=scope.manages_province_ids) | Q(
            province_id__in=scope.manages_province_ids
        )
        inside = Role.objects.filter(in_scope, user=OuterRef("pk"))
        outside = Role.objects.filter(user=OuterRef("pk")).exclude(in_scope)
        return self.filter(Exists(inside), ~Exists(outside), is_superuser=False)


class LPAUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. What they may see and do comes from their roles."""

    email = models.EmailField(_("อีเมล"), blank=True)
    phone = models.CharField(_("โทรศัพท์"), max_length=30, blank=True)
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)

    objects = LPAUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("ผู้ใช้")
        verbose_name_plural = _("ผู้ใช้")
        constraints = [
            # Sign-in accepts an email address, so one address must lead to one account.
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~Q(email=""),
                name="user_email_unique_ci",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    @cached_property
    def scope(self) -> "Scope":
        """This user's reach, from their roles: one query, then kept on the object for the
        request (accounts.access.forget_scope drops it when the roles change)."""
        if not self.is_active:
            return NO_SCOPE
        return Scope.of_roles(
            self.roles.values_list("kind", "organization_id", "province_id"), superuser=self.is_superuser
        )


class Role(models.Model):
    """A role a user holds, with its scope: one organization, one province, or the country."""

    class Kind(models.TextChoices):
        ORG_STAFF = "org_staff", _("เจ้าหน้าที่ อปท.")
        ORG_HEAD = "org_head", _("ผู้บริหาร อปท.")
        PROVINCIAL_ASSESSOR = "assessor", _("คณะผู้ประเมินระดับจังหวัด")
        PROVINCIAL_ADMIN = "province_admin", _("สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด")
        DEPARTMENT_OFFICIAL = "department", _("เจ้าหน้าที่กรมส่งเสริมการปกครองท้องถิ่น")
        SYSTEM_ADMIN = "system_admin", _("ผู้ดูแลระบบ")

    ORGANIZATION_KINDS = (Kind.ORG_STAFF, Kind.ORG_HEAD)
    PROVINCE_KINDS = (Kind.PROVINCIAL_ASSESSOR, Kind.PROVINCIAL_ADMIN)
    NATIONAL_KINDS = (Kind.DEPARTMENT_OFFICIAL, Kind.SYSTEM_ADMIN)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("บทบาท"), max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("อปท."),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
    )
    province = models.ForeignKey(
        "organizations.Province",
        verbose_name=_("จังหวัด"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
    )
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("บทบาท")
        verbose_name_plural = _("บทบาท")
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(kind__in=["org_staff", "org_head"], organization__isnull=False, province__isnull=True)
                    | Q(kind__in=["assessor", "province_admin"], organization__isnull=True, province__isnull=False)
                    | Q(kind__in=["department", "system_admin"], organization__isnull=True, province__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "organization"],
                condition=Q(organization__isnull=False),
                name="role_unique_per_organization",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "province"],
                condition=Q(province__isnull=False),
                name="role_unique_per_province",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(organization__isnull=True, province__isnull=True),
                name="role_unique_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.organization_id:
            org = self.organization
            return f"{org} ({org.code})"
        if self.province_id:
            return gettext("จังหวัด%(province)s") % {"province": self.province}
        return gettext("ทั่วประเทศ")


@dataclass(frozen=True)
class Scope:
    """What a user's roles reach. Organization roles reach one organization, provincial roles
    one province, department and system roles the whole country."""

    kinds: frozenset[str]
    organization_ids: frozenset[int]
    # The organizations whose head this user is (they submit and appeal).
    head_organization_ids: frozenset[int]
    province_ids: frozenset[int]
    # Provinces whose people this user administers (provincial office admins).
    manages_province_ids: frozenset[int]
    # Department officials and system admins: the whole country.
    national: bool
    is_system_admin: bool

    @classmethod
    def of_roles(cls, roles, *, superuser: bool = False) -> "Scope":
        """The scope of (kind, organization_id, province_id) triples."""
        roles = list(roles)
        kinds = frozenset(kind for kind, _, _ in roles)
        is_system_admin = superuser or Role.Kind.SYSTEM_ADMIN in kinds
        return cls(
            kinds=kinds | ({Role.Kind.SYSTEM_ADMIN.value} if is_system_admin else set()),
            organization_ids=frozenset(org for _, org, _ in roles if org),
            head_organization_ids=frozenset(org for kind, org, _ in roles if kind == Role.Kind.ORG_HEAD and org),
            province_ids=frozenset(prov for _, _, prov in roles if prov),
            manages_province_ids=frozenset(
                prov for kind, _, prov in roles if kind == Role.Kind.PROVINCIAL_ADMIN and prov
            ),
            national=is_system_admin or Role.Kind.DEPARTMENT_OFFICIAL in kinds,
            is_system_admin=is_system_admin,
        )

    def has(self, *kinds: str) -> bool:
        return any(kind in self.kinds for kind in kinds)

    @property
    def manages_users(self) -> bool:
        return self.national and self.has(Role.Kind.DEPARTMENT_OFFICIAL, Role.Kind.SYSTEM_ADMIN) or bool(
            self.manages_province_ids
        )


NO_SCOPE = Scope(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), False, False)
