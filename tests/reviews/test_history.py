"""The audit trail: the history page, its XLSX, the read-only admin, and the database's refusal.

Who reads what: the department, the provincial office and the assigned team read every
event; the organization (and other provincial readers) read no score change and no verified
score before publication.
"""

import datetime
import hashlib
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.evidence import add_evidence_file
from assessments.models import AssessmentEvent, Indicator
from assessments.selfassessment import answer_for, grant_extension, submit
from core.templatetags.thai_dates import thai_date, thai_datetime
from reviews import workflow
from reviews.history import DATETIME_FORMAT, build_history_workbook, trail_for
from tests.assessments.factories import pdf_bytes, self_assessment, upload
from tests.factories import province, user_with_role
from tests.formulas import FORMULAS, assert_inert
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.LPA_EVIDENCE_ROOT


@pytest.fixture
def case():
    """Submitted, assigned, returned once (due date), resubmitted, then scored 1.1 lower with a reason."""
    case = submitted_for_review()
    workflow.return_for_revision(
        assessment=case.assessment,
        flags={case.indicator("1.1"): "ไม่พบคำสั่งแต่งตั้ง"},
        by=case.team.lead,
        due=datetime.date.today() + datetime.timedelta(days=9),
    )
    case.answer("1.1", {"level": case.option("1.1", 5).pk})
    submit(case.assessment, by=case.sa.head)
    case.score("1.1", {"level": case.option("1.1", 3).pk, "reason": "คำสั่งลงนามหลังกำหนด"})
    return case


def history_url(case) -> str:
    return reverse("reviews:history", args=[case.assessment.pk])


def export_url(case) -> str:
    return reverse("reviews:history_export", args=[case.assessment.pk])


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def publish(case) -> None:
    case.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    workflow.verify(assessment=case.assessment, by=case.team.lead)
    workflow.approve(assessment=case.assessment, by=case.office)
    workflow.publish_round(assessment_round=case.round, by=case.department)


# The page.


def test_reviewers_read_every_step_with_who_when_from_to_and_reasons(client, case):
    html = page(client, case.department, history_url(case))

    returned = case.assessment.events.get(kind="returned")
    assert thai_datetime(returned.at) in html
    assert str(case.team.lead) in html
    assert "ส่งกลับให้แก้ไข" in html and "1.1: ไม่พบคำสั่งแต่งตั้ง" in html
    due = datetime.date.fromisoformat(returned.data["due"])
    assert f"กำหนดส่งผลที่แก้ไข: ภายในวันที่ {thai_date(due, 'long')}" in html
    # from → to
    assert 'ส่งผลการประเมินตนเองแล้ว <span aria-hidden="true">→</span><span class="visually-hidden">เป็น</span> ส่งกลับให้แก้ไข' in html
    # The score change: indicator, points from → to, reason.
    assert "บันทึกผลการตรวจ" in html
    assert "คะแนน – → 2" in html
    assert "คำสั่งลงนามหลังกำหนด" in html
    assert f"1.1 {case.indicator('1.1').title}" in html


@pytest.mark.parametrize("who", ["office", "lead", "member"])
def test_the_office_and_the_team_read_score_changes_too(client, case, who):
    user = {"office": case.office, "lead": case.team.lead, "member": case.team.members[1]}[who]

    html = page(client, user, history_url(case))

    assert "คำสั่งลงนามหลังกำหนด" in html


@pytest.mark.parametrize("who", ["staff", "head"])
def test_the_organization_reads_no_score_change_before_publication(client, case, who):
    user = {"staff": case.sa.staff, "head": case.sa.head}[who]
    case.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    workflow.verify(assessment=case.assessment, by=case.team.lead)

    html = page(client, user, history_url(case))

    assert "1.1: ไม่พบคำสั่งแต่งตั้ง" in html  # the return is theirs to read
    assert "คำสั่งลงนามหลังกำหนด" not in html
    assert "บันทึกผลการตรวจ" not in html
    assert "ตรวจประเมินแล้ว" in html  # the step, without its score
    assert "คะแนนที่ตรวจได้" not in html
    assert "ผลการตรวจของคณะผู้ประเมินจะแสดงในประวัติเมื่อประกาศผลแล้ว" in html


def test_the_organization_reads_the_whole_trail_once_published(client, case):
    publish(case)

    html = page(client, case.sa.head, history_url(case))

    assert "คำสั่งลงนามหลังกำหนด" in html
    assert "คะแนนที่ตรวจได้" in html


