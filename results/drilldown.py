"""The drill-down to one indicator of an organization's scorecard: the question and its
levels, the organization's answer, note and evidence, the team's result and reason, and what
organizations of the province and of the country earned on the same indicator.

build_indicator_detail is a pure builder in a fixed number of queries. The means are one
aggregate query per side over the rows of this one indicator, with each row's points written
in SQL exactly as the scoring engine reckons them (indicator_points), so nothing is scored
again in Python, and they cover the same assessments as the scorecard's means
(results.scorecard.comparison_statuses).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from assessments import scoring
from assessments.models import Answer, Assessment, Evidence, Indicator, IndicatorOption
from assessments.printing import answer_lines
from organizations.models import Organization
from results.scorecard import comparison_statuses
from results.scores import verified_for_engine
from reviews.models import VerifiedAnswer
from reviews.printing import verified_lines

POINTS = DecimalField(max_digits=9, decimal_places=2)


@dataclass(frozen=True)
class OptionRow:
    """A level, a criterion or a figure band, and whether each side chose (or ticked) it."""

    option: IndicatorOption
    by_organization: bool
    by_team: bool


@dataclass(frozen=True)
class Mean:
    """Mean points of one side in a province or the country, over `count` organizations."""

    points: Decimal | None
    count: int


@dataclass
class Means:
    self_province: Mean
    self_national: Mean
    verified_province: Mean
    verified_national: Mean


@dataclass
class IndicatorDetail:
    assessment: Assessment
    indicator: Indicator
    org_name: str
    full_points: Decimal
    options: list[OptionRow]
    answer: Answer | None
    answer_lines: list[str]
    evidence: list[Evidence]
    self_points: Decimal | None  # None: not answered (counts 0)
    verified_visible: bool
    published_only: bool
    verified: VerifiedAnswer | None = None  # None: not visible, or not verified yet
    verified_lines: list[str] | None = None
    verified_points: Decimal | None = None
    not_applicable: bool = False  # the team confirmed "no such mission": out of the score
    differs: bool = False
    means: Means | None = None  # None: not visible to this reader

    @property
    def self_not_applicable(self) -> bool:
        """The organization claimed "no such mission": out of its self-assessed score."""
        return bool(self.answer and self.answer.not_applicable and self.indicator.allows_not_applicable)

    @property
    def round(self):
        return self.assessment.round

    @property
    def organization(self) -> Organization:
        return self.assessment.organization

    @property
    def dimension(self):
        return self.indicator.category.dimension


def build_indicator_detail(
    assessment: Assessment, code: str, *, verified_visible: bool, published_only: bool = False
) -> IndicatorDetail:
    """Indicator `code` of `assessment` (Indicator.DoesNotExist when the organization has no such
    indicator): nine queries when the team's results are visible, four fewer when not."""
    indicator = (
        Indicator.objects.for_assessment(assessment)
        .select_related("category__dimension", "province")
        .prefetch_related("options")
        .get(code=code)
    )
    spec = indicator.as_spec()
    evidence = Evidence.objects.current().order_by("uploaded_at", "pk")
    answer = (
        Answer.objects.filter(assessment=assessment, indicator=indicator)
        .select_related("level")
        .prefetch_related("ticked", Prefetch("evidence", queryset=evidence, to_attr="current_evidence"))
        .first()
    )
    if answer is not None:
        answer.indicator = indicator  # loaded already: is_answered and answer_lines read its kind
    answered = bool(answer and answer.is_answered)
    detail = IndicatorDetail(
        assessment=assessment,
        indicator=indicator,
        org_name=Organization(name=assessment.organization.name, type=assessment.org_type).full_name,
        full_points=spec.full_points,
        options=[],
        answer=answer,
        answer_lines=answer_lines(indicator, answer),
        evidence=list(answer.current_evidence) if answer else [],
        self_points=scoring.indicator_points(spec, answer.as_scoring_answer()) if answered else None,
        verified_visible=verified_visible,
        published_only=published_only,
    )
    checked = None
    if verified_visible:
        checked = (
            VerifiedAnswer.objects.filter(assessment=assessment, indicator=indicator)
            .select_related("level")
            .prefetch_related("ticked")
            .first()
        )
        _verified(detail, spec, checked)
        detail.means = _means(assessment, indicator, published_only=published_only)
    detail.options = _options(indicator, answer, checked)
    return detail


def _verified(detail: IndicatorDetail, spec: scoring.IndicatorSpec, checked: VerifiedAnswer | None) -> None:
    answer = detail.answer
    claimed = bool(answer and answer.not_applicable)
    detail.verified = checked
    detail.verified_lines = verified_lines(detail.indicator, checked, claimed_na=claimed)
    if checked is None:
        return
    given = scoring.Answer(
        level=checked.level_id,
        ticked=frozenset(option.pk for option in checked.ticked.all()),
        figure=checked.figure,
        na_confirmed=bool(checked.na_confirmed),
    )
    engine_answer = verified_for_engine(given, claimed=claimed)
    assessment = detail.assessment
    status = scoring.indicator_status(
        spec,
        engine_answer,
        org_type=assessment.org_type,
        province=assessment.organization.district.province.code,
    )
    detail.not_applicable = status == scoring.NOT_APPLICABLE
    detail.verified_points = scoring.indicator_points(spec, engine_answer)
    detail.differs = detail.not_applicable != claimed or detail.verified_points != (detail.self_points or scoring.ZERO)


