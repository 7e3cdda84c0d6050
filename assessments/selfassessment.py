"""Self-assessment: organizations answer their indicators, the head submits.

The rules:
- Organization staff and heads answer the indicators that apply to their type (and
  province) while the assessment is a draft and the window is open: from the round's
  opening day to the end of its closing day in Asia/Bangkok, or to the end of the latest
  extension the provincial office granted the organization.
- Only the head submits; submission is refused while anything is unanswered or lacks the
  evidence the indicator asks for, and locks the assessment for the organization
  (Assessment.submit).
- The province may send it back with flagged indicators; only those open again, and the
  head resubmits. Every return adds one to `revision`; AssessmentEvent keeps each step.
- An indicator "requires evidence" when its evidence_required text is not blank: then it
  needs at least one file or link, unless the organization declared it not applicable.
- Two people saving the same indicator: the second gets StaleAnswer with the current
  answer instead of overwriting it (optimistic concurrency on Answer.version).

Every change locks the assessment row, so a save, an upload and a submission of the same
organization happen one after another.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_head, is_member, scope_for
from accounts.models import User
from assessments import scoring
from assessments.models import (
    Answer,
    Assessment,
    AssessmentEvent,
    Dimension,
    Evidence,
    Extension,
    Indicator,
    IndicatorOption,
    ReturnedIndicator,
)
from assessments.signals import event_committed, send_scores_changed
from core.templatetags.thai_dates import thai_date

# Deadlines are Thai days whatever settings.TIME_ZONE says.
BANGKOK = ZoneInfo("Asia/Bangkok")
ANSWER_FIELDS = frozenset({"level", "ticked", "figure", "not_applicable", "na_reason", "note"})
# Answer.figure holds 18 digits, 4 after the point.
FIGURE_PLACES = 4
FIGURE_MAX = Decimal(10) ** (18 - FIGURE_PLACES)

UNANSWERED = "unanswered"
EVIDENCE_MISSING = "evidence_missing"


class StaleAnswer(Exception):
    """Someone saved this indicator after the form was opened; `current` is what they saved."""

    def __init__(self, current: Answer) -> None:
        self.current = current
        who = current.updated_by or _("ผู้ใช้อื่น")
        self.message = _(
            "มีผู้บันทึกคำตอบของตัวชี้วัดนี้ไปก่อนแล้ว (%(who)s) ระบบจึงไม่บันทึกทับ "
            "โปรดตรวจสอบคำตอบปัจจุบันด้านล่าง แล้วบันทึกอีกครั้งหากยังต้องการแก้ไข"
        ) % {"who": who}
        super().__init__(self.message)


class AnswerInvalid(ValidationError):
    """The answer does not fit the indicator; message_dict has a Thai message per field."""


class AssessmentLocked(ValidationError):
    """The assessment or this indicator may not change now (status, window, not flagged)."""


class SubmissionRefused(ValidationError):
    """The head may not submit now; `missing` lists what is still missing, if that is why."""

    def __init__(self, message: str, *, missing: list["MissingItem"] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


class MissingItem(NamedTuple):
    indicator: Indicator
    problem: str  # UNANSWERED or EVIDENCE_MISSING
    message: str


@dataclass(frozen=True)
class DimensionProgress:
    dimension: Dimension
    indicators: int
    answered: int
    missing: int  # indicators with anything missing (unanswered or without required evidence)

    @property
    def percent(self) -> int:
        return round(100 * (self.indicators - self.missing) / self.indicators) if self.indicators else 100


def applies(assessment: Assessment, indicator: Indicator) -> bool:
    """Whether the organization answers `indicator` in this assessment."""
    return indicator.round_id == assessment.round_id and indicator.applies(
        assessment.org_type, assessment.organization.district.province_id
    )


def edit_problem(
    assessment: Assessment, indicator: Indicator, *, user: User | None, today: datetime.date
) -> str | None:
    """Why `user` may not change the answer or evidence of `indicator` on `today`, or None."""
    return edit_problems(assessment, [indicator], user=user, today=today)[indicator.pk]


def edit_problems(
    assessment: Assessment, indicators: Iterable[Indicator], *, user: User | None, today: datetime.date
) -> dict[int, str | None]:
    """edit_problem for many indicators at once (indicator pk → problem or None).

    A fixed number of queries: loaded through IndicatorQuerySet.with_answers, the
    indicators' `open_flags` are used instead of asking for them again.
    """
    indicators = list(indicators)
    if not is_member(user, assessment.organization_id):
        return dict.fromkeys((i.pk for i in indicators), _("คุณไม่มีสิทธิ์แก้ไขการประเมินของ อปท. นี้"))
    returned = assessment.status == Assessment.Status.RETURNED
    locked = None
    if not assessment.is_open_to_organization:
        locked = _("ส่งผลการประเมินแล้ว (%(status)s) จึงแก้ไขไม่ได้") % {"status": assessment.get_status_display()}
    flagged: set[int] = set()
    if returned and all(hasattr(i, "open_flags") for i in indicators):
        flagged = {i.pk for i in indicators if i.open_flags}
    elif returned:
        flagged = set(open_flags(assessment).values_list("indicator_id", flat=True))
    window = assessment.window_problem(today) if indicators and not locked else None
    problems = {}
    for indicator in indicators:
        if not applies(assessment, indicator):
            problems[indicator.pk] = _("ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้")
        elif locked:
            problems[indicator.pk] = locked
        elif returned and indicator.pk not in flagged:
            problems[indicator.pk] = _("ตัวชี้วัดนี้ไม่ได้ถูกส่งกลับให้แก้ไข จึงแก้ไขไม่ได้")
        else:
            problems[indicator.pk] = window
    return problems


def can_edit(assessment: Assessment, indicator: Indicator, *, user: User | None, today: datetime.date) -> bool:
    return edit_problem(assessment, indicator, user=user, today=today) is None


def ensure_editable(assessment: Assessment, indicator: Indicator, *, user: User, today: datetime.date) -> None:
    """PermissionDenied for outsiders; AssessmentLocked (Thai) when the indicator is closed."""
    if not is_member(user, assessment.organization_id):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์แก้ไขการประเมินของ อปท. นี้"))
    problem = edit_problem(assessment, indicator, user=user, today=today)
    if problem:
        raise AssessmentLocked(problem)


def lock(assessment: Assessment) -> Assessment:
    """The assessment row, locked until the transaction ends.

    Every change to an organization's answers, evidence or status takes this lock, so a
    save cannot slip in after a submission has checked what is missing. `of=("self",)`:
    the joined round and organization rows stay free for everyone else.
    """
    # The version first: the UPDATE takes the row's lock, and the cached pages of the
    # assessment are stale once this change commits (nothing changes if it rolls back).
    Assessment.objects.filter(pk=assessment.pk).touch()
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("round", "organization__district")
        .get(pk=assessment.pk)
    )


def _lock_as_loaded(assessment: Assessment) -> Assessment:
    """lock() in one query when the row still has the workflow state `assessment` was loaded
    with (status, revision, due date): the UPDATE that bumps the version takes the lock and
    checks that state in the same statement, so the row is not read a second time. If the
    state changed meanwhile, the row is read again under the lock as lock() does."""
    unchanged = (
        Assessment.objects.filter(
            pk=assessment.pk,
            status=assessment.status,
            revision=assessment.revision,
            revision_due=assessment.revision_due,
        ).touch()
    )
    return assessment if unchanged else lock(assessment)


def answer_for(assessment: Assessment, indicator: Indicator) -> Answer:
    """The answer of `indicator`, or a new unsaved one (version 0) if nobody answered yet."""
    answer = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
    return answer or Answer(assessment=assessment, indicator=indicator)


def remember_ticked(answer: Answer, ticked: Iterable[IndicatorOption]) -> None:
    """Keep `ticked` as the answer's loaded ticked options (as prefetch_related does), so
    scoring and showing it ask nothing more."""
    options = answer.ticked.get_queryset() if answer.pk else IndicatorOption.objects.none()
    options._result_cache, options._prefetch_done = list(ticked), True
    answer._prefetched_objects_cache = {**getattr(answer, "_prefetched_objects_cache", {}), "ticked": options}


def page_indicators(
    assessment: Assessment, *, flags: dict[int, list[ReturnedIndicator]] | None = None, **filters: Any
) -> list[Indicator]:
    """The indicators of a page of compact blocks, in framework order: as with_answers gives
    them (`answer_rows`, `evidence_count`, `open_flags`), without the evidence rows, and with
    the answer's ticked options read with the options themselves (one query fewer).

    `flags`: the open flags by indicator when the caller has them already (return_notice);
    otherwise they are read for a returned assessment only. Three queries for a draft.
    """
    ticked = Answer.ticked.through.objects.filter(
        answer__assessment=assessment, indicatoroption_id=OuterRef("pk")
    )
    options = IndicatorOption.objects.annotate(ticked_here=Exists(ticked))
    answers = Answer.objects.filter(assessment=assessment).select_related("level", "updated_by")
    lookups: list[Any] = [Prefetch("options", queryset=options), Prefetch("answers", queryset=answers, to_attr="answer_rows")]
    if flags is None and assessment.status == Assessment.Status.RETURNED:
        lookups.append(Prefetch("returns", queryset=open_flags(assessment), to_attr="open_flags"))
    indicators = list(
        Indicator.objects.for_assessment(assessment)
        .filter(**filters)
        .with_answers(assessment)
        .prefetch_related(None)
        .prefetch_related(*lookups)
    )
    for indicator in indicators:
        if not hasattr(indicator, "open_flags"):
            indicator.open_flags = (flags or {}).get(indicator.pk, [])
        for answer in indicator.answer_rows:
            answer.assessment = assessment
            remember_ticked(answer, [option for option in indicator.options.all() if option.ticked_here])
    return indicators


def save_answer(
    *,
    assessment: Assessment,
    indicator: Indicator,
    data: Mapping[str, Any],
    expected_version: int,
    by: User,
    today: datetime.date | None = None,
) -> Answer:
    """Save the organization's answer to `indicator`; returns it with its new version.

    `data` holds the whole answer as a form gives it: "level" (option or id), "ticked"
    (options or ids; present, even empty, means the checklist was answered), "figure"
    (number or text), "not_applicable", "na_reason", "note". `expected_version` is the
    version the form was opened with (0 for a new answer): if someone saved since,
    StaleAnswer carries their answer and nothing is written. AnswerInvalid for input that
    does not fit the indicator; PermissionDenied / AssessmentLocked as in ensure_editable.
    """
    unknown = set(data) - ANSWER_FIELDS
    if unknown:
        raise ValueError(f"not answer fields: {sorted(unknown)}")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock_as_loaded(assessment)
        # Read under the lock, and kept for the rest of the request (the page's counters).
        locked.remember_latest_extension()
        ensure_editable(locked, indicator, user=by, today=today)
        answer = answer_for(locked, indicator)
        if answer.version != expected_version:
            raise StaleAnswer(answer)
        answer.assessment, answer.indicator = locked, indicator
        values = clean_answer(indicator, data)
        ticked = values.pop("ticked")
        for name, value in values.items():
            setattr(answer, name, value)
        now = timezone.now()
        answer.version += 1
        answer.updated_by, answer.updated_at = by, now
        answer.answered_at = now if _given(indicator, values, data) else None
        created = answer.pk is None
        if created:
            answer.save()
        else:
            answer.save(update_fields=[*values, "answered_at", "version", "updated_by", "updated_at"])
        _set_ticked(answer, ticked, created=created)
        _refresh_results(locked, indicator)
    return answer


def _set_ticked(answer: Answer, ticked: list[IndicatorOption], *, created: bool) -> None:
    """answer.ticked.set(ticked) in at most two statements (the rows no longer ticked
    deleted, the new ones added; nothing is read first), and kept as loaded. Nothing
    listens to this relation's m2m_changed."""
    through = Answer.ticked.through
    if not created:
        through.objects.filter(answer=answer).exclude(indicatoroption__in=ticked).delete()
    if ticked:
        through.objects.bulk_create(
            [through(answer=answer, indicatoroption=option) for option in ticked], ignore_conflicts=True
        )
    remember_ticked(answer, ticked)