@pytest.mark.parametrize("url", [history_url, export_url])
def test_an_assessor_of_the_province_not_on_the_team_gets_404(client, case, url):
    # An assessor reads only the organizations assigned to a team they are on.
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=case.assessment.organization.district.province))

    assert client.get(url(case)).status_code == 404


@pytest.mark.parametrize("who", ["other_org_staff", "other_province_assessor", "other_province_office"])
@pytest.mark.parametrize("url", [history_url, export_url])
def test_outsiders_get_404(client, case, who, url):
    user = {
        "other_org_staff": lambda: user_with_role(Role.Kind.ORG_STAFF),
        "other_province_assessor": lambda: user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
        "other_province_office": lambda: user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
    }[who]()
    client.force_login(user)

    assert client.get(url(case)).status_code == 404


@pytest.mark.parametrize("url", [history_url, export_url])
def test_anonymous_visitors_are_sent_to_login(client, case, url):
    response = client.get(url(case))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_evidence_shows_name_size_and_sha256_and_extension_its_date(client):
    case = submitted_for_review(assign=False)
    # A draft of the same round (its indicators made by the case) for the organization's own steps.
    draft = self_assessment(case.round)
    content = pdf_bytes("คำสั่ง")
    add_evidence_file(
        answer=answer_for(draft.assessment, Indicator.objects.get(round=case.round, code="1.1")),
        upload=upload("คำสั่งแต่งตั้ง.pdf", content),
        by=draft.staff,
    )
    until = case.round.self_assessment_closes + datetime.timedelta(days=5)
    grant_extension(assessment=draft.assessment, until=until, reason="น้ำท่วมสำนักงาน", by=case.office)

    html = page(client, draft.staff, reverse("reviews:history", args=[draft.assessment.pk]))

    assert "คำสั่งแต่งตั้ง.pdf" in html
    assert f"ขนาด {filesizeformat(len(content))}" in html
    assert hashlib.sha256(content).hexdigest() in html
    assert f"ขยายถึงวันที่ {thai_date(until, 'long')}" in html
    assert "น้ำท่วมสำนักงาน" in html


def test_an_indicator_removed_by_a_correction_is_still_named_by_its_code(client, case):
    indicator = Indicator.objects.create(
        round=case.round, category=case.sa.category, code="9.9", title="ตัวชี้วัดที่ถูกถอน", kind="levels"
    )
    workflow.record(
        case.assessment, AssessmentEvent.Kind.SCORE_CHANGED, by=case.team.lead, indicator=indicator,
        data={"indicator": "9.9", "from": None, "to": "0"}, notify=False,
    )
    indicator.delete()

    html = page(client, case.department, history_url(case))

    assert "9.9" in html and "ตัวชี้วัดที่ถูกถอน" not in html


def test_history_query_count_is_pinned_and_does_not_grow_with_events(client, case, django_assert_num_queries):
    client.force_login(case.department)
    url = history_url(case)
    client.get(url)
    # session, user, roles, assessment, reviewer?, events counted, a page of events, the bell's unread count
    with django_assert_num_queries(8):
        client.get(url)
    case.score_as_claimed()
    case.score("1.2", {"ticked": [case.option("1.2", 1).pk], "reason": "ข้อ 2 ไม่มีหลักฐาน"})
    with django_assert_num_queries(8):
        response = client.get(url)
    assert "ข้อ 2 ไม่มีหลักฐาน" in response.content.decode()


# The XLSX.


