from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import MAX_ANSWER, MAX_PAGE, MAX_TEXT, Feedback
from feedback.workflow import check_screenshot, local_page


class FeedbackForm(forms.Form):
    page = forms.CharField(
        label=_("หน้าที่พบ"),
        max_length=MAX_PAGE,
        required=False,
        help_text=_("ที่อยู่ของหน้าในระบบนี้ เช่น /assessments/ (กรอกให้แล้วจากหน้าที่ท่านมา)"),
    )
    text = forms.CharField(
        label=_("สิ่งที่เกิดขึ้น หรือข้อเสนอแนะ"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    screenshot = forms.FileField(
        label=_("ภาพหน้าจอ (ถ้ามี)"),
        required=False,
        help_text=_("ไฟล์ PNG หรือ JPEG"),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def __init__(self, *args, host: str = "", **kwargs):
        self.host = host
        super().__init__(*args, **kwargs)

    def clean_page(self) -> str:
        value = self.cleaned_data["page"].strip()
        if not value:
            return ""
        page = local_page(value, host=self.host)
        if not page:
            raise forms.ValidationError(_("ระบุหน้าเป็นที่อยู่ในระบบนี้ที่ขึ้นต้นด้วย / เช่น /assessments/"))
        return page

    def clean_screenshot(self):
        upload = self.cleaned_data.get("screenshot")
        if upload:
            check_screenshot(upload)
        return upload or None


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("คำตอบถึงผู้ส่ง"), max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 5}))


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("สถานะ"), choices=[("", _("ทุกสถานะ")), *Feedback.Status.choices], required=False
    )
