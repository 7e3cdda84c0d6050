"""Every reviewed assessment's indicators, self-assessed beside verified, counted up per
indicator × province × organization type (IndicatorTally): how many organizations earned
full, partial or zero points or were not applicable, on their own answers and on the verified
ones, and the points they earned. The weak-spot page (results/weakspots.py) reads them.

The stored results keep each answered or verified indicator's part on the overall row
(results/scores.py, Part, as JSON: its points on each side and the "not applicable" claim and
confirmation), so the database unpacks those and counts (two queries, whatever the number of
organizations), without scoring an answer again. Rows stored before the parts held the claim
are counted as if nothing was claimed until `recompute_results` stores them again.

Only assessments whose review is finished count (results.dashboard.RESULT_STATUSES:
verified, approved, published, under appeal), as on the dashboards; an indicator counts
where the engine counts it: never a pilot, nor one meant for another type or province.

Counting the national round still takes a few seconds, so the tallies are cached per round under a key
that changes whenever they could: the round's stored results (refresh_results writes new
rows, with new ids and times, on every change of answers, verified answers or framework)
and which assessments are finished.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Sum

from assessments import scoring
from assessments.models import Assessment, Indicator, Round
from organizations.models import District, Organization, Province
from results.dashboard import RESULT_STATUSES
from results.models import Result

CENT = Decimal("0.01")
CACHE_SECONDS = 24 * 60 * 60
# The grades of an indicator's result, in the order of IndicatorTally's lists.
FULL, PARTIAL, ZERO, NOT_APPLICABLE = range(4)


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


def cached_indicator_tallies(assessment_round: Round) -> dict[tuple[int, str, str], IndicatorTally]:
    """indicator_tallies of the round, from the cache while still current."""
    return _cached("indicators", assessment_round, indicator_tallies)


def _cached(name: str, assessment_round: Round, compute):
    key = f"results:{name}-tallies:{_version(assessment_round)}"
    found = cache.get(key)
    if found is None:
        found = compute(assessment_round)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _version(assessment_round: Round) -> str:
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
    return ":".join(str(part) for part in parts)


def indicator_tallies(assessment_round: Round) -> dict[tuple[int, str, str], IndicatorTally]:
    """IndicatorTally of every counted indicator × province × type with finished reviews (two
    queries). Organizations with neither an answer nor a verified answer scored zero on both."""
    sql, params = _pairs(assessment_round)
    if sql is None:
        return {}

    def grades(points: str, not_applicable: str) -> str:
        full = f"{not_applicable} = 0 AND full_points > 0 AND {points} >= full_points"
        return (
            f"SUM(CASE WHEN {full} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {not_applicable} = 0 AND {points} > 0 AND NOT ({full}) THEN 1 ELSE 0 END), "
            f"SUM({not_applicable})"
        )

    query = f"""{sql}
        SELECT indicator_id, province, org_type, {grades("own_points", "claimed")}, {grades("checked_points", "confirmed")},
            SUM(own_points), SUM(checked_points)
        FROM pairs GROUP BY indicator_id, province, org_type"""
    rows = _fetch(query, params)
    tallies = {}
    for indicator, province, org_type, *counts, own_points, checked_points in rows:
        own, checked = [int(value) for value in counts[:3]], [int(value) for value in counts[3:]]
        tallies[(indicator, province, org_type)] = IndicatorTally(
            own=[own[0], own[1], 0, own[2]],
            checked=[checked[0], checked[1], 0, checked[2]],
            own_points=_decimal(own_points),
            checked_points=_decimal(checked_points),
        )
    # Zero: every organization the indicator applies to, less those counted above.
    finished = (
        Assessment.objects.filter(round=assessment_round, status__in=RESULT_STATUSES)
        .values_list("organization__district__province__code", "org_type")
        .annotate(n=Count("pk"))
    )
    specs = _specs(assessment_round)
    for province, org_type, n in finished:
        for indicator, spec in specs.items():
            if not spec.applies(org_type, province):
                continue
            tally = tallies.setdefault((indicator, province, org_type), IndicatorTally())
            for counts in (tally.own, tally.checked):
                counts[ZERO] = n - counts[FULL] - counts[PARTIAL] - counts[NOT_APPLICABLE]
    return tallies


def _fetch(query: str, params: list) -> list[tuple]:
    """The rows of one of the queries over `pairs`. On PostgreSQL without nested loops: the
    planner cannot estimate the unpacked parts' numbers and joins them to the types and the
    indicators' counts by nested loops; hash joins make it one pass over each (the national
    round's tallies: 13–14 s with nested loops, 3.3 s without)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(query, params)
        return cursor.fetchall()


