"""Background exports: asking for one, the worker building it, progress, download, who may."""

import dataclasses
import datetime
import importlib
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from accounts.models import Role
from core.log_context import ContextFilter
from exports import building
from exports.building import request_export
from exports.models import Export
from notifications.models import Notification
from results.workbook import SUMMARY_SHEET
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def ask(client, kind: str, year: int, province: str = ""):
    return client.post(reverse("exports:create"), {"kind": kind, "year": year, "province": province})


def run_worker() -> None:
    """The real worker (django-tasks-db's db_worker) until the queue is empty.

    Its tests run in transaction=True mode: the worker closes connections that are not in
    autocommit, as a test's wrapping transaction would be."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def codes_in(content: bytes) -> set[str]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {row[0] for row in workbook[SUMMARY_SHEET].iter_rows(min_row=2, values_only=True)}


def test_asking_queues_a_task_and_shows_its_page(client, cases):
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    response = ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year)
    assert response.status_code == 302, response.content.decode()[:3000]
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert (export.status, export.requested_by, export.province) == (Export.Status.QUEUED, krabi.department, None)
    task = DBTaskResult.objects.get(id=export.task_id)
    assert task.task_path == "exports.tasks.build_export" and task.args_kwargs["args"] == [export.pk]
    page = client.get(export.get_absolute_url()).content.decode()
    assert "รอคิว" in page and reverse("exports:status", args=[export.pk]) in page
    assert client.get(reverse("exports:status", args=[export.pk])).json()["status"] == "queued"


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_the_file_the_person_then_downloads(client, cases):
    krabi, chonburi = cases
    client.force_login(krabi.department)
    ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year)
    run_worker()
    export = Export.objects.get()
    assert export.status == Export.Status.DONE and export.done == export.total == 2
    stored = Path(settings.LPA_EXPORTS_ROOT) / export.file.name
    assert export.file.name == f"{export.pk}-lpa-results-{krabi.round.year}.xlsx"
    assert export.size == stored.stat().st_size > 0
    assert client.get(reverse("exports:status", args=[export.pk])).json() == {
        "status": "done", "label": "พร้อมดาวน์โหลด", "done": 2, "total": 2, "percent": 100,
    }
    response = client.get(reverse("exports:download", args=[export.pk]))
    assert response.status_code == 200
    assert f'filename="lpa-results-{krabi.round.year}.xlsx"' in response["Content-Disposition"]
    assert codes_in(b"".join(response.streaming_content)) == {
        krabi.assessment.organization.code,
        chonburi.assessment.organization.code,
    }
    notification = Notification.objects.get(recipient=krabi.department, kind=Notification.Kind.EXPORT_READY)
    assert notification.url == export.get_absolute_url() and str(krabi.round.year) in notification.subject


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_beside_the_web_builds_the_file(client, cases):
    """As in production: `manage.py db_worker` in its own process, on the same database."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory; CI runs this on PostgreSQL")
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year, "81")
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
        "LPA_EXPORTS_ROOT": str(settings.LPA_EXPORTS_ROOT),
        "DEBUG": "1",
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    export = Export.objects.get()
    assert export.status == Export.Status.DONE, finished.stderr
    response = client.get(reverse("exports:download", args=[export.pk]))
    assert codes_in(b"".join(response.streaming_content)) == {krabi.assessment.organization.code}


@pytest.mark.django_db(transaction=True)
def test_asking_again_while_it_is_built_shows_the_same_export(client, cases):
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    first = ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year)
    again = ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year)
    assert first["Location"] == again["Location"]
    # Only the export's task (the cases' notifications queued mail tasks of their own).
    assert Export.objects.count() == 1 and DBTaskResult.objects.filter(task_path="exports.tasks.build_export").count() == 1
    run_worker()
    ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year)
    assert Export.objects.count() == 2, "a finished export does not stop a new one with the latest results"


def test_progress_is_written_as_the_builder_goes(cases, monkeypatch):
    krabi, _chonburi = cases
    monkeypatch.setattr(building, "PROGRESS_EVERY", 0)
    export, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    progress = building._progress_writer(export)
    progress(1, 2)
    export.refresh_from_db()
    assert (export.done, export.total, export.percent) == (1, 2, 50)
    monkeypatch.setattr(building, "PROGRESS_EVERY", 3600)
    progress(2, 3)  # too soon after the last write: skipped
    export.refresh_from_db()
    assert (export.done, export.total) == (1, 2)
    progress(3, 3)  # the last step is always written
    export.refresh_from_db()
    assert (export.done, export.total) == (3, 3)


