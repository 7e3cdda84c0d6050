"""The results dashboards of a year: the department's whole country and a province's.

Every figure aggregates stored results (results.Result) and assessment counts in the
database (values() + annotate()), never answers, so each page takes a fixed number of
queries whatever the number of organizations.

Results count only assessments whose review is finished (RESULT_STATUSES: verified,
approved, published, under appeal), on their verified scores: a review half done would
pull the means down. Self-assessed percentages of the same assessments stand beside them,
for the gap between what organizations claimed and what the teams found.

Asked for (keyword arguments, so a caller that does not show them pays no query):
- `distribution`: how many organizations' verified % fall in each DISTRIBUTION_EDGES bin,
  per dimension and overall (one query);
- `previous`: last year's round: its results by dimension (and by province on the national
  page) beside this year's, with the change (one query, two on the national page). Last
  year is narrowed by the same province and type, not by status: its results are the
  reviewed ones, whatever this year's status filter.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _

from assessments import scoring
from assessments.framework_changes import rules_changed_dimensions
from assessments.models import Assessment, Dimension, Round
from organizations.models import Organization, Province
from results.models import OVERALL, Result

Status = Assessment.Status

# Reviewed to the end: these assessments' verified results count on the dashboards.
RESULT_STATUSES = (Status.VERIFIED, Status.APPROVED, Status.PUBLISHED, Status.APPEALED)
# The progress columns, in the order of an assessment's course.
PROGRESS_STATUSES = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RESUBMITTED,
    Status.RETURNED,
    Status.IN_REVIEW,
    Status.VERIFIED,
    Status.APPROVED,
    Status.PUBLISHED,
    Status.APPEALED,
)
# Sent by the organization at least once, whatever has happened since (a return for changes
# included): what "ส่งผลประเมินตนเองแล้ว" counts on every card, table, workbook and report.
# The status table groups its columns under it, so the card's figure is the sum beside it.
# Not Assessment.SENT_STATUSES: that is the province's review queue, which a returned
# assessment leaves until it comes back.
SENT_ONCE_STATUSES = tuple(status for status in PROGRESS_STATUSES if status != Status.DRAFT)
# How many provinces the "disagree most" list names.
GAP_PROVINCES = 5
# How many provinces (organizations on a province's page) the "moved most" lists name.
MOVERS = 5
# The score distribution's bins: below the first edge, between edges, the last edge to 100.
DISTRIBUTION_EDGES = (50, 60, 70, 80, 90)


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to (None: everything)."""

    province: Province | None = None
    org_type: str | None = None
    status: str | None = None

    def query(self, *, with_province: bool = True) -> str:
        """The filters as a query string ("" for none), for links that keep them."""
        values = {
            "province": self.province.code if with_province and self.province else "",
            "org_type": self.org_type or "",
            "status": self.status or "",
        }
        return urlencode({key: value for key, value in values.items() if value})


@dataclass
class Progress:
    """Assessments by status, with the four stages the department follows."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def _sum(self, *statuses: str) -> int:
        return sum(self.counts.get(status, 0) for status in statuses)

    @property
    def submitted(self) -> int:
        """Sent by the organization at least once (SENT_ONCE_STATUSES)."""
        return self._sum(*SENT_ONCE_STATUSES)

    @property
    def not_sent(self) -> int:
        return self._sum(*(status for status in PROGRESS_STATUSES if status not in SENT_ONCE_STATUSES))

    @property
    def in_review(self) -> int:
        return self._sum(Status.SUBMITTED, Status.RESUBMITTED, Status.RETURNED, Status.IN_REVIEW)

    @property
    def approved(self) -> int:
        """Approved by the province, published since or not."""
        return self._sum(Status.APPROVED, Status.PUBLISHED, Status.APPEALED)

    @property
    def published(self) -> int:
        return self._sum(Status.PUBLISHED, Status.APPEALED)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(status, 0) for status in PROGRESS_STATUSES]


@dataclass
class Summary:
    """Verified results of a group of assessments (a province, a type, a dimension, all)."""

    count: int = 0
    mean_verified: Decimal | None = None
    mean_self: Decimal | None = None
    passed: int | None = None  # None for a dimension: pass and fail are on the overall score

    @property
    def pass_rate(self) -> Decimal | None:
        """The share passing, reported as a percentage is: 2 places, rounded half up once."""
        if self.passed is None:
            return None
        return scoring.share_percent(self.passed, self.count)

    @property
    def gap(self) -> Decimal | None:
        """Mean self-assessed % minus mean verified %: how far organizations rated themselves above.

        The difference of the two means as reported (each rounded once), so it adds up on the page.
        """
        if self.mean_self is None or self.mean_verified is None:
            return None
        return self.mean_self - self.mean_verified


@dataclass
class ProvinceRow:
    province: Province
    progress: Progress
    results: Summary


@dataclass
class TypeRow:
    org_type: str
    label: str
    results: Summary


@dataclass
class DimensionRow:
    number: int
    name: str
    results: Summary


@dataclass
class BandRow:
    label: str
    count: int


@dataclass
class DistributionRow:
    """How many organizations' verified % of one dimension (0: overall) fall in each bin."""

    number: int
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def distribution_labels() -> list[str]:
    """The bins' names: "ต่ำกว่า 50", "50–59.99", …, "90–100"."""
    edges = DISTRIBUTION_EDGES
    return [
        _("ต่ำกว่า %(edge)s") % {"edge": edges[0]},
        *(f"{low}–{high - 1}.99" for low, high in pairwise(edges)),
        f"{edges[-1]}–100",
    ]


