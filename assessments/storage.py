"""Where evidence files live: a private folder that no URL reaches.

Evidence is served only through a view that checks permissions (assessments.evidence.
open_evidence), so the storage has no public URL and sits outside MEDIA_ROOT. The folder
is settings.LPA_EVIDENCE_ROOT (default: BASE_DIR / "evidence"), read on every use so tests
and deployments can point it elsewhere without a restart of the models.
"""

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import FileSystemStorage

if TYPE_CHECKING:
    from assessments.models import Evidence


def evidence_root() -> Path:
    return Path(getattr(settings, "LPA_EVIDENCE_ROOT", settings.BASE_DIR / "evidence"))


class EvidenceStorage(FileSystemStorage):
    """A FileSystemStorage rooted at LPA_EVIDENCE_ROOT, with no URL."""

    # Plain properties instead of the parent's cached ones: the setting is read on each use.
    @property
    def base_location(self) -> str:
        return str(evidence_root())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Evidence has no public URL: serve it through the permission-checked view.")


_storage = EvidenceStorage()


def evidence_storage() -> EvidenceStorage:
    """The storage of Evidence.file (a callable, so migrations do not freeze a path)."""
    return _storage


def evidence_path(instance: "Evidence", filename: str) -> str:
    """<round year>/<organization code>/<random name>.<detected extension>.

    `filename` is the extension the content check found, never the uploader's file name:
    the original name is kept in Evidence.original_name for display only.
    """
    assessment = instance.answer.assessment
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{assessment.round.year}/{assessment.organization.code}/{uuid.uuid4().hex}.{extension}"
