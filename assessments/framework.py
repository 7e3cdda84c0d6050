"""Changing a round's framework: who may, and when; copying a year; specs for scoring.

The rules:
- In set-up the framework is freely editable by the department; a province may add and
  edit its own indicators in a category open to provinces.
- Once the round opens, a change that could alter a score (points, options, thresholds,
  scoring kind, applicability, pilot or N/A flags, which indicators exist) is refused
  unless made as a recorded correction by a department official with a reason. The
  correction lists the assessments whose scores it changes (`recompute_scores`) and stays
  in the audit trail (FrameworkCorrection). Wording may change until the round closes.
- A closed round refuses every change. Past years are never touched by a new year's
  work: a new year starts as a copy (`copy_round`).

Functions that create or replace a whole round accept `by=None` for the command line and
the demo; when a user is given they must be a department official (or system admin).

Scoring reads a round's framework through framework_for_round (specs_for_round), cached in
each process under (round, framework_version); every function here that changes the
framework gives the round a new version in the same transaction (Round.framework_changed).
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from accounts.access import is_department, scope_for
from accounts.models import User
from assessments import scoring
from assessments.models import (
    Assessment,
    AssessmentEvent,
    Category,
    Dimension,
    FrameworkCorrection,
    Indicator,
    IndicatorOption,
    ResultBand,
    Round,
)
from assessments.signals import send_scores_changed

# Indicator fields that change only how an indicator reads, never a score.
WORDING_FIELDS = frozenset({"title", "description", "evidence_required", "unit", "position"})
# Fields that change what counts or how it scores. The code is here too: answers,
# reports and the workbook name indicators by it.
SCORING_FIELDS = frozenset(
    {"code", "category", "kind", "applies_to", "is_pilot", "allows_not_applicable", "all_or_nothing_points", "province"}
)
INDICATOR_FIELDS = WORDING_FIELDS | SCORING_FIELDS
OPTION_FIELDS = ("label", "description", "points", "threshold")
ROUND_WORDING_FIELDS = frozenset(
    {
        "title",
        "self_assessment_opens",
        "self_assessment_closes",
        "review_opens",
        "review_closes",
        "appeal_opens",
        "appeal_closes",
    }
)
# Pass mark and bands change pass/fail and bands, not points.
ROUND_SCORING_FIELDS = frozenset({"pass_mark"})
# Which year a round is: fixed once the round opens.
ROUND_SETUP_FIELDS = frozenset({"year", "fiscal_year"})
HEADING_WORDING_FIELDS = frozenset({"name"})


class FrameworkLocked(ValidationError):
    """A framework change that the round's phase does not allow."""


def may_edit_indicator(user: User | None, indicator: Indicator) -> bool:
    """The department any indicator; a provincial office its own province's indicators."""
    if is_department(user):
        return True
    return (
        user is not None
        and indicator.province_id is not None
        and indicator.province_id in scope_for(user).manages_province_ids
    )


def ensure_editable(assessment_round: Round, *, affects_scores: bool = True) -> None:
    """Raise FrameworkLocked unless the round's phase allows a plain (unrecorded) change."""
    if assessment_round.is_closed:
        raise FrameworkLocked(_("รอบการประเมินปี %(year)s ปิดแล้ว แก้ไขกรอบการประเมินไม่ได้") % {"year": assessment_round.year})
    if affects_scores and not assessment_round.is_editable:
        raise FrameworkLocked(
            _(
                "รอบการประเมินปี %(year)s เปิดแล้ว การแก้ไขที่กระทบคะแนนต้องทำเป็นการแก้ไขกรอบการประเมิน"
                "โดยเจ้าหน้าที่กรมส่งเสริมการปกครองท้องถิ่น พร้อมระบุเหตุผล"
            )
            % {"year": assessment_round.year}
        )


def create_round(*, year: int, by: User | None, **fields: Any) -> Round:
    """A new round in set-up, with the default result bands."""
    _ensure_department_or_system(by)
    with transaction.atomic():
        assessment_round = Round(year=year, created_by=by, **fields)
        assessment_round.full_clean()
        assessment_round.save()
        assessment_round.add_default_bands()
    return assessment_round


