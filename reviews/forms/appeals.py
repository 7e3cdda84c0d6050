"""Forms of the appeal pages: the head's appeal (indicators, arguments, new evidence) and the
answer of the team lead or the provincial office.

The rules are reviews.workflow's (open_appeal, answer_appeal) and, for the files,
assessments.evidence's (add_appeal_evidence_file); their Thai messages come back as errors
on the field they name, and nothing typed is lost.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assessments.answer_forms import MultipleFileField, block_prefix
from assessments.evidence import EvidenceRejected, delete_stored_file, evidence_max_items
from assessments.forms import add_errors
from assessments.models import Assessment, Evidence, Indicator
from assessments.selfassessment import AnswerInvalid, AssessmentLocked
from reviews.forms.review import value_field
from reviews.models import Appeal, VerifiedAnswer
from reviews.workflow import TransitionRefused, add_appeal_evidence_file, answer_appeal, open_appeal

TEXTAREA = {"rows": 2, "class": "form-control"}
NA_CHOICES = [
    ("", gettext_lazy("ยังไม่ได้เลือก")),
    ("yes", gettext_lazy("ยืนยันว่าไม่มีภารกิจ")),
    ("no", gettext_lazy("ไม่ยืนยัน (ให้คะแนนตามผลที่ตรวจได้)")),
]


class _Refused(Exception):
    """Leaves the appeal's transaction when a file was refused: nothing of it is kept."""


@dataclass
class AppealRow:
    """One indicator on the appeal page: its verified result and its three fields."""

    indicator: Indicator
    chosen: forms.BoundField
    argument: forms.BoundField
    files: forms.BoundField
    result: Any = None  # what the view shows beside it (reviews.views.appeals.ResultRow)