def _minus(this: Decimal | None, that: Decimal | None) -> Decimal | None:
    return None if this is None or that is None else this - that


@dataclass
class Change:
    """A group's verified results this year beside last year's."""

    current: Summary
    previous: Summary

    @property
    def mean_change(self) -> Decimal | None:
        """Percentage points up (+) or down (−) since last year."""
        return _minus(self.current.mean_verified, self.previous.mean_verified)

    @property
    def pass_rate_change(self) -> Decimal | None:
        return _minus(self.current.pass_rate, self.previous.pass_rate)


@dataclass
class DimensionChange:
    number: int
    name: str
    change: Change


@dataclass
class ProvinceChange:
    province: Province
    change: Change


@dataclass
class YearOverYear:
    """This year against `round`, last year's."""

    round: Round
    overall: Change
    dimensions: list[DimensionChange]
    provinces: list[ProvinceChange]  # the national page only: those with results in either year
    # Dimensions whose indicators' rules changed between the two years (added, removed, points,
    # applicability, pilot…): a fall there may come from the framework, not the organizations.
    rules_changed: set[int] = field(default_factory=set)

    @property
    def movers(self) -> list[ProvinceChange]:
        """The provinces whose mean verified % moved most, either way."""
        rows = [row for row in self.provinces if row.change.mean_change is not None]
        return sorted(rows, key=lambda row: abs(row.change.mean_change), reverse=True)[:MOVERS]


@dataclass
class StatusGroup:
    """Columns of the status table under one heading: `key` not_sent or sent."""

    key: str
    label: str
    statuses: list[tuple[str, str, int]]  # (status, its label, how many)

    @property
    def count(self) -> int:
        return sum(n for _status, _label, n in self.statuses)


@dataclass
class Dashboard:
    round: Round
    filters: Filters
    progress: Progress
    overall: Summary
    dimensions: list[DimensionRow]
    types: list[TypeRow]
    bands: list[BandRow]
    provinces: list[ProvinceRow]  # the national page only
    distribution: list[DistributionRow] = field(default_factory=list)  # with distribution=True
    year_over_year: YearOverYear | None = None  # with a previous round
    band_specs: list[scoring.BandSpec] = field(default_factory=list)  # the round's bands, for the charts

    @property
    def statuses(self) -> list[tuple[str, str]]:
        return [(status.value, status.label) for status in PROGRESS_STATUSES]

    @property
    def status_groups(self) -> list["StatusGroup"]:
        """The status table, grouped: not sent yet, then sent (the card's figure over the
        statuses it adds up)."""
        counts = self.progress.counts
        return [
            StatusGroup(
                key,
                label,
                [(status.value, status.label, counts.get(status, 0)) for status in PROGRESS_STATUSES if test(status)],
            )
            for key, label, test in (
                ("not_sent", _("ยังไม่ส่ง"), lambda status: status not in SENT_ONCE_STATUSES),
                ("sent", _("ส่งผลประเมินตนเองแล้ว"), lambda status: status in SENT_ONCE_STATUSES),
            )
        ]

    @property
    def dimension_gaps(self) -> list[DimensionRow]:
        """Dimensions by how far self-assessment was above verification, largest first."""
        rows = [row for row in self.dimensions if row.results.gap is not None]
        return sorted(rows, key=lambda row: row.results.gap, reverse=True)

    @property
    def province_gaps(self) -> list[ProvinceRow]:
        rows = [row for row in self.provinces if row.results.gap is not None]
        return sorted(rows, key=lambda row: row.results.gap, reverse=True)[:GAP_PROVINCES]

    @property
    def provinces_with_results(self) -> list[ProvinceRow]:
        return [row for row in self.provinces if row.results.count]


