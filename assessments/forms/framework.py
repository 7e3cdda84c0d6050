"""Forms for the framework pages: dimensions, categories, indicators and their options.

Each takes what it needs explicitly (round, user, kind); the rules on what may change when
are assessments/framework.py's, so the forms only check input and turn it into the
`changes` those functions take.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts.access import is_department, scope_for
from accounts.models import User
from assessments.forms.fields import RowsFormSet, _decimal
from assessments.framework import FrameworkLocked, add_indicator, update_indicator
from assessments.models import Category, Dimension, Indicator, IndicatorOption, Round
from organizations.models import Organization, Province


class DimensionForm(forms.Form):
    number = forms.IntegerField(label=_("ด้านที่"), min_value=1, max_value=5)
    name = forms.CharField(label=_("ชื่อด้าน"), max_length=200)

    def __init__(self, *args, assessment_round: Round, dimension: Dimension | None = None, **kwargs):
        if dimension is not None:
            kwargs.setdefault("initial", {"number": dimension.number, "name": dimension.name})
        super().__init__(*args, **kwargs)
        self.round, self.dimension = assessment_round, dimension

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        others = self.round.dimensions.exclude(pk=self.dimension.pk if self.dimension else None)
        if others.filter(number=number).exists():
            raise ValidationError(_("มีด้านที่ %(number)s อยู่แล้วในรอบนี้"), params={"number": number})
        return number

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class CategoryForm(forms.Form):
    number = forms.IntegerField(label=_("หมวดที่"), min_value=1, max_value=999)
    name = forms.CharField(label=_("ชื่อหมวด"), max_length=300)
    open_to_provinces = forms.BooleanField(
        label=_("เปิดให้จังหวัดเพิ่มตัวชี้วัด"),
        required=False,
        help_text=_("สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดเพิ่มตัวชี้วัดของจังหวัดในหมวดนี้ได้ ใช้กับ อปท. ในจังหวัดนั้นเท่านั้น"),
    )

    def __init__(self, *args, dimension: Dimension, category: Category | None = None, **kwargs):
        if category is not None:
            kwargs.setdefault(
                "initial",
                {"number": category.number, "name": category.name, "open_to_provinces": category.open_to_provinces},
            )
        super().__init__(*args, **kwargs)
        self.dimension, self.category = dimension, category

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        others = self.dimension.categories.exclude(pk=self.category.pk if self.category else None)
        if others.filter(number=number).exists():
            raise ValidationError(_("มีหมวดที่ %(number)s อยู่แล้วในด้านนี้"), params={"number": number})
        return number

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class IndicatorForm(forms.Form):
    """An indicator's own fields; its levels, criteria or bands are the OptionFormSet beside it.

    The department sees every category and may make an indicator provincial; a provincial
    office sees the categories open to provinces and only its own provinces. In an open
    round the department also gives a reason, which makes the change a recorded correction.
    """

    category = forms.ModelChoiceField(label=_("หมวด"), queryset=Category.objects.none(), empty_label=None)
    code = forms.CharField(label=_("รหัสตัวชี้วัด"), max_length=20, help_text=_("ไม่ซ้ำกันในรอบเดียวกัน เช่น 1.1.1"))
    position = forms.IntegerField(
        label=_("ลำดับในหมวด"), min_value=1, max_value=999, required=False, help_text=_("เว้นว่าง = ต่อท้ายหมวด")
    )
    title = forms.CharField(label=_("ชื่อตัวชี้วัด"), max_length=500)
    description = forms.CharField(label=_("คำอธิบาย"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_required = forms.CharField(
        label=_("เอกสารหลักฐาน"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("บรรทัดละหนึ่งรายการ"),
    )
    kind = forms.ChoiceField(label=_("วิธีให้คะแนน"), choices=Indicator.Kind.choices)
    unit = forms.CharField(
        label=_("หน่วย"), max_length=30, required=False, help_text=_("สำหรับค่าตัวเลข เช่น ร้อยละ ครั้ง ช่องทาง")
    )
    all_or_nothing_points = _decimal(
        _("คะแนนเมื่อผ่านครบทุกรายการ"),
        max_digits=7,
        required=False,
        help_text=_("เฉพาะวิธีให้คะแนนแบบผ่านครบทุกรายการ"),
    )
    applies_to = forms.MultipleChoiceField(
        label=_("ประเภท อปท. ที่ใช้"),
        choices=Organization.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("เลือกประเภท อปท. ที่ใช้ตัวชี้วัดนี้อย่างน้อย 1 ประเภท")},
    )
    is_pilot = forms.BooleanField(label=_("ตัวชี้วัดนำร่อง (ไม่นับคะแนน)"), required=False)
    allows_not_applicable = forms.BooleanField(
        label=_("แจ้งไม่มีภารกิจได้"),
        required=False,
        help_text=_("เมื่อผู้ตรวจประเมินยืนยัน ตัวชี้วัดนี้ไม่นับทั้งคะแนนที่ได้และคะแนนเต็ม"),
    )
    province = forms.ModelChoiceField(
        label=_("จังหวัด (ตัวชี้วัดของจังหวัด)"),
        queryset=Province.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("ไม่ใช่ – ตัวชี้วัดระดับประเทศ"),
    )
    reason = forms.CharField(
        label=_("เหตุผลของการแก้ไข"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "รอบนี้เปิดแล้ว: การแก้ไขที่กระทบคะแนนต้องระบุเหตุผล ระบบบันทึกในประวัติการแก้ไขและนับการประเมินที่ต้องคำนวณใหม่"
            " ถ้าแก้เฉพาะข้อความ เว้นว่างได้"
        ),
    )

    FIELDS = (
        "category", "code", "position", "title", "description", "evidence_required", "kind", "unit",
        "all_or_nothing_points", "applies_to", "is_pilot", "allows_not_applicable", "province",
    )  # fmt: skip

    def __init__(self, *args, assessment_round: Round, user: User, indicator: Indicator | None = None, **kwargs):
        if indicator is not None:
            defaults = {name: getattr(indicator, name) for name in self.FIELDS}
            defaults["province"] = indicator.province.code if indicator.province_id else None
        else:
            defaults = {"applies_to": list(Organization.Type.values), "kind": Indicator.Kind.LEVELS}
        kwargs["initial"] = {**defaults, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.round, self.user, self.indicator = assessment_round, user, indicator
        self.department = is_department(user)
        scope = scope_for(user)
        categories = Category.objects.filter(dimension__round=assessment_round).select_related("dimension")
        categories = categories.order_by("dimension__number", "number")
        if self.department:
            provinces = Province.objects.all()
        else:
            categories = categories.filter(open_to_provinces=True)
            provinces = Province.objects.filter(pk__in=scope.manages_province_ids)
            self.fields["province"].required = True
            self.fields["province"].empty_label = None
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: (
            _("ด้านที่ %(d)s หมวด %(d)s.%(c)s %(name)s")
            % {
                "d": c.dimension.number,
                "c": c.number,
                "name": c.name,
            }
        )
        self.fields["province"].queryset = provinces
        if not (self.department and not assessment_round.is_editable and not assessment_round.is_closed):
            del self.fields["reason"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if "/" in code:
            raise ValidationError(_("รหัสตัวชี้วัดใช้เครื่องหมาย / ไม่ได้ ใช้จุดแทน เช่น 1.1.1"))
        others = self.round.indicators.exclude(pk=self.indicator.pk if self.indicator else None)
        if others.filter(code=code).exists():
            raise ValidationError(_("รหัสตัวชี้วัด %(code)s มีอยู่แล้วในรอบนี้"), params={"code": code})
        return code

    @property
    def given_reason(self) -> str | None:
        return (self.cleaned_data.get("reason") or "").strip() or None

    def indicator_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.FIELDS}
        if fields["position"] is None:
            if self.indicator is not None and self.indicator.category_id == fields["category"].pk:
                fields["position"] = self.indicator.position
            else:
                last = fields["category"].indicators.aggregate(last=Max("position"))["last"]
                fields["position"] = (last or 0) + 1
        if fields["kind"] != Indicator.Kind.ALL_OR_NOTHING:
            fields["all_or_nothing_points"] = None
        return fields

    def save(self, options: "BaseOptionFormSet", *, by: User) -> Indicator:
        """Add or change the indicator as the round's phase allows (assessments.framework)."""
        fields = self.indicator_fields()
        try:
            if self.indicator is None:
                category = fields.pop("category")
                return add_indicator(
                    category=category, fields=fields, options=options.rows(), by=by, reason=self.given_reason
                )
            update_indicator(
                self.indicator, changes={**fields, "options": options.rows()}, by=by, reason=self.given_reason
            )
        except FrameworkLocked as error:
            if "reason" in self.fields and not self.given_reason:
                raise ValidationError({"reason": error.messages}) from None
            raise
        return self.indicator


