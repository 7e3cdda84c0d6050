"""Forms of the self-assessment pages: an indicator's answer, its evidence, an extension.

Each form gets its context explicitly (the answer, the indicator) and leaves every rule to
assessments.selfassessment and assessments.evidence; their Thai messages come back as
errors on the field they name. Every form of an indicator block is prefixed with the
indicator ("i12-level"), so the ids on a page with many blocks stay unique.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assessments.evidence import EvidenceRejected, add_evidence_file, add_evidence_link
from assessments.forms import BuddhistDateField, add_errors
from assessments.models import Answer, Evidence, Indicator
from assessments.selfassessment import AnswerInvalid, AssessmentLocked, save_answer

TEXTAREA = {"rows": 2, "class": "form-control"}


def block_prefix(indicator: Indicator) -> str:
    return f"i{indicator.pk}"


def _points(points) -> str:
    return f"{points:g}" if points == points.to_integral() else f"{points.normalize():f}"


class IndicatorAnswerForm(forms.Form):
    """The organization's answer to one indicator: the input its scoring kind needs.

    `version` is the answer's version when the form was drawn; save() hands it to
    save_answer, which refuses (StaleAnswer) if someone saved in between.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    note = forms.CharField(label=gettext_lazy("หมายเหตุ"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, data=None, files=None, *, answer: Answer, **kwargs: Any) -> None:
        self.answer = answer
        self.indicator = indicator = answer.indicator
        kwargs.setdefault("prefix", block_prefix(indicator))
        kwargs.setdefault("initial", self._initial(answer))
        super().__init__(data, files, **kwargs)
        options = list(indicator.options.all())
        if indicator.kind == Indicator.Kind.LEVELS:
            self.fields["level"] = forms.ChoiceField(
                label=_("ระดับที่ได้"),
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                choices=[
                    (o.pk, _("ระดับ %(n)s: %(label)s (%(points)s คะแนน)") % {"n": o.position, "label": o.label, "points": _points(o.points)})
                    for o in options
                ],
            )
        elif indicator.kind == Indicator.Kind.FIGURE:
            # Text, not a number input: people type "1,250.5" and Thai digits; save_answer reads them.
            label = _("ค่าที่ได้")
            if indicator.unit:
                label = f"{label} ({indicator.unit})"
            self.fields["figure"] = forms.CharField(
                label=label,
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control", "autocomplete": "off"}),
            )
        else:
            self.fields["ticked"] = forms.MultipleChoiceField(
                label=_("รายการที่ผ่านเกณฑ์"),
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                choices=[(o.pk, o.label) for o in options],
            )
        if indicator.allows_not_applicable:
            self.fields["not_applicable"] = forms.BooleanField(
                label=_("ไม่มีภารกิจนี้"),
                required=False,
                # self_assessment.js disables the answer's fields while it is ticked.
                widget=forms.CheckboxInput(attrs={"class": "form-check-input", "data-not-applicable": ""}),
            )
            self.fields["na_reason"] = forms.CharField(
                label=_("เหตุผลที่ไม่มีภารกิจ"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
            )
        self.order_fields(["level", "ticked", "figure", "not_applicable", "na_reason", "note"])

    @staticmethod
    def _initial(answer: Answer) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "version": answer.version,
            "note": answer.note,
            "not_applicable": answer.not_applicable,
            "na_reason": answer.na_reason,
        }
        if answer.pk:
            initial["level"] = answer.level_id
            initial["ticked"] = [option.pk for option in answer.ticked.all()]
            initial["figure"] = "" if answer.figure is None else f"{answer.figure.normalize():f}"
        return initial

    def answer_data(self) -> dict[str, Any]:
        """What save_answer reads: only the fields of this indicator's kind."""
        data = {name: self.cleaned_data[name] for name in ("level", "ticked", "figure", "note") if name in self.fields}
        if self.indicator.kind in (Indicator.Kind.CHECKLIST, Indicator.Kind.ALL_OR_NOTHING):
            # Saving the block answers the checklist, even with nothing ticked ("none met").
            data["ticked"] = self.cleaned_data.get("ticked") or []
        if "not_applicable" in self.fields:
            data["not_applicable"] = self.cleaned_data["not_applicable"]
            data["na_reason"] = self.cleaned_data["na_reason"]
        if data.get("level") == "":
            data["level"] = None
        if data.get("figure") == "":
            data["figure"] = None
        return data

    def save(self, *, by: User) -> Answer | None:
        """Save through save_answer; None with errors on the form when it refuses the input.

        StaleAnswer is left to the view: it shows the current answer instead of this one.
        """
        try:
            self.answer = save_answer(
                assessment=self.answer.assessment,
                indicator=self.indicator,
                data=self.answer_data(),
                expected_version=self.cleaned_data["version"],
                by=by,
            )
        except (AnswerInvalid, AssessmentLocked) as error:
            add_errors(self, error)
            return None
        return self.answer


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; empty files pass here so that add_evidence_file names them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class EvidenceUploadForm(forms.Form):
    """One or more files for one indicator; each file is accepted or refused on its own."""

    files = MultipleFileField(
        label=gettext_lazy("ไฟล์หลักฐาน"),
        required=True,
        error_messages={"required": gettext_lazy("เลือกไฟล์อย่างน้อย 1 ไฟล์")},
        help_text=gettext_lazy("PDF, JPEG, PNG, Word, Excel หรือ OpenDocument เลือกได้หลายไฟล์"),
    )

    def __init__(self, data=None, files=None, *, answer: Answer, **kwargs: Any) -> None:
        self.answer = answer
        kwargs.setdefault("prefix", block_prefix(answer.indicator))
        super().__init__(data, files, **kwargs)
        self.accepted: list[Evidence] = []

    def save(self, *, by: User) -> list[Evidence]:
        """Attach every file that passes; a message on the field for each one refused."""
        for upload in self.cleaned_data["files"]:
            try:
                evidence = add_evidence_file(answer=self.answer, upload=upload, by=by)
            except EvidenceRejected as error:
                self.add_error("files", error.messages[0])
            except AssessmentLocked as error:
                self.add_error("files", error.messages[0])
                break
            else:
                self.answer = evidence.answer  # saved now, if it was new
                self.accepted.append(evidence)
        return self.accepted


class EvidenceLinkForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("ลิงก์ (URL)"),
        max_length=2000,
        widget=forms.URLInput(attrs={"class": "form-control", "placeholder": "https://", "inputmode": "url"}),
        error_messages={"required": gettext_lazy("ใส่ลิงก์ที่ขึ้นต้นด้วย http:// หรือ https://")},
    )
    title = forms.CharField(
        label=gettext_lazy("ชื่อหลักฐาน"), max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, data=None, files=None, *, answer: Answer, **kwargs: Any) -> None:
        self.answer = answer
        kwargs.setdefault("prefix", f"{block_prefix(answer.indicator)}-link")
        super().__init__(data, files, **kwargs)

    def save(self, *, by: User) -> Evidence | None:
        try:
            return add_evidence_link(
                answer=self.answer, url=self.cleaned_data["url"], title=self.cleaned_data["title"], by=by
            )
        except (EvidenceRejected, AssessmentLocked) as error:
            self.add_error("url", error.messages[0])
            return None


class ExtensionForm(forms.Form):
    until = BuddhistDateField(label=gettext_lazy("ขยายถึงวันที่"), required=True)
    reason = forms.CharField(label=gettext_lazy("เหตุผล"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
