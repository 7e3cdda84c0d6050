"""An organization's stored evidence files as people read them: the picker's list (each file
with where it is used) and, for reviewers, which indicators of an assessment show the same file.

Read-only; storing, attaching and removing are assessments.evidence's.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from assessments.models import Assessment, Evidence, StoredFile

PICKER_PAGE = 50


@dataclass(frozen=True)
class Use:
    year: int
    code: str


@dataclass
class PickerFile:
    stored: StoredFile
    name: str  # the name it was last attached under
    uses: list[Use] = field(default_factory=list)
    on_this_indicator: bool = False

    @property
    def pk(self) -> int:
        return self.stored.pk

    @property
    def size(self) -> int:
        return self.stored.size

    @property
    def created_at(self) -> datetime.datetime:
        return self.stored.created_at


def organization_files(
    organization_id: int, *, answer_id: int | None = None, page: int | str = 1, query: str = ""
) -> tuple[Page, list[PickerFile]]:
    """One page of the organization's stored files, newest first (three queries).

    Each with the name it was last attached under and where it is used now (year and
    indicator code); `on_this_indicator` for those already on the answer `answer_id`.
    `query` keeps the files some evidence of which has that text in its name.
    """
    files = StoredFile.objects.filter(organization_id=organization_id).order_by("-created_at", "-pk")
    if query:
        files = files.filter(attachments__original_name__icontains=query).distinct()
    paginator = Paginator(files, PICKER_PAGE)
    shown = paginator.get_page(page)
    rows = {stored.pk: PickerFile(stored, "") for stored in shown.object_list}
    evidence = (
        Evidence.objects.filter(stored__in=list(rows))
        .order_by("stored_id", "-uploaded_at", "-pk")
        .values_list(
            "stored_id",
            "original_name",
            "deleted_at",
            "answer_id",
            "answer__assessment__round__year",
            "answer__indicator__code",
        )
    )
    for stored_id, name, deleted_at, answer, year, code in evidence:
        row = rows[stored_id]
        row.name = row.name or name
        if deleted_at is None:
            row.uses.append(Use(year, code))
            row.on_this_indicator |= answer == answer_id
    for row in rows.values():
        row.uses.sort(key=lambda use: (-use.year, use.code))
    return shown, list(rows.values())


def same_file_codes(assessment_id: int) -> dict[int, list[str]]:
    """For each file evidence of the assessment (not removed): the codes of the assessment's
    other indicators showing the same bytes (one query). By SHA-256 within one assessment:
    the same stored file, and equal files from before files were shared alike."""
    rows = (
        Evidence.objects.current()
        .filter(answer__assessment_id=assessment_id)
        .exclude(sha256="")
        .order_by("answer__indicator__category__dimension__number", "answer__indicator__category__number")
        .values_list("pk", "sha256", "answer__indicator_id", "answer__indicator__code")
    )
    by_hash: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, sha256, indicator, code in rows:
        by_hash[sha256].append((pk, indicator, code))
    found: dict[int, list[str]] = {}
    for group in by_hash.values():
        for pk, indicator, _code in group:
            others = sorted({code for _pk, other, code in group if other != indicator})
            if others:
                found[pk] = others
    return found


def same_file_codes_for(request: object, assessment: Assessment | int) -> dict[int, list[str]]:
    """same_file_codes, computed once per request and assessment (the review page asks per
    piece of evidence through a template tag)."""
    assessment_id = assessment if isinstance(assessment, int) else assessment.pk
    cache = getattr(request, "_lpa_same_file_codes", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._lpa_same_file_codes = cache
    if assessment_id not in cache:
        cache[assessment_id] = same_file_codes(assessment_id)
    return cache[assessment_id]
