"""Assessor calibration: are some teams or provinces harsher or softer than the rest?

For the department (every province and team) and a provincial office (its own teams), built
on the stored results alone (results.Result: the percentages, and what each review did to
the indicators, counted when the results are stored). Only assessments whose review is finished count
(results.dashboard.RESULT_STATUSES: verified, approved, published, under appeal).

Per team and per province (a Group):
- `gap`: the mean of each organization's verified − self-assessed overall percentage, in
  percentage points, with its standard error and 95% interval; the same mean per dimension;
- the share of verified indicators the team changed, the share of those changed against the
  organization, and the share of "not applicable" claims it confirmed;
- `against_type`: the mean of each organization's verified overall percentage minus the
  national mean verified percentage of organizations of its type, with its interval: a team
  whose organizations score low may simply have weaker organizations of a weaker type.

The statistics, plainly (an Estimate of n values x):
    mean = Σx / n;  SD = √(Σ(x − mean)² / (n − 1));  SE = SD / √n;
    95% interval = mean ± 1.96 · SE (none for n < 2).

The outlier rule (`flag`): a group with n ≥ 2 whose mean gap lies more than 2 standard errors
(its own SE) and at least 2 percentage points from the national mean gap: "harsh" below it
(the team lowers organizations more than teams do nationally), "soft" above it. A group of 5
has a wide SE and needs a large difference to be flagged; one of 300 a small one, but never
less than 2 points: a difference too small to act on is not flagged, however certain.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from assessments.models import Assessment, Dimension, Round
from organizations.models import Province
from results.dashboard import RESULT_STATUSES
from results.models import OVERALL, Result
from results.scores import REVIEW_COUNTS
from reviews.models import Team

Z_95 = 1.96
FLAG_SE = 2
MIN_FLAG_N = 2
MIN_DIFFERENCE = 2.0  # percentage points
HARSH, SOFT = "harsh", "soft"


@dataclass
class AssessmentTally:
    """One assessment's (or a group's, added up) verified indicators and what the team did
    (results.Result's REVIEW_COUNTS, results/scores.py)."""

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


@dataclass(frozen=True)
class Estimate:
    """A mean of `n` values with its standard error (None below 2 values) and 95% interval."""

    n: int
    mean: float | None
    se: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> "Estimate":
        n = len(values)
        if not n:
            return cls(0, None, None)
        mean = math.fsum(values) / n
        if n < 2:
            return cls(n, mean, None)
        variance = math.fsum((value - mean) ** 2 for value in values) / (n - 1)
        return cls(n, mean, math.sqrt(variance) / math.sqrt(n))

    @property
    def low(self) -> float | None:
        return None if self.se is None else self.mean - Z_95 * self.se

    @property
    def high(self) -> float | None:
        return None if self.se is None else self.mean + Z_95 * self.se


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent; None when there is no whole."""
    return None if not whole else part * 100 / whole


@dataclass
class Group:
    """A team or a province (or the country): its finished reviews' figures."""

    label: str
    province: Province | None = None
    team: Team | None = None
    gap: Estimate = Estimate(0, None, None)
    dimension_gaps: list[float | None] = field(default_factory=list)  # in the order of Calibration.dimensions
    mean_verified: float | None = None
    against_type: Estimate = Estimate(0, None, None)
    indicators: AssessmentTally = field(default_factory=AssessmentTally)
    flag: str | None = None
    distance: float | None = None  # (mean gap − national mean gap) ÷ SE

    @property
    def n(self) -> int:
        return self.gap.n

    @property
    def changed_share(self) -> float | None:
        return share(self.indicators.changed, self.indicators.verified)

    @property
    def lowered_share(self) -> float | None:
        """Of the changed indicators, the share changed against the organization."""
        return share(self.indicators.lowered, self.indicators.changed)

    @property
    def confirmed_share(self) -> float | None:
        return share(self.indicators.confirmed, self.indicators.claimed)


@dataclass
class Calibration:
    round: Round
    province: Province | None  # None: the whole country
    dimensions: list[tuple[int, str]]
    national: Group
    national_by_type: dict[str, float]  # mean verified overall % per organization type, nationally
    provinces: list[Group]  # the country's (the department without a province) or the one province
    teams: list[Group]
    unassigned: int  # finished reviews in scope without a team: in the province rows only

    @property
    def flagged(self) -> list[Group]:
        return [group for group in [*self.provinces, *self.teams] if group.flag]


@dataclass
class _Reviewed:
    """One finished review: its organization's type, province and team, and its results."""

    pk: int
    org_type: str
    province: int
    team: int | None
    overall: tuple[Decimal, Decimal] | None = None  # (self %, verified %)
    dimensions: dict[int, Decimal] = field(default_factory=dict)  # number → verified − self
    tally: AssessmentTally = field(default_factory=AssessmentTally)


def build_calibration(assessment_round: Round, *, province: Province | None = None) -> Calibration:
    """The calibration of `assessment_round`: the country's provinces and teams, or one province's.

    National figures (the mean gap the rule compares with, the means by type) always come from
    the whole country.
    """
    reviewed = _reviewed(assessment_round)
    dimensions = list(Dimension.objects.filter(round=assessment_round).order_by("number").values_list("number", "name"))
    numbers = [number for number, _name in dimensions]
    with_results = [row for row in reviewed if row.overall is not None]
    by_type: dict[str, list[float]] = defaultdict(list)
    for row in with_results:
        by_type[row.org_type].append(float(row.overall[1]))
    national_by_type = {org_type: math.fsum(values) / len(values) for org_type, values in by_type.items()}
    national = _group("", reviewed, numbers, national_by_type)
    in_scope = [row for row in reviewed if province is None or row.province == province.pk]
    provinces = {p.pk: p for p in Province.objects.filter(pk__in={row.province for row in in_scope})}
    province_groups = [
        _group(
            p.name_th, [row for row in in_scope if row.province == pk], numbers, national_by_type, province=p
        )
        for pk, p in sorted(provinces.items(), key=lambda item: item[1].code)
    ]
    teams = (
        Team.objects.filter(round=assessment_round, province__in=[province] if province else provinces.values())
        .select_related("province")
        .order_by("province__code", "name")
    )
    by_team = defaultdict(list)
    for row in in_scope:
        by_team[row.team].append(row)
    team_groups = [
        _group(team.name, by_team[team.pk], numbers, national_by_type, province=team.province, team=team)
        for team in teams
        if by_team.get(team.pk)
    ]
    for group in [*province_groups, *team_groups]:
        _judge(group, national.gap.mean)
    # Harshest first: the page reads from one end of the scale to the other.
    team_groups.sort(key=lambda group: (group.gap.mean is None, group.gap.mean or 0, group.label))
    return Calibration(
        round=assessment_round,
        province=province,
        dimensions=dimensions,
        national=national,
        national_by_type=national_by_type,
        provinces=province_groups,
        teams=team_groups,
        unassigned=len(by_team.get(None, [])),
    )


def _reviewed(assessment_round: Round) -> list[_Reviewed]:
    """Every finished review of the round with its results, in two queries."""
    rows = {
        pk: _Reviewed(pk, org_type, province, team)
        for pk, org_type, province, team in Assessment.objects.filter(
            round=assessment_round, status__in=RESULT_STATUSES
        ).values_list("pk", "org_type", "organization__district__province_id", "assignment__team_id")
    }
    results = Result.objects.filter(assessment__round=assessment_round, assessment__status__in=RESULT_STATUSES).values_list(
        "assessment_id", "dimension", "self_percent", "verified_percent", "verified_indicators", *REVIEW_COUNTS
    )
    for pk, number, own, checked, *counts in results:
        scored = own is not None and checked is not None
        if number == OVERALL:
            rows[pk].tally = AssessmentTally(*counts)
            if scored:
                rows[pk].overall = (own, checked)
        elif scored:
            rows[pk].dimensions[number] = checked - own
    return list(rows.values())


def _group(
    label: str,
    rows: Iterable[_Reviewed],
    numbers: list[int],
    national_by_type: dict[str, float],
    **where,
) -> Group:
    rows = list(rows)
    scored = [row for row in rows if row.overall is not None]
    indicators = AssessmentTally()
    for row in rows:
        indicators.add(row.tally)
    dimension_gaps = []
    for number in numbers:
        gaps = [float(row.dimensions[number]) for row in rows if number in row.dimensions]
        dimension_gaps.append(math.fsum(gaps) / len(gaps) if gaps else None)
    verified = [float(row.overall[1]) for row in scored]
    return Group(
        label=label,
        gap=Estimate.of([float(row.overall[1] - row.overall[0]) for row in scored]),
        dimension_gaps=dimension_gaps,
        mean_verified=math.fsum(verified) / len(verified) if verified else None,
        against_type=Estimate.of([float(row.overall[1]) - national_by_type[row.org_type] for row in scored]),
        indicators=indicators,
        **where,
    )


def _judge(group: Group, national_gap: float | None) -> None:
    """Flag `group` by the rule in the module's docstring."""
    gap = group.gap
    if national_gap is None or gap.n < MIN_FLAG_N or gap.se is None:
        return
    difference = gap.mean - national_gap
    if gap.se:
        group.distance = difference / gap.se
    if abs(difference) < MIN_DIFFERENCE or abs(difference) <= FLAG_SE * gap.se:
        return
    group.flag = HARSH if difference < 0 else SOFT