@pytest.mark.django_db(transaction=True)
def test_a_failed_build_is_recorded_with_a_thai_message_and_no_file(client, cases, monkeypatch):
    krabi, _chonburi = cases
    logged = []
    handler = logging.Handler(level=logging.ERROR)
    handler.addFilter(ContextFilter())
    handler.emit = logged.append
    logging.getLogger("exports").addHandler(handler)

    def broken(export, path, progress):
        path.write_bytes(b"half")
        raise RuntimeError("disk full")

    workbook = building.REPORTS[Export.Kind.RESULTS_WORKBOOK]
    monkeypatch.setitem(building.REPORTS, Export.Kind.RESULTS_WORKBOOK, dataclasses.replace(workbook, write=broken))
    client.force_login(krabi.department)
    ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year)
    run_worker()
    export = Export.objects.get()
    assert export.status == Export.Status.FAILED and not export.file
    assert list(Path(settings.LPA_EXPORTS_ROOT).rglob("*")) == [], "the half-written file went with its temporary folder"
    assert "จัดทำไฟล์ไม่สำเร็จ" in export.error and "disk full" not in export.error
    page = client.get(export.get_absolute_url()).content.decode()
    assert export.error in page and "สั่งจัดทำใหม่" in page
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    assert DBTaskResult.objects.get(id=export.task_id).status == "FAILED"
    # The worker's log line names the task, to find it among several workers' lines.
    logging.getLogger("exports").removeHandler(handler)
    assert [record.task_id for record in logged] == [str(export.task_id)]


def test_provincial_office_may_export_its_own_province_only(client, cases):
    krabi, _chonburi = cases
    client.force_login(krabi.office)
    assert ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year, "81").status_code == 302
    assert ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year, "20").status_code == 404
    assert ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year).status_code == 404  # the country
    assert Export.objects.get().province.code == "81"


@pytest.mark.parametrize("kind", [Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_STAFF])
def test_assessors_and_organizations_may_not_export(client, cases, kind):
    krabi, _chonburi = cases
    client.force_login(user_with_role(kind, organization=krabi.assessment.organization, province=krabi.assessment.organization.district.province))
    assert ask(client, Export.Kind.RESULTS_WORKBOOK, krabi.round.year, "81").status_code == 404
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "everything", "year": "2569"}, "ไม่รู้จักรายงานที่ขอ"),
        ({"kind": "results_workbook", "year": "ปีนี้"}, "ปีต้องเป็นตัวเลข พ.ศ."),
        ({"kind": "province_report", "year": "2569"}, "รายงานระดับจังหวัดต้องระบุจังหวัด"),
        ({"kind": "national_report", "year": "2569", "province": "81"}, "รายงานระดับประเทศไม่ต้องระบุจังหวัด"),
    ],
)
def test_a_bad_request_gets_a_thai_message(client, cases, data, message):
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    response = client.post(reverse("exports:create"), data, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Export.objects.exists()


def test_unknown_year_is_404(client, cases):
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    assert ask(client, Export.Kind.RESULTS_WORKBOOK, 2600).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_exports_are_their_requesters_only(client, cases):
    krabi, _chonburi = cases
    export, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    run_worker()
    other = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    client.force_login(other)
    for name in ("exports:detail", "exports:status", "exports:download"):
        assert client.get(reverse(name, args=[export.pk])).status_code == 404
    assert export.get_absolute_url() not in client.get(reverse("exports:list")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_file_is_refused_once_its_reader_lost_the_role(client, cases):
    krabi, _chonburi = cases
    export, _ = request_export(user=krabi.office, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=krabi.assessment.organization.district.province)
    run_worker()
    client.force_login(krabi.office)
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 200
    Role.objects.filter(user=krabi.office).delete()
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_list_shows_the_persons_exports_with_their_state(client, cases):
    krabi, _chonburi = cases
    done, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    run_worker()
    waiting, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=krabi.assessment.organization.district.province)
    client.force_login(krabi.department)
    html = client.get(reverse("exports:list")).content.decode()
    assert reverse("exports:download", args=[done.pk]) in html
    assert waiting.get_absolute_url() in html and reverse("exports:download", args=[waiting.pk]) not in html


@pytest.mark.django_db(transaction=True)
def test_prune_deletes_old_finished_exports_with_their_files(cases):
    krabi, _chonburi = cases
    old, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    run_worker()
    old.refresh_from_db()
    Export.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    waiting, _ = request_export(user=krabi.office, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=krabi.assessment.organization.district.province)
    Export.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    stored = Path(settings.LPA_EXPORTS_ROOT) / old.file.name
    assert stored.exists()
    out = io.StringIO()
    call_command("prune_exports", stdout=out)
    assert "deleted 1 exports" in out.getvalue()
    assert not stored.exists()
    assert list(Export.objects.all()) == [waiting]


def test_a_build_that_lost_its_worker_is_replaced_when_asked_again(client, cases):
    krabi, _chonburi = cases
    stuck, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    Export.objects.filter(pk=stuck.pk).update(status=Export.Status.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=10))
    again, created = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    assert (again, created) == (stuck, False), "ten minutes in, it may still be working"
    Export.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=31))
    again, created = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    stuck.refresh_from_db()
    assert created and again != stuck
    assert stuck.status == Export.Status.FAILED and "ค้าง" in stuck.error