def filtered_assessments(assessment_round: Round, filters: Filters) -> QuerySet[Assessment]:
    assessments = Assessment.objects.filter(round=assessment_round)
    if filters.province is not None:
        assessments = assessments.filter(organization__district__province=filters.province)
    if filters.org_type:
        assessments = assessments.filter(org_type=filters.org_type)
    if filters.status:
        assessments = assessments.filter(status=filters.status)
    return assessments


def build_dashboard(
    assessment_round: Round,
    filters: Filters,
    *,
    provinces: list[Province] | None = None,
    distribution: bool = False,
    previous: Round | None = None,
) -> Dashboard:
    """The figures of `round` narrowed by `filters`, in six queries.

    With `provinces` (the national page), a row per province besides; without, the page is
    one province's (filters.province) and has none. `distribution` and `previous` add the
    queries the module's docstring lists.
    """
    assessments = filtered_assessments(assessment_round, filters)
    by_province = provinces is not None
    progress_by_province: dict[int, Progress] = defaultdict(Progress)
    total = Progress()
    for province_id, status, n in (
        assessments.order_by().values_list("organization__district__province", "status").annotate(n=Count("pk"))
    ):
        progress_by_province[province_id].counts[status] = n
        total.counts[status] = total.counts.get(status, 0) + n

    reviewed = _reviewed_results(assessment_round, filters)
    overall = reviewed.filter(dimension=OVERALL)
    # One query for every dimension and the overall row.
    dimensions = {row["dimension"]: _summary(row) for row in reviewed.values("dimension").annotate(**_aggregates())}
    names = dict(Dimension.objects.filter(round=assessment_round).values_list("number", "name"))
    types = {
        row["assessment__org_type"]: _summary(row)
        for row in overall.values("assessment__org_type").annotate(**_aggregates())
    }
    bands = dict(overall.values_list("verified_band").annotate(n=Count("pk")))
    band_specs = assessment_round.band_specs()
    province_rows = []
    if by_province:
        results = {
            row["assessment__organization__district__province"]: _summary(row)
            for row in overall.values("assessment__organization__district__province").annotate(**_aggregates())
        }
        province_rows = [
            ProvinceRow(
                province, progress_by_province.get(province.pk, Progress()), results.get(province.pk, Summary())
            )
            for province in provinces
        ]
    board = Dashboard(
        round=assessment_round,
        filters=filters,
        progress=total,
        overall=dimensions.pop(OVERALL, Summary(passed=0)),
        dimensions=[
            DimensionRow(number, names.get(number, ""), _without_pass(dimensions.get(number, Summary())))
            for number in sorted(set(names) | set(dimensions))
        ],
        types=[
            TypeRow(value, label, types[value]) for value, label in Organization.Type.choices if value in types
        ],
        bands=_band_rows(band_specs, bands),
        provinces=province_rows,
        band_specs=band_specs,
    )
    if distribution:
        board.distribution = _distribution(reviewed, board)
    if previous is not None:
        board.year_over_year = _year_over_year(board, previous)
    return board


def _reviewed_results(assessment_round: Round, filters: Filters) -> QuerySet[Result]:
    assessments = filtered_assessments(assessment_round, filters).filter(status__in=RESULT_STATUSES)
    return Result.objects.filter(assessment__in=assessments, verified_percent__isnull=False).order_by()


def _distribution(reviewed: QuerySet[Result], board: Dashboard) -> list[DistributionRow]:
    """The histogram of verified % per dimension, counted in the database (one query)."""
    bin = Case(
        *(When(verified_percent__lt=edge, then=Value(index)) for index, edge in enumerate(DISTRIBUTION_EDGES)),
        default=Value(len(DISTRIBUTION_EDGES)),
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * (len(DISTRIBUTION_EDGES) + 1))
    for row in reviewed.annotate(bin=bin).values("dimension", "bin").annotate(n=Count("pk")):
        counts[row["dimension"]][row["bin"]] = row["n"]
    rows = [DistributionRow(OVERALL, _("ภาพรวม"), counts[OVERALL])]
    return rows + [DistributionRow(row.number, row.name, counts[row.number]) for row in board.dimensions]


