"""Evidence through the pages: uploads checked by content with a message per refused file,
links, downloads only through the permission-checked view, removal while editable."""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.models import AssessmentEvent, Evidence
from assessments.selfassessment import save_answer, submit
from tests.assessments import factories as samples
from tests.assessments.factories import self_assessment, upload
from tests.factories import province, user_with_role
from tests.reviews.factories import assigned_team

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.LPA_EVIDENCE_ROOT


@pytest.fixture
def sa():
    return self_assessment(code="6810195")


@pytest.fixture
def indicator(sa):
    return sa.indicator(code="1.1", evidence_required="คำสั่งแต่งตั้งคณะกรรมการ")


def upload_files(client, sa, indicator, *files, fetch=True):
    url = reverse("assessments:evidence_upload", args=[sa.assessment.pk, indicator.pk])
    return client.post(url, {f"i{indicator.pk}-files": list(files)}, **(FETCH if fetch else {}))


def stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_staff_uploads_several_files_and_sees_their_original_names(client, sa, indicator, evidence_folder):
    client.force_login(sa.staff)
    response = upload_files(
        client, sa, indicator, upload("คำสั่ง ที่ 12-2568.pdf", samples.pdf_bytes()), upload("ภาพ.png", samples.image_bytes())
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "แนบไฟล์แล้ว 2 ไฟล์" in html
    assert "คำสั่ง ที่ 12-2568.pdf" in html and "ภาพ.png" in html
    assert Evidence.objects.current().count() == 2
    names = [p.name for p in stored(evidence_folder)]
    assert len(names) == 2 and not any("คำสั่ง" in name for name in names)


def test_upload_without_script_redirects_back_to_the_indicator(client, sa, indicator):
    client.force_login(sa.staff)
    response = upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes()), fetch=False)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#ind-{indicator.pk}")


def test_a_program_renamed_pdf_is_refused_by_its_content(client, sa, indicator, evidence_folder):
    client.force_login(sa.staff)
    response = upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.PE_HEADER))
    html = response.content.decode()
    assert response.status_code == 422
    assert "ไม่ใช่ประเภทที่รับ" in html and "คำสั่ง.pdf" in html
    assert f'id="id_i{indicator.pk}-files_errors"' in html
    assert f'aria-describedby="id_i{indicator.pk}-files_errors"' in html
    assert not Evidence.objects.exists() and stored(evidence_folder) == []


def test_each_refused_file_gets_its_own_message_and_good_files_are_kept(client, sa, indicator, settings):
    settings.LPA_EVIDENCE_MAX_BYTES = 1024
    client.force_login(sa.staff)
    response = upload_files(
        client,
        sa,
        indicator,
        upload("ดี.pdf", samples.pdf_bytes()),
        upload("ใหญ่.pdf", b"%PDF-1.4\n" + b"0" * 4096),
        upload("ว่าง.pdf", b""),
        upload("โปรแกรม.pdf", samples.ELF_HEADER),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "แนบไฟล์แล้ว 1 ไฟล์: ดี.pdf" in html
    assert "ใหญ่.pdf" in html and "เกินขนาดสูงสุด" in html
    assert "ว่าง.pdf" in html and "ว่างเปล่า" in html
    assert "โปรแกรม.pdf" in html and "ไม่ใช่ประเภทที่รับ" in html
    assert html.count("<li>ไฟล์") == 3
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["ดี.pdf"]


def test_an_oversized_file_without_script_shows_the_page_with_the_message(client, sa, indicator, settings):
    settings.LPA_EVIDENCE_MAX_BYTES = 100
    client.force_login(sa.staff)
    response = upload_files(client, sa, indicator, upload("ใหญ่.pdf", samples.pdf_bytes() * 5), fetch=False)
    assert response.status_code == 200
    assert "เกินขนาดสูงสุด" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_name_with_dot_dot_slash_is_kept_for_display_only(client, sa, indicator, evidence_folder):
    client.force_login(sa.staff)
    response = upload_files(client, sa, indicator, upload("../../etc/คำสั่ง.pdf", samples.pdf_bytes()))
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    # Django's upload handler keeps only the last part of the name; nothing of it reaches the path.
    assert ".." not in evidence.file.name and "คำสั่ง" not in evidence.file.name
    (path,) = stored(evidence_folder)
    assert path.resolve().is_relative_to(evidence_folder.resolve())
    assert evidence.original_name == "คำสั่ง.pdf"


def test_no_file_chosen_gets_a_message(client, sa, indicator):
    client.force_login(sa.staff)
    response = upload_files(client, sa, indicator)
    assert response.status_code == 422
    assert "เลือกไฟล์อย่างน้อย 1 ไฟล์" in response.content.decode()


def test_link_evidence_is_checked_and_added(client, sa, indicator):
    client.force_login(sa.staff)
    url = reverse("assessments:evidence_link", args=[sa.assessment.pk, indicator.pk])
    refused = client.post(url, {f"i{indicator.pk}-link-url": "javascript:alert(1)"}, **FETCH)
    assert refused.status_code == 422 and "ต้องขึ้นต้นด้วย http://" in refused.content.decode()
    response = client.post(
        url, {f"i{indicator.pk}-link-url": "https://krabicity.go.th/plan", f"i{indicator.pk}-link-title": "แผนพัฒนา"}, **FETCH
    )
    assert response.status_code == 200
    assert 'href="https://krabicity.go.th/plan"' in response.content.decode()


def test_download_serves_the_file_as_an_attachment_under_its_original_name(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes("หนึ่ง")))
    evidence = Evidence.objects.get()
    url = reverse("assessments:evidence_download", args=[evidence.pk])
    assessor = assigned_team(sa.assessment).lead  # an assessor reads the evidence of their team's organizations
    for user in (sa.staff, sa.head, assessor, user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"] and "filename*=utf-8''" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == samples.pdf_bytes("หนึ่ง")


def test_outsiders_get_404_for_evidence(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes()))
    evidence = Evidence.objects.get()
    for outsider in (
        user_with_role(Role.Kind.ORG_STAFF),
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
    ):
        client.force_login(outsider)
        assert client.get(reverse("assessments:evidence_download", args=[evidence.pk])).status_code == 404
        assert client.post(reverse("assessments:evidence_remove", args=[evidence.pk])).status_code == 404
        assert upload_files(client, sa, indicator, upload("x.pdf", samples.pdf_bytes())).status_code == 404