def _decimal(value) -> Decimal:
    # PostgreSQL sums numeric to Decimal; SQLite to a float of whole hundredths.
    return Decimal(str(value or 0)).quantize(CENT)


def _specs(assessment_round: Round) -> dict[int, scoring.IndicatorSpec]:
    indicators = (
        assessment_round.indicators.filter(is_pilot=False)
        .select_related("category__dimension", "province")
        .prefetch_related("options")
    )
    return {indicator.pk: indicator.as_spec() for indicator in indicators}


def _pairs(assessment_round: Round) -> tuple[str | None, list]:
    """The common table expressions ending in `pairs`: one row per finished assessment ×
    counted indicator that applies to it and holds an answer or a verified answer, with the
    points of each side as the stored results keep them (results/scores.py, Part, on each
    overall row): the organization's (`own_points`) and the team's (`checked_points`);
    `claimed`: the organization declared "not applicable" where the indicator allows it;
    `confirmed`: the team confirmed that claim (its points are then 0). An unconfirmed claim
    scores what the team gave.

    Which types (and province) an indicator applies to, and its full points, come from the
    specs in Python (applies_to is JSON) as a VALUES list: computed in the query, per row, the
    full points cost PostgreSQL 16 s of correlated subqueries on the national round.
    """
    specs = _specs(assessment_round)
    applies = [
        (pk, org_type, spec.full_points, spec.province)
        for pk, spec in specs.items()
        for org_type in sorted(spec.applies_to)
    ]
    if not applies:
        return None, []
    table = {
        model: model._meta.db_table for model in (Assessment, Organization, District, Province, Result)
    }
    statuses = ", ".join(["%s"] * len(RESULT_STATUSES))
    if connection.vendor == "postgresql":
        full_points = "%s"
        parts = "CROSS JOIN LATERAL jsonb_each(r.indicator_points -> 'parts') AS part"

        def field(index: int, kind: str) -> str:
            return f"COALESCE((part.value ->> {index})::{kind}, 0)"

        indicator_id = "part.key::integer"
    else:
        # SQLite compares a number with the text a Decimal is handed over as by type, not value.
        full_points = "CAST(%s AS REAL)"
        parts = "JOIN json_each(r.indicator_points, '$.parts') AS part"

        def field(index: int, kind: str) -> str:
            return f"COALESCE(CAST(json_extract(part.value, '$[{index}]') AS {'REAL' if kind == 'numeric' else 'INTEGER'}), 0)"

        indicator_id = "CAST(part.key AS INTEGER)"
    values = ", ".join([f"(%s, %s, {full_points}, %s)"] * len(applies))
    sql = f"""WITH finished(id, org_type, province) AS (
            SELECT a.id, a.org_type, p.code FROM {table[Assessment]} a
            JOIN {table[Organization]} o ON o.id = a.organization_id
            JOIN {table[District]} d ON d.id = o.district_id
            JOIN {table[Province]} p ON p.id = d.province_id
            WHERE a.round_id = %s AND a.status IN ({statuses})
        ),
        applies(indicator_id, org_type, full_points, only_province) AS (VALUES {values}),
        stored AS (
            SELECT r.assessment_id, f.org_type, f.province, {indicator_id} AS indicator_id,
                {field(0, "numeric")} AS own_points, {field(2, "numeric")} AS verified_points,
                {field(7, "integer")} AS claimed, {field(8, "integer")} AS confirmed
            FROM {table[Result]} r
            JOIN finished f ON f.id = r.assessment_id
            {parts}
            WHERE r.dimension = 0
        ),
        pairs AS (
            SELECT s.assessment_id, s.org_type, s.province, s.indicator_id, ap.full_points, s.claimed,
                s.own_points, s.confirmed, s.verified_points AS checked_points
            FROM stored s
            JOIN applies ap ON ap.indicator_id = s.indicator_id AND ap.org_type = s.org_type
            WHERE ap.only_province IS NULL OR ap.only_province = s.province
        )"""
    params = [assessment_round.pk, *map(str, RESULT_STATUSES), *(value for row in applies for value in row)]
    return sql, params


def indicator_list(assessment_round: Round) -> list[Indicator]:
    """The round's counted indicators in framework order, with their dimension (one query)."""
    return list(
        assessment_round.indicators.filter(is_pilot=False)
        .select_related("category__dimension")
        .prefetch_related("options")
    )