def update_round(
    assessment_round: Round,
    *,
    changes: Mapping[str, Any],
    by: User,
    reason: str | None = None,
    bands: Sequence[tuple[str, Decimal]] | None = None,
) -> FrameworkCorrection | None:
    """Change a round's settings, and with `bands` replace its result bands.

    Dates and title may change until the round closes; the year only in set-up; pass mark
    and bands once open only as a correction (pass/fail of every assessment may change).
    """
    unknown = set(changes) - ROUND_WORDING_FIELDS - ROUND_SCORING_FIELDS - ROUND_SETUP_FIELDS
    if unknown:
        raise ValueError(f"not round settings: {sorted(unknown)}")
    _ensure_department(by)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=assessment_round.pk)
        before = _round_snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        new_bands = [ResultBand(round=locked, label=label, min_percent=Decimal(m)) for label, m in bands or ()]
        for band in new_bands:
            band.full_clean(exclude=["round"], validate_unique=False, validate_constraints=False)
        if len({b.label for b in new_bands}) < len(new_bands) or len({b.min_percent for b in new_bands}) < len(new_bands):
            raise ValidationError({"bands": _("ชื่อและร้อยละขั้นต่ำของระดับผลการประเมินต้องไม่ซ้ำกัน")})
        after = _round_snapshot(locked, new_bands if bands is not None else None)
        diff = _diff(before, after)
        if not diff:
            return None
        if set(diff) & ROUND_SETUP_FIELDS and not locked.is_editable:
            raise FrameworkLocked(_("ปีการประเมินเปลี่ยนได้เฉพาะระยะจัดเตรียมกรอบการประเมิน"))
        scoring_change = bool(set(diff) & (ROUND_SCORING_FIELDS | {"bands"}))
        correction = None
        if scoring_change and reason is not None and not locked.is_editable and not locked.is_closed:
            affected = list(locked.assessments.values_list("pk", flat=True))
            correction = _record(locked, None, diff, reason=reason, by=by, affected=affected)
        else:
            ensure_editable(locked, affects_scores=scoring_change)
        locked.save()
        if bands is not None:
            locked.bands.all().delete()
            ResultBand.objects.bulk_create(new_bands)
        if scoring_change:
            locked.framework_changed()
        if correction:
            refresh_results(locked.assessments.values_list("pk", flat=True))
    assessment_round.refresh_from_db()
    return correction


def update_heading(heading: Dimension | Category, *, changes: Mapping[str, Any], by: User) -> None:
    """Rename a dimension or category (until the round closes), or renumber it or open it
    to provinces (in set-up only)."""
    allowed = {"name", "number"} | ({"open_to_provinces"} if isinstance(heading, Category) else set())
    if set(changes) - allowed:
        raise ValueError(f"not heading fields: {sorted(set(changes) - allowed)}")
    _ensure_department(by)
    assessment_round = heading.round if isinstance(heading, Dimension) else heading.dimension.round
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=assessment_round.pk)
        ensure_editable(locked, affects_scores=bool(set(changes) - HEADING_WORDING_FIELDS))
        for name, value in changes.items():
            setattr(heading, name, value)
        heading.full_clean()
        heading.save()
        locked.framework_changed()


def add_dimension(assessment_round: Round, *, number: int, name: str, by: User) -> Dimension:
    """A new dimension (ด้าน) in a round in set-up: the department only."""
    _ensure_department(by)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=assessment_round.pk)
        ensure_editable(locked)
        dimension = Dimension(round=locked, number=number, name=name)
        dimension.full_clean()
        dimension.save()
        locked.framework_changed()
    return dimension


def add_category(dimension: Dimension, *, number: int, name: str, open_to_provinces: bool, by: User) -> Category:
    """A new category (หมวด) in a dimension of a round in set-up: the department only."""
    _ensure_department(by)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=dimension.round_id)
        ensure_editable(locked)
        category = Category(dimension=dimension, number=number, name=name, open_to_provinces=open_to_provinces)
        category.full_clean()
        category.save()
        locked.framework_changed()
    return category


