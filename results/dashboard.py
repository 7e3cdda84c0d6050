"""The results dashboards of a year (issue 7): the department's whole country and a province's.

Every figure aggregates stored results (results.Result) and assessment counts in the
database (values() + annotate()), never answers, so each page takes a fixed number of
queries whatever the number of organizations.

Results count only assessments whose review is finished (RESULT_STATUSES: verified,
approved, published, under appeal), on their verified scores: a review half done would
pull the means down. Self-assessed percentages of the same assessments stand beside them,
for the gap between what organizations claimed and what the teams found.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, F, FilteredRelation, Q, QuerySet

from assessments import scoring
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
# How many provinces the "disagree most" list names.
GAP_PROVINCES = 5


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to (None: everything)."""

    province: Province | None = None
    org_type: str | None = None
    status: str | None = None


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
        """Sent by the organization at least once (whatever has happened since)."""
        return self._sum(*Assessment.SENT_STATUSES)

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
        if self.passed is None or not self.count:
            return None
        return Decimal(self.passed) * 100 / self.count

    @property
    def gap(self) -> Decimal | None:
        """Mean self-assessed % minus mean verified %: how far organizations rated themselves above."""
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
class Dashboard:
    round: Round
    filters: Filters
    progress: Progress
    overall: Summary
    dimensions: list[DimensionRow]
    types: list[TypeRow]
    bands: list[BandRow]
    provinces: list[ProvinceRow]  # the national page only

    @property
    def statuses(self) -> list[tuple[str, str]]:
        return [(status.value, status.label) for status in PROGRESS_STATUSES]

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


def filtered_assessments(round: Round, filters: Filters) -> QuerySet[Assessment]:
    assessments = Assessment.objects.filter(round=round)
    if filters.province is not None:
        assessments = assessments.filter(organization__district__province=filters.province)
    if filters.org_type:
        assessments = assessments.filter(org_type=filters.org_type)
    if filters.status:
        assessments = assessments.filter(status=filters.status)
    return assessments


def build_dashboard(round: Round, filters: Filters, *, provinces: list[Province] | None = None) -> Dashboard:
    """The figures of `round` narrowed by `filters`, in six queries.

    With `provinces` (the national page), a row per province besides; without, the page is
    one province's (filters.province) and has none.
    """
    assessments = filtered_assessments(round, filters)
    by_province = provinces is not None
    progress_by_province: dict[int, Progress] = defaultdict(Progress)
    total = Progress()
    for province_id, status, n in (
        assessments.order_by().values_list("organization__district__province", "status").annotate(n=Count("pk"))
    ):
        progress_by_province[province_id].counts[status] = n
        total.counts[status] = total.counts.get(status, 0) + n

    reviewed = Result.objects.filter(
        assessment__in=assessments.filter(status__in=RESULT_STATUSES), verified_percent__isnull=False
    ).order_by()
    overall = reviewed.filter(dimension=OVERALL)
    # One query for every dimension and the overall row.
    dimensions = {row["dimension"]: _summary(row) for row in reviewed.values("dimension").annotate(**_aggregates())}
    names = dict(Dimension.objects.filter(round=round).values_list("number", "name"))
    types = {
        row["assessment__org_type"]: _summary(row)
        for row in overall.values("assessment__org_type").annotate(**_aggregates())
    }
    bands = dict(overall.values_list("verified_band").annotate(n=Count("pk")))
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
    return Dashboard(
        round=round,
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
        bands=_band_rows(round, bands),
        provinces=province_rows,
    )


def _aggregates() -> dict:
    return {
        "n": Count("pk"),
        "mean_verified": Avg("verified_percent"),
        "mean_self": Avg("self_percent"),
        "passed": Count("pk", filter=Q(verified_passed=True)),
    }


def _summary(row: dict) -> Summary:
    return Summary(
        count=row["n"],
        mean_verified=_decimal(row["mean_verified"]),
        mean_self=_decimal(row["mean_self"]),
        passed=row["passed"],
    )


def _without_pass(summary: Summary) -> Summary:
    summary.passed = None
    return summary


def _decimal(value) -> Decimal | None:
    # SQLite's AVG gives a float, PostgreSQL's a Decimal.
    return None if value is None else Decimal(str(value))


def _band_rows(round: Round, counts: dict[str, int]) -> list[BandRow]:
    """The round's bands, best first, then a pass below every band and a fail; then any label
    the round no longer has (stored before its bands changed)."""
    rows = [BandRow(band.label, counts.pop(band.label, 0)) for band in round.bands.all()]
    # A pass below every band happens only when the bands start above the pass mark.
    if counts.get(scoring.PASS_LABEL):
        rows.append(BandRow(scoring.PASS_LABEL, counts.pop(scoring.PASS_LABEL)))
    rows.append(BandRow(scoring.FAIL_LABEL, counts.pop(scoring.FAIL_LABEL, 0)))
    return rows + [BandRow(label, n) for label, n in sorted(counts.items()) if label]


# The province page's table of organizations.


def province_organizations(round: Round, filters: Filters) -> QuerySet[Assessment]:
    """The assessments of filters.province with their overall results, in one query."""
    return (
        filtered_assessments(round, filters)
        .select_related("organization__district")
        .annotate(overall=FilteredRelation("results", condition=Q(results__dimension=OVERALL)))
        .annotate(
            self_percent=F("overall__self_percent"),
            verified_percent=F("overall__verified_percent"),
            verified_band=F("overall__verified_band"),
        )
        .order_by("organization__code")
    )
