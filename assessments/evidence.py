"""Evidence for an answer: files checked by their content, and links to web pages.

Accepted files: PDF, JPEG, PNG, Word and Excel (2007+ and 97–2003) and OpenDocument text
and spreadsheets. The type is read from the bytes, never from the name or the browser's
claim: a program renamed ".pdf" is refused. Office files with macros are refused too.
The limit per file is settings.LPA_EVIDENCE_MAX_BYTES (20 MB by default) and an answer
holds at most settings.LPA_EVIDENCE_MAX_ITEMS pieces of evidence (20 by default).

Files are stored under a random name in the private evidence storage (assessments.storage);
the uploader's name is kept for display only. The bytes are stored once per organization,
found by their SHA-256 (StoredFile): a second upload of the same bytes, for another
indicator or in a later year, reuses the stored file, and staff may attach a file they
uploaded before from a picker without uploading it again (attach_stored_files). Each piece
of evidence keeps its own name, size, type, uploader and date. Removing evidence is a soft
delete recorded as an event (name, size and SHA-256 stay in the trail); the stored bytes go
when the last evidence showing them is removed, after the removal commits.

After publication the self-assessment is closed, but the head may appeal single indicators
with new evidence: reviews.workflow.add_appeal_evidence_file attaches such a file to the indicator's answer
under the appeal's rules instead (same content checks).
"""

import datetime
import hashlib
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

import olefile
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.models import Answer, Assessment, AssessmentEvent, Evidence, StoredFile
from assessments.selfassessment import ensure_editable, lock
from assessments.storage import evidence_storage

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ITEMS = 20
CHUNK = 64 * 1024
# Enough of a zip's small control entries to recognise it; the rest is never unpacked.
CONTROL_ENTRY_LIMIT = 256 * 1024
MAX_NAME = 255
MAX_TITLE = 300
MAX_URL = 2000


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str


PDF = FileType("pdf", "application/pdf")
JPEG = FileType("jpg", "image/jpeg")
PNG = FileType("png", "image/png")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOC = FileType("doc", "application/msword")
XLS = FileType("xls", "application/vnd.ms-excel")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet")

# The main part's content type in [Content_Types].xml of a Word document or Excel workbook.
# The macro-enabled variants (docm, xlsm) name other types, so they do not match.
OOXML_MAIN_PARTS = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
ODF_TYPES = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class EvidenceRejected(ValidationError):
    """A file or link that cannot be evidence; the Thai message names it."""


class MacrosFound(Exception):
    pass