def _refresh_results(assessment: Assessment, indicator: Indicator) -> None:
    """The stored results follow every saved answer, in the same transaction."""
    send_scores_changed([assessment], sender=Answer, indicators=[indicator.pk])


def submit(assessment: Assessment, *, by: User, today: datetime.date | None = None) -> AssessmentEvent:
    """The head sends the self-assessment, or sends it again after a return.

    Refused (SubmissionRefused, in Thai) outside the window or while anything required
    is missing; only a head of this organization may submit (PermissionDenied). Stamps
    time and user, locks the assessment for the organization, resolves the flags of the
    current revision and records the event.
    """
    today = today or timezone.localdate()
    if not is_head(by, assessment.organization_id):
        raise PermissionDenied(_("เฉพาะผู้บริหาร อปท. นี้เท่านั้นที่ส่งผลการประเมินได้"))
    with transaction.atomic():
        # Saves and evidence changes lock the same row, so nothing slips in after the check.
        locked = Assessment.objects.select_for_update(of=("self",)).select_related("round").get(pk=assessment.pk)
        locked.touch()
        if not locked.is_open_to_organization:
            raise SubmissionRefused(
                _("ส่งผลการประเมินไปแล้ว (%(status)s)") % {"status": locked.get_status_display()}
            )
        problem = locked.window_problem(today)
        if problem:
            raise SubmissionRefused(problem)
        missing = missing_items(locked)
        if missing:
            raise SubmissionRefused(
                _("ยังส่งไม่ได้: มี %(count)s รายการที่ยังไม่ครบ") % {"count": len(missing)}, missing=missing
            )
        resubmission = locked.status == Assessment.Status.RETURNED
        now = timezone.now()
        locked.status = Assessment.Status.RESUBMITTED if resubmission else Assessment.Status.SUBMITTED
        locked.submitted_at, locked.submitted_by = now, by
        locked.save(update_fields=["status", "submitted_at", "submitted_by"])
        if resubmission:
            locked.returned_indicators.filter(revision=locked.revision, resolved_at__isnull=True).update(
                resolved_at=now
            )
        event = AssessmentEvent.objects.create(
            assessment=locked,
            kind=AssessmentEvent.Kind.RESUBMITTED if resubmission else AssessmentEvent.Kind.SUBMITTED,
            at=now,
            by=by,
            revision=locked.revision,
            from_status=Assessment.Status.RETURNED if resubmission else Assessment.Status.DRAFT,
            to_status=locked.status,
        )
        # The review workflow tells the reviewers (reviews/notices.py), once it is certain.
        transaction.on_commit(lambda: event_committed.send(sender=AssessmentEvent, event=event))
    assessment.status, assessment.submitted_at, assessment.submitted_by = locked.status, locked.submitted_at, by
    return event


