"""A dashboard's tables as a workbook (every view exports to Excel).

build_dashboard_workbook is a pure builder: it writes what
results/dashboard.py's Dashboard already holds (and, for a province, the page's list of
organizations), one sheet per table of the page, in the page's order, so the file and the
page always agree:

- ความคืบหน้า: assessments by status, per province on the national page;
- ผลรายจังหวัด (national page): mean verified % and pass rate of each province with results;
- รายด้าน: overall and per dimension: mean verified and self-assessed %, their gap, pass rate;
- การกระจายคะแนน: how many organizations' verified % fall in each bin, per dimension;
- ตามประเภท, ระดับผลการประเมิน: by organization type; by band;
- ส่วนต่าง: dimensions and provinces by how far self-assessment was above verification;
- เทียบปีก่อน รายด้าน / รายจังหวัด: this year beside last year, with the change (when the
  dashboard has a previous year);
- อปท. (a province's): each organization's self-assessed and verified overall %, band,
  last year's % and the change;
- เกี่ยวกับรายงาน: year, scope, filters, when it was made, how to read it.

Numbers are numbers (percentages as reported: 2 places, rounded once); a blank cell is "no result".
The tables are a few hundred rows at most (a province's organizations), so the workbook is
built in normal mode, where header styles, frozen panes and filters are simple to set.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from assessments import scoring
from assessments.models import Assessment
from core.spreadsheets import Column, Table, append_row
from core.templatetags.thai_dates import thai_datetime
from organizations.models import Organization
from results.dashboard import Change, Dashboard, Summary, distribution_labels

PERCENT_FORMAT = "0.00"
PLACES = Decimal("0.01")
ABOUT_SHEET = "เกี่ยวกับรายงาน"
STATUS_LABELS = dict(Assessment.Status.choices)
TYPE_LABELS = dict(Organization.Type.choices)


def _text(header: str, width: float = 14) -> Column:
    return Column(header, width)


def _count(header: str) -> Column:
    return Column(header, 11)


def _percent(header: str) -> Column:
    return Column(header, 12, PERCENT_FORMAT)


def build_dashboard_workbook(board: Dashboard, *, organizations: Sequence[Assessment] | None = None) -> Workbook:
    """The tables of `board` (and `organizations`, a province's page's list) as a workbook."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _progress(workbook, board)
    if board.provinces:
        _sheet(
            workbook,
            "ผลรายจังหวัด",
            [_text("รหัสจังหวัด", 11), _text("จังหวัด", 18), *_summary_columns()],
            (
                [row.province.code, row.province.name_th, *_summary_cells(row.results)]
                for row in board.provinces_with_results
            ),
        )
    overall = [0, "ภาพรวม", *_summary_cells(board.overall)]
    _sheet(
        workbook,
        "รายด้าน",
        [_count("ด้าน (0 = ภาพรวม)"), _text("ชื่อด้าน", 40), *_summary_columns()],
        [overall, *([row.number, row.name, *_summary_cells(row.results)] for row in board.dimensions)],
    )
    if board.distribution:
        _sheet(
            workbook,
            "การกระจายคะแนน",
            [
                _count("ด้าน (0 = ภาพรวม)"),
                _text("ชื่อด้าน", 40),
                *(_count(f"ร้อยละ {label}") for label in distribution_labels()),
                _count("รวม"),
            ],
            ([row.number, row.name, *row.counts, row.total] for row in board.distribution),
        )
    _sheet(
        workbook,
        "ตามประเภท",
        [_text("ประเภท อปท.", 26), *_summary_columns()],
        ([row.label, *_summary_cells(row.results)] for row in board.types),
    )
    total = sum(row.count for row in board.bands)
    _sheet(
        workbook,
        "ระดับผลการประเมิน",
        [_text("ระดับ", 18), _count("จำนวน อปท."), _percent("ร้อยละของ อปท. ที่มีผล")],
        ([row.label, row.count, scoring.share_percent(row.count, total)] for row in board.bands),
    )
    _gaps(workbook, board)
    if board.year_over_year is not None:
        _year_over_year(workbook, board)
    if organizations is not None:
        _organizations(workbook, board, organizations)
    _about(workbook, board, organizations)
    return workbook


def _sheet(workbook: Workbook, title: str, columns: list[Column], rows: Iterable[list[Any]]) -> Worksheet:
    """A sheet with a bold header row kept in view, widths, percentages shown to 2 places and
    a filter over the table."""
    sheet = workbook.create_sheet(title)
    table = Table(sheet, columns)
    for values in rows:
        table.append([_value(value) for value in values])
    table.add_filter()
    return sheet