def _options(indicator: Indicator, answer: Answer | None, checked: VerifiedAnswer | None) -> list[OptionRow]:
    def chosen(row) -> set[int]:
        if row is None:
            return set()
        if indicator.kind == Indicator.Kind.LEVELS:
            return {row.level_id} if row.level_id else set()
        if indicator.kind == Indicator.Kind.FIGURE:
            return set()  # a figure is shown as the number given, not as a band picked
        return {option.pk for option in row.ticked.all()}

    own, team = chosen(answer), chosen(checked)
    return [OptionRow(option, option.pk in own, option.pk in team) for option in indicator.options.all()]


# The means.


def _means(assessment: Assessment, indicator: Indicator, *, published_only: bool) -> Means:
    """Mean points of the organizations' answers and of the teams' results on `indicator`, in
    the province and the country: one aggregate query per side."""
    province = Q(assessment__organization__district__province_id=assessment.organization.district.province_id)
    compared = {
        "assessment__round_id": assessment.round_id,
        "assessment__status__in": comparison_statuses(published_only),
    }
    # The organization's side, as in its self-assessed score: its own "no such mission" claim
    # leaves the indicator out (where the indicator allows one; elsewhere it counts 0).
    own = Answer.objects.filter(indicator=indicator, **compared).order_by()
    claimed = Q(not_applicable=True)
    if indicator.allows_not_applicable:
        self_province, self_national = _side(own, Answer, indicator, province, out=claimed)
    else:
        self_province, self_national = _side(own, Answer, indicator, province, zero=claimed)
    # The team's side: a confirmed "no such mission" (where the organization claimed one)
    # leaves the score, so the mean too; where the indicator allows none, it counts 0.
    verified = (
        VerifiedAnswer.objects.filter(indicator=indicator, **compared)
        .annotate(claim=FilteredRelation("assessment__answers", condition=Q(assessment__answers__indicator=indicator)))
        .order_by()
    )
    confirmed = Q(na_confirmed=True, claim__not_applicable=True)
    if indicator.allows_not_applicable:
        verified_province, verified_national = _side(verified, VerifiedAnswer, indicator, province, out=confirmed)
    else:
        verified_province, verified_national = _side(verified, VerifiedAnswer, indicator, province, zero=confirmed)
    return Means(self_province, self_national, verified_province, verified_national)


def _side(rows, model, indicator: Indicator, province: Q, *, zero: Q | None = None, out: Q | None = None):
    """(province, country) means of `rows`: rows matching `zero` earn 0, rows matching `out`
    are left out. Points over counted rows: a checklist joins each row's ticked criteria
    (one line per criterion), so rows are counted distinct."""
    value, row = _points(model, indicator), F("pk")
    if zero is not None:
        value = Case(When(zero, then=Value(scoring.ZERO)), default=value, output_field=POINTS)
    if out is not None:
        value = Case(When(out, then=Value(None)), default=value, output_field=POINTS)
        row = Case(When(out, then=Value(None)), default=F("pk"))
    found = rows.aggregate(
        national=Sum(value),
        national_n=Count(row, distinct=True),
        province=Sum(value, filter=province),
        province_n=Count(row, distinct=True, filter=province),
    )
    return _mean(found, "province"), _mean(found, "national")


def _mean(found: dict, name: str) -> Mean:
    total, count = found[name], found[f"{name}_n"]
    # SQLite's SUM may give a float, PostgreSQL's a Decimal.
    return Mean(Decimal(str(total)) / count if count and total is not None else None, count)


def _points(model, indicator: Indicator):
    """What one row of `model` (Answer or VerifiedAnswer) earns on `indicator`, in SQL, as
    scoring.indicator_points reckons it (not-applicable handling is the caller's). For a
    checklist, what each of the row's ticked criteria earns: the caller sums them."""
    options = list(indicator.options.all())
    zero = Value(scoring.ZERO, output_field=POINTS)
    if indicator.kind == Indicator.Kind.LEVELS:
        return Case(
            *(When(level_id=option.pk, then=Value(option.points)) for option in options),
            default=zero,
            output_field=POINTS,
        )
    if indicator.kind == Indicator.Kind.FIGURE:
        # The best band the figure reaches: bands by points, highest first; the first reached wins.
        bands = sorted(options, key=lambda option: option.points, reverse=True)
        return Case(
            *(When(figure__gte=option.threshold, then=Value(option.points)) for option in bands),
            default=zero,
            output_field=POINTS,
        )
    if indicator.kind == Indicator.Kind.CHECKLIST:
        # A left join on the ticked criteria: a row with none ticked earns 0 on its one line.
        return Case(
            *(When(ticked=option.pk, then=Value(option.points)) for option in options),
            default=zero,
            output_field=POINTS,
        )
    if not options:
        return zero
    # All or nothing: every criterion met, i.e. as many distinct criteria ticked as it has.
    owner = model._meta.model_name
    met = (
        model.ticked.through.objects.filter(
            **{owner: OuterRef("pk")}, indicatoroption_id__in=[option.pk for option in options]
        )
        .order_by()
        .values(owner)
        .annotate(n=Count("indicatoroption_id", distinct=True))
        .values("n")
    )
    return Case(
        When(Exact(Coalesce(Subquery(met), 0), Value(len(options))), then=Value(indicator.all_or_nothing_points)),
        default=zero,
        output_field=POINTS,
    )
