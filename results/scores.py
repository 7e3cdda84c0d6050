"""Keep the stored results (results.Result) equal to what the scoring engine says.

Both run on assessments.signals.scores_changed, inside the transaction of the change, so
readers never see a score that disagrees with the answers:

- update_results(assessment, indicators): one saved answer or verified answer. The overall
  row keeps each answered or verified indicator's part in the sums (`Part`: points and full
  marks, self-assessed and verified, and what it adds to the counts), so the rows are
  updated from that indicator's old and new part alone, and percentages, pass and bands
  judged again from the updated sums (points are exact decimals; a percentage is rounded
  once, from them). Four queries when the sender passes the assessment loaded with its round
  (the rows; the indicator's answer and verified answer; an UPDATE of its dimension's row
  and of the overall row), whatever the number of indicators; the specs come from the
  per-process cache (assessments.framework.framework_for_round). The sender holds the
  assessment's lock, so two updates of one assessment never interleave.
- refresh_results(pks): anything else (a framework correction, a round opened, whatever
  sends no indicators). Scores the assessments from all their answers with
  assessments/scoring.py, in a fixed number of queries per batch, and replaces their rows.

update_results falls back to refresh_results when the rows were stored under other rules
(their fingerprint is not the framework's) or lack the parts (rows stored before them, or in
an older PARTS_FORMAT). Each row also counts what the review did to its indicators
(REVIEW_COUNTS, from each part's Part.review_counts), so the calibration page reads them
instead of scoring every indicator again.
recompute_round(round) rebuilds a whole round; disagreements(round) lists the stored rows
a full recomputation would change (`manage.py recompute_results --check`).
"""

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Value
from django.utils import timezone

from assessments import scoring
from assessments.framework import RoundFramework, framework_for_round
from assessments.models import Answer, Assessment, Round
from assessments.signals import scores_changed
from results.models import OVERALL, Result
from reviews.models import VerifiedAnswer

BATCH_SIZE = 500
# More changed indicators than this in one signal: scoring everything again is as cheap.
INCREMENTAL_LIMIT = 20

# The stored columns a full recomputation decides.
COMPARED_FIELDS = (
    "indicators",
    "answered_indicators",
    "verified_indicators",
    "self_points",
    "self_full_marks",
    "self_percent",
    "self_band",
    "self_passed",
    "verified_points",
    "verified_full_marks",
    "verified_percent",
    "verified_band",
    "verified_passed",
    *(REVIEW_COUNTS := ("changed_indicators", "lowered_indicators", "claimed_indicators", "confirmed_indicators")),
    "indicator_points",
)
# The format of the overall row's parts: rows stored in another are scored again in full.
PARTS_FORMAT = 2
# What an update writes: every compared column but the count of indicators (fixed by the
# framework), and when.
_WRITTEN_FIELDS = (*(name for name in COMPARED_FIELDS if name != "indicators"), "updated_at")


@dataclass
class _Given:
    """What one assessment answered, keyed by indicator code, for the engine."""

    answers: dict[str, scoring.Answer]
    answered: set[str]
    verified: dict[str, scoring.Answer]
    pks: dict[str, int] = field(default_factory=dict)  # code → indicator pk, of the codes above