def read(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_export_has_the_pages_rows_with_thai_headers_and_real_bangkok_datetimes(client, case):
    client.force_login(case.department)

    response = client.get(export_url(case))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    code, year = case.assessment.organization.code, case.round.year
    assert response["Content-Disposition"] == f'attachment; filename="lpa-history-{code}-{year}.xlsx"'
    sheet = read(response).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [
        "วันที่และเวลา",
        "ผู้ดำเนินการ",
        "เหตุการณ์",
        "จากสถานะ",
        "เป็นสถานะ",
        "ครั้งที่ส่งกลับแก้ไข",
        "ตัวชี้วัด",
        "เหตุผล/หมายเหตุ",
        "รายละเอียด",
    ]
    events = list(case.assessment.events.order_by("at", "pk"))
    assert sheet.max_row == len(events) + 1
    first = sheet.cell(row=2, column=1)
    assert isinstance(first.value, datetime.datetime)
    bangkok = timezone.localtime(events[0].at, datetime.timezone(datetime.timedelta(hours=7)))
    assert first.value == bangkok.replace(tzinfo=None, microsecond=first.value.microsecond)
    assert first.number_format == DATETIME_FORMAT
    kinds = [sheet.cell(row=row, column=3).value for row in range(2, sheet.max_row + 1)]
    assert kinds == [event.get_kind_display() for event in events]
    returned = kinds.index("ส่งกลับให้แก้ไข") + 2
    assert sheet.cell(row=returned, column=4).value == "ส่งผลการประเมินตนเองแล้ว"
    assert sheet.cell(row=returned, column=5).value == "ส่งกลับให้แก้ไข"
    assert "1.1: ไม่พบคำสั่งแต่งตั้ง" in sheet.cell(row=returned, column=9).value
    scored = kinds.index("บันทึกผลการตรวจ") + 2
    assert sheet.cell(row=scored, column=7).value.startswith("1.1 ")
    assert sheet.cell(row=scored, column=8).value == "คำสั่งลงนามหลังกำหนด"
    assert sheet.cell(row=scored, column=9).value == "คะแนน – → 2"


def test_export_freezes_and_filters_the_header_and_sets_widths(client, case):
    client.force_login(case.department)

    sheet = read(client.get(export_url(case))).worksheets[0]

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:I{sheet.max_row}"
    assert sheet.column_dimensions["I"].width == 60
    assert sheet.cell(row=1, column=1).font.bold


def test_export_for_the_organization_leaves_out_score_changes_before_publication(client, case):
    client.force_login(case.sa.head)

    sheet = read(client.get(export_url(case))).worksheets[0]

    kinds = {sheet.cell(row=row, column=3).value for row in range(2, sheet.max_row + 1)}
    assert "บันทึกผลการตรวจ" not in kinds and "ส่งกลับให้แก้ไข" in kinds


def test_typed_text_is_written_as_text_never_as_a_formula_and_control_characters_go(case):
    event = workflow.record(
        case.assessment, AssessmentEvent.Kind.CORRECTION, by=case.department, note='=HYPERLINK("http://x","y")\x0b', notify=False
    )

    sheet = build_history_workbook(case.assessment, [event]).worksheets[0]

    cell = sheet.cell(row=2, column=8)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'
    saved = io.BytesIO()
    sheet.parent.save(saved)  # would raise IllegalCharacterError on the control character
    assert openpyxl.load_workbook(saved).worksheets[0].cell(row=2, column=8).data_type == "s"


@pytest.mark.parametrize("text", FORMULAS)
def test_typed_names_and_notes_that_look_like_formulas_download_as_inert_text(client, case, text):
    case.department.first_name, case.department.last_name = text, ""
    case.department.save()
    workflow.record(case.assessment, AssessmentEvent.Kind.CORRECTION, by=case.department, note=text, notify=False)
    client.force_login(case.department)

    sheet = read(client.get(export_url(case))).worksheets[0]

    assert_inert(sheet.cell(row=sheet.max_row, column=2), text)
    assert_inert(sheet.cell(row=sheet.max_row, column=8), text)


def test_export_names_the_assessment_on_a_second_sheet(client, case):
    client.force_login(case.department)

    about = read(client.get(export_url(case))).worksheets[1]

    values = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert values["รหัส อปท."] == case.assessment.organization.code
    assert values["ปีการประเมิน (พ.ศ.)"] == case.round.year


def test_trail_for_the_department_is_full(case):
    trail = trail_for(case.department, case.assessment)

    assert trail.full and trail.scores
    assert trail.events.filter(kind="score_changed").exists()


# Nothing edits or deletes the trail.


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.go.th", "x")


def test_admin_lists_and_shows_events_to_a_superuser(client, case, superuser):
    event = case.assessment.events.first()
    client.force_login(superuser)

    assert client.get(reverse("admin:assessments_assessmentevent_changelist")).status_code == 200
    assert client.get(reverse("admin:assessments_assessmentevent_change", args=[event.pk])).status_code == 200


def test_admin_refuses_to_change_an_event_even_for_a_superuser(client, case, superuser):
    event = case.assessment.events.first()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:assessments_assessmentevent_change", args=[event.pk]), {"note": "แก้ประวัติ", "kind": event.kind}
    )

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.note != "แก้ประวัติ"


