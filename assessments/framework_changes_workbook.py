"""The framework comparison as a workbook: the indicators that changed, and full marks per type.

A pure builder (assessments.framework_changes.compare's result in, an openpyxl Workbook out);
every cell goes through core.spreadsheets, so titles typed like formulas stay text.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from assessments.framework_changes import ADDED, REMOVED, FrameworkChanges, IndicatorChange
from core.spreadsheets import Column, Table, set_title

if TYPE_CHECKING:
    from openpyxl import Workbook

POINTS = "0.00"


def status_label(change: IndicatorChange) -> str:
    if change.status == ADDED:
        return _("เพิ่มใหม่")
    if change.status == REMOVED:
        return _("ยกเลิก")
    marks = []
    if change.recoded:
        marks.append(_("เปลี่ยนรหัส"))
    if change.moved:
        marks.append(_("ย้ายหมวด"))
    if change.renamed:
        marks.append(_("เปลี่ยนชื่อ"))
    if change.rules_changed:
        marks.append(_("เกณฑ์คะแนนเปลี่ยน"))
    return ", ".join(marks) or _("แก้ไขถ้อยคำ")


def build_changes_workbook(changes: FrameworkChanges) -> "Workbook":
    from openpyxl import Workbook

    before, after = changes.before_year, changes.after_year
    workbook = Workbook(write_only=True)
    set_title(workbook, _("กรอบการประเมินปี %(after)s เทียบกับปี %(before)s") % {"after": after, "before": before})

    table = Table(
        workbook.create_sheet(_("ตัวชี้วัดที่เปลี่ยน")),
        [
            Column(_("รหัส ปี %(year)s") % {"year": before}, 12),
            Column(_("รหัส ปี %(year)s") % {"year": after}, 12),
            Column(_("ชื่อตัวชี้วัด"), 50),
            Column(_("การเปลี่ยนแปลง"), 28),
            Column(_("เรื่อง"), 24),
            Column(_("ปี %(year)s") % {"year": before}, 50),
            Column(_("ปี %(year)s") % {"year": after}, 50),
        ],
        title=_("กรอบการประเมินปี %(after)s เทียบกับปี %(before)s") % {"after": after, "before": before},
        frozen_columns=3,
    )
    for change in changes.changes:
        codes = [change.before.code if change.before else None, change.after.code if change.after else None]
        if change.fields:
            for field in change.fields:
                table.append([*codes, change.title, status_label(change), field.label, field.before, field.after])
        else:
            state = change.after or change.before
            text = _("หมวด %(place)s คะแนนเต็ม %(full)s ใช้กับ %(types)s") % {
                "place": state.place,
                "full": state.full_points,
                "types": state.types_display,
            }
            table.append(
                [
                    *codes,
                    change.title,
                    status_label(change),
                    _("ตัวชี้วัด"),
                    *((None, text) if change.after else (text, None)),
                ]
            )
    table.add_filter()

    types = changes.type_labels
    totals = Table(
        workbook.create_sheet(_("คะแนนเต็ม")),
        [
            Column(_("ด้าน"), 40),
            *(
                Column(label % {"type": name, "year": year}, 12, POINTS)
                for name in types
                for label, year in (
                    (_("%(type)s ปี %(year)s"), before),
                    (_("%(type)s ปี %(year)s"), after),
                    (_("%(type)s ต่าง"), 0),
                )
            ),
        ],
        title=_("คะแนนเต็มตามประเภท อปท. (ตัวชี้วัดระดับประเทศที่นับคะแนน)"),
        frozen_columns=1,
    )
    for row in changes.totals:
        name = f"{row.number}. {row.name}" if row.number else row.name
        totals.append([name, *(value for cell in row.cells for value in cell)])
    return workbook
