"""Every reviewed assessment's indicators, self-assessed beside verified, counted up: what the
calibration page (results/calibration.py) and the weak-spot page (results/weakspots.py) read.

No table stores points per indicator (results.Result holds the dimensions and the overall
score), so this scores the answers and the verified answers again with the scoring engine
(assessments/scoring.py), as results/scores.py does, in four queries per 500 assessments,
and keeps only counts:

- per assessment (AssessmentTally): the counted indicators the team verified; those it
  changed (other points, or a "not applicable" claim it did not confirm) and, of those, the
  ones changed against the organization (fewer points, or the claim not confirmed); the
  organization's N/A claims and how many the team confirmed;
- per indicator × province × organization type (IndicatorTally): how many organizations
  earned full, partial or zero points or were not applicable, on their own answers and on
  the verified ones, and the points they earned.

Only assessments whose review is finished count (results.dashboard.RESULT_STATUSES:
verified, approved, published, under appeal), as on the dashboards; an indicator counts
where the engine counts it: never a pilot, nor one meant for another type or province.

Scoring the national round takes seconds, so the tallies are cached per round under a key
that changes whenever they could: the round's stored results (refresh_results writes new
rows, with new ids and times, on every change of answers, verified answers or framework)
and which assessments are finished.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Sum

from assessments import scoring
from assessments.models import Answer, Assessment, Indicator, Round
from results.dashboard import RESULT_STATUSES
from results.models import Result
from results.scores import verified_for_engine
from reviews.models import VerifiedAnswer

BATCH_SIZE = 500
CACHE_SECONDS = 24 * 60 * 60
# The grades of an indicator's result, in the order of IndicatorTally's lists.
FULL, PARTIAL, ZERO, NOT_APPLICABLE = range(4)


@dataclass
class AssessmentTally:
    """One assessment's (or a group's, added up) verified indicators and what the team did."""

    verified: int = 0  # counted indicators with a verified answer
    changed: int = 0  # other points than the organization's, or an N/A claim not confirmed
    lowered: int = 0  # of the changed: fewer points, or the N/A claim not confirmed
    claimed: int = 0  # of the verified: the organization claimed "not applicable"
    confirmed: int = 0  # of the claims: the team confirmed them

    def add(self, other: "AssessmentTally") -> None:
        self.verified += other.verified
        self.changed += other.changed
        self.lowered += other.lowered
        self.claimed += other.claimed
        self.confirmed += other.confirmed


@dataclass
class IndicatorTally:
    """One indicator's results among a set of organizations: counts by grade (FULL, PARTIAL,
    ZERO, NOT_APPLICABLE) and points, self-assessed (`own`) and verified (`checked`)."""

    own: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    checked: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    own_points: Decimal = scoring.ZERO
    checked_points: Decimal = scoring.ZERO

    def add(self, other: "IndicatorTally") -> None:
        for grade in range(4):
            self.own[grade] += other.own[grade]
            self.checked[grade] += other.checked[grade]
        self.own_points += other.own_points
        self.checked_points += other.checked_points


@dataclass
class Tallies:
    assessments: dict[int, AssessmentTally]  # by assessment pk
    indicators: dict[tuple[int, str, str], IndicatorTally]  # by (indicator pk, province code, org type)


def round_tallies(assessment_round: Round) -> Tallies:
    """The tallies of `assessment_round`'s finished reviews, from the cache when still current."""
    key = _cache_key(assessment_round)
    found = cache.get(key)
    if found is None:
        found = compute_tallies(assessment_round)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _cache_key(assessment_round: Round) -> str:
    """What the tallies depend on, in two queries: the round's stored results (new ids and
    times on every refresh) and the set of finished assessments (their count and ids' sum)."""
    results = Result.objects.filter(assessment__round=assessment_round).aggregate(
        last=Max("pk"), at=Max("updated_at"), rows=Count("pk")
    )
    finished = Assessment.objects.filter(round=assessment_round, status__in=RESULT_STATUSES).aggregate(
        n=Count("pk"), ids=Sum("pk")
    )
    at = results["at"].timestamp() if results["at"] else 0
    parts = (assessment_round.pk, results["last"], results["rows"], at, finished["n"], finished["ids"])
    return "results:indicator-tallies:" + ":".join(str(part) for part in parts)


