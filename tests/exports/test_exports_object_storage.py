"""Exports in an S3-compatible bucket (moto's server on 127.0.0.1, tests/s3.py): the worker
saves the built file to the bucket, the person downloads it streamed or through a presigned
address, nobody else gets one, and pruning deletes the object."""

import datetime
import urllib.parse
import urllib.request

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.spreadsheets import XLSX_CONTENT_TYPE
from exports.building import prune, request_export
from exports.models import Export
from tests.exports.test_exports import codes_in, run_worker
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def built(cases, s3_bucket) -> Export:
    krabi, _chonburi = cases
    export, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    run_worker()
    export.refresh_from_db()
    return export


def test_the_worker_saves_the_file_to_the_bucket(built, cases, s3_server, s3_bucket, settings):
    krabi, chonburi = cases
    assert built.status == Export.Status.DONE
    assert s3_server.keys(s3_bucket) == [f"exports/{built.pk}-lpa-results-{krabi.round.year}.xlsx"]
    assert not settings.LPA_EXPORTS_ROOT.exists(), "nothing is left on the worker's disk"
    body = s3_server.client().get_object(Bucket=s3_bucket, Key=f"exports/{built.file.name}")["Body"].read()
    assert len(body) == built.size
    assert codes_in(body) == {krabi.assessment.organization.code, chonburi.assessment.organization.code}


def test_the_person_downloads_it_streamed_from_the_bucket(client, built, cases):
    krabi, chonburi = cases
    client.force_login(krabi.department)
    response = client.get(reverse("exports:download", args=[built.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert f'filename="lpa-results-{krabi.round.year}.xlsx"' in response["Content-Disposition"]
    assert codes_in(b"".join(response.streaming_content)) == {
        krabi.assessment.organization.code,
        chonburi.assessment.organization.code,
    }


def test_with_redirects_the_person_gets_a_presigned_address(client, built, cases, settings):
    settings.LPA_STORAGE_REDIRECT = True
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    response = client.get(reverse("exports:download", args=[built.pk]))
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(response["Location"]).query)
    assert query["X-Amz-Expires"] == [str(settings.LPA_STORAGE_URL_SECONDS)]
    with urllib.request.urlopen(response["Location"], timeout=10) as stored:
        body = stored.read()
        assert stored.headers["Content-Type"] == XLSX_CONTENT_TYPE
        assert stored.headers["Content-Disposition"] == f'attachment; filename="lpa-results-{krabi.round.year}.xlsx"'
    assert len(body) == built.size and krabi.assessment.organization.code in codes_in(body)


def test_someone_else_gets_404_and_no_address(client, built, settings):
    settings.LPA_STORAGE_REDIRECT = True
    client.force_login(user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    response = client.get(reverse("exports:download", args=[built.pk]))
    assert response.status_code == 404 and "Location" not in response


def test_prune_deletes_the_object_from_the_bucket(built, s3_server, s3_bucket):
    Export.objects.filter(pk=built.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert prune() == 1
    assert s3_server.keys(s3_bucket) == [] and not Export.objects.exists()


def test_a_bucket_that_refuses_the_file_fails_the_export_with_a_thai_message(cases, s3_server, settings):
    settings.STORAGES = {**settings.STORAGES, **s3_server.storages("lpa-no-such-bucket")}
    krabi, _chonburi = cases
    export, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    run_worker()
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and not export.file
    assert "จัดทำไฟล์ไม่สำเร็จ" in export.error
