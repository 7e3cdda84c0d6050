"""The department's list of comments as an XLSX workbook."""

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment

from core.spreadsheets import Column, Table, set_title
from core.templatetags.thai_dates import thai_datetime
from feedback.models import Feedback

if TYPE_CHECKING:
    from collections.abc import Iterable

    from openpyxl import Workbook


def build_feedback_workbook(feedback: "Iterable[Feedback]") -> "Workbook":
    """One row a comment: when, who, page, text, status, answer. Every cell is inert text
    (core.spreadsheets.cell): a comment starting with "=" stays a comment."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    set_title(workbook, _("ความคิดเห็นต่อระบบ"))
    sheet = workbook.create_sheet(_("ความคิดเห็น"))
    wrapped = Alignment(wrap_text=True, vertical="top")
    table = Table(
        sheet,
        [
            Column(_("เลขที่"), 8),
            Column(_("ส่งเมื่อ"), 22),
            Column(_("ผู้ส่ง"), 24),
            Column(_("ชื่อผู้ใช้"), 16),
            Column(_("อีเมล"), 26),
            Column(_("หน้าที่พบ"), 30),
            Column(_("สิ่งที่เกิดขึ้น"), 60, alignment=wrapped),
            Column(_("มีภาพหน้าจอ"), 10),
            Column(_("สถานะ"), 12),
            Column(_("คำตอบ"), 60, alignment=wrapped),
            Column(_("ผู้ตอบ"), 24),
            Column(_("ตอบเมื่อ"), 22),
        ],
        title=_("ความคิดเห็นต่อระบบ ณ %(when)s") % {"when": thai_datetime(timezone.now())},
    )
    for item in feedback:
        table.append(
            [
                item.pk,
                thai_datetime(item.created_at),
                str(item.author),
                item.author.username,
                item.author.email,
                item.page,
                item.text,
                _("มี") if item.screenshot else "",
                item.get_status_display(),
                item.answer,
                str(item.answered_by) if item.answered_by else "",
                thai_datetime(item.answered_at) if item.answered_at else "",
            ]
        )
    table.add_filter()
    return workbook