def test_a_job_no_worker_took_says_so(client, cases):
    krabi, _chonburi = cases
    export, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    client.force_login(krabi.department)
    assert "ระบบงานเบื้องหลังอาจหยุดทำงาน" not in client.get(export.get_absolute_url()).content.decode()
    Export.objects.filter(pk=export.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=3))
    assert "ระบบงานเบื้องหลังอาจหยุดทำงาน" in client.get(export.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind, province", [(Export.Kind.NATIONAL_REPORT, ""), (Export.Kind.PROVINCE_REPORT, "81")])
def test_the_worker_prints_the_pdf_reports(client, cases, kind, province):
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    ask(client, kind, krabi.round.year, province)
    run_worker()
    export = Export.objects.get()
    assert export.status == Export.Status.DONE and export.done == export.total > 0
    response = client.get(reverse("exports:download", args=[export.pk]))
    assert response["Content-Type"] == "application/pdf"
    expected = f"lpa-report-{krabi.round.year}{'-81' if province else ''}.pdf"
    assert f'filename="{expected}"' in response["Content-Disposition"]
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=b"".join(response.streaming_content), capture_output=True, check=True
    ).stdout.decode()
    assert "กระบี่" in text and str(krabi.round.year) in text


def test_an_export_built_before_the_file_field_keeps_its_file(client, cases, settings):
    """Files were kept at LPA_EXPORTS_ROOT/<id>/<file name>; the data migration points the field there."""
    migration = importlib.import_module("exports.migrations.0003_export_file_from_old_path")
    krabi, _chonburi = cases
    export = Export.objects.create(
        requested_by=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, round=krabi.round, status=Export.Status.DONE,
        file_name="lpa-results-2569.xlsx", size=4,
    )
    failed = Export.objects.create(
        requested_by=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, round=krabi.round, status=Export.Status.FAILED,
    )
    old = Path(settings.LPA_EXPORTS_ROOT) / str(export.pk) / export.file_name
    old.parent.mkdir(parents=True)
    old.write_bytes(b"xlsx")
    migration.forward(django_apps, None)
    export.refresh_from_db()
    failed.refresh_from_db()
    assert (export.file.name, failed.file.name) == (f"{export.pk}/lpa-results-2569.xlsx", "")
    client.force_login(krabi.department)
    response = client.get(reverse("exports:download", args=[export.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"xlsx"


@pytest.mark.django_db(transaction=True)
def test_the_admin_shows_where_a_file_is_stored_without_a_link(admin_client, cases):
    krabi, _chonburi = cases
    export, _ = request_export(user=krabi.department, kind=Export.Kind.RESULTS_WORKBOOK, assessment_round=krabi.round, province=None)
    run_worker()
    export.refresh_from_db()
    response = admin_client.get(reverse("admin:exports_export_change", args=[export.pk]))
    assert response.status_code == 200
    assert export.file.name in response.content.decode()
