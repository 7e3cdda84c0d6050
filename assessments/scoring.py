"""The scoring engine: points per indicator, per dimension and overall. Pure: no ORM, no HTTP.

The department's scoring rules:

- A dimension's percentage is its points ÷ its full marks × 100. The overall percentage is
  total points ÷ total full marks × 100 — NOT the mean of the dimension percentages, which
  would weigh a 65-point dimension like a 345-point one.
- An indicator counts for an organization only when it applies to the organization's type
  (and, for a provincial indicator, to its province), is not a pilot, and has not been
  declared not applicable with a reviewer's confirmation. An indicator that does not count
  is left out of points and full marks alike. An unconfirmed "not applicable" counts, with 0.
  The self-assessed score is the organization's own view (`self_assessed=True`): there its
  own "not applicable" claims leave the indicator out without a confirmation, so the gap
  between the self-assessed and the verified score shows the claims the team rejected.
- A percentage is reported to 2 places, rounded half up once from the exact fraction
  (points ÷ full marks, `percent_of`), and pass/fail and the band are judged on that reported
  figure: 13,999 of 20,000 (69.995) is reported 70.00 and passes; 89.995 is 90.00, the top
  band. So every page, workbook, CSV and PDF shows the figure that was judged, and never a
  "70.00" beside a fail. A mean of percentages across organizations is the exact mean of
  their reported figures, rounded half up once (`mean_percent`).
- Nothing to score (no full marks) gives no percentage: `percent`, `passed` and `band` are None.
- The dimensions reported are those holding at least one non-pilot indicator that applies to
  the organization; so pilots and indicators for other types never change the result, and a
  dimension whose indicators are all confirmed not applicable shows with no percentage.

Specs are built from the database by `assessments.framework.specs_for_round`; answers
come from the self-assessment and the reviewers' verified scores.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# Scoring kinds. Indicator.Kind uses these values, so the database and the engine agree.
LEVELS = "levels"  # pick one level; its points
CHECKLIST = "checklist"  # tick the criteria met; the sum of their points
FIGURE = "figure"  # enter a number; the best band whose threshold it reaches
ALL_OR_NOTHING = "all_or_nothing"  # a checklist whose points come only when every item is met
KINDS = (LEVELS, CHECKLIST, FIGURE, ALL_OR_NOTHING)

# How an indicator took part in a score (IndicatorResult.status).
COUNTED = "counted"
PILOT = "pilot"
NOT_APPLICABLE = "not_applicable"  # declared and confirmed: out of points and full marks
NOT_FOR_ORGANIZATION = "not_for_organization"  # another type or another province

FAIL_LABEL = "ไม่ผ่านเกณฑ์"
# For a passing score below every configured band (bands that start above the pass mark).
PASS_LABEL = "ผ่านเกณฑ์"

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class OptionSpec:
    """A level, a checklist criterion or a figure band. `key` identifies it in answers."""

    key: int
    points: Decimal = ZERO
    threshold: Decimal | None = None  # figure bands: the value scores when it is ≥ threshold


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    dimension: int
    kind: str
    applies_to: frozenset[str]
    options: tuple[OptionSpec, ...] = ()
    all_or_nothing_points: Decimal = ZERO
    is_pilot: bool = False
    allows_not_applicable: bool = False
    province: str | None = None  # a provincial indicator: only that province's organizations

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.code}: unknown scoring kind {self.kind!r}")
        if any(option.points < 0 for option in self.options) or self.all_or_nothing_points < 0:
            raise ValueError(f"{self.code}: points must not be negative")
        if self.kind == FIGURE and any(option.threshold is None for option in self.options):
            raise ValueError(f"{self.code}: every band of a figure needs a threshold")

    @property
    def full_points(self) -> Decimal:
        points = [option.points for option in self.options]
        if self.kind == CHECKLIST:
            return sum(points, ZERO)
        if self.kind == ALL_OR_NOTHING:
            return self.all_or_nothing_points
        return max(points, default=ZERO)

    def applies(self, org_type: str, province: str | None = None) -> bool:
        """Whether the indicator is meant for an organization of this type and province."""
        return org_type in self.applies_to and (self.province is None or self.province == province)


@dataclass(frozen=True)
class Answer:
    """What was answered for one indicator, by the organization or by the reviewers."""

    level: int | None = None  # LEVELS: the key of the chosen level
    ticked: frozenset[int] = frozenset()  # CHECKLIST, ALL_OR_NOTHING: keys of the criteria met
    figure: Decimal | None = None  # FIGURE: the number entered
    not_applicable: bool = False  # declared "no such mission"
    na_confirmed: bool = False  # a reviewer confirmed the declaration


NOT_ANSWERED = Answer()


@dataclass(frozen=True)
class BandSpec:
    label: str
    min_percent: Decimal


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    dimension: int
    points: Decimal  # what the answer earns, shown even for a pilot
    full_points: Decimal
    status: str

    @property
    def counted(self) -> bool:
        return self.status == COUNTED


@dataclass(frozen=True)
class DimensionScore:
    number: int
    points: Decimal
    full_marks: Decimal
    percent: Decimal | None


@dataclass(frozen=True)
class AssessmentScore:
    dimensions: tuple[DimensionScore, ...]
    indicators: tuple[IndicatorResult, ...]
    points: Decimal
    full_marks: Decimal
    percent: Decimal | None
    passed: bool | None
    band: str | None

    def dimension(self, number: int) -> DimensionScore | None:
        return next((d for d in self.dimensions if d.number == number), None)


def indicator_points(spec: IndicatorSpec, answer: Answer) -> Decimal:
    """The points `answer` earns on `spec`, whether or not the indicator counts.

    Keys that match no option (say, a level removed by a correction) earn nothing.
    """
    if answer.not_applicable:
        return ZERO
    if spec.kind == LEVELS:
        return next((o.points for o in spec.options if o.key == answer.level), ZERO)
    if spec.kind == CHECKLIST:
        return sum((o.points for o in spec.options if o.key in answer.ticked), ZERO)
    if spec.kind == ALL_OR_NOTHING:
        met = spec.options and all(o.key in answer.ticked for o in spec.options)
        return spec.all_or_nothing_points if met else ZERO
    if answer.figure is None:
        return ZERO
    return max((o.points for o in spec.options if answer.figure >= o.threshold), default=ZERO)


def indicator_status(
    spec: IndicatorSpec, answer: Answer, *, org_type: str, province: str | None = None, self_assessed: bool = False
) -> str:
    """How the indicator takes part in a score. `self_assessed`: the organization's own view,
    where its "not applicable" claim needs no confirmation."""
    if not spec.applies(org_type, province):
        return NOT_FOR_ORGANIZATION
    if spec.is_pilot:
        return PILOT
    if answer.not_applicable and (answer.na_confirmed or self_assessed) and spec.allows_not_applicable:
        return NOT_APPLICABLE
    return COUNTED


def half_up(value: Fraction) -> Decimal:
    """`value` to 2 places, half up, from its exact value: the one rounding of a reported figure."""
    cents = value * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-2)


def percent_of(points: Decimal, full_marks: Decimal) -> Decimal | None:
    """points ÷ full marks × 100 as reported: 2 places, rounded half up once from the exact fraction."""
    if full_marks == 0:
        return None
    return half_up(Fraction(points) * 100 / Fraction(full_marks))


def mean_percent(total: Decimal | float | None, count: int) -> Decimal | None:
    """The mean of `count` reported percentages adding up to `total`, reported as one: 2 places,
    rounded half up once from the exact mean.

    The total of 2-place figures is itself a whole number of hundredths; a float total (SQLite's
    SUM) is taken back to its hundredths first.
    """
    if total is None or not count:
        return None
    exact_total = Decimal(str(total)).quantize(CENT, rounding=ROUND_HALF_UP)
    return half_up(Fraction(exact_total) / count)


def share_percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a reported percentage (a pass rate): rounded half up once."""
    return None if not whole else half_up(Fraction(part * 100, whole))


