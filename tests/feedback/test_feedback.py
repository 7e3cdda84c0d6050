"""Feedback on the system: sending (page, text, screenshot), the department's list, answer and export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from feedback.models import Feedback
from feedback.workflow import answer_feedback, local_page, send_feedback
from notifications.models import Notification
from tests.assessments.factories import pdf_bytes
from tests.factories import user_with_role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def staff(db):
    return user_with_role(Role.Kind.ORG_STAFF)


@pytest.fixture
def other(db):
    return user_with_role(Role.Kind.PROVINCIAL_ASSESSOR)


@pytest.fixture
def official(db):
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


def image(name: str = "จอ.png", content: bytes = PNG, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("/assessments/3/?tab=1", "/assessments/3/?tab=1"),
        ("http://testserver/review/?q=1", "/review/?q=1"),
        ("https://evil.example/x", ""),
        ("http://testserver.evil.example/x", ""),
        ("//evil.example/x", ""),
        ("/\\evil.example", ""),
        ("javascript:alert(1)", ""),
        ("assessments/", ""),
        ("/a\x00b", "/ab"),
        ("", ""),
    ],
)
def test_local_page_keeps_only_paths_of_this_site(value, expected):
    assert local_page(value, host="testserver") == expected


def test_form_is_prefilled_with_the_page_the_user_came_from(client, staff):
    client.force_login(staff)
    response = client.get(reverse("feedback:new"), {"from": "/assessments/?x=1"})
    assert response.status_code == 200
    assert response.context["form"].initial["page"] == "/assessments/?x=1"
    response = client.get(reverse("feedback:new"), HTTP_REFERER="http://testserver/review/")
    assert response.context["form"].initial["page"] == "/review/"
    response = client.get(reverse("feedback:new"), {"from": "https://evil.example/"})
    assert response.context["form"].initial["page"] == ""


def test_every_page_links_to_the_form_with_its_own_address(client, staff):
    client.force_login(staff)
    response = client.get(reverse("accounts:profile"))
    assert f'{reverse("feedback:new")}?from=/accounts/profile/' in response.content.decode()


def test_sending_feedback_with_a_screenshot_stores_it(client, staff, settings):
    client.force_login(staff)
    response = client.post(
        reverse("feedback:new"),
        {"page": "/assessments/", "text": "ปุ่มบันทึกไม่ทำงาน", "screenshot": image()},
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.author, feedback.page, feedback.text, feedback.status) == (
        staff,
        "/assessments/",
        "ปุ่มบันทึกไม่ทำงาน",
        Feedback.Status.NEW,
    )
    assert feedback.screenshot.name.startswith("feedback/") and feedback.screenshot.name.endswith(".png")
    assert feedback.screenshot_name == "จอ.png" and feedback.screenshot_type == "image/png"
    assert (settings.LPA_EVIDENCE_ROOT / feedback.screenshot.name).read_bytes() == PNG


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("doc.png", pdf_bytes(), content_type="image/png"), "PNG หรือ JPEG"),
        (SimpleUploadedFile("prog.png", b"MZ\x90\x00" + b"\x00" * 60, content_type="image/png"), "PNG หรือ JPEG"),
        (SimpleUploadedFile("empty.png", b"", content_type="image/png"), "ว่างเปล่า"),
    ],
)
def test_a_screenshot_that_is_no_image_is_refused_and_nothing_saved(client, staff, upload, message):
    client.force_login(staff)
    response = client.post(reverse("feedback:new"), {"page": "/", "text": "ข้อความ", "screenshot": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_screenshot_over_the_evidence_limit_is_refused(client, staff, settings):
    settings.LPA_EVIDENCE_MAX_BYTES = 20
    client.force_login(staff)
    response = client.post(reverse("feedback:new"), {"text": "ข้อความ", "screenshot": image()})
    assert response.status_code == 400
    assert "เกิน" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("page", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_a_page_outside_this_site_is_refused_with_the_text_kept(client, staff, page):
    client.force_login(staff)
    response = client.post(reverse("feedback:new"), {"page": page, "text": "ข้อความที่พิมพ์ไว้"})
    assert response.status_code == 400
    assert "ที่อยู่ในระบบนี้" in response.content.decode()
    assert "ข้อความที่พิมพ์ไว้" in response.content.decode()
    assert not Feedback.objects.exists()


def test_empty_text_is_refused(client, staff):
    client.force_login(staff)
    response = client.post(reverse("feedback:new"), {"page": "/"})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_own_list_shows_only_own_feedback(client, staff, other):
    send_feedback(author=staff, page="/", text="ของฉัน")
    send_feedback(author=other, page="/", text="ของคนอื่น")
    client.force_login(staff)
    content = client.get(reverse("feedback:mine")).content.decode()
    assert "ของฉัน" in content and "ของคนอื่น" not in content


def test_another_users_feedback_and_screenshot_are_404(client, staff, other):
    feedback = send_feedback(author=other, page="/", text="ลับ", screenshot=image())
    client.force_login(staff)
    assert client.get(reverse("feedback:detail", args=[feedback.pk])).status_code == 404
    assert client.get(reverse("feedback:screenshot", args=[feedback.pk])).status_code == 404


def test_author_opening_own_feedback_does_not_mark_it_read(client, staff):
    feedback = send_feedback(author=staff, page="/", text="ข้อความ")
    client.force_login(staff)
    assert client.get(reverse("feedback:detail", args=[feedback.pk])).status_code == 200
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.NEW


def test_department_opening_feedback_marks_it_read(client, staff, official):
    feedback = send_feedback(author=staff, page="/", text="ข้อความ")
    client.force_login(official)
    response = client.get(reverse("feedback:detail", args=[feedback.pk]))
    assert response.status_code == 200
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.READ


def test_screenshot_download_is_a_sandboxed_attachment(client, staff, official):
    feedback = send_feedback(author=staff, page="/", text="ข้อความ", screenshot=image())
    for user in (staff, official):
        client.force_login(user)
        response = client.get(reverse("feedback:screenshot", args=[feedback.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert b"".join(response.streaming_content) == PNG


def test_feedback_without_screenshot_has_no_download(client, staff):
    feedback = send_feedback(author=staff, page="/", text="ข้อความ")
    client.force_login(staff)
    assert client.get(reverse("feedback:screenshot", args=[feedback.pk])).status_code == 404


def test_department_answer_notifies_the_author(client, staff, official):
    staff.email = "staff@example.go.th"
    staff.save()
    feedback = send_feedback(author=staff, page="/", text="ข้อความ")
    client.force_login(official)
    response = client.post(reverse("feedback:answer", args=[feedback.pk]), {"answer": "แก้ไขแล้วครับ"})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.ANSWERED
    assert (feedback.answer, feedback.answered_by) == ("แก้ไขแล้วครับ", official)
    assert feedback.answered_at is not None
    notification = Notification.objects.get()
    assert notification.recipient == staff
    assert notification.kind == Notification.Kind.FEEDBACK_ANSWERED
    assert notification.url == reverse("feedback:detail", args=[feedback.pk])
    assert "แก้ไขแล้วครับ" in notification.body
    assert notification.email_status == Notification.EmailStatus.QUEUED
    # The author sees the answer.
    client.force_login(staff)
    assert "แก้ไขแล้วครับ" in client.get(reverse("feedback:detail", args=[feedback.pk])).content.decode()


def test_an_empty_answer_is_refused_and_nobody_notified(client, staff, official):
    feedback = send_feedback(author=staff, page="/", text="ข้อความ")
    client.force_login(official)
    response = client.post(reverse("feedback:answer", args=[feedback.pk]), {"answer": "   "})
    assert response.status_code == 400
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.NEW
    assert not Notification.objects.exists()


def test_only_the_department_answers(client, staff):
    feedback = send_feedback(author=staff, page="/", text="ข้อความ")
    client.force_login(staff)
    assert client.post(reverse("feedback:answer", args=[feedback.pk]), {"answer": "ตอบเอง"}).status_code == 404
    assert client.get(reverse("feedback:answer", args=[feedback.pk])).status_code == 405
    feedback.refresh_from_db()
    assert feedback.answer == ""


def test_department_list_filters_by_status(client, staff, official):
    send_feedback(author=staff, page="/", text="ยังไม่อ่าน")
    answered = send_feedback(author=staff, page="/", text="ตอบไปแล้ว")
    answer_feedback(answered, by=official, text="ตอบ")
    client.force_login(official)
    content = client.get(reverse("feedback:list"), {"status": "answered"}).content.decode()
    assert "ตอบไปแล้ว" in content and "ยังไม่อ่าน" not in content
    content = client.get(reverse("feedback:list")).content.decode()
    assert "ตอบไปแล้ว" in content and "ยังไม่อ่าน" in content


def test_export_keeps_formula_like_text_inert(client, staff, official):
    send_feedback(author=staff, page="/", text='=HYPERLINK("http://evil.example","คลิก")')
    client.force_login(official)
    response = client.get(reverse("feedback:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="lpa-feedback-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    row = rows[2]
    text_cell = sheet.cell(row=3, column=header.index("สิ่งที่เกิดขึ้น") + 1)
    assert text_cell.data_type == "s"
    assert row[header.index("สิ่งที่เกิดขึ้น")] == '=HYPERLINK("http://evil.example","คลิก")'
    assert row[header.index("สถานะ")] == "ใหม่"


@pytest.mark.parametrize("name", ["feedback:list", "feedback:export"])
def test_department_pages_are_404_for_others(client, staff, name):
    client.force_login(staff)
    assert client.get(reverse(name)).status_code == 404


def test_department_list_queries_do_not_grow_with_the_rows(client, official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    authors = [user_with_role(Role.Kind.ORG_STAFF) for _ in range(3)]
    client.force_login(official)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("feedback:list")).status_code == 200
        return len(captured)

    send_feedback(author=authors[0], page="/", text="หนึ่ง")
    few = queries()
    for author in authors:
        for n in range(4):
            send_feedback(author=author, page="/", text=f"ข้อความ {n}")
    assert queries() == few
