"""Where evidence files live: the private storage settings.STORAGES names "evidence".

Evidence is served only through a view that checks permissions (assessments.evidence.
open_evidence), so the storage has no public URL. On the local disk (the default) it is the
folder settings.LPA_EVIDENCE_ROOT (default: BASE_DIR / "evidence"), outside MEDIA_ROOT, read
on every use so tests and deployments can point it elsewhere; with LPA_STORAGE=s3 it is the
"evidence/" prefix of a private bucket (core.storage).
"""

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from core.storage import PrivateFileSystemStorage, StorageAlias

if TYPE_CHECKING:
    from assessments.models import Evidence, StoredFile

ALIAS = "evidence"


def evidence_root() -> Path:
    return Path(getattr(settings, "LPA_EVIDENCE_ROOT", settings.BASE_DIR / "evidence"))


class EvidenceStorage(PrivateFileSystemStorage):
    """The local evidence folder: LPA_EVIDENCE_ROOT, with no URL."""

    def __init__(self, **kwargs):
        super().__init__(root_setting="LPA_EVIDENCE_ROOT", default_folder="evidence", **kwargs)


_storage = StorageAlias(ALIAS)


def evidence_storage() -> StorageAlias:
    """The storage of Evidence.file (a callable, so migrations do not freeze a backend)."""
    return _storage


def evidence_path(instance: "Evidence", filename: str) -> str:
    """<round year>/<organization code>/<random name>.<detected extension>.

    `filename` is the extension the content check found, never the uploader's file name:
    the original name is kept in Evidence.original_name for display only.
    """
    assessment = instance.answer.assessment
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{assessment.round.year}/{assessment.organization.code}/{uuid.uuid4().hex}.{extension}"


def stored_file_path(instance: "StoredFile", filename: str) -> str:
    """<organization code>/<random name>.<extension>, for a StoredFile saved on its own.

    Files uploaded as evidence keep the name evidence_path gave them (the stored file takes
    that name over); this is for files stored any other way.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"files/{instance.organization.code}/{uuid.uuid4().hex}.{extension}"