def _value(value: Any) -> Any:
    # Percentages, means and their changes arrive reported (2 places, rounded once): unchanged.
    if isinstance(value, Decimal):
        return value.quantize(PLACES)
    return value


def _exact(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PLACES)


def _summary_columns() -> list[Column]:
    return [
        _count("จำนวน อปท. ที่มีผล"),
        _percent("ร้อยละเฉลี่ย (ผลการตรวจ)"),
        _percent("ร้อยละเฉลี่ย (ประเมินตนเอง)"),
        _percent("ส่วนต่าง (ประเมินตนเอง − ผลการตรวจ)"),
        _count("ผ่านเกณฑ์"),
        _percent("อัตราการผ่าน (%)"),
    ]


def _summary_cells(summary: Summary) -> list[Any]:
    return [summary.count, summary.mean_verified, summary.mean_self, summary.gap, summary.passed, summary.pass_rate]


def _progress(workbook: Workbook, board: Dashboard) -> None:
    labels = [label for _value, label in board.statuses]
    columns = [
        _text("รหัสจังหวัด", 11),
        _text("จังหวัด", 18),
        _count("อปท. ทั้งหมด"),
        *(_count(label) for label in labels),
        _count("ส่งผลประเมินตนเองแล้ว (รวม)"),
        _count("อยู่ระหว่างตรวจ"),
        _count("รับรองแล้ว"),
        _count("ประกาศผลแล้ว"),
    ]

    def cells(progress) -> list[Any]:
        stages = [progress.submitted, progress.in_review, progress.approved, progress.published]
        return [progress.total, *progress.cells, *stages]

    province = board.filters.province
    rows = [[row.province.code, row.province.name_th, *cells(row.progress)] for row in board.provinces]
    if board.provinces or province is None:
        rows.append(["", "รวม", *cells(board.progress)])
    else:
        rows.append([province.code, province.name_th, *cells(board.progress)])
    _sheet(workbook, "ความคืบหน้า", columns, rows)


def _gaps(workbook: Workbook, board: Dashboard) -> None:
    """Every dimension and province with a gap, largest first (the page names the top few)."""
    def cells(results: Summary) -> list[Any]:
        return [results.mean_self, results.mean_verified, results.gap]

    rows = [["ด้าน", f"{row.number}. {row.name}", *cells(row.results)] for row in board.dimension_gaps]
    provinces = sorted(
        (row for row in board.provinces if row.results.gap is not None), key=lambda row: row.results.gap, reverse=True
    )
    rows += [["จังหวัด", row.province.name_th, *cells(row.results)] for row in provinces]
    _sheet(
        workbook,
        "ส่วนต่าง",
        [
            _text("กลุ่ม", 10),
            _text("ชื่อ", 40),
            _percent("ร้อยละเฉลี่ย (ประเมินตนเอง)"),
            _percent("ร้อยละเฉลี่ย (ผลการตรวจ)"),
            _percent("ส่วนต่าง (ประเมินตนเอง − ผลการตรวจ)"),
        ],
        rows,
    )


def _change_columns(this: int, last: int) -> list[Column]:
    return [
        _count(f"จำนวน อปท. ที่มีผล ปี {this}"),
        _percent(f"ร้อยละเฉลี่ย ปี {this}"),
        _count(f"จำนวน อปท. ที่มีผล ปี {last}"),
        _percent(f"ร้อยละเฉลี่ย ปี {last}"),
        _percent("เปลี่ยนแปลง (จุดร้อยละ)"),
        _percent(f"อัตราการผ่าน ปี {this} (%)"),
        _percent(f"อัตราการผ่าน ปี {last} (%)"),
        _percent("อัตราการผ่าน เปลี่ยนแปลง (จุดร้อยละ)"),
    ]


def _change_cells(change: Change) -> list[Any]:
    return [
        change.current.count,
        change.current.mean_verified,
        change.previous.count,
        change.previous.mean_verified,
        change.mean_change,
        change.current.pass_rate,
        change.previous.pass_rate,
        change.pass_rate_change,
    ]


def _year_over_year(workbook: Workbook, board: Dashboard) -> None:
    compared = board.year_over_year
    this, last = board.round.year, compared.round.year
    _sheet(
        workbook,
        "เทียบปีก่อน รายด้าน",
        [_count("ด้าน (0 = ภาพรวม)"), _text("ชื่อด้าน", 40), *_change_columns(this, last)],
        [
            [0, "ภาพรวม", *_change_cells(compared.overall)],
            *([row.number, row.name, *_change_cells(row.change)] for row in compared.dimensions),
        ],
    )
    if board.provinces:
        _sheet(
            workbook,
            "เทียบปีก่อน รายจังหวัด",
            [_text("รหัสจังหวัด", 11), _text("จังหวัด", 18), *_change_columns(this, last)],
            ([row.province.code, row.province.name_th, *_change_cells(row.change)] for row in compared.provinces),
        )


