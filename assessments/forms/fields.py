"""Form pieces the framework screens share: Buddhist-Era years and dates, decimals, rows
of a formset, and putting a model's ValidationError on a form."""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from assessments.models import FIRST_BUDDHIST_YEAR
from assessments.workbook.importer import LAST_YEAR

BUDDHIST_ERA_OFFSET = 543
DATE_HINT = _("วว/ดด/ปปปป (พ.ศ.) เช่น 01/02/2569")


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