def update_indicator(
    indicator: Indicator, *, changes: Mapping[str, Any], by: User, reason: str | None = None
) -> FrameworkCorrection | None:
    """Change an indicator as its round's phase allows; returns the correction, if one was made.

    `changes` maps Indicator field names to new values (model instances for category and
    province); "options" replaces the options with a list of mappings (label, description,
    points, threshold) in order. In an open round a change that alters scores needs a
    `reason` and a department official, and is then recorded through apply_correction().
    """
    assessment_round = Round.objects.get(pk=indicator.round_id)
    if reason is not None and not assessment_round.is_editable:
        return apply_correction(indicator=indicator, changes=changes, reason=reason, by=by)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=indicator.round_id)
        working = _fresh(indicator)
        if not may_edit_indicator(by, working):
            raise PermissionDenied(_("คุณไม่มีสิทธิ์แก้ไขตัวชี้วัดนี้"))
        before = _snapshot(working)
        options = _apply(working, changes)
        if not may_edit_indicator(by, working):
            raise PermissionDenied(_("คุณไม่มีสิทธิ์แก้ไขตัวชี้วัดนี้"))
        diff = _diff(before, _snapshot(working, options))
        if diff:
            ensure_editable(locked, affects_scores=_affects_scores(diff))
            _save(working, options)
            locked.framework_changed()
    indicator.refresh_from_db()
    return None


def apply_correction(
    *, indicator: Indicator, changes: Mapping[str, Any], reason: str, by: User
) -> FrameworkCorrection:
    """Correct an indicator of an open round: department officials only, with a reason.

    Records the before/after of every changed field and the assessments whose scores change.
    """
    _ensure_department(by)
    _ensure_reason(reason)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=indicator.round_id)
        ensure_editable(locked, affects_scores=False)
        before_indicator, working = _fresh(indicator), _fresh(indicator)
        before = _snapshot(working)
        options = _apply(working, changes)
        diff = _diff(before, _snapshot(working, options))
        if not diff:
            raise ValidationError(_("ไม่มีสิ่งที่เปลี่ยนแปลง"))
        _save(working, options)
        locked.framework_changed()
        affected = recompute_scores(locked, [before_indicator, working])
        correction = _record(locked, working, diff, reason=reason, by=by, affected=affected)
        refresh_results(affected)
    indicator.refresh_from_db()
    return correction


def add_indicator(
    *,
    category: Category,
    fields: Mapping[str, Any],
    options: Sequence[Mapping[str, Any]],
    by: User,
    reason: str | None = None,
) -> Indicator:
    """Add an indicator with its options; in an open round only as a correction."""
    assessment_round = category.dimension.round
    indicator = Indicator(category=category, round=assessment_round, province=fields.get("province"))
    if not may_edit_indicator(by, indicator):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์เพิ่มตัวชี้วัดในหมวดนี้"))
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=assessment_round.pk)
        built = _apply(indicator, {**fields, "options": options})
        if locked.is_editable:
            _save(indicator, built)
            locked.framework_changed()
            return indicator
        # Open: only as a correction, which needs a reason (and a department official).
        ensure_editable(locked, affects_scores=reason is None)
        _ensure_department(by)
        _save(indicator, built)
        locked.framework_changed()
        diff = {"indicator": {"before": None, "after": _snapshot(indicator)}}
        affected = recompute_scores(locked, [indicator])
        _record(locked, indicator, diff, reason=reason, by=by, affected=affected)
        refresh_results(affected)
    return indicator


def remove_indicator(indicator: Indicator, *, by: User, reason: str | None = None) -> FrameworkCorrection | None:
    """Delete an indicator; in an open round only as a correction (which keeps a snapshot)."""
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=indicator.round_id)
        working = _fresh(indicator)
        if not may_edit_indicator(by, working):
            raise PermissionDenied(_("คุณไม่มีสิทธิ์ลบตัวชี้วัดนี้"))
        if locked.is_editable:
            working.delete()
            locked.framework_changed()
            return None
        # Open: only as a correction, which needs a reason (and a department official).
        ensure_editable(locked, affects_scores=reason is None)
        _ensure_department(by)
        diff = {"indicator": {"before": _snapshot(working), "after": None}}
        affected = recompute_scores(locked, [working])
        correction = _record(locked, working, diff, reason=reason, by=by, affected=affected)
        working.delete()
        locked.framework_changed()
        refresh_results(affected)
    return correction