def evidence_max_bytes() -> int:
    return getattr(settings, "LPA_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def evidence_max_items() -> int:
    return getattr(settings, "LPA_EVIDENCE_MAX_ITEMS", DEFAULT_MAX_ITEMS)


def file_type(file: IO[bytes]) -> FileType | None:
    """The accepted type `file` is, by its content; None for anything else.

    Raises MacrosFound for a Word or Excel file that carries macros.
    """
    file.seek(0)
    head = file.read(8)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(file)
    if head == OLE_MAGIC:
        return _ole_type(file)
    return None


def add_evidence_file(
    *,
    answer: Answer,
    upload: File,
    by: User,
    max_bytes: int | None = None,
    today: datetime.date | None = None,
) -> Evidence:
    """Attach an uploaded file to `answer` (an unsaved answer is created on the way).

    EvidenceRejected, naming the file, for an empty, oversized, unaccepted or duplicate
    file or one too many; PermissionDenied / AssessmentLocked when the indicator may not
    change. The SHA-256 and size are computed from the bytes as they stream.
    """
    today = today or timezone.localdate()

    def check(assessment: Assessment) -> None:
        ensure_editable(assessment, answer.indicator, user=by, today=today)

    return attach_file(answer, upload, by=by, check=check, max_bytes=max_bytes, counted=True)


def delete_stored_file(evidence: Evidence) -> None:
    """Remove a stored file whose row was rolled back (an upload for a refused appeal).

    The bytes may be shared: they are deleted only when no stored file and no evidence
    names them any more (a file reused from before stays).
    """
    _delete_if_unused(evidence.file.name)


def _delete_if_unused(name: str) -> None:
    """Delete the bytes stored under `name` unless a stored file holds them.

    Every evidence file shown today has a StoredFile (the migration gave one to those from
    before); a name no StoredFile holds is a copy nobody shows, or was rolled back.
    """
    if name and not StoredFile.objects.filter(file=name).exists():
        evidence_storage().delete(name)


def attach_file(
    answer: Answer,
    upload: File,
    *,
    by: User,
    check: Callable[[Assessment], None],
    max_bytes: int | None,
    counted: bool,
    appeal: bool = False,
) -> Evidence:
    """The content checks, the file stored, and the row saved under the assessment's lock
    (add_evidence_file here; the appeal workflow's add_appeal_evidence_file in reviews).

    `check` raises when `by` may not attach to the assessment now; it runs before reading
    anything and again under the lock. `counted`: whether the answer's limit of items applies.
    """
    limit = max_bytes if max_bytes is not None else evidence_max_bytes()
    name = _display_name(upload.name)
    # Cheap refusals before reading anything.
    check(answer.assessment)
    if upload.size is not None and upload.size > limit:
        raise EvidenceRejected(_too_big(name, upload.size, limit))
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks(CHUNK):
        size += len(chunk)
        if size > limit:
            raise EvidenceRejected(_too_big(name, size, limit))
        digest.update(chunk)
    if size == 0:
        raise EvidenceRejected(_("ไฟล์ \"%(name)s\" ว่างเปล่า (0 ไบต์) โปรดเลือกไฟล์ใหม่") % {"name": name})
    try:
        kind = file_type(upload)
    except MacrosFound:
        raise EvidenceRejected(
            _("ไฟล์ \"%(name)s\" มีมาโคร ซึ่งไม่รับเพื่อความปลอดภัย โปรดบันทึกเป็นไฟล์ที่ไม่มีมาโคร (.docx, .xlsx) หรือ PDF")
            % {"name": name}
        ) from None
    if kind is None:
        raise EvidenceRejected(
            _(
                "ไฟล์ \"%(name)s\" ไม่ใช่ประเภทที่รับ: รับเฉพาะ PDF, รูปภาพ JPEG หรือ PNG, "
                "เอกสาร Word หรือ Excel และ OpenDocument (ตรวจจากเนื้อไฟล์ ไม่ใช่จากนามสกุล)"
            )
            % {"name": name}
        )
    sha256 = digest.hexdigest()
    evidence = Evidence(
        answer=answer,
        original_name=name,
        size=size,
        sha256=sha256,
        content_type=kind.content_type,
        uploaded_by=by,
    )
    organization_id = answer.assessment.organization_id
    fresh = ""
    if not StoredFile.objects.filter(organization_id=organization_id, sha256=sha256).exists():
        # Written before the lock (a large file takes a while); deleted again if refused below.
        upload.seek(0)
        evidence.file.save(f"evidence.{kind.extension}", upload, save=False)
        fresh = evidence.file.name
    try:
        with transaction.atomic():
            locked = lock(answer.assessment)
            check(locked)
            evidence.answer = _saved_answer(locked, answer)
            current = Evidence.objects.current().filter(answer=evidence.answer)
            if counted and current.count() >= evidence_max_items():
                raise EvidenceRejected(_too_many(name))
            if current.filter(sha256=sha256).exists():
                raise EvidenceRejected(_("ไฟล์ \"%(name)s\" แนบไว้กับตัวชี้วัดนี้แล้ว") % {"name": name})
            stored = _stored_file(organization_id, sha256, name=fresh, size=size, content_type=kind.content_type)
            if stored is None:
                # The file seen before the lock was removed meanwhile: store these bytes after all.
                upload.seek(0)
                evidence.file.save(f"evidence.{kind.extension}", upload, save=False)
                fresh = evidence.file.name
                stored = _stored_file(organization_id, sha256, name=fresh, size=size, content_type=kind.content_type)
            evidence.stored, evidence.file = stored, stored.file.name
            evidence.save()
            _record_added(locked, evidence, by=by, appeal=appeal)
            if fresh and fresh != stored.file.name:
                # Another upload of the same bytes stored them first: this copy is not needed.
                transaction.on_commit(lambda: _delete_if_unused(fresh))
    except BaseException:
        _delete_if_unused(fresh)
        raise
    return evidence


def _stored_file(organization_id: int, sha256: str, *, name: str, size: int, content_type: str) -> StoredFile | None:
    """The organization's stored file of these bytes, locked; created from `name` if there is
    none (None when there is none and no `name`). Inside the assessment's transaction."""
    found = StoredFile.objects.select_for_update().filter(organization_id=organization_id, sha256=sha256).first()
    if found is not None or not name:
        return found
    try:
        with transaction.atomic():  # a savepoint: a concurrent upload of the same bytes may win
            return StoredFile.objects.create(
                organization_id=organization_id, sha256=sha256, file=name, size=size, content_type=content_type
            )
    except IntegrityError:
        return StoredFile.objects.select_for_update().get(organization_id=organization_id, sha256=sha256)


def attach_stored_files(
    *, answer: Answer, stored_ids: list[int], by: User, today: datetime.date | None = None
) -> list[Evidence]:
    """Attach files the organization stored before (another indicator, an earlier year) to
    `answer`, without uploading them again; the picker's save.

    Only the answer's organization's files: any other id is refused as a whole
    (StoredFile.DoesNotExist), nothing attached. EvidenceRejected (Thai) for a file already
    on this indicator or one too many; PermissionDenied / AssessmentLocked as for uploads.
    Each new evidence takes the name the file was last given in the organization.
    """
    today = today or timezone.localdate()
    ensure_editable(answer.assessment, answer.indicator, user=by, today=today)
    organization_id = answer.assessment.organization_id
    wanted = list(dict.fromkeys(stored_ids))
    attached = []
    with transaction.atomic():
        locked = lock(answer.assessment)
        ensure_editable(locked, answer.indicator, user=by, today=today)
        files = {
            f.pk: f
            for f in StoredFile.objects.select_for_update().filter(organization_id=organization_id, pk__in=wanted)
        }
        if len(files) != len(wanted):
            raise StoredFile.DoesNotExist("not this organization's files")
        names = _last_names(files)
        saved = _saved_answer(locked, answer)
        current = Evidence.objects.current().filter(answer=saved)
        count = current.count()
        already = set(current.filter(stored__in=files.values()).values_list("stored_id", flat=True))
        already |= set(
            StoredFile.objects.filter(pk__in=wanted, sha256__in=current.values("sha256")).values_list("pk", flat=True)
        )
        for pk in wanted:
            stored, name = files[pk], names.get(pk) or _("ไม่มีชื่อไฟล์")
            if pk in already:
                raise EvidenceRejected(_("ไฟล์ \"%(name)s\" แนบไว้กับตัวชี้วัดนี้แล้ว") % {"name": name})
            if count >= evidence_max_items():
                raise EvidenceRejected(_too_many(name))
            evidence = Evidence.objects.create(
                answer=saved,
                stored=stored,
                file=stored.file.name,
                original_name=name,
                size=stored.size,
                sha256=stored.sha256,
                content_type=stored.content_type,
                uploaded_by=by,
            )
            _record_added(locked, evidence, by=by, reused=True)
            attached.append(evidence)
            count += 1
    return attached


def _last_names(files: dict[int, StoredFile]) -> dict[int, str]:
    """The name each stored file was last attached under (one query)."""
    rows = (
        Evidence.objects.filter(stored__in=list(files))
        .order_by("stored_id", "-uploaded_at", "-pk")
        .values_list("stored_id", "original_name")
    )
    names: dict[int, str] = {}
    for pk, name in rows:
        names.setdefault(pk, name)
    return names


def add_evidence_link(
    *, answer: Answer, url: str, title: str, by: User, today: datetime.date | None = None
) -> Evidence:
    """Attach a link to a page (usually on the organization's website); http and https only."""
    url, title = (url or "").strip(), (title or "").strip()[:MAX_TITLE]
    today = today or timezone.localdate()
    ensure_editable(answer.assessment, answer.indicator, user=by, today=today)
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("http", "https"):
        # Schemes are case-insensitive; the database keeps them in lower case.
        url = scheme + url[len(scheme) :]
    try:
        if len(url) > MAX_URL:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise EvidenceRejected(
            _("ลิงก์ \"%(url)s\" ใช้ไม่ได้: ต้องขึ้นต้นด้วย http:// หรือ https:// และยาวไม่เกิน %(max)s ตัวอักษร")
            % {"url": url[:100], "max": MAX_URL}
        ) from None
    with transaction.atomic():
        locked = lock(answer.assessment)
        ensure_editable(locked, answer.indicator, user=by, today=today)
        saved = _saved_answer(locked, answer)
        current = Evidence.objects.current().filter(answer=saved)
        if current.count() >= evidence_max_items():
            raise EvidenceRejected(_too_many(title or url))
        if current.filter(url=url).exists():
            raise EvidenceRejected(_("ลิงก์ \"%(url)s\" แนบไว้กับตัวชี้วัดนี้แล้ว") % {"url": url[:100]})
        evidence = Evidence.objects.create(answer=saved, url=url, title=title, uploaded_by=by)
        _record_added(locked, evidence, by=by)
    return evidence


def _record_added(
    assessment: Assessment, evidence: Evidence, *, by: User, appeal: bool = False, reused: bool = False
) -> None:
    """The trail keeps what was attached: name, and for a file its size and SHA-256 (and
    whether it was picked from the organization's files rather than uploaded)."""
    data = {"indicator": evidence.answer.indicator.code, "evidence": evidence.pk, "name": evidence.display_name}
    if appeal:
        data["appeal"] = True
    if reused:
        data["reused"] = True
    if evidence.is_link:
        data["url"] = evidence.url
    else:
        data.update(size=evidence.size, sha256=evidence.sha256)
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=AssessmentEvent.Kind.EVIDENCE_ADDED,
        at=evidence.uploaded_at,
        by=by,
        revision=assessment.revision,
        indicator=evidence.answer.indicator,
        data=data,
    )