def _year_over_year(board: Dashboard, previous: Round) -> YearOverYear:
    """Last year's results of the same province and type beside this year's (one query; two
    with provinces)."""
    filters = Filters(province=board.filters.province, org_type=board.filters.org_type)
    reviewed = _reviewed_results(previous, filters)
    before = {row["dimension"]: _summary(row) for row in reviewed.values("dimension").annotate(**_aggregates())}
    overall = before.pop(OVERALL, Summary(passed=0))
    dimensions = [
        DimensionChange(row.number, row.name, Change(row.results, _without_pass(before.pop(row.number, Summary()))))
        for row in board.dimensions
    ]
    # A dimension only last year's framework had.
    dimensions += [
        DimensionChange(number, "", Change(Summary(), _without_pass(summary)))
        for number, summary in sorted(before.items())
    ]
    provinces = []
    if board.provinces:
        key = "assessment__organization__district__province"
        last_year = {
            row[key]: _summary(row)
            for row in reviewed.filter(dimension=OVERALL).values(key).annotate(**_aggregates())
        }
        provinces = [
            ProvinceChange(row.province, Change(row.results, last_year.get(row.province.pk, Summary())))
            for row in board.provinces
            if row.results.count or row.province.pk in last_year
        ]
    rules_changed = rules_changed_dimensions(previous, board.round)
    return YearOverYear(previous, Change(board.overall, overall), dimensions, provinces, rules_changed)


def _aggregates() -> dict:
    return {
        "n": Count("pk"),
        # Means are worked out from sums (mean_percent): the exact mean of the reported
        # figures, rounded once; AVG would give SQLite's float mean, which rounds off-by-one.
        "sum_verified": Sum("verified_percent"),
        "n_verified": Count("verified_percent"),
        "sum_self": Sum("self_percent"),
        "n_self": Count("self_percent"),
        "passed": Count("pk", filter=Q(verified_passed=True)),
    }


def _summary(row: dict) -> Summary:
    return Summary(
        count=row["n"],
        mean_verified=scoring.mean_percent(row["sum_verified"], row["n_verified"]),
        mean_self=scoring.mean_percent(row["sum_self"], row["n_self"]),
        passed=row["passed"],
    )


def _without_pass(summary: Summary) -> Summary:
    summary.passed = None
    return summary


def _band_rows(band_specs: list[scoring.BandSpec], counts: dict[str, int]) -> list[BandRow]:
    """The round's bands, best first, then a pass below every band and a fail; then any label
    the round no longer has (stored before its bands changed)."""
    rows = [BandRow(band.label, counts.pop(band.label, 0)) for band in band_specs]
    # A pass below every band happens only when the bands start above the pass mark.
    if counts.get(scoring.PASS_LABEL):
        rows.append(BandRow(scoring.PASS_LABEL, counts.pop(scoring.PASS_LABEL)))
    rows.append(BandRow(scoring.FAIL_LABEL, counts.pop(scoring.FAIL_LABEL, 0)))
    return rows + [BandRow(label, n) for label, n in sorted(counts.items()) if label]


# The province page's table of organizations.


def province_organizations(assessment_round: Round, filters: Filters, *, previous: Round | None = None) -> QuerySet[Assessment]:
    """The assessments of filters.province with their overall results, in one query.

    With `previous` (last year's round), also `previous_percent`: the organization's verified
    overall % last year (reviewed to the end, else None), and `percent_change` when this
    year's review is finished too.
    """
    assessments = (
        filtered_assessments(assessment_round, filters)
        .select_related("organization__district")
        .annotate(overall=FilteredRelation("results", condition=Q(results__dimension=OVERALL)))
        .annotate(
            self_percent=F("overall__self_percent"),
            verified_percent=F("overall__verified_percent"),
            verified_band=F("overall__verified_band"),
        )
        .order_by("organization__code")
    )
    if previous is None:
        return assessments
    last_year = Result.objects.filter(
        dimension=OVERALL,
        assessment__round=previous,
        assessment__organization=OuterRef("organization"),
        assessment__status__in=RESULT_STATUSES,
    ).values("verified_percent")[:1]
    percent = DecimalField(max_digits=6, decimal_places=2)  # a difference of reported figures
    return assessments.annotate(previous_percent=Subquery(last_year, output_field=percent)).annotate(
        percent_change=Case(
            When(
                status__in=RESULT_STATUSES,
                then=ExpressionWrapper(F("verified_percent") - F("previous_percent"), output_field=percent),
            ),
            default=None,
            output_field=percent,
        )
    )


def organization_movers(assessments: list[Assessment]) -> list[Assessment]:
    """Of province_organizations(previous=…)'s rows, those whose overall % moved most, either way."""
    rows = [assessment for assessment in assessments if assessment.percent_change is not None]
    return sorted(rows, key=lambda assessment: abs(assessment.percent_change), reverse=True)[:MOVERS]