def band_for(percent: Decimal | None, *, pass_mark: Decimal, bands: Iterable[BandSpec]) -> str | None:
    """The highest band whose minimum the percentage reaches; below the pass mark, a fail."""
    if percent is None:
        return None
    if percent < pass_mark:
        return FAIL_LABEL
    reached = [band for band in bands if band.min_percent <= percent]
    return max(reached, key=lambda band: band.min_percent).label if reached else PASS_LABEL


def score_assessment(
    *,
    indicators: Sequence[IndicatorSpec],
    answers: Mapping[str, Answer],
    org_type: str,
    pass_mark: Decimal,
    bands: Sequence[BandSpec],
    province: str | None = None,
    self_assessed: bool = False,
) -> AssessmentScore:
    """Score one organization's answers (keyed by indicator code) against a round's framework.

    `self_assessed`: the organization's own answers, scored in its own view (its "not
    applicable" claims leave the indicator out); otherwise the verified answers, where only a
    confirmed claim does.
    """
    results = []
    dimensions: dict[int, list[Decimal]] = {}
    for spec in indicators:
        answer = answers.get(spec.code, NOT_ANSWERED)
        status = indicator_status(spec, answer, org_type=org_type, province=province, self_assessed=self_assessed)
        points = indicator_points(spec, answer)
        results.append(IndicatorResult(spec.code, spec.dimension, points, spec.full_points, status))
        if status in (COUNTED, NOT_APPLICABLE):
            totals = dimensions.setdefault(spec.dimension, [ZERO, ZERO])
            if status == COUNTED:
                totals[0] += points
                totals[1] += spec.full_points
    dimension_scores = tuple(
        DimensionScore(number, points, full, percent_of(points, full))
        for number, (points, full) in sorted(dimensions.items())
    )
    points = sum((d.points for d in dimension_scores), ZERO)
    full_marks = sum((d.full_marks for d in dimension_scores), ZERO)
    percent = percent_of(points, full_marks)
    return AssessmentScore(
        dimensions=dimension_scores,
        indicators=tuple(results),
        points=points,
        full_marks=full_marks,
        percent=percent,
        passed=None if percent is None else percent >= pass_mark,
        band=band_for(percent, pass_mark=pass_mark, bands=bands),
    )


def round_percent(percent: Decimal | None) -> Decimal | None:
    """A percentage with its 2 places shown (a reported figure is already rounded: unchanged)."""
    return None if percent is None else percent.quantize(CENT, rounding=ROUND_HALF_UP)


def format_percent(percent: Decimal | None) -> str:
    return "–" if percent is None else f"{round_percent(percent):.2f}"
