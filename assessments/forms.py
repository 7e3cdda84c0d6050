"""Forms for the framework pages. Each takes what it needs explicitly (round, user, kind);
the rules on what may change when are assessments/framework.py's, so the forms only check
input and turn it into the `changes` those functions take.
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_for
from accounts.models import User
from assessments.framework import (
    FrameworkLocked,
    add_indicator,
    copy_round,
    create_round,
    is_department,
    update_indicator,
    update_round,
)
from assessments.models import (
    FIRST_BUDDHIST_YEAR,
    ROUND_WINDOWS,
    Category,
    Dimension,
    FrameworkCorrection,
    Indicator,
    IndicatorOption,
    Round,
)
from assessments.workbook import import_framework_workbook
from assessments.workbook.importer import LAST_YEAR
from organizations.models import Organization, Province

BUDDHIST_ERA_OFFSET = 543
DATE_HINT = _("วว/ดด/ปปปป (พ.ศ.) เช่น 01/02/2569")
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a ValidationError from a model or assessments.framework on the form: on the field
    it names when the form has that field, else at the top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for item in errors:
            form.add_error(target, item)


def _decimal(label, *, max_digits: int, minimum: Decimal | None = Decimal(0), maximum=None, **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=max_digits,
        decimal_places=2,
        min_value=minimum,
        max_value=maximum,
        error_messages={
            "invalid": _("ใส่ตัวเลข เช่น 5 หรือ 2.5"),
            "max_decimal_places": _("ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
            "max_digits": _("ตัวเลขยาวเกินไป"),
            "max_whole_digits": _("ตัวเลขยาวเกินไป"),
        },
        **kwargs,
    )


def _year_field(label, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=FIRST_BUDDHIST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": _("ใส่ปีพุทธศักราชเป็นตัวเลข เช่น 2570"),
            "min_value": _("ต้องเป็นปีพุทธศักราช เช่น 2570 (ไม่ใช่ปีคริสต์ศักราช)"),
            "max_value": _("ต้องเป็นปีพุทธศักราช เช่น 2570"),
        },
        **kwargs,
    )


class BuddhistDateField(forms.Field):
    """A date typed as วว/ดด/ปปปป in the Buddhist Era (01/02/2569 is 1 February 2026),
    the same way the framework workbook writes dates."""

    widget = forms.TextInput(attrs={"placeholder": "วว/ดด/ปปปป", "inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*", str(value))
        if not match:
            raise ValidationError(_("ใส่วันที่แบบ วว/ดด/ปปปป (พ.ศ.) เช่น 01/02/2569"), code="invalid")
        day, month, year = (int(part) for part in match.groups())
        if year < FIRST_BUDDHIST_YEAR:
            raise ValidationError(_("ใส่ปีเป็นพุทธศักราช เช่น 01/02/2569 (ไม่ใช่ปีคริสต์ศักราช)"), code="invalid")
        try:
            return datetime.date(year - BUDDHIST_ERA_OFFSET, month, day)
        except ValueError:
            raise ValidationError(_("ไม่มีวันที่นี้ในปฏิทิน กรุณาตรวจสอบวันและเดือน"), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return f"{value.day:02d}/{value.month:02d}/{value.year + BUDDHIST_ERA_OFFSET}"
        return value


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=_("ไฟล์กรอบการประเมิน (.xlsx)"),
        help_text=_("ไฟล์ตามรูปแบบที่ระบบส่งออก ระบบตรวจทั้งไฟล์ก่อน ถ้าพบปัญหาจะไม่นำเข้าอะไรเลย"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
        error_messages={
            "required": _("เลือกไฟล์กรอบการประเมิน (.xlsx) ที่จะนำเข้า"),
            "empty": _("ไฟล์ที่เลือกว่างเปล่า กรุณาเลือกไฟล์กรอบการประเมินอีกครั้ง"),
        },
    )

    def clean_file(self):
        return _checked_upload(self.cleaned_data["file"])


def _checked_upload(upload):
    limit = settings.LPA_IMPORT_MAX_BYTES
    if upload and upload.size > limit:
        raise ValidationError(
            _("ไฟล์มีขนาด %(size)s เกินกว่าที่รับได้ (%(limit)s)"),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    return upload


class RoundCreateForm(forms.Form):
    EMPTY, COPY, WORKBOOK = "empty", "copy", "workbook"

    year = _year_field(_("ปีการประเมิน (พ.ศ.)"), help_text=_("เช่น 2570 ปีงบประมาณที่ประเมินคือปีก่อนหน้า"))
    title = forms.CharField(
        label=_("ชื่อรอบการประเมิน"),
        max_length=200,
        required=False,
        help_text=_("เว้นว่างได้ ระบบจะใช้ชื่อมาตรฐานพร้อมปี"),
    )
    start = forms.ChoiceField(
        label=_("เริ่มจาก"),
        choices=[
            (COPY, _("คัดลอกกรอบการประเมินของรอบที่มีอยู่")),
            (WORKBOOK, _("นำเข้าจากไฟล์กรอบการประเมิน (.xlsx)")),
            (EMPTY, _("กรอบการประเมินว่าง")),
        ],
        widget=forms.RadioSelect,
    )
    source = forms.ModelChoiceField(
        label=_("คัดลอกจากรอบ"),
        queryset=Round.objects.none(),
        required=False,
        to_field_name="year",
        empty_label=_("เลือกรอบ"),
        help_text=_("กรอบการประเมินของรอบเดิมไม่เปลี่ยนแปลง"),
    )
    file = forms.FileField(
        label=_("ไฟล์กรอบการประเมิน (.xlsx)"),
        required=False,
        help_text=_("ระบบตรวจทั้งไฟล์ก่อน ถ้าพบปัญหาจะไม่สร้างรอบและไม่นำเข้าอะไรเลย วันของแต่ละช่วงในไฟล์ของปีอื่นจะถูกเว้นว่างไว้"),
        widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT}),
        error_messages={"empty": _("ไฟล์ที่เลือกว่างเปล่า กรุณาเลือกไฟล์กรอบการประเมินอีกครั้ง")},
    )

    def __init__(self, *args, rounds: QuerySet[Round], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = rounds
        self.fields["source"].label_from_instance = lambda r: f"{r.year} – {r}"
        latest = rounds.order_by("-year").first()
        self.initial.setdefault("start", self.COPY if latest else self.EMPTY)
        if latest:
            self.initial.setdefault("year", latest.year + 1)
            self.initial.setdefault("source", latest.year)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if Round.objects.filter(year=year).exists():
            raise ValidationError(_("มีรอบการประเมินปี %(year)s อยู่แล้ว"), params={"year": year})
        return year

    def clean_file(self):
        return _checked_upload(self.cleaned_data.get("file"))

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") == self.COPY and not data.get("source"):
            self.add_error("source", _("เลือกรอบที่จะคัดลอกกรอบการประเมิน"))
        if data.get("start") == self.WORKBOOK and not data.get("file"):
            self.add_error("file", _("เลือกไฟล์กรอบการประเมิน (.xlsx) ที่จะนำเข้า"))
        return data

    def create(self, *, by: User) -> Round:
        """The new round in set-up. Raises WorkbookErrors (nothing created) for a bad file."""
        data = self.cleaned_data
        with transaction.atomic():
            if data["start"] == self.COPY:
                round = copy_round(data["source"], year=data["year"], by=by)
            elif data["start"] == self.WORKBOOK:
                round = import_framework_workbook(data["file"], by=by, year=data["year"])
            else:
                return create_round(year=data["year"], title=data["title"], by=by)
            if data["title"]:
                update_round(round, changes={"title": data["title"]}, by=by)
        return round


class RoundSettingsForm(forms.Form):
    """A round's settings. The year only in set-up; pass mark (and bands) once open only with
    a reason, as a recorded correction (update_round decides)."""

    year = _year_field(_("ปีการประเมิน (พ.ศ.)"))
    fiscal_year = _year_field(_("ปีงบประมาณที่ประเมิน (พ.ศ.)"), required=False, help_text=_("เว้นว่าง = ปีก่อนปีการประเมิน"))
    title = forms.CharField(label=_("ชื่อรอบการประเมิน"), max_length=200, required=False)
    self_assessment_opens = BuddhistDateField(label=_("วันเปิดการประเมินตนเอง"))
    self_assessment_closes = BuddhistDateField(label=_("วันปิดการประเมินตนเอง"))
    review_opens = BuddhistDateField(label=_("วันเริ่มการตรวจประเมิน"))
    review_closes = BuddhistDateField(label=_("วันสิ้นสุดการตรวจประเมิน"))
    appeal_opens = BuddhistDateField(label=_("วันเปิดรับอุทธรณ์"))
    appeal_closes = BuddhistDateField(label=_("วันปิดรับอุทธรณ์"))
    pass_mark = _decimal(_("เกณฑ์ผ่าน (ร้อยละ)"), max_digits=5, maximum=Decimal(100))
    reason = forms.CharField(
        label=_("เหตุผลของการแก้ไข"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("รอบนี้เปิดแล้ว: การเปลี่ยนเกณฑ์ผ่านหรือระดับผลการประเมินต้องระบุเหตุผล และจะบันทึกในประวัติการแก้ไข"),
    )

    SETTING_FIELDS = (
        "year", "fiscal_year", "title",
        *(name for opens, closes, _message in ROUND_WINDOWS for name in (opens, closes)),
        "pass_mark",
    )  # fmt: skip

    def __init__(self, *args, round: Round, **kwargs):
        kwargs.setdefault("initial", {name: getattr(round, name) for name in self.SETTING_FIELDS})
        super().__init__(*args, **kwargs)
        self.round = round
        if round.is_editable or round.is_closed:
            del self.fields["reason"]  # a reason matters only between opening and closing
        if not round.is_editable:
            for name in ("year", "fiscal_year"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("เปลี่ยนได้เฉพาะระยะจัดเตรียมกรอบการประเมิน")

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year != self.round.year and Round.objects.filter(year=year).exists():
            raise ValidationError(_("มีรอบการประเมินปี %(year)s อยู่แล้ว"), params={"year": year})
        return year

    def changes(self) -> dict[str, Any]:
        changes = {name: self.cleaned_data[name] for name in self.changed_data if name in self.SETTING_FIELDS}
        if "fiscal_year" in changes and changes["fiscal_year"] is None:
            changes["fiscal_year"] = self.cleaned_data["year"] - 1
        return changes

    def save(self, bands: "BaseBandFormSet", *, by: User) -> FrameworkCorrection | None:
        reason = (self.cleaned_data.get("reason") or "").strip() or None
        try:
            return update_round(
                self.round,
                changes=self.changes(),
                by=by,
                reason=reason,
                bands=bands.bands() if bands.has_changed() else None,
            )
        except FrameworkLocked as error:
            if "reason" in self.fields and not reason:
                raise ValidationError({"reason": error.messages}) from None
            raise


class BandForm(forms.Form):
    label = forms.CharField(label=_("ระดับผลการประเมิน"), max_length=50)
    min_percent = _decimal(_("ร้อยละขั้นต่ำ"), max_digits=5, maximum=Decimal(100))


class RowsFormSet(forms.BaseFormSet):
    """Rows in order (bands, options): a ticked "delete" or a row emptied of everything leaves
    the list; blank new rows are ignored."""

    def _should_delete_form(self, form: forms.Form) -> bool:
        blank = not any((form.data.get(form.add_prefix(name)) or "").strip() for name in form.base_fields)
        return super()._should_delete_form(form) or (form.is_bound and blank)

    def kept(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.has_changed() or form in self.initial_forms)
        ]


class BaseBandFormSet(RowsFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        labels, minimums = set(), set()
        for form in self.kept():
            label, minimum = form.cleaned_data.get("label"), form.cleaned_data.get("min_percent")
            if label in labels or minimum in minimums:
                raise ValidationError(_("ชื่อและร้อยละขั้นต่ำของระดับผลการประเมินต้องไม่ซ้ำกัน"))
            labels.add(label)
            minimums.add(minimum)

    def bands(self) -> list[tuple[str, Decimal]]:
        return [(f.cleaned_data["label"], f.cleaned_data["min_percent"]) for f in self.kept()]


BandFormSet = forms.formset_factory(BandForm, formset=BaseBandFormSet, extra=1, can_delete=True)


def band_formset(data, *, round: Round) -> BaseBandFormSet:
    initial = [{"label": band.label, "min_percent": band.min_percent} for band in round.bands.all()]
    return BandFormSet(data, initial=initial, prefix="bands")


class DimensionForm(forms.Form):
    number = forms.IntegerField(label=_("ด้านที่"), min_value=1, max_value=5)
    name = forms.CharField(label=_("ชื่อด้าน"), max_length=200)

    def __init__(self, *args, round: Round, dimension: Dimension | None = None, **kwargs):
        if dimension is not None:
            kwargs.setdefault("initial", {"number": dimension.number, "name": dimension.name})
        super().__init__(*args, **kwargs)
        self.round, self.dimension = round, dimension

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

    def __init__(self, *args, round: Round, user: User, indicator: Indicator | None = None, **kwargs):
        if indicator is not None:
            defaults = {name: getattr(indicator, name) for name in self.FIELDS}
            defaults["province"] = indicator.province.code if indicator.province_id else None
        else:
            defaults = {"applies_to": list(Organization.Type.values), "kind": Indicator.Kind.LEVELS}
        kwargs["initial"] = {**defaults, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.round, self.user, self.indicator = round, user, indicator
        self.department = is_department(user)
        scope = scope_for(user)
        categories = Category.objects.filter(dimension__round=round).select_related("dimension")
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
            _("ด้านที่ %(d)s หมวด %(c)s %(name)s")
            % {
                "d": c.dimension.number,
                "c": c.number,
                "name": c.name,
            }
        )
        self.fields["province"].queryset = provinces
        if not (self.department and not round.is_editable and not round.is_closed):
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

    def __init__(self, *args, round: Round, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if round.is_editable or round.is_closed or not is_department(user):
            del self.fields["reason"]

    @property
    def given_reason(self) -> str | None:
        return (self.cleaned_data.get("reason") or "").strip() or None