def remove_evidence(evidence: Evidence, *, by: User, today: datetime.date | None = None) -> None:
    """Remove evidence while its indicator may change; recorded as an event.

    A soft delete: the row stays, so the history shows what was removed. Its stored file is
    deleted (row now, bytes once the removal commits) when no other evidence shows it.
    """
    today = today or timezone.localdate()
    answer = evidence.answer
    with transaction.atomic():
        locked = lock(answer.assessment)
        ensure_editable(locked, answer.indicator, user=by, today=today)
        current = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if current.is_removed:
            raise ValidationError(_("หลักฐานนี้ถูกลบไปแล้ว"))
        current.deleted_at, current.deleted_by = timezone.now(), by
        current.save(update_fields=["deleted_at", "deleted_by"])
        AssessmentEvent.objects.create(
            assessment=locked,
            kind=AssessmentEvent.Kind.EVIDENCE_REMOVED,
            at=current.deleted_at,
            by=by,
            revision=locked.revision,
            indicator=answer.indicator,
            data={
                "evidence": current.pk,
                "indicator": answer.indicator.code,
                "name": current.display_name,
                "sha256": current.sha256,
            },
        )
        if current.stored_id:
            _release(current.stored_id)
    evidence.deleted_at, evidence.deleted_by = current.deleted_at, by


