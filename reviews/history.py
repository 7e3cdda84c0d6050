"""The audit trail of one assessment as people read it: its history page and its XLSX.

Who sees what: those who take part in the review (the department, the provincial office
of the organization's province, the assigned team) read the whole trail. Everyone else who
may see the assessment (its organization, other provincial readers) reads what the
organization may: no score changes, and no verified score, before publication
(AssessmentEvent.objects.visible_to_organization).

build_history_workbook is a pure builder: the view only wraps it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from accounts.models import User
from assessments.models import Assessment, AssessmentEvent
from assessments.printing import event_facts
from core.spreadsheets import Column, Table, append_row, set_title

BANGKOK = ZoneInfo(settings.TIME_ZONE)
# Excel shows the date in the Buddhist Era (calendar 07) with the value a real datetime.
DATETIME_FORMAT = "[$-1070000]d/mm/yyyy hh:mm"
SHEET = "ประวัติการประเมิน"
ABOUT_SHEET = "ข้อมูลการประเมิน"


@dataclass(frozen=True)
class Trail:
    """The events a reader may see, and whether the verified score shows in them."""

    events: QuerySet[AssessmentEvent]
    full: bool  # the reader takes part in the review: every event
    scores: bool


@dataclass
class HistoryRow:
    event: AssessmentEvent
    indicator: str
    facts: list[str] = field(default_factory=list)


def trail_for(user: User, assessment: Assessment) -> Trail:
    """What of the assessment's trail `user` (who may see the assessment) may read."""
    full = Assessment.objects.reviewable_by(user).filter(pk=assessment.pk).exists()
    events = AssessmentEvent.objects.filter(assessment=assessment)
    if not full:
        events = events.visible_to_organization(assessment)
    return Trail(
        events=events.select_related("by", "indicator").order_by("at", "pk"),
        full=full,
        scores=full or assessment.status in Assessment.RESULT_STATUSES,
    )


def history_rows(events: Iterable[AssessmentEvent], *, scores: bool) -> list[HistoryRow]:
    return [HistoryRow(event, indicator_label(event), event_facts(event, scores=scores)) for event in events]


def indicator_label(event: AssessmentEvent) -> str:
    """The indicator's code and title; only its code (kept in the data) once a correction removed it."""
    if event.indicator is not None:
        return f"{event.indicator.code} {event.indicator.title}"
    return str((event.data or {}).get("indicator") or "")


TOP, WRAPPED = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
COLUMNS = (
    Column(gettext_lazy("วันที่และเวลา"), 18, DATETIME_FORMAT, TOP),
    Column(gettext_lazy("ผู้ดำเนินการ"), 24, alignment=TOP),
    Column(gettext_lazy("เหตุการณ์"), 24, alignment=TOP),
    Column(gettext_lazy("จากสถานะ"), 22, alignment=TOP),
    Column(gettext_lazy("เป็นสถานะ"), 22, alignment=TOP),
    Column(gettext_lazy("ครั้งที่ส่งกลับแก้ไข"), 10, alignment=TOP),
    Column(gettext_lazy("ตัวชี้วัด"), 36, alignment=WRAPPED),
    Column(gettext_lazy("เหตุผล/หมายเหตุ"), 50, alignment=WRAPPED),
    Column(gettext_lazy("รายละเอียด"), 60, alignment=WRAPPED),
)


def build_history_workbook(
    assessment: Assessment, events: Iterable[AssessmentEvent], *, scores: bool = True
) -> Workbook:
    """The trail as a workbook: one row per event, oldest first, Thai headers.

    Times are Excel datetimes in Bangkok time shown in the Buddhist Era; the header row is
    frozen and filtered. `scores`: as event_facts (False for the organization before
    publication; `events` must already be what the reader may see, see trail_for).
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    table = Table(sheet, COLUMNS)
    for row in history_rows(events, scores=scores):
        event = row.event
        table.append(
            [
                _excel_time(event.at),
                str(event.by),
                event.get_kind_display(),
                event.get_from_status_display(),
                event.get_to_status_display(),
                event.revision,
                row.indicator,
                event.note,
                "\n".join(line for line in row.facts if line),
            ]
        )
    table.add_filter()
    _about(workbook, assessment)
    organization = assessment.organization
    set_title(
        workbook,
        _("ประวัติการประเมินปี %(year)s %(organization)s (%(code)s)")
        % {"year": assessment.round.year, "organization": organization.full_name, "code": organization.code},
    )
    return workbook


def _about(workbook: Workbook, assessment: Assessment) -> None:
    """A second sheet naming the assessment and when the file was made."""
    organization = assessment.organization
    sheet = workbook.create_sheet(ABOUT_SHEET)
    rows = [
        (_("อปท."), organization.full_name),
        (_("รหัส อปท."), organization.code),
        (_("ประเภทในรอบนี้"), assessment.get_org_type_display()),
        (_("ปีการประเมิน (พ.ศ.)"), assessment.round.year),
        (_("สถานะ"), assessment.get_status_display()),
        (_("ส่งออกเมื่อ"), _excel_time(timezone.now())),
    ]
    for label, value in rows:
        append_row(sheet, [label, value])
    sheet.cell(row=len(rows), column=2).number_format = DATETIME_FORMAT
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 50
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        cell.font = Font(bold=True)


def _excel_time(moment: datetime.datetime) -> datetime.datetime:
    """Bangkok wall time without a zone: Excel has no time zones."""
    return timezone.localtime(moment, BANGKOK).replace(tzinfo=None)