def recompute_scores(assessment_round: Round, indicators: Iterable[Indicator]) -> list[int]:
    """The assessments of `round` whose scores `indicators` take part in, to be scored again.

    Pass an indicator as it was and as it is after a change, so organizations it stopped
    applying to are included. The caller refreshes their stored results (refresh_results)
    once the change is written.
    """
    return sorted(Assessment.objects.filter(round=assessment_round).affected_by(indicators).values_list("pk", flat=True))


def refresh_results(pks: Iterable[int]) -> None:
    """Have the affected assessments' stored results computed again, in this transaction."""
    send_scores_changed(pks, sender=Round)


def specs_for_round(assessment_round: Round) -> list[scoring.IndicatorSpec]:
    """The round's indicators as the scoring engine takes them, in framework order."""
    return list(framework_for_round(assessment_round).specs)


@dataclass(frozen=True)
class RoundFramework:
    """What scoring needs of a round's framework, built once per framework version.

    `fingerprint` names the specs' content (not the version): a stored result computed with
    the same fingerprint was computed with the same rules, whichever process computed it.
    """

    round_id: int
    version: int
    specs: tuple[scoring.IndicatorSpec, ...]
    spec_by_pk: Mapping[int, scoring.IndicatorSpec]
    bands: tuple[scoring.BandSpec, ...]
    province_codes: Mapping[int, str]  # province pk → code, for the provinces with indicators of their own
    fingerprint: str


# (round pk, framework version) → RoundFramework, in this process. Rounds are few: a handful
# of entries. Entries of an old version are never read again (the version travels with the
# round row every save loads) and fall out as new ones come.
_FRAMEWORKS: dict[tuple[int, int], RoundFramework] = {}
_FRAMEWORKS_KEPT = 16


def framework_for_round(assessment_round: Round) -> RoundFramework:
    """The round's framework as scoring takes it: from this process's cache when the version
    `assessment_round` was loaded with is cached, else from the database (four queries)."""
    key = (assessment_round.pk, assessment_round.framework_version)
    cached = _FRAMEWORKS.get(key)
    if cached is not None:
        return cached
    framework = _build_framework(assessment_round.pk)
    # Cached only when nobody changed the framework between loading the round and reading the
    # indicators: then what was read is exactly that version. Otherwise it is newer; it is
    # used for this call but kept under no version.
    if framework.version == assessment_round.framework_version:
        while len(_FRAMEWORKS) >= _FRAMEWORKS_KEPT:
            _FRAMEWORKS.pop(next(iter(_FRAMEWORKS)))
        _FRAMEWORKS[key] = framework
    return framework


def forget_frameworks(**kwargs: Any) -> None:
    """Empty this process's cache of frameworks."""
    _FRAMEWORKS.clear()


def _build_framework(round_id: int) -> RoundFramework:
    indicators = list(
        Indicator.objects.filter(round_id=round_id)
        .select_related("category__dimension", "province")
        .prefetch_related("options")
    )
    bands = tuple(scoring.BandSpec(label, low) for label, low in ResultBand.objects.filter(round_id=round_id).values_list("label", "min_percent"))
    # Read last: a change committed while the rows above were read shows here as another version.
    version = Round.objects.filter(pk=round_id).values_list("framework_version", flat=True).first()
    specs = tuple(indicator.as_spec() for indicator in indicators)
    return RoundFramework(
        round_id=round_id,
        version=version,
        specs=specs,
        spec_by_pk={indicator.pk: spec for indicator, spec in zip(indicators, specs, strict=True)},
        bands=bands,
        province_codes={i.province_id: i.province.code for i in indicators if i.province_id},
        fingerprint=_fingerprint(zip((i.pk for i in indicators), specs, strict=True)),
    )