def missing_items(assessment: Assessment) -> list[MissingItem]:
    """What stops the head from submitting, in framework order (a fixed number of queries)."""
    missing = []
    for indicator in Indicator.objects.for_assessment(assessment).with_answers(assessment):
        missing += _problems(indicator)
    return missing


def progress(assessment: Assessment) -> list[DimensionProgress]:
    """Per dimension: how many indicators apply, are answered, and still miss something."""
    rows: dict[int, list] = {}
    for indicator in Indicator.objects.for_assessment(assessment).with_answers(assessment):
        dimension = indicator.category.dimension
        row = rows.setdefault(dimension.pk, [dimension, 0, 0, 0])
        answer = indicator.answer_rows[0] if indicator.answer_rows else None
        row[1] += 1
        row[2] += bool(answer and answer.is_answered)
        row[3] += bool(_problems(indicator))
    return [DimensionProgress(*row) for row in sorted(rows.values(), key=lambda row: row[0].number)]


@dataclass(frozen=True)
class Completion:
    indicators: int
    answered: int
    complete: int  # answered, with the evidence asked for

    @property
    def percent(self) -> int:
        return round(100 * self.complete / self.indicators) if self.indicators else 100


def completion(assessment: Assessment) -> Completion:
    """progress() summed over the dimensions, in one query (for lists such as the home page)."""
    rows = (
        Indicator.objects.for_assessment(assessment)
        .with_completion(assessment)
        .values_list("answered", "not_applicable", "has_evidence", "evidence_required")
    )
    indicators = answered = complete = 0
    for is_answered, not_applicable, has_evidence, evidence_required in rows:
        indicators += 1
        answered += is_answered
        needs_evidence = bool(evidence_required.strip()) and not not_applicable
        complete += is_answered and (has_evidence or not needs_evidence)
    return Completion(indicators, answered, complete)