def test_admin_refuses_to_delete_or_add_an_event_even_for_a_superuser(client, case, superuser):
    event = case.assessment.events.first()
    client.force_login(superuser)

    assert client.get(reverse("admin:assessments_assessmentevent_delete", args=[event.pk])).status_code == 403
    assert client.post(reverse("admin:assessments_assessmentevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:assessments_assessmentevent_add")).status_code == 403
    changelist = client.post(
        reverse("admin:assessments_assessmentevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert changelist.status_code in (200, 302)
    assert AssessmentEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "name",
    [
        "reviews_team",
        "reviews_assignment",
        "reviews_verifiedanswer",
        "reviews_comment",
        "reviews_appeal",
        "notifications_notification",
    ],
)
def test_review_records_and_notifications_are_read_only_in_the_admin(client, case, superuser, name):
    client.force_login(superuser)

    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403


def test_admin_shows_a_team_with_its_members_read_only(client, case, superuser):
    client.force_login(superuser)

    response = client.get(reverse("admin:reviews_team_change", args=[case.team.team.pk]))

    assert response.status_code == 200
    assert str(case.team.lead) in response.content.decode()
    assert client.post(reverse("admin:reviews_team_change", args=[case.team.team.pk]), {"name": "x"}).status_code == 403


def test_the_database_refuses_to_change_an_event(case):
    event = case.assessment.events.first()

    with pytest.raises(DatabaseError):
        with transaction.atomic():
            AssessmentEvent.objects.filter(pk=event.pk).update(note="x")

    event.refresh_from_db()
    assert event.note != "x"


def test_the_database_refuses_to_delete_an_event_on_postgresql(case):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's trigger refuses UPDATE only (development)")
    event = case.assessment.events.first()

    with pytest.raises(DatabaseError):
        with transaction.atomic():
            AssessmentEvent.objects.filter(pk=event.pk).delete()

    assert AssessmentEvent.objects.filter(pk=event.pk).exists()


def test_deleting_an_indicator_an_event_points_to_still_works(case):
    indicator = Indicator.objects.create(
        round=case.round, category=case.sa.category, code="9.8", title="ตัวชี้วัดที่แก้ไขออก", kind="levels"
    )
    event = workflow.record(
        case.assessment, AssessmentEvent.Kind.CORRECTION, by=case.department, indicator=indicator,
        data={"indicator": "9.8"}, note="ถอนตัวชี้วัด", notify=False,
    )

    indicator.delete()

    event.refresh_from_db()
    assert event.indicator_id is None
    assert event.data == {"indicator": "9.8"} and event.note == "ถอนตัวชี้วัด"


def test_the_main_steps_can_be_shown_alone(client, case):
    client.force_login(case.department)

    html = client.get(history_url(case) + "?show=milestones").content.decode()

    assert "1.1: ไม่พบคำสั่งแต่งตั้ง" in html
    assert "คำสั่งลงนามหลังกำหนด" not in html
    assert 'aria-current="page" href="?show=milestones"' in html


def test_a_control_character_in_the_organizations_name_does_not_break_the_export(client, case):
    organization = case.assessment.organization
    organization.name = "คลอง\x07พน"
    organization.save(update_fields=["name"])
    client.force_login(case.department)

    response = client.get(export_url(case))

    assert response.status_code == 200
    workbook = read(response)
    assert "\x07" not in workbook.properties.title and "คลองพน" in workbook.properties.title


def test_history_comes_in_pages_and_the_filter_stays_across_them(client, case):
    from reviews.views.history import PER_PAGE

    start = timezone.now()
    AssessmentEvent.objects.bulk_create(
        AssessmentEvent(
            assessment=case.assessment,
            kind=AssessmentEvent.Kind.EVIDENCE_ADDED,
            at=start + datetime.timedelta(seconds=number),
            by=case.sa.staff,
            data={"indicator": "1.2", "name": f"หลักฐาน-{number:03d}.pdf", "size": 10, "sha256": "0" * 64},
        )
        for number in range(PER_PAGE)
    )
    client.force_login(case.department)
    events = AssessmentEvent.objects.filter(assessment=case.assessment).count()
    last_page = (events + PER_PAGE - 1) // PER_PAGE

    first = client.get(history_url(case)).content.decode()
    last = client.get(history_url(case) + f"?page={last_page}").content.decode()
    milestones = client.get(history_url(case) + "?show=milestones").content.decode()

    assert events > PER_PAGE
    assert f"หน้า 1 จาก {last_page}" in first
    assert "ไม่พบคำสั่งแต่งตั้ง" in first and f"หลักฐาน-{PER_PAGE - 1:03d}.pdf" not in first
    assert f"หลักฐาน-{PER_PAGE - 1:03d}.pdf" in last
    assert "หลักฐาน-000.pdf" not in milestones and "เลขหน้า" not in milestones


def test_a_page_number_past_the_end_shows_the_last_page(client, case):
    client.force_login(case.department)

    response = client.get(history_url(case) + "?page=999")

    assert response.status_code == 200
    assert "ไม่พบคำสั่งแต่งตั้ง" in response.content.decode()