class AppealForm(forms.Form):
    """The head's appeal: tick the indicators disputed, an argument for each, new files if any.

    Fields per indicator, prefixed as on the self-assessment pages ("i12-argument"), so the
    ids stay unique. save() stores the files and opens the appeal in one transaction:
    refused, nothing is kept (the files stored on the way are deleted again).
    """

    def __init__(self, data=None, files=None, *, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(data, files, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            prefix, code = block_prefix(indicator), indicator.code
            self.fields[f"{prefix}-chosen"] = forms.BooleanField(
                label=_("อุทธรณ์ตัวชี้วัด %(code)s") % {"code": code},
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"{prefix}-argument"] = forms.CharField(
                label=_("เหตุผลการอุทธรณ์ %(code)s") % {"code": code},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs=TEXTAREA),
            )
            self.fields[f"{prefix}-files"] = MultipleFileField(
                label=_("หลักฐานเพิ่มเติม %(code)s") % {"code": code},
                required=False,
                help_text=_("ถ้ามี: PDF, JPEG, PNG, Word, Excel หรือ OpenDocument เลือกได้หลายไฟล์"),
            )

    def rows(self) -> Iterator[AppealRow]:
        for indicator in self.indicators:
            prefix = block_prefix(indicator)
            yield AppealRow(indicator, self[f"{prefix}-chosen"], self[f"{prefix}-argument"], self[f"{prefix}-files"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = 0
        for indicator in self.indicators:
            prefix = block_prefix(indicator)
            ticked = cleaned.get(f"{prefix}-chosen")
            argument = (cleaned.get(f"{prefix}-argument") or "").strip()
            files = cleaned.get(f"{prefix}-files") or []
            if ticked:
                chosen += 1
                if not argument:
                    self.add_error(f"{prefix}-argument", _("ระบุเหตุผลการอุทธรณ์ตัวชี้วัด %(code)s") % {"code": indicator.code})
            elif argument or files:
                self.add_error(
                    f"{prefix}-chosen",
                    _("มีเหตุผลหรือไฟล์ของตัวชี้วัด %(code)s แต่ไม่ได้เลือกอุทธรณ์: เลือก หรือลบข้อความออก") % {"code": indicator.code},
                )
            if len(files) > evidence_max_items():
                self.add_error(
                    f"{prefix}-files",
                    _("แนบหลักฐานเพิ่มเติมได้ไม่เกิน %(max)s ไฟล์ต่อตัวชี้วัด") % {"max": evidence_max_items()},
                )
        if not chosen and not self.errors:
            raise ValidationError(_("เลือกตัวชี้วัดที่ต้องการอุทธรณ์อย่างน้อย 1 ตัวชี้วัด"))
        return cleaned

    def arguments(self) -> dict[Indicator, str]:
        return {
            indicator: self.cleaned_data[f"{block_prefix(indicator)}-argument"].strip()
            for indicator in self.indicators
            if self.cleaned_data.get(f"{block_prefix(indicator)}-chosen")
        }

    def save(self, *, assessment: Assessment, by: User) -> list[Appeal] | None:
        """Store the new files and open the appeal; None with errors on the form when refused.

        One transaction: a refused file or a refused appeal (window, once only, status)
        keeps nothing, and the files already stored are deleted. PermissionDenied is left
        to the view.
        """
        arguments = self.arguments()
        stored: list[Evidence] = []
        try:
            with transaction.atomic():
                evidence: dict[Indicator, list[Evidence]] = {}
                for indicator in arguments:
                    field = f"{block_prefix(indicator)}-files"
                    for upload in self.cleaned_data.get(field) or []:
                        try:
                            item = add_appeal_evidence_file(
                                assessment=assessment, indicator=indicator, upload=upload, by=by
                            )
                        except EvidenceRejected as error:
                            self.add_error(field, error.messages[0])
                            continue
                        stored.append(item)
                        evidence.setdefault(indicator, []).append(item)
                if self.errors:
                    raise _Refused
                return open_appeal(assessment=assessment, arguments=arguments, evidence=evidence, by=by)
        except _Refused:
            self._refused(stored)
            return None
        except (TransitionRefused, AssessmentLocked) as error:
            self._refused(stored)
            add_errors(self, error)
            return None
        except BaseException:
            for item in stored:
                delete_stored_file(item)
            raise

    def _refused(self, stored: list[Evidence]) -> None:
        """Delete what was stored on the way; the files chosen must be chosen again."""
        for item in stored:
            delete_stored_file(item)
        # From the request: a field with an error has left cleaned_data.
        names = [self.add_prefix(f"{block_prefix(indicator)}-files") for indicator in self.indicators]
        if any(self.files.getlist(name) for name in names):
            # Browsers do not keep chosen files across a page load: say so beside the text kept.
            self.add_error(None, _("ไฟล์ที่เลือกไว้ยังไม่ได้แนบ โปรดเลือกไฟล์อีกครั้งก่อนส่งคำอุทธรณ์"))


class AppealAnswerForm(forms.Form):
    """The answer to one appeal: accepted with the new verified result, or rejected; a response.

    The verified result takes the input of the indicator's scoring kind, as the review page
    does, starting from the current one; it is used only when the appeal is accepted.
    Required fields are answer_appeal's to check, so there is one message for each.
    """

    decision = forms.ChoiceField(
        label=gettext_lazy("ผลการพิจารณา"),
        required=False,
        choices=Appeal.Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    response = forms.CharField(
        label=gettext_lazy("คำชี้แจงผลการพิจารณา"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=gettext_lazy("อปท. จะเห็นคำชี้แจงนี้ เมื่อรับอุทธรณ์ คำชี้แจงนี้เป็นเหตุผลของผลการตรวจใหม่ด้วย"),
    )

    def __init__(
        self, data=None, *, appeal: Appeal, verified: VerifiedAnswer | None, claimed_na: bool, **kwargs: Any
    ) -> None:
        self.appeal = appeal
        self.indicator = indicator = appeal.indicator
        self.claimed_na = claimed_na
        kwargs.setdefault("initial", self._initial(verified))
        super().__init__(data, **kwargs)
        if claimed_na:
            self.fields["na_confirmed"] = forms.ChoiceField(
                label=_("อปท. แจ้งว่าไม่มีภารกิจ"),
                required=False,
                choices=NA_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        name, field = value_field(
            indicator,
            level=_("ระดับที่ตรวจได้ใหม่"),
            figure=_("ค่าที่ตรวจได้ใหม่"),
            ticked=_("รายการที่ผ่านเกณฑ์ (ผลการตรวจใหม่)"),
        )
        self.fields[name] = field

    @staticmethod
    def _initial(verified: VerifiedAnswer | None) -> dict[str, Any]:
        if verified is None or verified.pk is None:
            return {}
        return {
            "level": verified.level_id,
            "ticked": [option.pk for option in verified.ticked.all()],
            "figure": "" if verified.figure is None else f"{verified.figure.normalize():f}",
            "na_confirmed": {True: "yes", False: "no"}.get(verified.na_confirmed, ""),
        }

    @property
    def value_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("na_confirmed", "level", "ticked", "figure") if name in self.fields]

    def verified_data(self) -> dict[str, Any]:
        """What answer_appeal (clean_verified) reads: only the fields of the indicator's kind."""
        data: dict[str, Any] = {}
        if "level" in self.fields:
            data["level"] = self.cleaned_data["level"] or None
        if "figure" in self.fields:
            data["figure"] = self.cleaned_data["figure"] or None
        if "ticked" in self.fields:
            # Sent, even empty: "none of the criteria met" is a result.
            data["ticked"] = self.cleaned_data.get("ticked") or []
        if self.claimed_na:
            data["na_confirmed"] = {"yes": True, "no": False}.get(self.cleaned_data.get("na_confirmed") or "")
        return data

    def save(self, *, by: User) -> Appeal | None:
        """Answer through answer_appeal; None with errors on the form when it refuses."""
        try:
            return answer_appeal(
                appeal=self.appeal,
                decision=self.cleaned_data["decision"],
                response=self.cleaned_data["response"],
                data=self.verified_data(),
                by=by,
            )
        except AnswerInvalid as error:
            # The response is the new result's reason.
            add_errors(
                self, ValidationError({("response" if k == "reason" else k): v for k, v in error.message_dict.items()})
            )
        except TransitionRefused as error:
            add_errors(self, error)
        return None