def _fingerprint(specs: Iterable[tuple[int, scoring.IndicatorSpec]]) -> str:
    """A digest of everything in the specs that a score depends on, the same in every process."""
    digest = hashlib.sha256()
    for pk, spec in specs:
        options = [(o.key, str(o.points), None if o.threshold is None else str(o.threshold)) for o in spec.options]
        item = (pk, spec.code, spec.dimension, spec.kind, sorted(spec.applies_to), options,
                str(spec.all_or_nothing_points), spec.is_pilot, spec.allows_not_applicable, spec.province)
        digest.update(repr(item).encode())
    return digest.hexdigest()[:32]


# Framework rows written outside the functions above (the demo, factories, a shell): this
# process forgets its cached specs. Other processes learn of a change only through the
# round's framework_version, which the functions above change.
for _model in (Dimension, Category, Indicator, IndicatorOption, ResultBand):
    for _name, _signal in (("saved", post_save), ("deleted", post_delete)):
        _signal.connect(forget_frameworks, sender=_model, dispatch_uid=f"forget_frameworks.{_model.__name__}.{_name}")


def copy_round(source: Round, *, year: int, by: User | None) -> Round:
    """A new round in set-up with a deep copy of `source`'s framework and bands.

    The source is only read, so last year's framework stays exactly as it was.
    """
    _ensure_department_or_system(by)
    if Round.objects.filter(year=year).exists():
        raise ValidationError({"year": _("มีรอบการประเมินปี %(year)s อยู่แล้ว") % {"year": year}})
    with transaction.atomic():
        new = Round(
            year=year,
            title=source.title.replace(str(source.year), str(year)),
            pass_mark=source.pass_mark,
            copied_from=source,
            created_by=by,
        )
        new.full_clean()
        new.save()
        ResultBand.objects.bulk_create(
            ResultBand(round=new, label=band.label, min_percent=band.min_percent) for band in source.bands.all()
        )
        options = []
        dimensions = source.dimensions.prefetch_related("categories__indicators__options")
        for dimension in dimensions:
            new_dimension = Dimension.objects.create(round=new, number=dimension.number, name=dimension.name)
            for category in dimension.categories.all():
                new_category = Category.objects.create(
                    dimension=new_dimension,
                    number=category.number,
                    name=category.name,
                    open_to_provinces=category.open_to_provinces,
                )
                for indicator in category.indicators.all():
                    copied = Indicator.objects.create(
                        round=new,
                        category=new_category,
                        province_id=indicator.province_id,
                        **{name: getattr(indicator, name) for name in INDICATOR_FIELDS - {"category", "province"}},
                    )
                    options += [
                        IndicatorOption(indicator=copied, **{n: getattr(o, n) for n in ("position", *OPTION_FIELDS)})
                        for o in indicator.options.all()
                    ]
        IndicatorOption.objects.bulk_create(options)
    return new


def _ensure_department(by: User | None) -> None:
    if not is_department(by):
        raise PermissionDenied(
            _("เฉพาะเจ้าหน้าที่กรมส่งเสริมการปกครองท้องถิ่นเท่านั้นที่แก้ไขกรอบการประเมินส่วนนี้ได้")
        )


def _ensure_reason(reason: str | None) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("ต้องระบุเหตุผลของการแก้ไขกรอบการประเมิน")})


def _ensure_department_or_system(by: User | None) -> None:
    if by is not None:
        _ensure_department(by)


def _fresh(indicator: Indicator) -> Indicator:
    return Indicator.objects.select_related("category__dimension", "province").get(pk=indicator.pk)


