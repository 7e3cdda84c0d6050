"""The review analyses as workbooks: pure builders of what the pages show.

- build_calibration_workbook(Calibration): the teams and provinces with their gap, interval,
  shares and flag, and a sheet saying which assessments count and the outlier rule;
- build_weak_spots_workbook(WeakSpots): every indicator's shares, self-assessed and
  verified, in the page's order, with the filters.

Every cell goes through core.spreadsheets (Table, append_row): text that a spreadsheet would
run stays inert text. A few hundred rows at most: normal mode.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheets import Column, Table, append_row, set_title
from core.templatetags.thai_dates import thai_datetime
from organizations.models import Organization
from results.calibration import FLAG_SE, HARSH, MIN_DIFFERENCE, MIN_FLAG_N, SOFT, Z_95, Calibration, Group
from results.weakspots import WeakSpots

PERCENT_FORMAT = "0.00"
PLACES = Decimal("0.01")
TYPE_LABELS = dict(Organization.Type.choices)


def _number(value: float | Decimal | None) -> Decimal | None:
    """A figure to 2 places, rounded half up (floats from the statistics)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(PLACES, rounding=ROUND_HALF_UP)


def _sheet(workbook: Workbook, title: str, columns: list[Column], rows: Iterable[list[Any]]) -> None:
    table = Table(workbook.create_sheet(title), columns)
    for values in rows:
        table.append(values)
    table.add_filter()


def _percent(header: str) -> Column:
    return Column(header, 12, PERCENT_FORMAT)


def flag_label(flag: str | None) -> str:
    return {HARSH: _("เข้มกว่าค่าเฉลี่ยประเทศ"), SOFT: _("ผ่อนกว่าค่าเฉลี่ยประเทศ")}.get(flag, "")


def build_calibration_workbook(calibration: Calibration) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    set_title(workbook, _("ความสอดคล้องของการตรวจประเมิน ปี %(year)s") % {"year": calibration.round.year})
    dimensions = [
        _percent(_("ส่วนต่างเฉลี่ย ด้าน %(number)s") % {"number": number}) for number, _name in calibration.dimensions
    ]
    columns = [
        Column(_("คณะผู้ประเมิน"), 24),
        Column(_("จังหวัด"), 16),
        *_group_columns(dimensions),
    ]
    _sheet(
        workbook,
        _("คณะผู้ประเมิน"),
        columns,
        ([group.label, group.province.name_th, *_group_cells(group)] for group in calibration.teams),
    )
    _sheet(
        workbook,
        _("จังหวัด"),
        [Column(_("จังหวัด"), 16), *_group_columns(dimensions)],
        [
            *([group.label, *_group_cells(group)] for group in calibration.provinces),
            [_("ทั้งประเทศ"), *_group_cells(calibration.national)],
        ],
    )
    about = workbook.create_sheet(_("เกี่ยวกับรายงาน"))
    for line in _calibration_notes(calibration):
        append_row(about, [line])
    return workbook


def _group_columns(dimensions: list[Column]) -> list[Column]:
    return [
        Column(_("จำนวน อปท."), 10),
        _percent(_("ส่วนต่างเฉลี่ย (ผลการตรวจ − ประเมินตนเอง, จุดร้อยละ)")),
        _percent(_("ค่าคลาดเคลื่อนมาตรฐาน (SE)")),
        _percent(_("ช่วงเชื่อมั่น 95% ต่ำสุด")),
        _percent(_("ช่วงเชื่อมั่น 95% สูงสุด")),
        *dimensions,
        _percent(_("ร้อยละตัวชี้วัดที่ผลการตรวจต่างจากประเมินตนเอง")),
        _percent(_("ร้อยละของที่ต่าง ซึ่งปรับลด")),
        _percent(_("ร้อยละการแจ้งไม่มีภารกิจที่ยืนยัน")),
        _percent(_("ร้อยละเฉลี่ยผลการตรวจ")),
        _percent(_("ห่างจากค่าเฉลี่ยประเทศของประเภทเดียวกัน (จุดร้อยละ)")),
        _percent(_("ช่วงเชื่อมั่น 95% ต่ำสุด (เทียบประเภท)")),
        _percent(_("ช่วงเชื่อมั่น 95% สูงสุด (เทียบประเภท)")),
        Column(_("ผลการคัดกรอง"), 22),
    ]


def _group_cells(group: Group) -> list[Any]:
    gap, against = group.gap, group.against_type
    return [
        group.n,
        _number(gap.mean),
        _number(gap.se),
        _number(gap.low),
        _number(gap.high),
        *(_number(value) for value in group.dimension_gaps),
        _number(group.changed_share),
        _number(group.lowered_share),
        _number(group.confirmed_share),
        _number(group.mean_verified),
        _number(against.mean),
        _number(against.low),
        _number(against.high),
        flag_label(group.flag),
    ]


