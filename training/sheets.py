"""The trainers' sheets: a province's training accounts and one-time passwords, as XLSX."""

import datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheets import Column, Table, append_row, set_title
from core.templatetags.thai_dates import thai_date
from organizations.models import Province
from training.models import TrainingAccount


def build_accounts_workbook(province: Province, day: datetime.date, accounts: list) -> Workbook:
    """One row per account (training.instance.IssuedAccount) with its one-time password, and a
    notes sheet saying how to sign in. Names come from the registry: every cell is inert text."""
    workbook = Workbook(write_only=True)
    title = _("บัญชีฝึกอบรม จังหวัด%(province)s วันที่ %(day)s") % {
        "province": province.name_th,
        "day": thai_date(day, "long"),
    }
    set_title(workbook, title)
    table = Table(
        workbook.create_sheet(_("บัญชี")),
        [
            Column(_("ชื่อผู้ใช้"), 28),
            Column(_("รหัสผ่านครั้งแรก"), 18),
            Column(_("บทบาท"), 34),
            Column(_("ชื่อ"), 36),
            Column(_("รหัส อปท."), 11),
            Column(_("ประเภท อปท."), 22),
            Column(_("อปท."), 30),
        ],
        title=title,
        frozen_columns=1,
    )
    for account in accounts:
        organization = account.organization
        table.append(
            [
                account.username,
                account.password or _("(รหัสเดิม)"),
                account.role,
                account.name,
                organization.code if organization else "",
                organization.get_type_display() if organization else "",
                organization.name if organization else "",
            ]
        )
    notes = workbook.create_sheet(_("วิธีใช้"))
    for line in (
        _("แจกชื่อผู้ใช้และรหัสผ่านครั้งแรกให้ผู้เข้าอบรมคนละหนึ่งบัญชี"),
        _("เมื่อเข้าระบบครั้งแรก ระบบจะให้ตั้งรหัสผ่านใหม่ก่อนใช้งาน"),
        _("บัญชีมีไว้สำหรับฝึกอบรมเท่านั้น เมื่อคืนค่าชุดฝึกอบรม รหัสผ่านจะกลับเป็นรหัสครั้งแรกในแผ่นนี้"),
        _("จำนวนบัญชี: %(n)s") % {"n": TrainingAccount.objects.filter(province=province).count()},
    ):
        append_row(notes, [line])
    return workbook