class Part(NamedTuple):
    """One indicator's part in its dimension's and the overall sums, for one assessment."""

    self_points: Decimal
    self_full_marks: Decimal
    verified_points: Decimal
    verified_full_marks: Decimal
    answered: int  # 1 when it counts among the indicators and is answered
    verified: int  # 1 when it counts among the indicators and has a verified result
    has_verified: int  # 1 when it has a verified result at all (a pilot too)
    claimed: int  # 1 when it counts and the organization claims "not applicable" where allowed
    confirmed: int  # 1 when that claim is confirmed by the team

    def to_json(self) -> list:
        return [str(self.self_points), str(self.self_full_marks), str(self.verified_points),
                str(self.verified_full_marks), self.answered, self.verified, self.has_verified,
                self.claimed, self.confirmed]

    def review_counts(self) -> tuple[int, int, int, int]:
        """What the team did to a counted indicator it verified, as REVIEW_COUNTS counts it:
        changed (other points, or an N/A claim not confirmed), lowered (fewer points, or the
        claim not confirmed), the organization's claim, its confirmation."""
        if not self.verified:
            return (0, 0, 0, 0)
        refused = self.claimed and not self.confirmed
        return (
            int(refused or self.verified_points != self.self_points),
            int(refused or self.verified_points < self.self_points),
            self.claimed,
            self.confirmed,
        )

    @classmethod
    def from_json(cls, value: list) -> "Part":
        return cls(*(Decimal(v) for v in value[:4]), *value[4:])


def part(
    spec: scoring.IndicatorSpec,
    own: scoring.Answer,
    answered: bool,
    checked: scoring.Answer | None,
    *,
    org_type: str,
    province: str | None,
) -> Part:
    """What `spec` adds to the sums given the organization's answer `own` (NOT_ANSWERED if
    none) and the verified answer `checked` (None if none): the engine's rules, one indicator."""
    context = {"org_type": org_type, "province": province}
    counts = spec.applies(org_type, province) and not spec.is_pilot
    verified = scoring.NOT_ANSWERED if checked is None else verified_for_engine(checked, claimed=own.not_applicable)
    sums = []
    for answer, self_assessed in ((own, True), (verified, False)):
        if scoring.indicator_status(spec, answer, self_assessed=self_assessed, **context) == scoring.COUNTED:
            sums += [scoring.indicator_points(spec, answer), spec.full_points]
        else:
            sums += [scoring.ZERO, scoring.ZERO]
    claimed = counts and own.not_applicable and spec.allows_not_applicable
    confirmed = claimed and checked is not None and checked.na_confirmed
    return Part(
        *sums,
        int(counts and answered),
        int(counts and checked is not None),
        int(checked is not None),
        int(claimed),
        int(confirmed),
    )


def refresh_results(assessments: Iterable[int] | Iterable[Assessment]) -> int:
    """Score `assessments` (pks or objects) again and store their rows; returns how many."""
    pks = sorted({getattr(item, "pk", item) for item in assessments})
    if not pks:
        return 0
    rounds = defaultdict(list)
    for pk, round_id in Assessment.objects.filter(pk__in=pks).values_list("pk", "round_id"):
        rounds[round_id].append(pk)
    with transaction.atomic():
        for assessment_round in Round.objects.filter(pk__in=rounds):
            framework = framework_for_round(assessment_round)
            for start in range(0, len(rounds[assessment_round.pk]), BATCH_SIZE):
                batch = rounds[assessment_round.pk][start : start + BATCH_SIZE]
                # The saves' lock (selfassessment.lock), taken in pk order: a save of one of
                # these has committed before the answers are read below, or waits for this.
                list(Assessment.objects.select_for_update().filter(pk__in=batch).order_by("pk").values_list("pk"))
                Result.objects.filter(assessment_id__in=batch).delete()
                Result.objects.bulk_create(_score_batch(assessment_round, framework, batch), batch_size=2000)
    return len(pks)