def _calibration_notes(calibration: Calibration) -> list[str]:
    national = calibration.national.gap
    return [
        _("ความสอดคล้องของการตรวจประเมินระหว่างคณะผู้ประเมิน ปี %(year)s") % {"year": calibration.round.year},
        _("ขอบเขต: %(scope)s") % {"scope": calibration.province.name_th if calibration.province else _("ทั้งประเทศ")},
        _("สร้างเมื่อ %(at)s") % {"at": thai_datetime(timezone.now())},
        _("นับเฉพาะ อปท. ที่ตรวจประเมินเสร็จแล้ว (ตรวจประเมินแล้ว รับรองผลแล้ว ประกาศผลแล้ว อุทธรณ์ผล) ไม่นับตัวชี้วัดนำร่อง"),
        _("ส่วนต่าง = ร้อยละผลการตรวจ − ร้อยละประเมินตนเอง (ภาพรวม) ของแต่ละ อปท. หน่วยเป็นจุดร้อยละ"),
        _("SE = SD ÷ √n โดย SD คำนวณด้วยตัวหาร n − 1; ช่วงเชื่อมั่น 95%% = ค่าเฉลี่ย ± %(z)s × SE") % {"z": Z_95},
        _(
            "เกณฑ์คัดกรอง: คณะหรือจังหวัดที่มี อปท. อย่างน้อย %(n)s แห่ง และค่าเฉลี่ยส่วนต่างห่างจากค่าเฉลี่ยทั้งประเทศ "
            "(%(mean)s จุดร้อยละ, n = %(count)s) เกิน %(se)s เท่าของ SE ของคณะหรือจังหวัดนั้น "
            "และอย่างน้อย %(difference)s จุดร้อยละ: "
            "ต่ำกว่า = เข้มกว่า สูงกว่า = ผ่อนกว่า"
        )
        % {
            "n": MIN_FLAG_N,
            "mean": _number(national.mean),
            "count": national.n,
            "se": FLAG_SE,
            "difference": f"{MIN_DIFFERENCE:g}",
        },
    ]


def build_weak_spots_workbook(weak_spots: WeakSpots) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    set_title(workbook, _("ตัวชี้วัดที่เป็นจุดอ่อน ปี %(year)s") % {"year": weak_spots.round.year})
    columns = [
        Column(_("รหัสตัวชี้วัด"), 12),
        Column(_("ตัวชี้วัด"), 48),
        Column(_("ด้าน"), 6),
        Column(_("อปท. ที่ใช้ตัวชี้วัด"), 10),
        _percent(_("ได้เต็ม (ผลการตรวจ) %")),
        _percent(_("ได้บางส่วน (ผลการตรวจ) %")),
        _percent(_("ได้ศูนย์ (ผลการตรวจ) %")),
        Column(_("ไม่มีภารกิจ (ผลการตรวจ)"), 10),
        _percent(_("ได้เต็ม (ประเมินตนเอง) %")),
        _percent(_("ได้บางส่วน (ประเมินตนเอง) %")),
        _percent(_("ได้ศูนย์ (ประเมินตนเอง) %")),
        Column(_("ไม่มีภารกิจ (ประเมินตนเอง)"), 10),
        _percent(_("คะแนนเฉลี่ย % (ประเมินตนเอง)")),
        _percent(_("คะแนนเฉลี่ย % (ผลการตรวจ)")),
        _percent(_("ส่วนต่าง (ประเมินตนเอง − ผลการตรวจ, จุดร้อยละ)")),
    ]
    _sheet(
        workbook,
        _("ตัวชี้วัด"),
        columns,
        (
            [
                row.indicator.code,
                row.indicator.title,
                row.indicator.category.dimension.number,
                row.organizations,
                row.checked.full_share,
                row.checked.partial_share,
                row.checked.zero_share,
                row.checked.not_applicable,
                row.own.full_share,
                row.own.partial_share,
                row.own.zero_share,
                row.own.not_applicable,
                row.own.score,
                row.checked.score,
                row.gap,
            ]
            for row in weak_spots.rows
        ),
    )
    about = workbook.create_sheet(_("เกี่ยวกับรายงาน"))
    scope = weak_spots.province.name_th if weak_spots.province else _("ทั้งประเทศ")
    for line in (
        _("ตัวชี้วัดที่เป็นจุดอ่อน ปี %(year)s") % {"year": weak_spots.round.year},
        _("ขอบเขต: %(scope)s") % {"scope": scope},
        _("ประเภท อปท.: %(type)s") % {"type": TYPE_LABELS.get(weak_spots.org_type, _("ทุกประเภท"))},
        _("สร้างเมื่อ %(at)s") % {"at": thai_datetime(timezone.now())},
        _("นับเฉพาะ อปท. ที่ตรวจประเมินเสร็จแล้ว และประเภทที่ตัวชี้วัดใช้ ไม่นับตัวชี้วัดนำร่อง"),
        _("สัดส่วนคิดจาก อปท. ที่ตัวชี้วัดนับคะแนน (ไม่รวมที่ไม่มีภารกิจ) ที่ยังไม่ตอบนับเป็นศูนย์"),
        _("คะแนนเฉลี่ย % = คะแนนรวม ÷ (จำนวน อปท. × คะแนนเต็มของตัวชี้วัด) × 100"),
    ):
        append_row(about, [line])
    return workbook
