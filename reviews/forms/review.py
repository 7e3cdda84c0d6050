"""Forms of the review pages: an indicator's verified result, a comment, a return for
revision, a reopening.

As in assessments/answer_forms.py, each form gets its context explicitly and leaves the
rules to reviews.workflow and reviews.comments; their Thai messages come back as errors on
the field they name. Per-indicator forms are prefixed with the indicator ("v12-level" for
the verified result, "c12-body" for a comment), so many blocks on a page keep unique ids.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assessments.forms import BuddhistDateField, add_errors
from assessments.models import Answer, Assessment, Indicator
from assessments.selfassessment import AnswerInvalid
from reviews import workflow
from reviews.comments import CommentRefused, post_comment
from reviews.models import Comment, VerifiedAnswer

TEXTAREA = {"rows": 2, "class": "form-control"}
CONFIRM, REJECT = "confirm", "reject"


def value_field(indicator: Indicator, *, level: str, figure: str, ticked: str) -> tuple[str, forms.Field]:
    """The input a verified result of the indicator's scoring kind takes, and its name
    ("level", "figure" or "ticked"), labelled as the page words it (the review page, an
    appeal's answer). The figure is text: people type "1,250.5" and Thai digits."""
    options = list(indicator.options.all())
    if indicator.kind == Indicator.Kind.LEVELS:
        return "level", forms.ChoiceField(
            label=level,
            required=False,
            widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            choices=[
                (
                    o.pk,
                    _("ระดับ %(n)s: %(label)s (%(points)s คะแนน)")
                    % {"n": o.position, "label": o.label, "points": f"{o.points.normalize():f}"},
                )
                for o in options
            ],
        )
    if indicator.kind == Indicator.Kind.FIGURE:
        return "figure", forms.CharField(
            label=f"{figure} ({indicator.unit})" if indicator.unit else figure,
            required=False,
            max_length=40,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control", "autocomplete": "off"}),
        )
    return "ticked", forms.MultipleChoiceField(
        label=ticked,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=[(o.pk, o.label) for o in options],
    )


class VerifiedAnswerForm(forms.Form):
    """The team's result for one indicator: the input its scoring kind needs, a reason, and,
    when the organization claimed "not applicable", whether the team confirms it.

    Drawn with the saved verified result, or, before the first save and when the
    organization has revised the indicator since (`recheck`), with the organization's own
    answer, so agreeing is one click and only a difference needs typing.
    `version` is the verified answer's version when the form was drawn; save() hands it to
    save_verified_answer, which refuses (StaleVerifiedAnswer) if another assessor saved since.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label=gettext_lazy("เหตุผลของผลการตรวจ"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=gettext_lazy("ต้องระบุเมื่อคะแนนที่ตรวจได้ต่างจากคะแนนประเมินตนเองของ อปท. หรือเมื่อไม่ยืนยันว่าไม่มีภารกิจ"),
    )

    def __init__(
        self,
        data=None,
        *,
        verified: VerifiedAnswer,
        own: Answer | None = None,
        recheck: bool = False,
        claimed_na: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """`claimed_na` instead of `own` when only the post is checked (the save reads the
        organization's answer itself, under the assessment's lock)."""
        self.verified = verified
        self.own = own
        self.recheck = recheck
        self.indicator = indicator = verified.indicator
        self.claimed_na = bool(own and own.not_applicable) if claimed_na is None else claimed_na
        kwargs.setdefault("prefix", f"v{indicator.pk}")
        if "initial" not in kwargs:
            # A posted form shows what was posted: its initial values would cost queries for nothing.
            kwargs["initial"] = self._initial() if data is None else {}
        super().__init__(data, **kwargs)
        if self.claimed_na:
            self.fields["na_confirmed"] = forms.ChoiceField(
                label=_("อปท. แจ้งว่าไม่มีภารกิจ: ผลการตรวจ"),
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                choices=[
                    (CONFIRM, _("ยืนยันว่าไม่มีภารกิจ (ไม่นับตัวชี้วัดนี้ทั้งคะแนนที่ได้และคะแนนเต็ม)")),
                    (REJECT, _("ไม่ยืนยัน: ให้ผลการตรวจตามหลักฐานด้านล่าง")),
                ],
            )
        name, field = value_field(
            indicator, level=_("ระดับที่ตรวจได้"), figure=_("ค่าที่ตรวจได้"), ticked=_("รายการที่ผ่านเกณฑ์ตามหลักฐาน")
        )
        self.fields[name] = field
        self.order_fields(["na_confirmed", "level", "ticked", "figure", "reason"])
        # The rule on reasons is read out with the field (mark_invalid adds the errors).
        self.fields["reason"].widget.attrs["aria-describedby"] = f"{self['reason'].auto_id}_help"

    def _initial(self) -> dict[str, Any]:
        verified, own = self.verified, self.own
        initial: dict[str, Any] = {"version": verified.version}
        # After a revision the earlier result and its reason were about the earlier answer.
        source = verified if verified.pk and not self.recheck else own
        if source is verified and verified.pk:
            initial["reason"] = verified.reason
            if verified.na_confirmed is not None:
                initial["na_confirmed"] = CONFIRM if verified.na_confirmed else REJECT
        if source is not None and source.pk and not (source is own and own.not_applicable):
            initial["level"] = source.level_id
            initial["ticked"] = [option.pk for option in source.ticked.all()]
            initial["figure"] = "" if source.figure is None else f"{source.figure.normalize():f}"
        return initial

    def verified_data(self) -> dict[str, Any]:
        """What save_verified_answer reads: only the fields of this indicator's kind."""
        data: dict[str, Any] = {"reason": self.cleaned_data["reason"]}
        for name in ("level", "figure"):
            if name in self.fields:
                data[name] = self.cleaned_data[name] or None
        if "ticked" in self.fields:
            # Saving answers the checklist, even with nothing ticked ("none of these met").
            data["ticked"] = self.cleaned_data.get("ticked") or []
        if "na_confirmed" in self.fields:
            data["na_confirmed"] = {CONFIRM: True, REJECT: False}.get(self.cleaned_data["na_confirmed"])
        return data

    def save(self, *, assessment: Assessment, by: User) -> VerifiedAnswer | None:
        """Save through save_verified_answer; None with errors on the form when refused.

        StaleVerifiedAnswer and PermissionDenied are left to the view.
        """
        try:
            self.verified = workflow.save_verified_answer(
                assessment=assessment,
                indicator=self.indicator,
                data=self.verified_data(),
                expected_version=self.cleaned_data["version"],
                by=by,
            )
        except (AnswerInvalid, workflow.TransitionRefused) as error:
            add_errors(self, error)
            return None
        return self.verified


class CommentForm(forms.Form):
    """A comment on one indicator; reviewers may mark it as an internal note."""

    body = forms.CharField(
        label=gettext_lazy("ความเห็น"),
        widget=forms.Textarea(attrs=TEXTAREA),
        error_messages={"required": gettext_lazy("พิมพ์ข้อความก่อนส่งความเห็น")},
    )

    def __init__(self, data=None, *, indicator: Indicator, internal_allowed: bool = False, **kwargs: Any) -> None:
        self.indicator = indicator
        kwargs.setdefault("prefix", f"c{indicator.pk}")
        super().__init__(data, **kwargs)
        if internal_allowed:
            self.fields["internal"] = forms.BooleanField(
                label=_("บันทึกภายในคณะผู้ประเมิน (อปท. ไม่เห็น)"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )

    def save(self, *, assessment: Assessment, by: User) -> Comment | None:
        try:
            return post_comment(
                assessment=assessment,
                indicator=self.indicator,
                by=by,
                body=self.cleaned_data["body"],
                internal=bool(self.cleaned_data.get("internal")),
            )
        except CommentRefused as error:
            add_errors(self, error)
            return None


class ReturnForm(forms.Form):
    """Send the assessment back: a tick and a reason per indicator, and a due date.

    A ticked indicator needs its reason, a reason needs its tick (so nothing typed is
    silently dropped), and at least one indicator is ticked.
    """

    due = BuddhistDateField(label=gettext_lazy("กำหนดส่งผลที่แก้ไข"), required=False)

    def __init__(self, data=None, *, indicators: list[Indicator], today: datetime.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"due": today + datetime.timedelta(days=workflow.DEFAULT_REVISION_DAYS)})
        super().__init__(data, **kwargs)
        self.indicators = indicators
        self.flags: dict[Indicator, str] = {}
        for indicator in indicators:
            self.fields[f"flag_{indicator.pk}"] = forms.BooleanField(
                label=f"{indicator.code} {indicator.title}",
                required=False,
                # The page's script shows the reason box (reason-box-<pk>) only when ticked.
                widget=forms.CheckboxInput(
                    attrs={"class": "form-check-input", "data-return-flag": "", "aria-controls": f"reason-box-{indicator.pk}"}
                ),
            )
            self.fields[f"reason_{indicator.pk}"] = forms.CharField(
                label=_("เหตุผลที่ส่งตัวชี้วัด %(code)s กลับ") % {"code": indicator.code},
                required=False,
                widget=forms.Textarea(attrs=TEXTAREA),
            )

    def rows(self) -> list[tuple[Indicator, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"flag_{i.pk}"], self[f"reason_{i.pk}"]) for i in self.indicators]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        flags = {}
        for indicator in self.indicators:
            ticked = cleaned.get(f"flag_{indicator.pk}")
            reason = (cleaned.get(f"reason_{indicator.pk}") or "").strip()
            if ticked and not reason:
                self.add_error(
                    f"reason_{indicator.pk}",
                    _("ระบุเหตุผลที่ส่งตัวชี้วัด %(code)s กลับให้แก้ไข") % {"code": indicator.code},
                )
            elif reason and not ticked:
                self.add_error(
                    f"flag_{indicator.pk}",
                    _("มีเหตุผลแต่ยังไม่ได้เลือกตัวชี้วัด %(code)s: เลือก หรือลบเหตุผลออก") % {"code": indicator.code},
                )
            elif ticked:
                flags[indicator] = reason
        if not flags and not self.errors:
            raise ValidationError(_("เลือกตัวชี้วัดที่ต้องการให้แก้ไขอย่างน้อย 1 ตัวชี้วัด พร้อมเหตุผล"))
        self.flags = flags
        return cleaned

    def save(self, *, assessment: Assessment, by: User) -> bool:
        try:
            workflow.return_for_revision(assessment=assessment, flags=self.flags, due=self.cleaned_data["due"], by=by)
        except workflow.TransitionRefused as error:
            add_errors(self, error)
            return False
        return True


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("เหตุผลที่เปิดการตรวจประเมินอีกครั้ง"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": gettext_lazy("ระบุเหตุผลที่เปิดการตรวจประเมินอีกครั้ง")},
    )

    def save(self, *, assessment: Assessment, by: User) -> bool:
        try:
            workflow.reopen(assessment=assessment, by=by, reason=self.cleaned_data["reason"])
        except workflow.TransitionRefused as error:
            add_errors(self, error)
            return False
        return True