def _release(stored_id: int) -> None:
    """Delete a stored file no evidence shows any more; inside the removal's transaction.

    The row is locked first, as attaching locks it, so a file being attached elsewhere at the
    same moment is either seen here (and kept) or stored again by the attach.
    """
    stored = StoredFile.objects.select_for_update().filter(pk=stored_id).first()
    if stored is None or Evidence.objects.current().filter(stored=stored).exists():
        return
    name = stored.file.name
    stored.delete()
    transaction.on_commit(lambda: _delete_if_unused(name))


def stored_name(evidence: Evidence, *, include_removed: bool = False) -> str:
    """The name of the evidence's file in the evidence storage, for the view that checked the
    user may see it. Links and, unless asked for, removed evidence have no file to serve
    (Evidence.DoesNotExist).

    Serve it as an attachment named evidence.original_name with evidence.content_type
    (core.storage.download_response streams it or redirects to a presigned address).
    """
    if evidence.is_link or (evidence.is_removed and not include_removed):
        raise Evidence.DoesNotExist("no file to serve")
    return evidence.file.name


def open_evidence(evidence: Evidence, *, include_removed: bool = False) -> File:
    """The stored file, opened for reading (see stored_name); FileNotFoundError when missing."""
    return evidence_storage().open(stored_name(evidence, include_removed=include_removed), "rb")