def _apply(indicator: Indicator, changes: Mapping[str, Any]) -> list[IndicatorOption]:
    """Set `changes` on an unsaved working copy and validate; returns the options to save."""
    unknown = set(changes) - INDICATOR_FIELDS - {"options"}
    if unknown:
        raise ValueError(f"not indicator fields: {sorted(unknown)}")
    for name, value in changes.items():
        if name != "options":
            setattr(indicator, name, value)
    indicator.full_clean()
    if "options" in changes:
        existing = {o.position: o for o in indicator.options.all()} if indicator.pk else {}
        options = []
        for position, row in enumerate(changes["options"], start=1):
            option = existing.get(position) or IndicatorOption(indicator=indicator, position=position)
            option.label = row["label"]
            option.description = row.get("description", "")
            option.points = row.get("points") or Decimal(0)
            option.threshold = row.get("threshold")
            option.full_clean(exclude=["indicator"], validate_unique=False, validate_constraints=False)
            options.append(option)
    else:
        options = list(indicator.options.all())
    indicator.check_options(options)
    return options


def _save(indicator: Indicator, options: list[IndicatorOption]) -> None:
    indicator.save()
    indicator.options.filter(position__gt=len(options)).delete()
    for option in options:
        option.indicator = indicator
        option.save()


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _snapshot(indicator: Indicator, options: list[IndicatorOption] | None = None) -> dict[str, Any]:
    """The indicator as JSON-ready values, for diffs and the audit trail."""
    if options is None:
        options = list(indicator.options.all()) if indicator.pk else []
    category = indicator.category
    return {
        "code": indicator.code,
        "category": f"{category.dimension.number}.{category.number}",
        "title": indicator.title,
        "description": indicator.description,
        "evidence_required": indicator.evidence_required,
        "unit": indicator.unit,
        "position": indicator.position,
        "kind": indicator.kind,
        "applies_to": list(indicator.applies_to),
        "is_pilot": indicator.is_pilot,
        "allows_not_applicable": indicator.allows_not_applicable,
        "all_or_nothing_points": _decimal(indicator.all_or_nothing_points),
        "province": indicator.province.code if indicator.province_id else None,
        "options": [
            {"label": o.label, "description": o.description, "points": _decimal(o.points), "threshold": _decimal(o.threshold)}
            for o in options
        ],
    }


def _round_snapshot(assessment_round: Round, bands: list[ResultBand] | None = None) -> dict[str, Any]:
    if bands is None:
        bands = list(assessment_round.bands.all())
    snapshot = {name: getattr(assessment_round, name) for name in ROUND_WORDING_FIELDS | ROUND_SETUP_FIELDS}
    snapshot = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in snapshot.items()}
    snapshot["pass_mark"] = _decimal(assessment_round.pass_mark)
    snapshot["bands"] = sorted([band.label, _decimal(band.min_percent)] for band in bands)
    return snapshot


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: {"before": before[key], "after": after[key]} for key in before if before[key] != after[key]}


def _affects_scores(diff: Mapping[str, Any]) -> bool:
    if set(diff) & SCORING_FIELDS:
        return True
    if "options" in diff:
        # Relabelling levels or criteria is wording; their count, points or thresholds are not.
        scored = [[(o["points"], o["threshold"]) for o in diff["options"][side]] for side in ("before", "after")]
        return scored[0] != scored[1]
    return False


def _record(
    assessment_round: Round, indicator: Indicator | None, diff: dict, *, reason: str | None, by: User, affected: list[int]
) -> FrameworkCorrection:
    _ensure_department(by)
    _ensure_reason(reason)
    correction = FrameworkCorrection.objects.create(
        round=assessment_round,
        indicator=indicator,
        indicator_code=indicator.code if indicator else "",
        made_by=by,
        reason=reason.strip(),
        changes=diff,
        affected_assessments=len(affected),
    )
    # Each affected assessment's trail shows the correction that changed its score.
    data = {"correction": correction.pk, "indicator": correction.indicator_code, "fields": sorted(diff)}
    revisions = dict(Assessment.objects.filter(pk__in=affected).values_list("pk", "revision"))
    AssessmentEvent.objects.bulk_create(
        (
            AssessmentEvent(
                assessment_id=pk,
                kind=AssessmentEvent.Kind.CORRECTION,
                at=correction.made_at,
                by=by,
                revision=revisions[pk],
                indicator=indicator,
                note=correction.reason,
                data=data,
            )
            for pk in affected
        ),
        batch_size=2000,
    )
    return correction