@dataclass(frozen=True)
class DimensionTotals(Completion):
    evidence: int = 0  # the evidence (not removed) of the indicator asked for, if any


def dimension_totals(assessment: Assessment, dimension_id: int, *, evidence_of: int | None = None) -> DimensionTotals:
    """One dimension's indicators, answered ones and complete ones (answered, with the evidence
    asked for, and not sent back for revision: what the page's counters show), and the
    evidence count of the indicator `evidence_of`, in one query."""
    rows = (
        Indicator.objects.for_assessment(assessment)
        .filter(category__dimension_id=dimension_id)
        .with_completion(assessment)
    )
    if assessment.status == Assessment.Status.RETURNED:
        rows = rows.annotate(flagged=Exists(open_flags(assessment).filter(indicator_id=OuterRef("pk"))))
    else:
        rows = rows.annotate(flagged=Value(False))
    count = (
        Evidence.objects.current()
        .filter(answer__assessment=assessment, answer__indicator=OuterRef("pk"))
        .order_by()
        .values("answer")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    # Counted for that one row only: CASE leaves the other rows' subquery unevaluated.
    rows = rows.annotate(evidence_n=Case(When(pk=evidence_of, then=Coalesce(Subquery(count), 0)), default=Value(0)))
    indicators = answered = complete = evidence = 0
    for is_answered, not_applicable, has_evidence, evidence_required, is_flagged, evidence_n in rows.values_list(
        "answered", "not_applicable", "has_evidence", "evidence_required", "flagged", "evidence_n"
    ):
        indicators += 1
        answered += is_answered
        needs_evidence = bool(evidence_required.strip()) and not not_applicable
        complete += is_answered and (has_evidence or not needs_evidence) and not is_flagged
        evidence += evidence_n
    return DimensionTotals(indicators, answered, complete, evidence)


def days_left(assessment: Assessment, *, today: datetime.date | None = None) -> int | None:
    """Whole days left after `today` until the deadline (0 on the last day, negative after)."""
    deadline = assessment.deadline()
    return None if deadline is None else (deadline - (today or timezone.localdate())).days


def grant_extension(
    *, assessment: Assessment, until: datetime.date, reason: str, by: User, today: datetime.date | None = None
) -> Extension:
    """The provincial office gives one organization until the end of `until` (Bangkok time).

    The latest extension decides the deadline, so granting an earlier date corrects a
    mistaken one. Recorded as an Extension and an event.
    """
    today = today or timezone.localdate()
    province_id = assessment.organization.district.province_id
    if province_id not in scope_for(by).manages_province_ids:
        raise PermissionDenied(_("เฉพาะสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดของ อปท. นี้เท่านั้นที่ขยายเวลาได้"))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("ระบุเหตุผลของการขยายเวลา")
    closes = assessment.round.self_assessment_closes
    if until < today:
        errors["until"] = _("วันที่ขยายถึงต้องไม่ก่อนวันนี้")
    elif closes and until <= closes:
        errors["until"] = _("วันที่ขยายถึงต้องหลังวันปิดการประเมินตนเอง (%(date)s)") % {
            "date": thai_date(closes, "long")
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock(assessment)
        if not locked.is_open_to_organization:
            raise ValidationError(
                _("การประเมินนี้อยู่ในสถานะ %(status)s ไม่ต้องขยายเวลา") % {"status": locked.get_status_display()}
            )
        previous = locked.deadline()
        now = timezone.now()
        extension = Extension.objects.create(assessment=locked, until=until, reason=reason, granted_by=by, granted_at=now)
        AssessmentEvent.objects.create(
            assessment=locked,
            kind=AssessmentEvent.Kind.EXTENSION_GRANTED,
            at=now,
            by=by,
            revision=locked.revision,
            note=reason,
            data={"until": until.isoformat(), "previous_deadline": previous.isoformat() if previous else None},
        )
    return extension


def self_assessed_score(assessment: Assessment) -> scoring.AssessmentScore:
    """The score the organization's own answers give, by the scoring engine's rules.

    The organization's own view: its "not applicable" claims leave the indicator out of
    points and full marks (the verified score leaves out only the claims the team confirmed).
    """
    from assessments.framework import specs_for_round

    assessment_round = assessment.round
    answers = assessment.answers.select_related("indicator").prefetch_related("ticked")
    return scoring.score_assessment(
        indicators=specs_for_round(assessment_round),
        answers={answer.indicator.code: answer.as_scoring_answer() for answer in answers},
        org_type=assessment.org_type,
        pass_mark=assessment_round.pass_mark,
        bands=assessment_round.band_specs(),
        province=assessment.organization.district.province.code,
        self_assessed=True,
    )


def open_flags(assessment: Assessment) -> "QuerySet[ReturnedIndicator]":
    """The province's unresolved flags of the current revision: the indicators open again."""
    return ReturnedIndicator.objects.filter(
        assessment=assessment, revision=assessment.revision, resolved_at__isnull=True
    )


@dataclass(frozen=True)
class ReturnNotice:
    """What a returned assessment's organization must do first: revise `flags` (with the
    reviewers' reasons) and resubmit by `due` (`days_left` after today, 0 on the day)."""

    flags: list[ReturnedIndicator]
    due: datetime.date | None
    days_left: int | None

    def flagged_in(self, dimension_id: int) -> int:
        return sum(flag.indicator.category.dimension_id == dimension_id for flag in self.flags)


def return_notice(assessment: Assessment, *, today: datetime.date | None = None) -> ReturnNotice | None:
    """For a returned assessment, the return's due date and its flagged indicators in framework
    order (one query); None otherwise. The due date is the one the reviewers set: the window's
    later closing day still bounds the server's check (Assessment.deadline), but the return's
    date is what the organization was asked for."""
    if assessment.status != Assessment.Status.RETURNED:
        return None
    flags = list(
        open_flags(assessment)
        .select_related("indicator__category__dimension")
        .order_by("indicator__category__dimension__number", "indicator__category__number", "indicator__position")
    )
    due = assessment.revision_due
    days = None if due is None else (due - (today or timezone.localdate())).days
    return ReturnNotice(flags=flags, due=due, days_left=days)


def indicator_problems(indicator: Indicator) -> list[MissingItem]:
    """What is missing for one indicator loaded by IndicatorQuerySet.with_answers (no query)."""
    return _problems(indicator)


def _problems(indicator: Indicator) -> list[MissingItem]:
    """What is missing for one indicator loaded by IndicatorQuerySet.with_answers."""
    answer = indicator.answer_rows[0] if indicator.answer_rows else None
    problems = []
    if answer is None or not answer.is_answered:
        problems.append(MissingItem(indicator, UNANSWERED, _("ยังไม่ได้ตอบ")))
    if indicator.evidence_required.strip() and not (answer and answer.not_applicable) and not indicator.evidence_count:
        problems.append(MissingItem(indicator, EVIDENCE_MISSING, _("ยังไม่ได้แนบหลักฐาน")))
    return problems


def _given(indicator: Indicator, values: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether the save gave an answer (not only a note): for a checklist, sending the
    ticked list at all, even empty, answers "none of these were met"."""
    if values["not_applicable"]:
        return True
    if indicator.kind == Indicator.Kind.LEVELS:
        return values["level"] is not None
    if indicator.kind == Indicator.Kind.FIGURE:
        return values["figure"] is not None
    return "ticked" in data


def clean_answer(indicator: Indicator, data: Mapping[str, Any]) -> dict[str, Any]:
    """The answer's field values from `data`, or AnswerInvalid with Thai messages per field."""
    options = {option.pk: option for option in indicator.options.all()}
    errors: dict[str, str] = {}
    not_applicable = bool(data.get("not_applicable"))
    values: dict[str, Any] = {
        "level": None,
        "ticked": [],
        "figure": None,
        "not_applicable": not_applicable,
        "na_reason": "",
        "note": (data.get("note") or "").strip(),
    }
    level, ticked, figure = data.get("level"), data.get("ticked") or [], data.get("figure")
    if isinstance(figure, str):
        figure = figure.strip() or None
    if not_applicable:
        # Values left in the form beside the N/A box are dropped, not refused: N/A wins.
        if not indicator.allows_not_applicable:
            errors["not_applicable"] = _("ตัวชี้วัดนี้แจ้งไม่มีภารกิจไม่ได้")
        values["na_reason"] = (data.get("na_reason") or "").strip()
        if not values["na_reason"]:
            errors["na_reason"] = _("ระบุเหตุผลที่ไม่มีภารกิจ")
    else:
        kind = indicator.kind
        if kind == Indicator.Kind.LEVELS:
            values["level"] = _option(level, options, errors, "level", _("ระดับที่เลือกไม่ใช่ระดับของตัวชี้วัดนี้"))
        elif level is not None:
            errors["level"] = _("ตัวชี้วัดนี้ไม่ได้ให้เลือกระดับ")
        if kind in (Indicator.Kind.CHECKLIST, Indicator.Kind.ALL_OR_NOTHING):
            chosen = [_option(item, options, errors, "ticked", _("รายการที่เลือกไม่ใช่รายการของตัวชี้วัดนี้")) for item in ticked]
            values["ticked"] = list(dict.fromkeys(option for option in chosen if option is not None))
        elif ticked:
            errors["ticked"] = _("ตัวชี้วัดนี้ไม่ได้ให้เลือกรายการ")
        if kind == Indicator.Kind.FIGURE:
            values["figure"] = _figure(figure, errors)
        elif figure is not None:
            errors["figure"] = _("ตัวชี้วัดนี้ไม่ได้ให้กรอกค่าตัวเลข")
    if errors:
        raise AnswerInvalid(errors)
    return values


def _option(
    value: Any, options: dict[int, IndicatorOption], errors: dict[str, str], field: str, message: str
) -> IndicatorOption | None:
    if value is None or value == "":
        return None
    key = value.pk if isinstance(value, IndicatorOption) else value
    try:
        option = options.get(int(key))
    except (TypeError, ValueError):
        option = None
    if option is None:
        errors[field] = message
    return option


def _figure(value: Any, errors: dict[str, str]) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        errors["figure"] = _("กรอกค่าตัวเลข")
        return None
    # Thousands separators as people type them ("1,250.50"); Thai digits work as they are.
    text = str(value).replace(",", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors["figure"] = _("กรอกค่าเป็นตัวเลข เช่น 85 หรือ 72.5")
        return None
    if not number.is_finite():
        errors["figure"] = _("กรอกค่าเป็นตัวเลข เช่น 85 หรือ 72.5")
    elif number < 0:
        errors["figure"] = _("ค่าตัวเลขต้องไม่ติดลบ")
    elif number >= FIGURE_MAX:
        errors["figure"] = _("ค่าตัวเลขมากเกินไป")
    elif number.as_tuple().exponent < -FIGURE_PLACES:
        errors["figure"] = _("ค่าตัวเลขมีทศนิยมได้ไม่เกิน %(places)s ตำแหน่ง") % {"places": FIGURE_PLACES}
    else:
        return number
    return None
