"""The framework workbook on the web: export, import into a round in set-up, round trip."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Round
from tests.assessments.test_workbook import cells
from tests.formulas import FORMULAS, assert_inert

pytestmark = pytest.mark.django_db


def export(client, year: int = 2569):
    return client.get(reverse("assessments:framework_export", args=[year]))


def upload(content: bytes, name: str = "framework.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_department_exports_the_framework_as_xlsx(client, official, opened):
    client.force_login(official)
    response = export(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="lpa-framework-2569.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    codes = [row[0] for row in workbook["ตัวชี้วัด"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["1.1", "1.2", "2.1", "2.2"]


def test_exported_titles_that_look_like_formulas_are_text_and_import_back(client, official, framework):
    framework.indicators.filter(code="1.2").update(title=FORMULAS[0])
    client.force_login(official)
    exported = export(client).content

    sheet = load_workbook(io.BytesIO(exported))["ตัวชี้วัด"]
    assert_inert(next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "1.2")[4], FORMULAS[0])
    response = client.post(reverse("assessments:framework_import", args=[2569]), {"file": upload(exported)})
    assert response.status_code == 302
    assert framework.indicators.get(code="1.2").title == FORMULAS[0]


def test_export_then_import_through_the_web_round_trips(client, official, framework):
    client.force_login(official)
    exported = export(client).content
    # Change the round on the web first, so the import visibly puts the workbook's framework back.
    client.post(reverse("assessments:indicator_remove", args=[2569, "1.2"]))
    assert not framework.indicators.filter(code="1.2").exists()

    response = client.post(reverse("assessments:framework_import", args=[2569]), {"file": upload(exported)})

    assert response.status_code == 302 and response["Location"] == framework.get_absolute_url()
    assert Round.objects.get().pk == framework.pk
    assert cells(export(client).content) == cells(exported)


def test_exported_workbook_creates_next_year_through_the_web(client, official, opened):
    client.force_login(official)
    exported = export(client).content
    response = client.post(
        reverse("assessments:round_create"), {"year": 2570, "start": "workbook", "file": upload(exported)}
    )
    assert response.status_code == 302
    new = Round.objects.get(year=2570)
    assert (new.phase, new.fiscal_year, new.indicators.count()) == (Round.Phase.SETUP, 2569, 4)


def test_published_year_with_its_appeal_window_starts_next_year_through_the_web(client, official, opened):
    # Published before the review window's planned end: the appeal window opens inside it.
    Round.objects.filter(pk=opened.pk).update(
        phase=Round.Phase.APPEAL,
        review_opens=datetime.date(2026, 6, 1),
        review_closes=datetime.date(2026, 9, 30),
        appeal_opens=datetime.date(2026, 9, 1),
        appeal_closes=datetime.date(2026, 9, 15),
    )
    client.force_login(official)
    exported = export(client).content

    response = client.post(
        reverse("assessments:round_create"), {"year": 2570, "start": "workbook", "file": upload(exported)}
    )

    assert response.status_code == 302, response.content.decode()
    new = Round.objects.get(year=2570)
    assert (new.phase, new.review_closes, new.appeal_opens, new.indicators.count()) == (Round.Phase.SETUP, None, None, 4)


def test_broken_workbook_shows_the_error_table_and_imports_nothing(client, official, framework):
    client.force_login(official)
    workbook = load_workbook(io.BytesIO(export(client).content))
    workbook["ตัวชี้วัด"]["A3"] = "1.1"  # duplicate code
    workbook["เกณฑ์การให้คะแนน"]["E2"] = -1
    stream = io.BytesIO()
    workbook.save(stream)
    before = cells(export(client).content)

    response = client.post(reverse("assessments:framework_import", args=[2569]), {"file": upload(stream.getvalue())})

    assert response.status_code == 200
    errors = [(e.sheet, e.row, e.column) for e in response.context["workbook_errors"]]
    assert ("ตัวชี้วัด", 3, "A") in errors and ("เกณฑ์การให้คะแนน", 2, "E") in errors
    html = response.content.decode()
    assert "ไม่ได้นำเข้าอะไรเลย" in html and "ซ้ำกับแถว 2" in html
    assert cells(export(client).content) == before


def test_import_into_an_open_round_is_refused_in_the_table(client, official, opened):
    client.force_login(official)
    exported = export(client).content
    response = client.post(reverse("assessments:framework_import", args=[2569]), {"file": upload(exported)})
    assert response.status_code == 200
    (error,) = response.context["workbook_errors"]
    assert "นำเข้าได้เฉพาะรอบที่อยู่ในระยะจัดเตรียมกรอบการประเมิน" in error.message


def test_import_without_a_file_asks_for_one(client, official, framework):
    client.force_login(official)
    response = client.post(reverse("assessments:framework_import", args=[2569]), {})
    assert response.status_code == 200
    assert "เลือกไฟล์กรอบการประเมิน (.xlsx) ที่จะนำเข้า" in response.content.decode()


def test_provincial_admin_gets_403_on_export_and_import(client, krabi_admin, opened):
    client.force_login(krabi_admin)
    assert export(client).status_code == 403
    assert client.get(reverse("assessments:framework_import", args=[2569])).status_code == 403


def test_round_outside_reach_is_404(client, krabi_assessor, framework):
    client.force_login(krabi_assessor)  # assessors do not see rounds in set-up
    assert export(client).status_code == 404
