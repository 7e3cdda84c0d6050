"""Keep the stored results (results.Result) equal to what the scoring engine says.

refresh_results(pks) scores the given assessments from their answers and verified answers
with assessments/scoring.py, in a fixed number of queries per batch, and replaces their
rows. It runs on assessments.signals.scores_changed, inside the transaction of the change,
so readers never see a score that disagrees with the answers. recompute_round(round) rebuilds a whole round.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from assessments import scoring
from assessments.framework import specs_for_round
from assessments.models import Answer, Assessment, Round
from assessments.signals import scores_changed
from results.models import OVERALL, Result
from reviews.models import VerifiedAnswer

BATCH_SIZE = 500


@dataclass
class _Given:
    """What one assessment answered, keyed by indicator code, for the engine."""

    answers: dict[str, scoring.Answer]
    answered: set[str]
    verified: dict[str, scoring.Answer]


def refresh_results(assessments: Iterable[int] | Iterable[Assessment]) -> int:
    """Score `assessments` (pks or objects) again and store their rows; returns how many."""
    pks = sorted({getattr(item, "pk", item) for item in assessments})
    if not pks:
        return 0
    rounds = defaultdict(list)
    for pk, round_id in Assessment.objects.filter(pk__in=pks).values_list("pk", "round_id"):
        rounds[round_id].append(pk)
    with transaction.atomic():
        for assessment_round in Round.objects.filter(pk__in=rounds).prefetch_related("bands"):
            specs = specs_for_round(assessment_round)
            for start in range(0, len(rounds[assessment_round.pk]), BATCH_SIZE):
                _refresh_batch(assessment_round, specs, rounds[assessment_round.pk][start : start + BATCH_SIZE])
    return len(pks)


def _on_scores_changed(sender: object, *, assessments: Iterable[int], **kwargs) -> None:
    refresh_results(assessments)


def connect_receivers() -> None:
    """Follow every change the workflows below report (assessments.signals.scores_changed)."""
    scores_changed.connect(_on_scores_changed, dispatch_uid="results.scores.refresh_results")


def recompute_round(assessment_round: Round) -> int:
    """Rebuild every stored result of `round` from scratch."""
    return refresh_results(assessment_round.assessments.values_list("pk", flat=True))


def _refresh_batch(assessment_round: Round, specs: list[scoring.IndicatorSpec], pks: list[int]) -> None:
    given = _load(pks)
    bands = assessment_round.band_specs()
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
                blank[(org_type, province)] = _score(pk, assessment_round, specs, bands, _Given({}, set(), {}), org_type, province)
            rows += [_copy(row, pk) for row in blank[(org_type, province)]]
            continue
        rows += _score(pk, assessment_round, specs, bands, answers, org_type, province)
    Result.objects.filter(assessment_id__in=pks).delete()
    Result.objects.bulk_create(rows, batch_size=2000)


def _copy(row: Result, pk: int) -> Result:
    copy = Result(**{field.attname: getattr(row, field.attname) for field in Result._meta.concrete_fields})
    copy.pk, copy.assessment_id = None, pk
    return copy


def _score(
    pk: int, assessment_round: Round, specs: list, bands: list, answers: _Given, org_type: str, province: str
) -> list[Result]:
    """The rows of one assessment."""
    claimed = {code for code, answer in answers.answers.items() if answer.not_applicable}
    verified = {code: verified_for_engine(answer, claimed=code in claimed) for code, answer in answers.verified.items()}
    common = {"org_type": org_type, "pass_mark": assessment_round.pass_mark, "bands": bands, "province": province}
    own = scoring.score_assessment(indicators=specs, answers=answers.answers, self_assessed=True, **common)
    checked = scoring.score_assessment(indicators=specs, answers=verified, **common)
    return _rows(pk, specs, own, checked, answers, org_type=org_type, province=province)


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
        "pk", "assessment_id", "indicator__code", "indicator__kind", "level_id", "figure", "not_applicable", "answered_at"
    )
    for pk, assessment, code, kind, level, figure, not_applicable, answered_at in rows:
        given[assessment].answers[code] = scoring.Answer(
            level=level, ticked=frozenset(ticked[pk]), figure=figure, not_applicable=not_applicable
        )
        if not_applicable or _answered(kind, level, figure, answered_at):
            given[assessment].answered.add(code)
    verified_ticked = defaultdict(set)
    for row_id, option in VerifiedAnswer.ticked.through.objects.filter(
        verifiedanswer__assessment_id__in=pks
    ).values_list("verifiedanswer_id", "indicatoroption_id"):
        verified_ticked[row_id].add(option)
    for pk, assessment, code, level, figure, na_confirmed in VerifiedAnswer.objects.filter(
        assessment_id__in=pks
    ).values_list("pk", "assessment_id", "indicator__code", "level_id", "figure", "na_confirmed"):
        given[assessment].verified[code] = scoring.Answer(
            level=level, ticked=frozenset(verified_ticked[pk]), figure=figure, na_confirmed=bool(na_confirmed)
        )
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
    specs: list[scoring.IndicatorSpec],
    own: scoring.AssessmentScore,
    checked: scoring.AssessmentScore,
    given: _Given,
    *,
    org_type: str,
    province: str,
) -> list[Result]:
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

