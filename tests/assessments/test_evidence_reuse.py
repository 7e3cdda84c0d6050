"""Evidence files stored once per organization by SHA-256, picked again without uploading,
deleted with the last evidence showing them; the picker page; "same file as indicator X";
the migration that links existing evidence."""

import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from assessments.evidence import (
    EvidenceRejected,
    add_evidence_file,
    attach_stored_files,
    open_evidence,
    remove_evidence,
)
from assessments.evidence_files import organization_files, same_file_codes
from assessments.models import AssessmentEvent, Evidence, StoredFile
from assessments.selfassessment import answer_for, save_answer, submit
from assessments.storage import evidence_storage
from tests.assessments import factories as samples
from tests.assessments.factories import AssessmentFactory, open_round, self_assessment, upload

pytestmark = pytest.mark.django_db

PDF = samples.pdf_bytes("คำสั่งแต่งตั้งคณะกรรมการ")


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.LPA_EVIDENCE_ROOT


def files_in(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def sa():
    return self_assessment(code="6810198")


@pytest.fixture
def two(sa):
    """Two indicators of the one assessment."""
    return answer_for(sa.assessment, sa.indicator(code="1.1")), answer_for(sa.assessment, sa.indicator(code="1.2"))


def test_the_same_bytes_twice_are_stored_once(sa, two, evidence_folder):
    first = add_evidence_file(answer=two[0], upload=upload("คำสั่ง.pdf", PDF), by=sa.staff)
    second = add_evidence_file(answer=two[1], upload=upload("คำสั่ง (สำเนา).pdf", PDF), by=sa.head)
    assert StoredFile.objects.count() == 1 and len(files_in(evidence_folder)) == 1
    assert first.stored == second.stored and first.file.name == second.file.name
    # Each attachment keeps its own name, uploader and date.
    assert (second.original_name, second.uploaded_by) == ("คำสั่ง (สำเนา).pdf", sa.head)
    with open_evidence(second) as stored:
        assert stored.read() == PDF


def test_other_bytes_and_other_organizations_are_stored_apart(sa, two, evidence_folder):
    add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    add_evidence_file(answer=two[1], upload=upload("ข.pdf", samples.pdf_bytes("อื่น")), by=sa.staff)
    other = self_assessment(round=sa.round, code="6810197")
    add_evidence_file(
        answer=answer_for(other.assessment, other.indicator()), upload=upload("ก.pdf", PDF), by=other.staff
    )
    assert StoredFile.objects.count() == 3 and len(files_in(evidence_folder)) == 3
    assert StoredFile.objects.filter(sha256=StoredFile.objects.first().sha256).count() in (1, 2)


def test_content_checks_still_apply_before_anything_is_reused(sa, two, evidence_folder):
    add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    with pytest.raises(EvidenceRejected):
        add_evidence_file(answer=two[1], upload=upload("โปรแกรม.pdf", b"MZ\x90\x00" + b"x" * 100), by=sa.staff)
    with pytest.raises(EvidenceRejected, match="แนบไว้กับตัวชี้วัดนี้แล้ว"):
        add_evidence_file(answer=two[0], upload=upload("อีกชื่อ.pdf", PDF), by=sa.staff)
    assert StoredFile.objects.count() == 1 and len(files_in(evidence_folder)) == 1


def test_removal_keeps_the_file_while_another_evidence_shows_it(
    sa, two, evidence_folder, django_capture_on_commit_callbacks
):
    first = add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    second = add_evidence_file(answer=two[1], upload=upload("ก.pdf", PDF), by=sa.staff)
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(first, by=sa.staff)
    assert StoredFile.objects.count() == 1 and len(files_in(evidence_folder)) == 1
    with open_evidence(second) as stored:
        assert stored.read() == PDF
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(second, by=sa.staff)
    assert not StoredFile.objects.exists() and files_in(evidence_folder) == []
    # The trail keeps what was attached and removed, and when.
    kinds = [(e.kind, e.data["name"], e.data["sha256"]) for e in sa.assessment.events.order_by("pk")]
    assert [k for k, _n, _s in kinds] == [AssessmentEvent.Kind.EVIDENCE_ADDED] * 2 + [
        AssessmentEvent.Kind.EVIDENCE_REMOVED
    ] * 2
    assert {s for _k, _n, s in kinds} == {first.sha256}
    second.refresh_from_db()
    assert second.is_removed and second.stored is None and second.original_name == "ก.pdf"


def test_uploading_again_after_the_last_removal_stores_the_bytes_again(
    sa, two, evidence_folder, django_capture_on_commit_callbacks
):
    first = add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(first, by=sa.staff)
    again = add_evidence_file(answer=two[1], upload=upload("ก.pdf", PDF), by=sa.staff)
    with open_evidence(again) as stored:
        assert stored.read() == PDF
    assert len(files_in(evidence_folder)) == 1


def test_picking_attaches_without_uploading_and_is_recorded(sa, two, evidence_folder):
    first = add_evidence_file(answer=two[0], upload=upload("คำสั่ง.pdf", PDF), by=sa.staff)
    (picked,) = attach_stored_files(answer=two[1], stored_ids=[first.stored_id], by=sa.head)
    assert (picked.stored, picked.original_name, picked.size, picked.uploaded_by) == (
        first.stored,
        "คำสั่ง.pdf",
        len(PDF),
        sa.head,
    )
    assert len(files_in(evidence_folder)) == 1
    event = sa.assessment.events.order_by("pk").last()
    assert event.data["reused"] is True and event.data["sha256"] == first.sha256
    with pytest.raises(EvidenceRejected, match="แนบไว้กับตัวชี้วัดนี้แล้ว"):
        attach_stored_files(answer=two[1], stored_ids=[first.stored_id], by=sa.head)


def test_a_file_from_an_earlier_year_can_be_picked(sa, evidence_folder):
    earlier = add_evidence_file(
        answer=answer_for(sa.assessment, sa.indicator(code="1.1")), upload=upload("ก.pdf", PDF), by=sa.staff
    )
    next_year = open_round(year=sa.round.year + 1)
    assessment = AssessmentFactory(round=next_year, organization=sa.organization)
    later = self_assessment(round=next_year, code="6810196")  # gives the round a category
    indicator = later.indicator(code="1.1")
    page, files = organization_files(sa.organization.pk)
    assert [(f.name, [(u.year, u.code) for u in f.uses]) for f in files] == [("ก.pdf", [(sa.round.year, "1.1")])]
    (picked,) = attach_stored_files(
        answer=answer_for(assessment, indicator), stored_ids=[earlier.stored_id], by=sa.staff
    )
    assert picked.stored == earlier.stored and picked.answer.assessment == assessment


def test_another_organizations_file_is_refused_and_nothing_attached(sa, two):
    other = self_assessment(round=sa.round, code="6810195")
    theirs = add_evidence_file(
        answer=answer_for(other.assessment, other.indicator()), upload=upload("ก.pdf", PDF), by=other.staff
    )
    with pytest.raises(StoredFile.DoesNotExist):
        attach_stored_files(answer=two[0], stored_ids=[theirs.stored_id], by=sa.staff)
    assert not Evidence.objects.filter(answer__assessment=sa.assessment).exists()


def test_same_file_codes_name_the_other_indicators(sa, two):
    first = add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    second = add_evidence_file(answer=two[1], upload=upload("ข.pdf", PDF), by=sa.staff)
    lone = add_evidence_file(answer=two[1], upload=upload("ค.pdf", samples.pdf_bytes("อื่น")), by=sa.staff)
    codes = same_file_codes(sa.assessment.pk)
    assert codes == {first.pk: ["1.2"], second.pk: ["1.1"]} and lone.pk not in codes


# The picker page.


def pick_url(sa, answer) -> str:
    return reverse("assessments:evidence_pick", args=[sa.assessment.pk, answer.indicator.pk])


def test_picker_lists_the_organizations_files_and_attaches_the_chosen(client, sa, two):
    first = add_evidence_file(answer=two[0], upload=upload("คำสั่ง.pdf", PDF), by=sa.staff)
    client.force_login(sa.staff)
    response = client.get(pick_url(sa, two[1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "คำสั่ง.pdf" in html and f'value="{first.stored_id}"' in html and "1.1 (ปี" in html
    response = client.post(pick_url(sa, two[1]), {"files": [first.stored_id]})
    assert response.status_code == 302
    assert Evidence.objects.current().filter(answer__indicator=two[1].indicator, stored=first.stored).exists()
    # Now on this indicator: shown as attached, with no box to tick.
    html = client.get(pick_url(sa, two[1])).content.decode()
    assert f'value="{first.stored_id}"' not in html and "แนบแล้ว" in html


@pytest.mark.parametrize("files", [[], ["abc"], ["๑"], ["99999999999999999999999"]])
def test_picker_refuses_bad_choices_in_thai(client, sa, two, files):
    add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    client.force_login(sa.staff)
    response = client.post(pick_url(sa, two[1]), {"files": files})
    assert response.status_code == 400
    assert response.context["error"] in ("เลือกไฟล์อย่างน้อย 1 ไฟล์", "รายการไฟล์ที่เลือกไม่ถูกต้อง โปรดเลือกใหม่")
    assert not Evidence.objects.filter(answer__indicator=two[1].indicator).exists()


def test_picker_refuses_another_organizations_file_id(client, sa, two):
    other = self_assessment(round=sa.round, code="6810194")
    theirs = add_evidence_file(
        answer=answer_for(other.assessment, other.indicator()), upload=upload("ก.pdf", PDF), by=other.staff
    )
    client.force_login(sa.staff)
    response = client.post(pick_url(sa, two[1]), {"files": [theirs.stored_id]})
    assert response.status_code == 400 and "ไม่ใช่ไฟล์ของ อปท. นี้" in response.context["error"]
    assert "ก.pdf" not in response.content.decode()  # their file is never listed either


def test_picker_after_submission_says_why_and_attaches_nothing(client, sa, two):
    first = add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    for answer in two:
        indicator = answer.indicator
        save_answer(
            assessment=sa.assessment,
            indicator=indicator,
            data={"level": indicator.options.last().pk},
            expected_version=0,
            by=sa.staff,
        )
    submit(sa.assessment, by=sa.head)
    client.force_login(sa.staff)
    assert "ส่งผลการประเมินแล้ว" in client.get(pick_url(sa, two[1])).content.decode()
    response = client.post(pick_url(sa, two[1]), {"files": [first.stored_id]})
    assert response.status_code == 409 and "ส่งผลการประเมินแล้ว" in response.context["error"]
    assert not Evidence.objects.filter(answer__indicator=two[1].indicator).exists()


def test_picker_is_for_the_organizations_own_people(client, sa, two):
    from accounts.models import Role
    from tests.factories import province, user_with_role

    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    assert client.get(pick_url(sa, two[1])).status_code == 403
    outsider = self_assessment(round=sa.round, code="6810193")
    client.force_login(outsider.staff)
    assert client.get(pick_url(sa, two[1])).status_code == 404


def test_indicator_editor_links_to_the_picker(client, sa, two):
    client.force_login(sa.staff)
    url = reverse("assessments:indicator_editor", args=[sa.assessment.pk, two[1].indicator.pk])
    assert pick_url(sa, two[1]) in client.get(url).content.decode()


# The migration of existing evidence.


def test_migration_links_existing_evidence_and_drops_duplicate_copies(
    sa, two, evidence_folder, django_capture_on_commit_callbacks
):
    import hashlib

    storage = evidence_storage()
    sha = hashlib.sha256(PDF).hexdigest()
    names = [storage.save(f"legacy/{n}.pdf", ContentFile(PDF)) for n in range(2)]
    odd = storage.save("legacy/odd.pdf", ContentFile(b"%PDF-1.4 other bytes"))
    rows = [
        Evidence.objects.create(
            answer=two[i % 2].__class__.objects.get_or_create(assessment=sa.assessment, indicator=two[i % 2].indicator)[
                0
            ],
            file=name,
            original_name=f"{i}.pdf",
            size=len(PDF),
            sha256=sha,
            content_type="application/pdf",
            uploaded_by=sa.staff,
        )
        for i, name in enumerate([names[0], names[1]])
    ]
    # Recorded with the same SHA-256 but other bytes: not provably a copy, left as it was.
    answer = two[0].__class__.objects.create(assessment=sa.assessment, indicator=sa.indicator(code="1.3"))
    odd_row = Evidence.objects.create(
        answer=answer,
        file=odd,
        original_name="odd.pdf",
        size=10,
        sha256=sha,
        content_type="application/pdf",
        uploaded_by=sa.staff,
    )
    migration = importlib.import_module("assessments.migrations.0008_link_evidence_to_stored_files")
    with django_capture_on_commit_callbacks(execute=True):
        migration.forward(django_apps, SimpleNamespace(connection=connection))
    (stored,) = StoredFile.objects.all()
    for row in rows:
        row.refresh_from_db()
        assert (row.stored, row.file.name) == (stored, names[0])
    odd_row.refresh_from_db()
    assert odd_row.stored is None and odd_row.file.name == odd
    assert {p.name for p in files_in(evidence_folder)} == {Path(names[0]).name, Path(odd).name}
    # Run again: nothing changes.
    migration.forward(django_apps, SimpleNamespace(connection=connection))
    assert StoredFile.objects.count() == 1


def test_review_evidence_list_notes_the_same_file(sa, two, rf):
    from django.template.loader import render_to_string

    first = add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    add_evidence_file(answer=two[1], upload=upload("ข.pdf", PDF), by=sa.staff)
    request = rf.get("/")
    html = render_to_string(
        "reviews/snippets/same_file_note.html", {"evidence": first, "answer": first.answer}, request=request
    )
    assert "ไฟล์เดียวกับตัวชี้วัด 1.2" in html
    with open(Path(__file__).resolve().parents[2] / "templates/reviews/snippets/review_evidence.html") as block:
        assert '{% include "reviews/snippets/same_file_note.html" %}' in block.read()


def test_in_a_bucket_the_same_bytes_are_one_object_deleted_with_the_last_evidence(
    sa, two, s3_server, s3_bucket, django_capture_on_commit_callbacks
):
    first = add_evidence_file(answer=two[0], upload=upload("ก.pdf", PDF), by=sa.staff)
    (picked,) = attach_stored_files(answer=two[1], stored_ids=[first.stored_id], by=sa.staff)
    assert s3_server.keys(s3_bucket) == [f"evidence/{first.file.name}"]
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(first, by=sa.staff)
    assert s3_server.keys(s3_bucket) == [f"evidence/{first.file.name}"]
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(picked, by=sa.staff)
    assert s3_server.keys(s3_bucket) == []
