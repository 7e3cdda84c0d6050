"""Uploading a framework workbook (.xlsx)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
