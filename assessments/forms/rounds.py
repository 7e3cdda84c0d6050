"""Forms for the round pages: creating a round, its settings and its result bands.

The rules on what may change when are assessments/framework.py's, so the forms only check
input and turn it into the `changes` those functions take.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assessments.forms.fields import BuddhistDateField, RowsFormSet, _decimal, _year_field
from assessments.forms.workbook import XLSX_ACCEPT, _checked_upload
from assessments.framework import FrameworkLocked, copy_round, create_round, update_round
from assessments.models import ROUND_WINDOWS, FrameworkCorrection, Round
from assessments.workbook import import_framework_workbook


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
                assessment_round = copy_round(data["source"], year=data["year"], by=by)
            elif data["start"] == self.WORKBOOK:
                assessment_round = import_framework_workbook(data["file"], by=by, year=data["year"])
            else:
                return create_round(year=data["year"], title=data["title"], by=by)
            if data["title"]:
                update_round(assessment_round, changes={"title": data["title"]}, by=by)
        return assessment_round


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

    def __init__(self, *args, assessment_round: Round, **kwargs):
        kwargs.setdefault("initial", {name: getattr(assessment_round, name) for name in self.SETTING_FIELDS})
        super().__init__(*args, **kwargs)
        self.round = assessment_round
        if assessment_round.is_editable or assessment_round.is_closed:
            del self.fields["reason"]  # a reason matters only between opening and closing
        if not assessment_round.is_editable:
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


def band_formset(data, *, assessment_round: Round) -> BaseBandFormSet:
    initial = [{"label": band.label, "min_percent": band.min_percent} for band in assessment_round.bands.all()]
    return BandFormSet(data, initial=initial, prefix="bands")
