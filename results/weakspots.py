"""Indicator weak spots: which indicators most organizations fail, and where self-assessment
most overstates. What the department plans its training from.

For each counted indicator (pilots are not scored), among the organizations it applies to
(their type, and their province for a provincial indicator) whose review is finished
(results.dashboard.RESULT_STATUSES), nationally or in one province, of all types or one:
how many earned full, partial and zero points and how many it did not apply to, on their
own answers and on the verified ones. Shares are of the organizations the indicator counted
for (not applicable left out); unanswered is zero. The gap is the mean self-assessed score
minus the mean verified score, each as a percentage of the indicator's full points, in
percentage points: how much organizations overstate it.

The counts come from results/indicator_tallies.py (per indicator × province × type).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from assessments import scoring
from assessments.models import Indicator, Round
from organizations.models import Province
from results.indicator_tallies import (
    FULL,
    NOT_APPLICABLE,
    PARTIAL,
    ZERO,
    IndicatorTally,
    cached_indicator_tallies,
    indicator_list,
)

FAILING, OVERSTATED, FRAMEWORK = "failing", "overstated", "framework"
SORTS = (FAILING, OVERSTATED, FRAMEWORK)


@dataclass(frozen=True)
class Grades:
    """Counts of organizations by grade on one side (self-assessed or verified)."""

    full: int
    partial: int
    zero: int
    not_applicable: int
    points: Decimal
    full_points: Decimal

    @classmethod
    def of(cls, counts: list[int], points: Decimal, full_points: Decimal) -> "Grades":
        return cls(counts[FULL], counts[PARTIAL], counts[ZERO], counts[NOT_APPLICABLE], points, full_points)

    @property
    def counted(self) -> int:
        return self.full + self.partial + self.zero

    def _share(self, count: int) -> Decimal | None:
        return scoring.share_percent(count, self.counted)

    @property
    def full_share(self) -> Decimal | None:
        return self._share(self.full)

    @property
    def partial_share(self) -> Decimal | None:
        return self._share(self.partial)

    @property
    def zero_share(self) -> Decimal | None:
        return self._share(self.zero)

    @property
    def score(self) -> Decimal | None:
        """The mean score in percent of full points: points ÷ (counted × full points) × 100."""
        return scoring.percent_of(self.points, self.counted * self.full_points) if self.counted else None


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    position: int  # framework order
    own: Grades
    checked: Grades

    @property
    def organizations(self) -> int:
        """Organizations the indicator is meant for (not applicable included)."""
        return self.checked.counted + self.checked.not_applicable

    @property
    def gap(self) -> Decimal | None:
        """Self-assessed minus verified mean score, in percentage points of full points."""
        if self.own.score is None or self.checked.score is None:
            return None
        return self.own.score - self.checked.score


@dataclass
class WeakSpots:
    round: Round
    province: Province | None
    org_type: str | None
    sort: str
    rows: list[IndicatorRow]

    @property
    def organizations(self) -> int:
        return max((row.organizations for row in self.rows), default=0)


def build_weak_spots(
    assessment_round: Round, *, province: Province | None = None, org_type: str | None = None, sort: str = FAILING
) -> WeakSpots:
    """Every counted indicator's grades in the slice (a province, a type; None: all), sorted:
    FAILING (the most verified zeros first), OVERSTATED (the largest gap first) or FRAMEWORK."""
    tallies = cached_indicator_tallies(assessment_round)
    summed: dict[int, IndicatorTally] = defaultdict(IndicatorTally)
    for (indicator, province_code, kind), tally in tallies.items():
        if (province is None or province_code == province.code) and (org_type is None or kind == org_type):
            summed[indicator].add(tally)
    rows = []
    for position, indicator in enumerate(indicator_list(assessment_round)):
        tally = summed.get(indicator.pk)
        if tally is None:
            continue
        full = indicator.full_points
        rows.append(
            IndicatorRow(
                indicator=indicator,
                position=position,
                own=Grades.of(tally.own, tally.own_points, full),
                checked=Grades.of(tally.checked, tally.checked_points, full),
            )
        )
    rows.sort(key=_sort_key(sort))
    return WeakSpots(assessment_round, province, org_type, sort, rows)


def _sort_key(sort: str):
    lowest = Decimal(-1000)
    if sort == FAILING:
        return lambda row: (-(row.checked.zero_share if row.checked.zero_share is not None else lowest), row.position)
    if sort == OVERSTATED:
        return lambda row: (-(row.gap if row.gap is not None else lowest), row.position)
    return lambda row: row.position
