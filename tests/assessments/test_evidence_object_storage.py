"""Evidence in an S3-compatible bucket (moto's server on 127.0.0.1, tests/s3.py): uploaded
through the page, downloaded streamed or through a short-lived presigned address, never
public, and refused to outsiders before any address is made."""

import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.models import Evidence
from tests.assessments import factories as samples
from tests.assessments.factories import self_assessment, upload
from tests.factories import province, user_with_role

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
THAI_NAME = "คำสั่ง ที่ 12-2568.pdf"


@pytest.fixture
def sa():
    return self_assessment(code="6810195")


@pytest.fixture
def indicator(sa):
    return sa.indicator(code="1.1", evidence_required="คำสั่งแต่งตั้งคณะกรรมการ")


@pytest.fixture
def uploaded(client, sa, indicator, s3_bucket) -> Evidence:
    client.force_login(sa.staff)
    url = reverse("assessments:evidence_upload", args=[sa.assessment.pk, indicator.pk])
    response = client.post(url, {f"i{indicator.pk}-files": [upload(THAI_NAME, samples.pdf_bytes("หนึ่ง"))]}, **FETCH)
    assert response.status_code == 200, response.content.decode()[:2000]
    return Evidence.objects.get()


@pytest.fixture
def redirecting(settings):
    settings.LPA_STORAGE_REDIRECT = True
    settings.LPA_STORAGE_URL_SECONDS = 120


def download(client, evidence: Evidence):
    return client.get(reverse("assessments:evidence_download", args=[evidence.pk]))


def test_an_upload_through_the_page_lands_in_the_bucket_under_the_name_the_storage_chose(uploaded, s3_server, s3_bucket, sa):
    keys = s3_server.keys(s3_bucket)
    assert keys == [f"evidence/{uploaded.file.name}"]
    assert uploaded.file.name.startswith(f"{sa.assessment.round.year}/6810195/") and uploaded.file.name.endswith(".pdf")
    body = s3_server.client().get_object(Bucket=s3_bucket, Key=keys[0])["Body"].read()
    assert body == samples.pdf_bytes("หนึ่ง") and uploaded.size == len(body)


def test_the_bucket_objects_are_not_publicly_readable(uploaded, s3_server, s3_bucket):
    """moto enforces a private object's ACL for an unsigned request: 403, no bytes."""
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server.endpoint}/{s3_bucket}/evidence/{uploaded.file.name}", timeout=10)
    assert refused.value.code == 403


def test_a_download_is_streamed_from_the_bucket_with_the_download_headers(client, uploaded):
    # The provincial office reads every organization of its province (assessors only their team's).
    office = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
    client.force_login(office)
    response = download(client, uploaded)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == samples.pdf_bytes("หนึ่ง")


def test_with_redirects_a_download_is_a_presigned_address_the_store_answers(client, uploaded, redirecting):
    response = download(client, uploaded)
    assert response.status_code == 302
    location = response["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    assert "no-store" in response["Cache-Control"]
    with urllib.request.urlopen(location, timeout=10) as stored:
        assert stored.read() == samples.pdf_bytes("หนึ่ง")
        assert stored.headers["Content-Type"] == "application/pdf"
        disposition = stored.headers["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''" + urllib.parse.quote(THAI_NAME)


def test_an_outsider_gets_404_and_no_address(client, uploaded, redirecting):
    for outsider in (user_with_role(Role.Kind.ORG_STAFF), user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))):
        client.force_login(outsider)
        response = download(client, uploaded)
        assert response.status_code == 404
        assert "Location" not in response and "X-Amz-Signature" not in response.content.decode()


def test_the_preview_stays_streamed_with_this_sites_framing_rules(client, uploaded, redirecting):
    response = client.get(reverse("assessments:evidence_view", args=[uploaded.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert b"".join(response.streaming_content) == samples.pdf_bytes("หนึ่ง")


@pytest.mark.parametrize("redirect", [False, True])
def test_a_file_gone_from_the_bucket_is_404(client, uploaded, s3_server, s3_bucket, settings, redirect):
    settings.LPA_STORAGE_REDIRECT = redirect
    s3_server.client().delete_object(Bucket=s3_bucket, Key=f"evidence/{uploaded.file.name}")
    assert download(client, uploaded).status_code == 404


def test_a_refused_duplicate_leaves_nothing_behind_in_the_bucket(client, sa, indicator, uploaded, s3_server, s3_bucket):
    url = reverse("assessments:evidence_upload", args=[sa.assessment.pk, indicator.pk])
    response = client.post(url, {f"i{indicator.pk}-files": [upload("อีกชื่อ.pdf", samples.pdf_bytes("หนึ่ง"))]}, **FETCH)
    assert response.status_code == 422 and "แนบไว้กับตัวชี้วัดนี้แล้ว" in response.content.decode()
    assert s3_server.keys(s3_bucket) == [f"evidence/{uploaded.file.name}"]