def _organizations(workbook: Workbook, board: Dashboard, organizations: Sequence[Assessment]) -> None:
    columns = [
        _text("รหัส อปท.", 10),
        _text("ชื่อ อปท.", 34),
        _text("ประเภท", 20),
        _text("อำเภอ", 16),
        _text("สถานะการประเมิน", 22),
        _percent("ร้อยละ (ประเมินตนเอง)"),
        _percent("ร้อยละ (ผลการตรวจ)"),
        _text("ระดับ (ผลการตรวจ)", 14),
    ]
    compared = board.year_over_year
    if compared is not None:
        columns += [_percent(f"ร้อยละ (ผลการตรวจ) ปี {compared.round.year}"), _percent("เปลี่ยนแปลง (จุดร้อยละ)")]
    rows = []
    for assessment in organizations:
        organization = assessment.organization
        row = [
            organization.code,
            organization.name,
            TYPE_LABELS.get(assessment.org_type, assessment.org_type),
            organization.district.name_th,
            STATUS_LABELS.get(assessment.status, assessment.status),
            assessment.self_percent,
            assessment.verified_percent,
            assessment.verified_band or None,
        ]
        if compared is not None:
            row += [assessment.previous_percent, assessment.percent_change]
        rows.append(row)
    _sheet(workbook, "อปท.", columns, rows)


def _about(workbook: Workbook, board: Dashboard, organizations: Sequence[Assessment] | None) -> None:
    sheet = workbook.create_sheet(ABOUT_SHEET)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90
    assessment_round, filters = board.round, board.filters
    scope = f"จังหวัด{filters.province.name_th}" if filters.province else "ทั้งประเทศ"
    append_row(sheet, [f"ผลการประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น ประจำปี {assessment_round.year}: {scope}"])
    sheet["A1"].font = Font(bold=True)
    compared = board.year_over_year
    rows = [
        ("ปีการประเมิน (พ.ศ.)", assessment_round.year),
        ("ขอบเขต", scope),
        ("ประเภท อปท.", TYPE_LABELS.get(filters.org_type, "ทุกประเภท") if filters.org_type else "ทุกประเภท"),
        ("สถานะ", STATUS_LABELS.get(filters.status, "") if filters.status else "ทุกสถานะ"),
        ("เกณฑ์ผ่าน", f"ร้อยละ {assessment_round.pass_mark.normalize():f} ขึ้นไป"),
        ("เทียบกับปี", compared.round.year if compared else f"ไม่มีรอบการประเมินปี {assessment_round.year - 1} ให้เทียบ"),
        ("ส่งออกเมื่อ", thai_datetime(timezone.now())),
    ]
    for label, value in rows:
        append_row(sheet, [label, _value(value)])
    sheet.append([])
    append_row(sheet, ["วิธีอ่าน"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    notes = [
        (
            "ผลการประเมินนับเฉพาะ อปท. ที่ตรวจประเมินเสร็จแล้ว (ตรวจประเมินแล้ว รับรองแล้ว ประกาศผลแล้ว หรืออุทธรณ์) "
            "ตามผลการตรวจประเมินของคณะผู้ประเมิน; ความคืบหน้านับทุก อปท."
        ),
        "ร้อยละเป็นตัวเลข เก็บทศนิยม 4 ตำแหน่ง แสดง 2 ตำแหน่ง; ช่องว่างคือยังไม่มีผล",
        "ส่วนต่าง = ร้อยละเฉลี่ยของผลประเมินตนเอง − ร้อยละเฉลี่ยของผลการตรวจ; ค่าบวกคือประเมินตนเองสูงกว่าที่ตรวจพบ",
        "ผ่านเกณฑ์และอัตราการผ่านตัดสินจากคะแนนรวม (ภาพรวม) เท่านั้น",
    ]
    if compared is not None:
        notes.append(
            f"ปี {compared.round.year} นับ อปท. ที่ตรวจประเมินเสร็จแล้วของจังหวัดและประเภทเดียวกัน "
            "(ไม่กรองตามสถานะ); เปลี่ยนแปลง = ปีนี้ − ปีก่อน เป็นจุดร้อยละ"
        )
    if organizations is not None and compared is not None:
        notes.append("ในแผ่นงาน อปท. การเปลี่ยนแปลงแสดงเฉพาะ อปท. ที่ตรวจประเมินเสร็จแล้วทั้งสองปี")
    for note in notes:
        append_row(sheet, ["", note])
        sheet.cell(row=sheet.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
