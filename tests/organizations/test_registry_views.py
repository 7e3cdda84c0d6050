"""The registry import page (organizations:import)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from organizations.models import Organization, RegistryImport
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = reverse("organizations:import")
EXCERPT = Path(settings.BASE_DIR).parent / "shared" / "data" / "dla_re01_excerpt.csv"
needs_excerpt = pytest.mark.skipif(not EXCERPT.exists(), reason=f"DLA excerpt not found at {EXCERPT} (CI has it)")

SMALL_CSV = (
    "จังหวัด,อำเภอ,รหัส อปท.,ประเภท อปท.,อปท.,ขนาดพื้นที่,LAT,LONG\n"
    "กระบี่,คลองท่อม,5810402,ทต.,คลองพน,7.65,7.807166758,99.203614\n"
    "กระบี่,คลองท่อม,123,อบต.,รหัสผิด,,,\n"
).encode()


def upload(content: bytes, name: str = "registry.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def official_client(client):
    client.force_login(user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    return client


def test_department_official_sees_the_upload_form_and_accepted_layout(official_client):
    response = official_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "ตรวจสอบอย่างเดียว ยังไม่บันทึก" in page
    assert "รหัส อปท." in page and "ประเภท อปท." in page and "LAT" in page


@needs_excerpt
def test_department_official_uploads_the_dla_excerpt_and_sees_the_report(official_client):
    response = official_client.post(URL, {"file": upload(EXCERPT.read_bytes(), EXCERPT.name)})

    assert response.status_code == 200
    assert Organization.objects.count() == 12
    report = response.context["report"]
    assert (report.created, report.rejected) == (12, [])
    page = response.content.decode()
    assert "ผลการนำเข้า" in page
    assert "เพิ่มใหม่ 12 แห่ง" in page  # the success message
    record = RegistryImport.objects.get()
    assert record.imported_by == response.wsgi_request.user
    assert record.file_name == EXCERPT.name


def test_rejected_rows_are_listed_with_row_code_and_reason(official_client):
    response = official_client.post(URL, {"file": upload(SMALL_CSV)})

    page = response.content.decode()
    assert Organization.objects.filter(code="5810402").exists()
    assert "แถวที่ถูกปฏิเสธ" in page
    assert "<td>3</td>" in page
    assert "ไม่ใช่ตัวเลข 7 หลัก" in page


def test_dry_run_through_the_page_writes_nothing(official_client):
    response = official_client.post(URL, {"file": upload(SMALL_CSV), "dry_run": "on"})

    assert response.status_code == 200
    assert response.context["report"].created == 1
    assert "ตรวจสอบอย่างเดียว ยังไม่บันทึก" in response.content.decode()
    assert Organization.objects.count() == 0
    assert RegistryImport.objects.count() == 0


def test_system_admin_may_import(client):
    client.force_login(user_with_role(Role.Kind.SYSTEM_ADMIN))

    response = client.post(URL, {"file": upload(SMALL_CSV)})

    assert response.status_code == 200
    assert Organization.objects.filter(code="5810402").exists()


def test_bad_upload_shows_the_thai_error_beside_the_file_field(official_client):
    response = official_client.post(URL, {"file": upload(b"%PDF-1.7 scanned letter", "registry.csv")})

    assert response.status_code == 200
    assert "PDF" in " ".join(response.context["form"].errors["file"])
    assert "PDF" in response.content.decode()
    assert response.context["report"] is None
    assert RegistryImport.objects.count() == 0


def test_file_with_wrong_columns_shows_which_are_missing(official_client):
    response = official_client.post(URL, {"file": upload("จังหวัด,อำเภอ,ชื่อ\nกระบี่,คลองท่อม,x\n".encode())})

    assert response.status_code == 200
    assert "รหัส อปท." in " ".join(response.context["form"].errors["file"])


def test_upload_over_the_size_limit_is_refused(official_client, settings):
    settings.LPA_IMPORT_MAX_BYTES = 100

    response = official_client.post(URL, {"file": upload(SMALL_CSV)})

    assert response.status_code == 200
    assert "เกินกว่าที่รับได้" in " ".join(response.context["form"].errors["file"])
    assert Organization.objects.count() == 0


def test_post_without_a_file_asks_for_one(official_client):
    response = official_client.post(URL, {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_recent_imports_are_listed_with_buddhist_era_dates(official_client):
    official_client.post(URL, {"file": upload(SMALL_CSV, "krabi-2568.csv")})

    response = official_client.get(URL)

    page = response.content.decode()
    assert "krabi-2568.csv" in page
    record = RegistryImport.objects.get()
    assert str(record.imported_at.year + 543) in page


@pytest.mark.parametrize(
    "kind",
    [Role.Kind.PROVINCIAL_ADMIN, Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_STAFF, Role.Kind.ORG_HEAD],
)
def test_other_roles_get_404_and_cannot_import(client, kind):
    client.force_login(user_with_role(kind))
    before = Organization.objects.count()

    assert client.get(URL).status_code == 404
    assert client.post(URL, {"file": upload(SMALL_CSV)}).status_code == 404
    assert Organization.objects.count() == before


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