def test_readers_may_not_upload_or_remove(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes()))
    evidence = Evidence.objects.get()
    client.force_login(assigned_team(sa.assessment).lead)
    assert upload_files(client, sa, indicator, upload("x.pdf", samples.pdf_bytes("x"))).status_code == 403
    assert client.post(reverse("assessments:evidence_remove", args=[evidence.pk])).status_code == 403


def test_removing_evidence_is_recorded_and_the_file_is_no_longer_served(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes()))
    evidence = Evidence.objects.get()
    url = reverse("assessments:evidence_remove", args=[evidence.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, **FETCH)
    assert response.status_code == 200 and "ลบหลักฐาน" in response.content.decode()
    event = AssessmentEvent.objects.get(kind=AssessmentEvent.Kind.EVIDENCE_REMOVED)
    assert event.data["name"] == "คำสั่ง.pdf"
    assert client.get(reverse("assessments:evidence_download", args=[evidence.pk])).status_code == 404


def test_evidence_may_not_be_removed_after_submission(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes()))
    save_answer(assessment=sa.assessment, indicator=indicator, data={"level": indicator.options.last().pk}, expected_version=0, by=sa.staff)
    submit(sa.assessment, by=sa.head)
    evidence = Evidence.objects.get()
    response = client.post(reverse("assessments:evidence_remove", args=[evidence.pk]), **FETCH)
    assert response.status_code == 422
    assert "ส่งผลการประเมินแล้ว" in response.content.decode()
    assert Evidence.objects.current().count() == 1
    refused = upload_files(client, sa, indicator, upload("ใหม่.pdf", samples.pdf_bytes("ใหม่")))
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "ส่งผลการประเมินแล้ว" in html and f'name="i{indicator.pk}-files"' not in html
    # The one form left is the comment's: talking with the team goes on after submission.
    assert html.count("data-block-form") == 1 and f'name="c{indicator.pk}-body"' in html


# The inline view behind the review page's preview.


def view_url(evidence):
    return reverse("assessments:evidence_view", args=[evidence.pk])


def test_pdf_and_images_are_served_inline_for_the_preview(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(
        client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes("หนึ่ง")), upload("ภาพ.jpg", samples.image_bytes("JPEG"), "image/jpeg")
    )
    pdf, jpeg = Evidence.objects.order_by("pk")
    client.force_login(assigned_team(sa.assessment).lead)
    response = client.get(view_url(pdf))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline") and "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the review page frames it; other sites may not
    assert "sandbox" not in response["Content-Security-Policy"]  # browsers refuse PDFs in a sandbox
    assert b"".join(response.streaming_content) == samples.pdf_bytes("หนึ่ง")
    response = client.get(view_url(jpeg))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]


def test_other_types_have_no_inline_view(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(client, sa, indicator, upload("ทะเบียน.xlsx", samples.xlsx_bytes(), "application/octet-stream"))
    evidence = Evidence.objects.get()
    assert client.get(view_url(evidence)).status_code == 404
    assert client.get(reverse("assessments:evidence_download", args=[evidence.pk])).status_code == 200


def test_outsiders_get_404_for_the_inline_view(client, sa, indicator):
    client.force_login(sa.staff)
    upload_files(client, sa, indicator, upload("คำสั่ง.pdf", samples.pdf_bytes()))
    evidence = Evidence.objects.get()
    for outsider in (
        user_with_role(Role.Kind.ORG_STAFF),
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
    ):
        client.force_login(outsider)
        assert client.get(view_url(evidence)).status_code == 404
    client.force_login(sa.staff)
    client.post(reverse("assessments:evidence_remove", args=[evidence.pk]))
    assert client.get(view_url(evidence)).status_code == 404  # removed evidence is not served