def update_results(assessment: Assessment, indicators: Collection[int]) -> bool:
    """Update the stored rows of `assessment` after a change of the answers or verified
    answers of `indicators` (pks) alone; False, changing nothing, when they cannot be updated
    so (the rows were stored under other rules, or before they kept each indicator's part):
    then refresh_results.

    Call inside the change's transaction, holding the assessment's lock
    (selfassessment.lock); `assessment` loaded with its round and organization__district.
    """
    framework = framework_for_round(assessment.round)
    specs = {pk: framework.spec_by_pk.get(pk) for pk in indicators}
    if None in specs.values():
        return False
    rows = {row.dimension: row for row in Result.objects.filter(assessment_id=assessment.pk)}
    before = {number: _judged(row) for number, row in rows.items()}
    overall = rows.get(OVERALL)
    stored = overall.indicator_points if overall else None
    if not stored or stored.get("rules") != framework.fingerprint or stored.get("format") != PARTS_FORMAT:
        return False
    parts: dict[str, list] = stored["parts"]
    org_type = assessment.org_type
    province = framework.province_codes.get(assessment.organization.district.province_id)
    given = _load_indicators(assessment.pk, specs)
    for pk, spec in specs.items():
        key = str(pk)
        own, answered, checked = given.get(pk, (scoring.NOT_ANSWERED, False, None))
        old = Part.from_json(parts[key]) if key in parts else part(
            spec, scoring.NOT_ANSWERED, False, None, org_type=org_type, province=province
        )
        new = part(spec, own, answered, checked, org_type=org_type, province=province)
        if pk in given:
            parts[key] = new.to_json()
        else:
            parts.pop(key, None)
        review_change = [after - before for after, before in zip(new.review_counts(), old.review_counts(), strict=True)]
        if new[:6] == old[:6] and not any(review_change):
            continue
        dimension = rows.get(spec.dimension)
        if dimension is None:  # a counted indicator's dimension always has a row: stored under other rules
            return False
        for row in (dimension, overall):
            row.self_points += new.self_points - old.self_points
            row.self_full_marks += new.self_full_marks - old.self_full_marks
            row.verified_points += new.verified_points - old.verified_points
            row.verified_full_marks += new.verified_full_marks - old.verified_full_marks
            row.answered_indicators += new.answered - old.answered
            row.verified_indicators += new.verified - old.verified
            for name, change in zip(REVIEW_COUNTS, review_change, strict=True):
                setattr(row, name, getattr(row, name) + change)
    reviewed = any(value[6] for value in parts.values())
    now = timezone.now()
    changed = []
    for number, row in rows.items():
        _judge(row, reviewed=reviewed, pass_mark=assessment.round.pass_mark, bands=framework.bands)
        if row is overall or _judged(row) != before[number]:
            row.updated_at = now
            changed.append(row)
    # One UPDATE per changed row (the indicator's dimension and the overall row; every row
    # when the first verified result comes): bulk_update's CASE expressions cost ten times
    # the CPU of two plain updates.
    written = sum(
        Result.objects.filter(pk=row.pk).update(**{name: getattr(row, name) for name in _WRITTEN_FIELDS})
        for row in changed
    )
    if written != len(changed):
        # The rows were replaced under us (a full refresh committed while this waited for
        # them): score everything again, from what is committed now.
        refresh_results([assessment.pk])
    return True


def _judged(row: Result) -> tuple:
    return tuple(getattr(row, name) for name in _WRITTEN_FIELDS[:-2])


def _judge(row: Result, *, reviewed: bool, pass_mark: Decimal, bands: Iterable[scoring.BandSpec]) -> None:
    """Percentages (rounded once from the sums), and on the overall row pass and band, as
    score_assessment reports them; the verified ones only once the assessment has any
    verified result."""
    row.self_percent = scoring.percent_of(row.self_points, row.self_full_marks)
    row.verified_percent = scoring.percent_of(row.verified_points, row.verified_full_marks) if reviewed else None
    if row.dimension != OVERALL:
        return
    row.self_band = scoring.band_for(row.self_percent, pass_mark=pass_mark, bands=bands) or ""
    row.self_passed = None if row.self_percent is None else row.self_percent >= pass_mark
    row.verified_band = (scoring.band_for(row.verified_percent, pass_mark=pass_mark, bands=bands) or "") if reviewed else ""
    row.verified_passed = None if row.verified_percent is None else row.verified_percent >= pass_mark


def _load_indicators(
    assessment: int, specs: dict[int, scoring.IndicatorSpec]
) -> dict[int, tuple[scoring.Answer, bool, scoring.Answer | None]]:
    """Indicator pk → (answer, answered, verified answer or None) of `specs`, in one query."""
    own = (
        Answer.objects.filter(assessment_id=assessment, indicator_id__in=specs)
        .annotate(checked=Value(False))
        .order_by()
        .values_list("indicator_id", "level_id", "figure", "not_applicable", "answered_at", "ticked", "checked")
    )
    checked = (
        VerifiedAnswer.objects.filter(assessment_id=assessment, indicator_id__in=specs)
        .annotate(checked=Value(True))
        .order_by()
        .values_list("indicator_id", "level_id", "figure", "na_confirmed", "updated_at", "ticked", "checked")
    )
    rows: dict[tuple[bool, int], list] = {}
    for indicator, level, figure, flag, answered_at, ticked, is_checked in own.union(checked, all=True):
        row = rows.setdefault((bool(is_checked), indicator), [level, set(), figure, flag, answered_at])
        if ticked is not None:
            row[1].add(ticked)
    given = {}
    for pk in specs:
        if (False, pk) not in rows and (True, pk) not in rows:
            continue
        own_answer, answered = scoring.NOT_ANSWERED, False
        if (False, pk) in rows:
            level, ticked, figure, not_applicable, answered_at = rows[(False, pk)]
            own_answer = scoring.Answer(level=level, ticked=frozenset(ticked), figure=figure, not_applicable=not_applicable)
            answered = not_applicable or _answered(specs[pk].kind, level, figure, answered_at)
        checked_answer = None
        if (True, pk) in rows:
            level, ticked, figure, na_confirmed, _at = rows[(True, pk)]
            checked_answer = scoring.Answer(level=level, ticked=frozenset(ticked), figure=figure, na_confirmed=bool(na_confirmed))
        given[pk] = (own_answer, answered, checked_answer)
    return given


def _on_scores_changed(
    sender: object, *, assessments: Iterable[int] | Iterable[Assessment], indicators: Collection[int] | None = None, **kwargs
) -> None:
    if indicators is None or len(indicators) > INCREMENTAL_LIMIT:
        refresh_results(assessments)
        return
    rest = []
    for item in assessments:
        if isinstance(item, Assessment):
            assessment = item
        else:
            assessment = Assessment.objects.select_related("round", "organization__district").get(pk=item)
        if not update_results(assessment, indicators):
            rest.append(assessment.pk)
    if rest:
        refresh_results(rest)


def connect_receivers() -> None:
    """Follow every change the workflows below report (assessments.signals.scores_changed)."""
    scores_changed.connect(_on_scores_changed, dispatch_uid="results.scores.refresh_results")


def recompute_round(assessment_round: Round) -> int:
    """Rebuild every stored result of `round` from scratch."""
    return refresh_results(assessment_round.assessments.values_list("pk", flat=True))


class Disagreement(NamedTuple):
    assessment: int
    dimension: int
    fields: dict[str, tuple]  # field → (stored, recomputed); a missing or extra row: {"row": ...}


def disagreements(assessment_round: Round) -> Iterator[Disagreement]:
    """Every stored row of `round` that a full recomputation would change (nothing is written)."""
    framework = framework_for_round(assessment_round)
    pks = list(assessment_round.assessments.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH_SIZE):
        batch = pks[start : start + BATCH_SIZE]
        expected = {(row.assessment_id, row.dimension): row for row in _score_batch(assessment_round, framework, batch)}
        stored = {(row.assessment_id, row.dimension): row for row in Result.objects.filter(assessment_id__in=batch)}
        for key in sorted(expected.keys() | stored.keys()):
            if key not in stored:
                yield Disagreement(*key, {"row": (None, "missing")})
            elif key not in expected:
                yield Disagreement(*key, {"row": ("stored", None)})
            else:
                fields = {
                    name: (getattr(stored[key], name), getattr(expected[key], name))
                    for name in COMPARED_FIELDS
                    if getattr(stored[key], name) != getattr(expected[key], name)
                }
                if fields:
                    yield Disagreement(*key, fields)


def _score_batch(assessment_round: Round, framework: RoundFramework, pks: list[int]) -> list[Result]:
    """The rows of `pks` (assessments of `round`) scored from all their answers."""
    given = _load(pks)
    rows = []
    # Nothing answered yet (every assessment when a round opens): the same rows for every
    # organization of a type and province, scored once.
    blank: dict[tuple[str, str], list[Result]] = {}
    for pk, org_type, province in Assessment.objects.filter(pk__in=pks).values_list(
        "pk", "org_type", "organization__district__province__code"
    ):
        answers = given.get(pk)
        if answers is None:
            if (org_type, province) not in blank:
                blank[(org_type, province)] = _score(pk, assessment_round, framework, _Given({}, set(), {}), org_type, province)
            rows += [_copy(row, pk) for row in blank[(org_type, province)]]
            continue
        rows += _score(pk, assessment_round, framework, answers, org_type, province)
    return rows


def _copy(row: Result, pk: int) -> Result:
    copy = Result(**{field.attname: getattr(row, field.attname) for field in Result._meta.concrete_fields})
    copy.pk, copy.assessment_id = None, pk
    if row.indicator_points is not None:
        copy.indicator_points = {**row.indicator_points, "parts": dict(row.indicator_points["parts"])}
    return copy


def _score(
    pk: int, assessment_round: Round, framework: RoundFramework, answers: _Given, org_type: str, province: str
) -> list[Result]:
    """The rows of one assessment."""
    specs = framework.specs
    claimed = {code for code, answer in answers.answers.items() if answer.not_applicable}
    verified = {code: verified_for_engine(answer, claimed=code in claimed) for code, answer in answers.verified.items()}
    common = {"org_type": org_type, "pass_mark": assessment_round.pass_mark, "bands": framework.bands, "province": province}
    own = scoring.score_assessment(indicators=specs, answers=answers.answers, self_assessed=True, **common)
    checked = scoring.score_assessment(indicators=specs, answers=verified, **common)
    rows = _rows(pk, specs, own, checked, answers, org_type=org_type, province=province)
    parts = {}
    by_number = {row.dimension: row for row in rows}
    for spec in specs:
        if spec.code in answers.pks:
            given = part(
                spec,
                answers.answers.get(spec.code, scoring.NOT_ANSWERED),
                spec.code in answers.answered,
                answers.verified.get(spec.code),
                org_type=org_type,
                province=province,
            )
            parts[str(answers.pks[spec.code])] = given.to_json()
            counts = given.review_counts()
            if any(counts):
                for row in (by_number[spec.dimension], by_number[OVERALL]):
                    for name, count in zip(REVIEW_COUNTS, counts, strict=True):
                        setattr(row, name, getattr(row, name) + count)
    if rows:
        rows[0].indicator_points = {"rules": framework.fingerprint, "format": PARTS_FORMAT, "parts": parts}
    return rows


def verified_for_engine(answer: scoring.Answer, *, claimed: bool) -> scoring.Answer:
    """A verified answer counts a confirmed N/A only where the organization claimed one."""
    if answer.na_confirmed and claimed:
        return scoring.Answer(not_applicable=True, na_confirmed=True)
    return scoring.Answer(level=answer.level, ticked=answer.ticked, figure=answer.figure)


def _load(pks: list[int]) -> dict[int, _Given]:
    """Answers and verified answers of `pks` in four queries."""
    given: dict[int, _Given] = defaultdict(lambda: _Given({}, set(), {}))
    ticked = defaultdict(set)
    for answer_id, option in Answer.ticked.through.objects.filter(answer__assessment_id__in=pks).values_list(
        "answer_id", "indicatoroption_id"
    ):
        ticked[answer_id].add(option)
    rows = Answer.objects.filter(assessment_id__in=pks).values_list(
        "pk", "assessment_id", "indicator_id", "indicator__code", "indicator__kind", "level_id", "figure", "not_applicable", "answered_at"
    )
    for pk, assessment, indicator, code, kind, level, figure, not_applicable, answered_at in rows:
        given[assessment].answers[code] = scoring.Answer(
            level=level, ticked=frozenset(ticked[pk]), figure=figure, not_applicable=not_applicable
        )
        given[assessment].pks[code] = indicator
        if not_applicable or _answered(kind, level, figure, answered_at):
            given[assessment].answered.add(code)
    verified_ticked = defaultdict(set)
    for row_id, option in VerifiedAnswer.ticked.through.objects.filter(
        verifiedanswer__assessment_id__in=pks
    ).values_list("verifiedanswer_id", "indicatoroption_id"):
        verified_ticked[row_id].add(option)
    for pk, assessment, indicator, code, level, figure, na_confirmed in VerifiedAnswer.objects.filter(
        assessment_id__in=pks
    ).values_list("pk", "assessment_id", "indicator_id", "indicator__code", "level_id", "figure", "na_confirmed"):
        given[assessment].verified[code] = scoring.Answer(
            level=level, ticked=frozenset(verified_ticked[pk]), figure=figure, na_confirmed=bool(na_confirmed)
        )
        given[assessment].pks[code] = indicator
    return given


def _answered(kind: str, level, figure, answered_at) -> bool:
    """As Answer.is_answered, from plain values."""
    if kind == "levels":
        return level is not None
    if kind == "figure":
        return figure is not None
    return answered_at is not None


def _rows(
    pk: int,
    specs: Iterable[scoring.IndicatorSpec],
    own: scoring.AssessmentScore,
    checked: scoring.AssessmentScore,
    given: _Given,
    *,
    org_type: str,
    province: str,
) -> list[Result]:
    """The overall row first, then one per dimension (none when nothing counts)."""
    # Counted indicators only: a pilot never counts, so it neither adds to "indicators that
    # count" nor gives a dimension of pilots a row of its own.
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # applicable, answered, verified
    for spec in specs:
        if spec.is_pilot or not spec.applies(org_type, province):
            continue
        for number in (spec.dimension, OVERALL):
            counts[number][0] += 1
            counts[number][1] += spec.code in given.answered
            counts[number][2] += spec.code in given.verified
    own_dimensions = {d.number: d for d in own.dimensions}
    checked_dimensions = {d.number: d for d in checked.dimensions}
    rows = []
    for number in sorted(set(counts) | set(own_dimensions) | set(checked_dimensions)):
        if number == OVERALL:
            self_score = (own.points, own.full_marks, own.percent)
            verified_score = (checked.points, checked.full_marks, checked.percent)
            extra = {
                "self_band": own.band or "",
                "self_passed": own.passed,
                "verified_band": (checked.band or "") if given.verified else "",
                "verified_passed": checked.passed if given.verified else None,
            }
        else:
            self_score = _triple(own_dimensions.get(number))
            verified_score = _triple(checked_dimensions.get(number))
            extra = {}
        applicable, answered, verified = counts[number]
        rows.append(
            Result(
                assessment_id=pk,
                dimension=number,
                indicators=applicable,
                answered_indicators=answered,
                verified_indicators=verified,
                self_points=self_score[0],
                self_full_marks=self_score[1],
                self_percent=self_score[2],
                verified_points=verified_score[0],
                verified_full_marks=verified_score[1],
                verified_percent=verified_score[2] if given.verified else None,
                **extra,
            )
        )
    return rows


def _triple(score: scoring.DimensionScore | None) -> tuple[Decimal, Decimal, Decimal | None]:
    if score is None:
        return scoring.ZERO, scoring.ZERO, None
    return score.points, score.full_marks, score.percent