def compute_tallies(assessment_round: Round) -> Tallies:
    """Score every finished review of the round again, per indicator, and count (no cache)."""
    indicators = (
        assessment_round.indicators.filter(is_pilot=False)
        .select_related("category__dimension", "province")
        .prefetch_related("options")
    )
    specs = {indicator.pk: indicator.as_spec() for indicator in indicators}
    rows = list(
        Assessment.objects.filter(round=assessment_round, status__in=RESULT_STATUSES)
        .order_by("pk")
        .values_list("pk", "org_type", "organization__district__province__code")
    )
    tallies = Tallies({}, defaultdict(IndicatorTally))
    applicable: dict[tuple[str, str], list[tuple[int, scoring.IndicatorSpec]]] = {}
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        own, checked = _load([pk for pk, _type, _province in batch])
        for pk, org_type, province in batch:
            if (org_type, province) not in applicable:
                applicable[(org_type, province)] = [
                    (indicator, spec) for indicator, spec in specs.items() if spec.applies(org_type, province)
                ]
            tallies.assessments[pk] = _tally(
                applicable[(org_type, province)],
                own.get(pk, {}),
                checked.get(pk, {}),
                tallies.indicators,
                org_type=org_type,
                province=province,
            )
    tallies.indicators = dict(tallies.indicators)
    return tallies


def _tally(
    specs: list[tuple[int, scoring.IndicatorSpec]],
    own: dict[int, scoring.Answer],
    checked: dict[int, scoring.Answer],
    indicators: dict[tuple[int, str, str], IndicatorTally],
    *,
    org_type: str,
    province: str,
) -> AssessmentTally:
    tally = AssessmentTally()
    context = {"org_type": org_type, "province": province}
    for pk, spec in specs:
        answer = own.get(pk, scoring.NOT_ANSWERED)
        own_status = scoring.indicator_status(spec, answer, self_assessed=True, **context)
        claimed = own_status == scoring.NOT_APPLICABLE
        own_points = scoring.ZERO if claimed else scoring.indicator_points(spec, answer)
        given = checked.get(pk)
        verified = scoring.NOT_ANSWERED if given is None else verified_for_engine(given, claimed=claimed)
        confirmed = scoring.indicator_status(spec, verified, **context) == scoring.NOT_APPLICABLE
        checked_points = scoring.ZERO if confirmed else scoring.indicator_points(spec, verified)
        found = indicators[(pk, province, org_type)]
        full = spec.full_points
        found.own[_grade(own_points, full, not_applicable=claimed)] += 1
        found.checked[_grade(checked_points, full, not_applicable=confirmed)] += 1
        found.own_points += own_points
        found.checked_points += checked_points
        if given is None:
            continue
        tally.verified += 1
        rejected = claimed and not confirmed
        tally.claimed += claimed
        tally.confirmed += confirmed
        if rejected or checked_points != own_points:
            tally.changed += 1
            tally.lowered += rejected or checked_points < own_points
    return tally


def _grade(points: Decimal, full: Decimal, *, not_applicable: bool) -> int:
    if not_applicable:
        return NOT_APPLICABLE
    if full and points >= full:
        return FULL
    return PARTIAL if points > 0 else ZERO


def _load(pks: list[int]) -> tuple[dict[int, dict[int, scoring.Answer]], dict[int, dict[int, scoring.Answer]]]:
    """The answers and verified answers of `pks` for the engine, by assessment and indicator
    pk, in four queries."""
    ticked = defaultdict(set)
    for answer, option in Answer.ticked.through.objects.filter(answer__assessment_id__in=pks).values_list(
        "answer_id", "indicatoroption_id"
    ):
        ticked[answer].add(option)
    own: dict[int, dict[int, scoring.Answer]] = defaultdict(dict)
    for pk, assessment, indicator, level, figure, not_applicable in Answer.objects.filter(
        assessment_id__in=pks
    ).values_list("pk", "assessment_id", "indicator_id", "level_id", "figure", "not_applicable"):
        own[assessment][indicator] = scoring.Answer(
            level=level, ticked=frozenset(ticked[pk]), figure=figure, not_applicable=not_applicable
        )
    verified_ticked = defaultdict(set)
    for row, option in VerifiedAnswer.ticked.through.objects.filter(verifiedanswer__assessment_id__in=pks).values_list(
        "verifiedanswer_id", "indicatoroption_id"
    ):
        verified_ticked[row].add(option)
    checked: dict[int, dict[int, scoring.Answer]] = defaultdict(dict)
    for pk, assessment, indicator, level, figure, na_confirmed in VerifiedAnswer.objects.filter(
        assessment_id__in=pks
    ).values_list("pk", "assessment_id", "indicator_id", "level_id", "figure", "na_confirmed"):
        checked[assessment][indicator] = scoring.Answer(
            level=level, ticked=frozenset(verified_ticked[pk]), figure=figure, na_confirmed=bool(na_confirmed)
        )
    return own, checked


def indicator_list(assessment_round: Round) -> list[Indicator]:
    """The round's counted indicators in framework order, with their dimension (one query)."""
    return list(
        assessment_round.indicators.filter(is_pilot=False)
        .select_related("category__dimension")
        .prefetch_related("options")
    )