class OptionForm(forms.Form):
    label = forms.CharField(label=_("ข้อความ"), max_length=500)
    description = forms.CharField(label=_("คำอธิบาย"), required=False, widget=forms.Textarea(attrs={"rows": 1}))
    points = _decimal(_("คะแนน"), max_digits=7, required=False)
    threshold = _decimal(_("เกณฑ์ขั้นต่ำ (ค่าตั้งแต่)"), max_digits=12, minimum=None, required=False)


class BaseOptionFormSet(RowsFormSet):
    """Levels, criteria or bands in order; checked against the indicator's scoring kind."""

    def __init__(self, *args, kind: str | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind if kind in Indicator.Kind.values else None

    def clean(self) -> None:
        if any(self.errors) or self.kind is None:
            return
        kept = self.kept()
        for form in kept:
            option = IndicatorOption(
                points=form.cleaned_data.get("points") or 0, threshold=form.cleaned_data.get("threshold")
            )
            for name, message in option.problems(self.kind).items():
                form.add_error(name, message)
        problem = Indicator.options_problem(self.kind, [form.cleaned_data.get("threshold") for form in kept])
        if problem:
            raise ValidationError(problem)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {name: form.cleaned_data.get(name) for name in ("label", "description", "points", "threshold")}
            for form in self.kept()
        ]


OptionFormSet = forms.formset_factory(OptionForm, formset=BaseOptionFormSet, extra=2, can_delete=True)


def option_formset(data, *, kind: str | None, indicator: Indicator | None = None) -> BaseOptionFormSet:
    initial = []
    if indicator is not None:
        initial = [
            {"label": o.label, "description": o.description, "points": o.points, "threshold": o.threshold}
            for o in indicator.options.all()
        ]
    return OptionFormSet(data, initial=initial, prefix="options", kind=kind)


class ReasonForm(forms.Form):
    """The department's reason for a change to an open round (removing an indicator).

    Not asked in set-up, nor of a provincial office, whose change the rules then refuse.
    """

    reason = forms.CharField(
        label=_("เหตุผลของการแก้ไข"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("ต้องระบุเหตุผลของการแก้ไขกรอบการประเมิน")},
    )

    def __init__(self, *args, assessment_round: Round, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if assessment_round.is_editable or assessment_round.is_closed or not is_department(user):
            del self.fields["reason"]

    @property
    def given_reason(self) -> str | None:
        return (self.cleaned_data.get("reason") or "").strip() or None
