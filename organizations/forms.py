from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from organizations.models import District, Organization, OrganizationQuerySet, Province


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("ค้นหารหัสหรือชื่อ"), required=False, max_length=100)
    province = forms.ModelChoiceField(
        label=_("จังหวัด"), queryset=Province.objects.none(), required=False, to_field_name="code",
        empty_label=_("ทุกจังหวัด"),
    )
    district = forms.ModelChoiceField(
        label=_("อำเภอ"), queryset=District.objects.none(), required=False, to_field_name="code",
        empty_label=_("ทุกอำเภอ"),
    )
    type = forms.ChoiceField(
        label=_("ประเภท"), required=False, choices=[("", _("ทุกประเภท")), *Organization.Type.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = user.scope
        provinces = Province.objects.all() if scope.national else Province.objects.filter(pk__in=scope.province_ids)
        self.fields["province"].queryset = provinces
        districts = District.objects.filter(province__in=provinces).select_related("province")
        chosen = self.data.get("province") if self.is_bound else None
        if chosen:
            districts = districts.filter(province__code=chosen)
        elif not scope.province_ids or scope.national:
            # Too many to list nationally until a province is chosen.
            districts = districts.none() if scope.national else districts
        self.fields["district"].queryset = districts

    def clean(self):
        data = super().clean()
        province, district = data.get("province"), data.get("district")
        if province and district and district.province_id != province.pk:
            self.add_error("district", _("อำเภอที่เลือกไม่อยู่ในจังหวัดที่เลือก กรุณาเลือกอำเภอใหม่"))
        return data

    def filter(self, organizations: OrganizationQuerySet) -> OrganizationQuerySet:
        data = self.cleaned_data
        if data.get("province"):
            organizations = organizations.filter(district__province=data["province"])
        if data.get("district"):
            organizations = organizations.filter(district=data["district"])
        if data.get("type"):
            organizations = organizations.filter(type=data["type"])
        return organizations.search(data.get("q") or "")


class RegistryImportForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์ทะเบียน อปท. (CSV หรือ XLSX)"),
        help_text=_("ไฟล์ที่ส่งออกจากทะเบียนของ กสถ. ใช้ได้ทั้งแบบหนึ่งแถวต่อหนึ่งตำบลและหนึ่งแถวต่อหนึ่ง อปท."),
        # Only a hint for the file picker: the importer decides by the content, not the name.
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(label=_("ตรวจสอบอย่างเดียว ยังไม่บันทึก"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.LPA_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("ไฟล์มีขนาด %(size)s เกินกว่าที่รับได้ (%(limit)s) กรุณาแบ่งไฟล์หรือลบคอลัมน์ที่ไม่ใช้ออก"),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload
