"""The dashboards' filters, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from organizations.models import Organization, Province
from results.dashboard import Filters

INVALID = _("ไม่มีตัวเลือก %(value)s ในรายการ")


class DashboardFilterForm(forms.Form):
    """Province (the national page only), organization type and status; blank means all.

    The province choices come from the list the page has already loaded (`provinces`), so
    validating costs no query; without it the form has no province field.
    """

    province = forms.ChoiceField(label=_("จังหวัด"), required=False, error_messages={"invalid_choice": INVALID})
    org_type = forms.ChoiceField(
        label=_("ประเภท อปท."),
        required=False,
        choices=[("", _("ทุกประเภท")), *Organization.Type.choices],
        error_messages={"invalid_choice": INVALID},
    )
    status = forms.ChoiceField(
        label=_("สถานะ"),
        required=False,
        choices=[("", _("ทุกสถานะ")), *Assessment.Status.choices],
        error_messages={"invalid_choice": INVALID},
    )

    def __init__(self, data=None, *, provinces: list[Province] | None = None) -> None:
        super().__init__(data)
        self.provinces = {province.code: province for province in provinces or []}
        if provinces is None:
            del self.fields["province"]
        else:
            self.fields["province"].choices = [
                ("", _("ทุกจังหวัด")),
                *((province.code, province.name_th) for province in provinces),
            ]

    def filters(self, *, province: Province | None = None) -> Filters:
        """The valid filters; none when any is invalid (the page shows everything and says why)."""
        if not self.is_valid():
            return Filters(province=province)
        data = self.cleaned_data
        return Filters(
            province=self.provinces.get(data.get("province") or "", province),
            org_type=data["org_type"] or None,
            status=data["status"] or None,
        )
