from django import forms
from django.utils.translation import gettext_lazy as _

from exports.models import Export


class ExportRequestForm(forms.Form):
    """Which report to build (hidden fields of the button that asks for it)."""

    kind = forms.ChoiceField(choices=Export.Kind.choices, error_messages={"invalid_choice": _("ไม่รู้จักรายงานที่ขอ")})
    year = forms.IntegerField(min_value=1, error_messages={"invalid": _("ปีต้องเป็นตัวเลข พ.ศ.")})
    province = forms.CharField(max_length=2, required=False)

    def clean(self):
        data = super().clean()
        kind, province = data.get("kind"), data.get("province") or None
        if kind == Export.Kind.PROVINCE_REPORT and not province:
            raise forms.ValidationError(_("รายงานระดับจังหวัดต้องระบุจังหวัด"))
        if kind == Export.Kind.NATIONAL_REPORT and province:
            raise forms.ValidationError(_("รายงานระดับประเทศไม่ต้องระบุจังหวัด"))
        data["province"] = province
        return data
