import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """A changwat outside Bangkok, keyed by its 2-digit DOPA code."""

    code = models.CharField(_("รหัสจังหวัด"), max_length=2, unique=True)
    name_th = models.CharField(_("ชื่อจังหวัด"), max_length=100, unique=True)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("จังหวัด")
        verbose_name_plural = _("จังหวัด")

    def __str__(self) -> str:
        return self.name_th


class District(models.Model):
    """An amphoe, keyed by its 4-digit DOPA code (the first two digits are the province)."""

    code = models.CharField(_("รหัสอำเภอ"), max_length=4, unique=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    name_th = models.CharField(_("ชื่ออำเภอ"), max_length=100)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("อำเภอ")
        verbose_name_plural = _("อำเภอ")
        constraints = [
            models.UniqueConstraint(fields=["province", "name_th"], name="district_name_unique_in_province"),
        ]

    def __str__(self) -> str:
        return self.name_th


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganizationQuerySet":
        """The organizations inside the user's reach (accounts.models.User.scope)."""
        scope = user.scope
        if scope.national:
            return self
        return self.filter(Q(pk__in=scope.organization_ids) | Q(district__province_id__in=scope.province_ids))

    def search(self, text: str) -> "OrganizationQuerySet":
        text = text.strip()
        if not text:
            return self
        if text.isdigit():
            return self.filter(code__startswith=text)
        return self.filter(name__icontains=text)

    def with_places(self) -> "OrganizationQuerySet":
        return self.select_related("district__province")

    def with_type_on(self, day: datetime.date) -> "OrganizationQuerySet":
        """Annotate `type_then`: the type each organization had on `day`.

        The organization row holds the current type; the first change after `day`, if any,
        says what it was before. Past results keep the type of their year this way.
        """
        later_change = OrganizationTypeChange.objects.filter(
            organization=models.OuterRef("pk"), effective_date__gt=day
        ).order_by("effective_date", "pk")
        return self.annotate(
            type_then=Coalesce(models.Subquery(later_change.values("from_type")[:1]), "type")
        )


class Organization(models.Model):
    """A local administrative organization (อปท.) in DLA's registry."""

    class Type(models.TextChoices):
        # Values are stable identifiers; labels are DLA's full Thai names.
        PAO = "pao", _("องค์การบริหารส่วนจังหวัด")
        CITY_MUNICIPALITY = "city", _("เทศบาลนคร")
        TOWN_MUNICIPALITY = "town", _("เทศบาลเมือง")
        SUBDISTRICT_MUNICIPALITY = "subdistrict", _("เทศบาลตำบล")
        SAO = "sao", _("องค์การบริหารส่วนตำบล")
        PATTAYA = "pattaya", _("เมืองพัทยา")

    code = models.CharField(_("รหัส อปท."), max_length=7, unique=True)
    name = models.CharField(_("ชื่อ อปท."), max_length=200)
    type = models.CharField(_("ประเภท"), max_length=20, choices=Type.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="organizations")
    area_sq_km = models.DecimalField(_("พื้นที่ (ตร.กม.)"), max_digits=10, decimal_places=2, null=True, blank=True)
    latitude = models.DecimalField(_("ละติจูด"), max_digits=10, decimal_places=7, null=True, blank=True)
    longitude = models.DecimalField(_("ลองจิจูด"), max_digits=10, decimal_places=7, null=True, blank=True)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("องค์กรปกครองส่วนท้องถิ่น")
        verbose_name_plural = _("องค์กรปกครองส่วนท้องถิ่น")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{7}$"), name="organization_code_7_digits"),
        ]

    def __str__(self) -> str:
        if self.type == self.Type.PATTAYA:
            return self.name
        return f"{self.type_abbreviation}{self.name}"

    @property
    def full_name(self) -> str:
        """The name as written in official letters: เทศบาลตำบลคลองพน.

        Thai writes the type and the name as one word; in English the translated type is a
        word of its own: Subdistrict Municipality คลองพน.
        """
        if self.type == self.Type.PATTAYA:
            return self.name
        space = "" if translation.get_language() in (None, "th") else " "
        return f"{self.get_type_display()}{space}{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("organizations:detail", args=[self.code])

    @property
    def type_abbreviation(self) -> str:
        return TYPE_ABBREVIATIONS[self.type]

    @property
    def province(self) -> Province:
        return self.district.province

    def type_on(self, day: datetime.date) -> str:
        """The type this organization had on `day`: past results keep the type of their year."""
        return Organization.objects.filter(pk=self.pk).with_type_on(day).values_list("type_then", flat=True).get()


TYPE_ABBREVIATIONS = {
    Organization.Type.PAO: "อบจ.",
    Organization.Type.CITY_MUNICIPALITY: "ทน.",
    Organization.Type.TOWN_MUNICIPALITY: "ทม.",
    Organization.Type.SUBDISTRICT_MUNICIPALITY: "ทต.",
    Organization.Type.SAO: "อบต.",
    Organization.Type.PATTAYA: "เมืองพัทยา",
}


class OrganizationTypeChange(models.Model):
    """One change of an organization's type (e.g. อบต. upgraded to เทศบาลตำบล).

    The organization row holds the current type; these rows let `type_on()` answer for any
    past date, so results of earlier years keep the type the organization had then.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="type_changes")
    from_type = models.CharField(_("ประเภทเดิม"), max_length=20, choices=Organization.Type.choices)
    to_type = models.CharField(_("ประเภทใหม่"), max_length=20, choices=Organization.Type.choices)
    effective_date = models.DateField(_("มีผลตั้งแต่"))
    note = models.CharField(_("หมายเหตุ"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "pk"]
        verbose_name = _("การเปลี่ยนประเภท อปท.")
        verbose_name_plural = _("การเปลี่ยนประเภท อปท.")
        constraints = [
            models.CheckConstraint(condition=~Q(from_type=models.F("to_type")), name="type_change_changes_type"),
        ]

    def __str__(self) -> str:
        return f"{self.organization.code}: {self.from_type} → {self.to_type} ({self.effective_date})"


class RegistryImport(models.Model):
    """A record of one registry import that changed the database (dry runs are not kept)."""

    imported_at = models.DateTimeField(_("นำเข้าเมื่อ"), auto_now_add=True)
    imported_by = models.ForeignKey(
        "accounts.User", verbose_name=_("ผู้นำเข้า"), on_delete=models.SET_NULL, null=True, blank=True
    )
    file_name = models.CharField(_("ชื่อไฟล์"), max_length=255)
    created = models.PositiveIntegerField(_("เพิ่มใหม่"), default=0)
    updated = models.PositiveIntegerField(_("ปรับปรุง"), default=0)
    unchanged = models.PositiveIntegerField(_("ไม่เปลี่ยนแปลง"), default=0)
    rejected = models.PositiveIntegerField(_("ปฏิเสธ"), default=0)
    seconds = models.FloatField(_("เวลาที่ใช้ (วินาที)"), default=0)
    # [{"row": 12, "code": "6810403", "reason": "..."}] for every rejected row.
    rejections = models.JSONField(_("แถวที่ปฏิเสธ"), default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("การนำเข้าทะเบียน")
        verbose_name_plural = _("การนำเข้าทะเบียน")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"