def _saved_answer(assessment: Assessment, answer: Answer) -> Answer:
    # Inside the assessment's lock: whoever created the answer first, there is one row.
    if answer.pk is not None:
        return answer
    saved, _created = Answer.objects.get_or_create(assessment=assessment, indicator=answer.indicator)
    return saved


def _display_name(name: str | None) -> str:
    """The uploader's file name as given, minus control characters (PostgreSQL refuses NUL)."""
    cleaned = "".join(ch for ch in (name or "") if unicodedata.category(ch) != "Cc").strip()
    return cleaned[:MAX_NAME] or _("ไม่มีชื่อไฟล์")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def _too_big(name: str, size: int, limit: int) -> str:
    return _("ไฟล์ \"%(name)s\" มีขนาด %(size)s เกินขนาดสูงสุด %(max)s ต่อไฟล์") % {
        "name": name,
        "size": _megabytes(size),
        "max": _megabytes(limit),
    }


def _too_many(name: str) -> str:
    return _("แนบ \"%(name)s\" ไม่ได้: ตัวชี้วัดหนึ่งมีหลักฐานได้ไม่เกิน %(max)s รายการ") % {
        "name": name,
        "max": evidence_max_items(),
    }


def _zip_type(file: IO[bytes]) -> FileType | None:
    """DOCX/XLSX by the main part in [Content_Types].xml; ODT/ODS by the mimetype entry.

    Reads the zip's central directory, so the order of entries does not matter.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    return ODF_TYPES.get(entry.read(CONTROL_ENTRY_LIMIT).strip())
            if "[Content_Types].xml" not in names:
                return None
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise MacrosFound
            with archive.open("[Content_Types].xml") as entry:
                content_types = entry.read(CONTROL_ENTRY_LIMIT)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError, EOFError, OSError):
        return None
    for main_part, kind in OOXML_MAIN_PARTS.items():
        if main_part in content_types:
            return kind
    return None


def _ole_type(file: IO[bytes]) -> FileType | None:
    """DOC/XLS by their main stream; other compound files (installers, MSI…) are refused."""
    file.seek(0)
    try:
        with olefile.OleFileIO(file) as ole:
            if ole.exists("Macros") or ole.exists("_VBA_PROJECT_CUR"):
                raise MacrosFound
            if ole.exists("WordDocument"):
                return DOC
            if ole.exists("Workbook") or ole.exists("Book"):
                return XLS
    except MacrosFound:
        raise
    except Exception:  # noqa: BLE001 - olefile raises many kinds on a damaged file; none of them is evidence
        return None
    return None
