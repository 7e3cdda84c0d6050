"""Evidence files checked by content, stored privately under generated names; links; removal."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction

from accounts.models import Role
from assessments.evidence import (
    EvidenceRejected,
    add_evidence_file,
    add_evidence_link,
    open_evidence,
    remove_evidence,
)
from assessments.models import Answer, AssessmentEvent, Evidence
from assessments.selfassessment import AssessmentLocked, answer_for, save_answer, submit
from assessments.storage import evidence_root, evidence_storage
from tests.assessments import factories as samples
from tests.assessments.factories import open_round, self_assessment, upload
from tests.factories import OrganizationFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.LPA_EVIDENCE_ROOT


@pytest.fixture
def sa():
    return self_assessment(code="6810199")


@pytest.fixture
def answer(sa):
    return answer_for(sa.assessment, sa.indicator(evidence_required="คำสั่งแต่งตั้ง"))


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


ACCEPTED = [
    ("คำสั่ง.pdf", samples.pdf_bytes, "application/pdf", "pdf"),
    ("ภาพถ่าย.jpg", lambda: samples.image_bytes("JPEG"), "image/jpeg", "jpg"),
    ("ภาพถ่าย.png", samples.image_bytes, "image/png", "png"),
    ("รายงาน.docx", samples.docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("ทะเบียน.xlsx", samples.xlsx_bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("รายงาน.doc", lambda: samples.ole_bytes("WordDocument", "SummaryInformation"), "application/msword", "doc"),
    ("ทะเบียน.xls", lambda: samples.ole_bytes("Workbook"), "application/vnd.ms-excel", "xls"),
    ("รายงาน.odt", samples.odf_bytes, "application/vnd.oasis.opendocument.text", "odt"),
    (
        "ทะเบียน.ods",
        lambda: samples.odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
        "ods",
    ),
]


@pytest.mark.parametrize(("name", "make", "content_type", "extension"), ACCEPTED, ids=[row[3] for row in ACCEPTED])
def test_accepted_types_are_stored_privately_with_size_hash_and_original_name(
    sa, answer, evidence_folder, name, make, content_type, extension
):
    content = make()
    evidence = add_evidence_file(answer=answer, upload=upload(name, content, "application/octet-stream"), by=sa.staff)
    evidence.refresh_from_db()
    assert (evidence.original_name, evidence.content_type, evidence.size) == (name, content_type, len(content))
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.uploaded_by == sa.staff and evidence.answer.pk is not None
    assert re.fullmatch(rf"{sa.round.year}/6810199/[0-9a-f]{{32}}\.{extension}", evidence.file.name)
    assert (evidence_folder / evidence.file.name).read_bytes() == content
    with open_evidence(evidence) as stored:
        assert stored.read() == content


REJECTED = [
    ("an ELF program renamed .pdf", "report.pdf", lambda: Path("/bin/true").read_bytes()),
    ("an ELF header", "scan.pdf", lambda: samples.ELF_HEADER),
    ("a Windows program renamed .docx", "รายงาน.docx", lambda: samples.PE_HEADER),
    ("an installer-like compound file", "ทะเบียน.doc", lambda: samples.ole_bytes("SummaryInformation", "Property")),
    ("a plain zip renamed .xlsx", "ทะเบียน.xlsx", lambda: samples.zip_bytes({"readme.txt": b"hello"})),
    ("a presentation", "นำเสนอ.odp", lambda: samples.odf_bytes("application/vnd.oasis.opendocument.presentation")),
    ("a script", "run.pdf", lambda: b"#!/bin/sh\nrm -rf /\n"),
    ("an HTML page", "page.pdf", lambda: b"<html><script>alert(1)</script></html>"),
    ("a PDF header in the middle", "late.pdf", lambda: b"MZ" + b"\x00" * 30 + b"%PDF-1.4"),
]


@pytest.mark.parametrize(("case", "name", "make"), REJECTED, ids=[row[0] for row in REJECTED])
def test_other_content_is_refused_whatever_the_name(sa, answer, evidence_folder, case, name, make):
    with pytest.raises(EvidenceRejected) as error:
        add_evidence_file(answer=answer, upload=upload(name, make()), by=sa.staff)
    assert error.value.messages[0].startswith(f'ไฟล์ "{name}" ไม่ใช่ประเภทที่รับ')
    assert not Evidence.objects.exists() and stored_files(evidence_folder) == []


def test_office_files_with_macros_are_refused(sa, answer, evidence_folder):
    for name, content in (("m.docx", samples.docx_bytes(macros=True)), ("m.doc", samples.ole_bytes("WordDocument", "Macros"))):
        with pytest.raises(EvidenceRejected) as error:
            add_evidence_file(answer=answer, upload=upload(name, content), by=sa.staff)
        assert f'ไฟล์ "{name}" มีมาโคร' in error.value.messages[0]
    assert stored_files(evidence_folder) == []


def test_an_empty_file_is_refused(sa, answer):
    with pytest.raises(EvidenceRejected) as error:
        add_evidence_file(answer=answer, upload=upload("ว่าง.pdf", b""), by=sa.staff)
    assert error.value.messages == ['ไฟล์ "ว่าง.pdf" ว่างเปล่า (0 ไบต์) โปรดเลือกไฟล์ใหม่']


def test_an_oversized_file_is_refused_by_the_setting(sa, answer, settings, evidence_folder):
    settings.LPA_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = samples.pdf_bytes() + b"0" * (1024 * 1024)
    with pytest.raises(EvidenceRejected) as error:
        add_evidence_file(answer=answer, upload=upload("สแกนทั้งเล่ม.pdf", big), by=sa.staff)
    assert error.value.messages == ['ไฟล์ "สแกนทั้งเล่ม.pdf" มีขนาด 1 MB เกินขนาดสูงสุด 1 MB ต่อไฟล์']
    assert stored_files(evidence_folder) == []


def test_the_size_is_counted_from_the_bytes_when_the_upload_does_not_say(sa, answer):
    # A File over a stream has no trustworthy size of its own.
    content = samples.pdf_bytes() + b"0" * 3000
    stream = File(io.BytesIO(content), name="stream.pdf")
    stream.size = None
    with pytest.raises(EvidenceRejected) as error:
        add_evidence_file(answer=answer, upload=stream, by=sa.staff, max_bytes=2048)
    assert "เกินขนาดสูงสุด" in error.value.messages[0]


def test_default_limit_is_20_mb(sa, answer, settings):
    del settings.LPA_EVIDENCE_MAX_BYTES
    limit = 20 * 1024 * 1024
    with pytest.raises(EvidenceRejected) as error:
        add_evidence_file(answer=answer, upload=upload("big.pdf", samples.pdf_bytes() + b"0" * limit), by=sa.staff)
    assert "เกินขนาดสูงสุด 20 MB" in error.value.messages[0]


def test_a_name_with_path_parts_is_shown_as_given_and_never_used_as_a_path(sa, answer, evidence_folder, tmp_path):
    name = "../../../lpa/settings.py.pdf"
    evidence = add_evidence_file(answer=answer, upload=File(io.BytesIO(samples.pdf_bytes()), name=name), by=sa.staff)
    evidence.refresh_from_db()
    assert evidence.original_name == name and evidence.display_name == name
    assert ".." not in evidence.file.name and "settings" not in evidence.file.name
    [stored] = stored_files(evidence_folder)
    assert stored.resolve().is_relative_to(evidence_folder.resolve())
    assert not (tmp_path / "lpa").exists()


def test_control_characters_are_dropped_from_the_name(sa, answer):
    evidence = add_evidence_file(
        answer=answer, upload=File(io.BytesIO(samples.pdf_bytes()), name="คำสั่ง\x00\n.pdf"), by=sa.staff
    )
    assert evidence.original_name == "คำสั่ง.pdf"


def test_windows_style_names_are_kept_whole(sa, answer):
    name = "..\\..\\Windows\\System32\\รายงาน.pdf"
    evidence = add_evidence_file(answer=answer, upload=upload(name, samples.pdf_bytes()), by=sa.staff)
    assert evidence.original_name == name and "\\" not in evidence.file.name


def test_the_same_file_twice_is_refused_until_the_first_is_removed(sa, answer, evidence_folder):
    first = add_evidence_file(answer=answer, upload=upload("a.pdf", samples.pdf_bytes()), by=sa.staff)
    with pytest.raises(EvidenceRejected) as error:
        add_evidence_file(answer=first.answer, upload=upload("b.pdf", samples.pdf_bytes()), by=sa.staff)
    assert error.value.messages == ['ไฟล์ "b.pdf" แนบไว้กับตัวชี้วัดนี้แล้ว']
    assert len(stored_files(evidence_folder)) == 1  # the refused copy is not left behind
    remove_evidence(first, by=sa.staff)
    add_evidence_file(answer=first.answer, upload=upload("b.pdf", samples.pdf_bytes()), by=sa.staff)


def test_an_indicator_holds_a_limited_number_of_items(sa, answer, settings):
    settings.LPA_EVIDENCE_MAX_ITEMS = 2
    add_evidence_link(answer=answer, url="https://a.go.th/1", title="หน้า 1", by=sa.staff)
    add_evidence_file(answer=answer_for(sa.assessment, answer.indicator), upload=upload("a.pdf", samples.pdf_bytes()), by=sa.staff)
    with pytest.raises(EvidenceRejected) as error:
        add_evidence_file(
            answer=answer_for(sa.assessment, answer.indicator), upload=upload("c.pdf", samples.pdf_bytes("c")), by=sa.staff
        )
    assert error.value.messages == ['แนบ "c.pdf" ไม่ได้: ตัวชี้วัดหนึ่งมีหลักฐานได้ไม่เกิน 2 รายการ']


def test_evidence_may_come_before_the_answer(sa, answer):
    assert answer.pk is None
    evidence = add_evidence_file(answer=answer, upload=upload("a.pdf", samples.pdf_bytes()), by=sa.staff)
    saved = Answer.objects.get()
    assert evidence.answer == saved and saved.version == 0 and not saved.is_answered
    level = saved.indicator.options.last()
    save_answer(assessment=sa.assessment, indicator=saved.indicator, data={"level": level.pk}, expected_version=0, by=sa.staff)


def test_links_must_be_http_or_https(sa, answer):
    evidence = add_evidence_link(
        answer=answer, url=" HTTPS://www.krabi-sao.go.th/ข่าว/แผนพัฒนา ", title="แผนพัฒนาท้องถิ่น", by=sa.staff
    )
    assert evidence.url == "https://www.krabi-sao.go.th/ข่าว/แผนพัฒนา" and evidence.display_name == "แผนพัฒนาท้องถิ่น"
    for bad in ("javascript:alert(1)", "ftp://example.go.th/a.pdf", "www.example.go.th", "file:///etc/passwd", ""):
        with pytest.raises(EvidenceRejected) as error:
            add_evidence_link(answer=evidence.answer, url=bad, title="", by=sa.staff)
        assert "ต้องขึ้นต้นด้วย http:// หรือ https://" in error.value.messages[0]


def test_a_link_added_is_recorded_in_the_trail(sa, answer):
    evidence = add_evidence_link(answer=answer, url="https://a.go.th/plan", title="แผน", by=sa.staff)
    event = sa.assessment.events.get()
    assert (event.kind, event.indicator, event.by) == (AssessmentEvent.Kind.EVIDENCE_ADDED, answer.indicator, sa.staff)
    assert event.data == {"indicator": answer.indicator.code, "evidence": evidence.pk, "name": "แผน", "url": "https://a.go.th/plan"}


def test_a_link_cannot_be_opened_as_a_file(sa, answer):
    evidence = add_evidence_link(answer=answer, url="https://a.go.th", title="", by=sa.staff)
    with pytest.raises(Evidence.DoesNotExist):
        open_evidence(evidence)


def test_removal_is_recorded_and_the_last_removal_deletes_the_file(
    sa, answer, evidence_folder, django_capture_on_commit_callbacks
):
    evidence = add_evidence_file(answer=answer, upload=upload("คำสั่ง.pdf", samples.pdf_bytes()), by=sa.staff)
    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(evidence, by=sa.head)
    evidence.refresh_from_db()
    assert evidence.is_removed and evidence.deleted_by == sa.head
    # No other evidence shows the file: its bytes go (tests/assessments/test_evidence_reuse.py).
    assert not (evidence_folder / evidence.file.name).exists()
    added, event = sa.assessment.events.all()
    assert (added.kind, added.by, added.data["sha256"]) == (AssessmentEvent.Kind.EVIDENCE_ADDED, sa.staff, evidence.sha256)
    assert (event.kind, event.by, event.indicator) == (AssessmentEvent.Kind.EVIDENCE_REMOVED, sa.head, answer.indicator)
    assert event.data["name"] == "คำสั่ง.pdf" and event.data["sha256"] == evidence.sha256
    assert not Evidence.objects.current().exists()
    with pytest.raises(Evidence.DoesNotExist):
        open_evidence(evidence)
    with pytest.raises(FileNotFoundError):
        open_evidence(evidence, include_removed=True)
    with pytest.raises(ValidationError):
        remove_evidence(evidence, by=sa.head)


def test_evidence_is_frozen_once_submitted(sa, answer):
    evidence = add_evidence_file(answer=answer, upload=upload("คำสั่ง.pdf", samples.pdf_bytes()), by=sa.staff)
    save_answer(
        assessment=sa.assessment,
        indicator=answer.indicator,
        data={"level": answer.indicator.options.last().pk},
        expected_version=0,
        by=sa.staff,
    )
    submit(sa.assessment, by=sa.head)
    with pytest.raises(AssessmentLocked):
        remove_evidence(evidence, by=sa.staff)
    with pytest.raises(AssessmentLocked):
        add_evidence_file(answer=evidence.answer, upload=upload("more.pdf", samples.pdf_bytes("x")), by=sa.staff)
    assert Evidence.objects.current().count() == 1


def test_nothing_is_stored_after_the_deadline(evidence_folder):
    closed = self_assessment(open_round(opens_in_days=-60, closes_in_days=-1))
    answer = answer_for(closed.assessment, closed.indicator())
    with pytest.raises(AssessmentLocked):
        add_evidence_file(answer=answer, upload=upload("a.pdf", samples.pdf_bytes()), by=closed.staff)
    assert stored_files(evidence_folder) == []


def test_outsiders_may_not_add_or_remove(sa, answer):
    evidence = add_evidence_link(answer=answer, url="https://a.go.th", title="", by=sa.staff)
    outsider = user_with_role(Role.Kind.ORG_STAFF, organization=OrganizationFactory())
    with pytest.raises(PermissionDenied):
        add_evidence_file(answer=evidence.answer, upload=upload("a.pdf", samples.pdf_bytes()), by=outsider)
    with pytest.raises(PermissionDenied):
        remove_evidence(evidence, by=user_with_role(Role.Kind.PROVINCIAL_ADMIN))


def test_evidence_has_no_public_url_and_lives_outside_media(sa, answer, settings):
    evidence = add_evidence_file(answer=answer, upload=upload("a.pdf", samples.pdf_bytes()), by=sa.staff)
    with pytest.raises(ValueError):
        _ = evidence.file.url
    del settings.LPA_EVIDENCE_ROOT
    assert evidence_root() == settings.BASE_DIR / "evidence"
    assert not evidence_root().is_relative_to(settings.MEDIA_ROOT)
    assert evidence_storage().location == str(settings.BASE_DIR / "evidence")


def test_the_database_keeps_evidence_either_a_file_or_a_link(sa, answer):
    answer.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(answer=answer, uploaded_by=sa.staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(answer=answer, url="javascript:alert(1)", uploaded_by=sa.staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(answer=answer, file="2569/x/y.pdf", uploaded_by=sa.staff)  # no size or hash
