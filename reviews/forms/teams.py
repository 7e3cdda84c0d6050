"""Forms for the provincial office's team pages: a team, choosing assessments, visit dates.

The rules (who may sit on a team, which assessments may be assigned) are reviews.teams';
the forms check input, offer only the province's people and assessments, and hand over.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assessments.forms import BuddhistDateField, add_errors
from assessments.models import Assessment, Round
from core.forms import ModelIdsField
from organizations.models import Organization, Province
from reviews import teams
from reviews.models import Assignment, Team


class MemberChoiceField(ModelIdsField):
    def label_from_instance(self, user: User) -> str:
        return f"{user} – {user.position}" if user.position else str(user)


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return str(user)


class TeamForm(forms.Form):
    """A team's name, members (the province's assessors and office officials) and lead."""

    name = forms.CharField(
        label=_("ชื่อคณะ"),
        max_length=200,
        help_text=_("เช่น คณะที่ 1 (อำเภอเมือง อ่าวลึก)"),
        error_messages={"required": _("ระบุชื่อคณะผู้ประเมิน"), "max_length": _("ชื่อคณะยาวได้ไม่เกิน 200 ตัวอักษร")},
    )
    members = MemberChoiceField(
        label=_("ผู้ประเมินในคณะ"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("โดยทั่วไปคณะละ 4 คน จากสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดและท้องถิ่นอำเภอ"),
        error_messages={
            "required": _("เลือกผู้ประเมินในคณะอย่างน้อย 1 คน"),
            "invalid_choice": _("ผู้ที่เลือกไม่อยู่ในรายชื่อผู้ประเมินของจังหวัดนี้"),
            "invalid_pk_value": _("ผู้ที่เลือกไม่อยู่ในรายชื่อผู้ประเมินของจังหวัดนี้"),
        },
    )
    lead = LeadChoiceField(
        label=_("หัวหน้าคณะ"),
        queryset=User.objects.none(),
        empty_label=_("– เลือกหัวหน้าคณะ –"),
        help_text=_("หัวหน้าคณะเป็นผู้ยืนยันผลการตรวจประเมิน ต้องเป็นหนึ่งในผู้ประเมินที่เลือกไว้"),
        error_messages={
            "required": _("เลือกหัวหน้าคณะ"),
            "invalid_choice": _("ผู้ที่เลือกไม่อยู่ในรายชื่อผู้ประเมินของจังหวัดนี้"),
        },
    )

    def __init__(self, data=None, *, province: Province, team: Team | None = None) -> None:
        initial = None
        if team is not None:
            members = list(team.members.all())
            initial = {
                "name": team.name,
                "members": [member.user_id for member in members],
                "lead": next((member.user_id for member in members if member.is_lead), None),
            }
        super().__init__(data, initial=initial)
        self.province, self.team = province, team
        people = teams.eligible_members(province)
        self.fields["members"].queryset = people
        self.fields["lead"].queryset = people

    def save(self, *, assessment_round: Round, by: User) -> Team | None:
        """Create or update the team; None (errors on the form) if reviews.teams refuses."""
        data = self.cleaned_data
        try:
            if self.team is None:
                return teams.create_team(
                    assessment_round=assessment_round, province=self.province, name=data["name"], members=data["members"], lead=data["lead"], by=by
                )
            return teams.update_team(self.team, name=data["name"], members=data["members"], lead=data["lead"], by=by)
        except ValidationError as error:
            add_errors(self, error)
            return None


class AssessmentFilterForm(forms.Form):
    """Narrows the province's assessments on the assignment page (a GET form)."""

    SHOW_CHOICES = (
        ("unassigned", _("เฉพาะที่ยังไม่ได้มอบหมาย")),
        ("all", _("ทั้งหมดในจังหวัด (รวมที่มอบหมายให้คณะอื่นแล้ว)")),
    )

    district = ModelIdsField(
        label=_("อำเภอ"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    org_type = forms.MultipleChoiceField(
        label=_("ประเภท อปท."), choices=Organization.Type.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    show = forms.ChoiceField(label=_("แสดง"), choices=SHOW_CHOICES, required=False, widget=forms.RadioSelect)

    def __init__(self, data=None, *, province: Province) -> None:
        super().__init__(data or None, initial={"show": "unassigned"})
        self.fields["district"].queryset = province.districts.order_by("code")

    def apply(self, assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
        """`assessments` narrowed by what was chosen (all of them when nothing valid was)."""
        if not self.is_bound:
            return teams.unassigned(assessments)
        if not self.is_valid():
            return assessments.none()
        data = self.cleaned_data
        if data["district"]:
            assessments = teams.by_district(assessments, data["district"])
        if data["org_type"]:
            assessments = teams.by_type(assessments, data["org_type"])
        if data.get("show") != "all":
            assessments = teams.unassigned(assessments)
        return assessments


class AssignForm(forms.Form):
    """The assessments ticked by hand (or none: everything the filter shows) and a visit date."""

    assessments = ModelIdsField(
        label=_("อปท. ที่เลือก"),
        queryset=Assessment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("มี อปท. ที่เลือกซึ่งไม่ใช่ของจังหวัดนี้ในรอบนี้ โหลดหน้าใหม่แล้วเลือกอีกครั้ง"),
            "invalid_pk_value": _("มี อปท. ที่เลือกซึ่งไม่ใช่ของจังหวัดนี้ในรอบนี้ โหลดหน้าใหม่แล้วเลือกอีกครั้ง"),
        },
    )
    visit_on = BuddhistDateField(label=_("วันที่ลงพื้นที่ (ถ้ากำหนด)"))

    def __init__(self, data=None, *, candidates: QuerySet[Assessment]) -> None:
        super().__init__(data)
        self.fields["assessments"].queryset = candidates


class TeamVisitsForm(forms.Form):
    """One visit date per assessment of the team (blank: not planned yet)."""

    def __init__(self, data=None, *, assignments: list[Assignment]) -> None:
        super().__init__(data)
        self.assignments = assignments
        for assignment in assignments:
            organization = assignment.assessment.organization
            self.fields[self.field_name(assignment)] = BuddhistDateField(
                label=_("วันที่ลงพื้นที่ %(name)s (%(code)s)") % {"name": organization.full_name, "code": organization.code},
                initial=assignment.visit_on,
            )

    @staticmethod
    def field_name(assignment: Assignment) -> str:
        return f"visit_{assignment.assessment_id}"

    def rows(self) -> list[tuple[Assignment, forms.BoundField]]:
        return [(assignment, self[self.field_name(assignment)]) for assignment in self.assignments]

    def dates(self) -> dict[Assessment, datetime.date | None]:
        return {
            assignment.assessment: self.cleaned_data.get(self.field_name(assignment)) for assignment in self.assignments
        }
