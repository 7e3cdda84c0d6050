"""Every reviewed assessment's indicators, self-assessed beside verified, counted up per
indicator × province × organization type (IndicatorTally): how many organizations earned
full, partial or zero points or were not applicable, on their own answers and on the verified
ones, and the points they earned. The weak-spot page (results/weakspots.py) reads them.

No table stores points by indicator in a form the database can count (the stored results
keep each indicator's part as JSON on the overall row), so this scores the answers and the
verified answers again, by the scoring engine's rules (assessments/scoring.py) written in
SQL, and lets the database count (two queries, whatever the number of organizations:
scoring 7,849 organizations × 120 indicators in Python would take about a minute).

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
from assessments.models import Answer, Assessment, Indicator, IndicatorOption, Round
from organizations.models import District, Organization, Province
from results.dashboard import RESULT_STATUSES
from results.models import Result
from reviews.models import VerifiedAnswer

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
    planner cannot estimate the common table expressions' sizes and joined them by nested
    loops over unindexed scans, quadratic in the answers (50 s and more for the demo's 131
    organizations); hash joins make it one pass over each."""
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
    counted indicator that applies to it and holds an answer or a verified answer, with
    the points of each side as the scoring engine gives them (assessments/scoring.py):

    - LEVELS: the chosen level's points; CHECKLIST: the ticked criteria's; ALL_OR_NOTHING:
      the indicator's points when every criterion is ticked; FIGURE: the best band whose
      threshold the figure reaches; nothing chosen: 0;
    - `claimed`: the organization declared "not applicable" where the indicator allows it
      (its own score leaves the indicator out); `confirmed`: the team confirmed that claim
      (the verified score leaves it out too, with 0 points). An unconfirmed claim scores 0.

    Which types (and province) an indicator applies to is decided in Python (applies_to is
    JSON) and handed over as a VALUES list.
    """
    specs = _specs(assessment_round)
    applies = [(pk, org_type) for pk, spec in specs.items() for org_type in sorted(spec.applies_to)]
    if not applies:
        return None, []
    table = {
        model: model._meta.db_table
        for model in (Answer, Assessment, Indicator, IndicatorOption, VerifiedAnswer, Organization, District, Province)
    }
    answer_ticked, verified_ticked = Answer.ticked.through._meta.db_table, VerifiedAnswer.ticked.through._meta.db_table
    option = table[IndicatorOption]
    statuses = ", ".join(["%s"] * len(RESULT_STATUSES))
    values = ", ".join(["(%s, %s)"] * len(applies))

    def points(alias: str, ticks: str) -> str:
        return f"""CASE
            WHEN ind.kind = 'levels' THEN COALESCE(lv.points, 0)
            WHEN ind.kind = 'checklist' THEN COALESCE({ticks}.points, 0)
            WHEN ind.kind = 'all_or_nothing' THEN
                CASE WHEN ind.options > 0 AND COALESCE({ticks}.n, 0) = ind.options THEN ind.full_points ELSE 0 END
            ELSE COALESCE((SELECT MAX(op.points) FROM {option} op
                           WHERE op.indicator_id = {alias}.indicator_id AND op.threshold <= {alias}.figure), 0)
        END"""

    def ticked(through: str, owner: str, owner_table: str) -> str:
        return f"""SELECT t.{owner}_id AS owner_id, SUM(op.points) AS points, COUNT(*) AS n
            FROM {through} t
            JOIN {owner_table} x ON x.id = t.{owner}_id
            JOIN finished f ON f.id = x.assessment_id
            JOIN {option} op ON op.id = t.indicatoroption_id AND op.indicator_id = x.indicator_id
            GROUP BY t.{owner}_id"""

    sql = f"""WITH finished(id, org_type, province, province_id) AS (
            SELECT a.id, a.org_type, p.code, p.id FROM {table[Assessment]} a
            JOIN {table[Organization]} o ON o.id = a.organization_id
            JOIN {table[District]} d ON d.id = o.district_id
            JOIN {table[Province]} p ON p.id = d.province_id
            WHERE a.round_id = %s AND a.status IN ({statuses})
        ),
        applies(indicator_id, org_type) AS (VALUES {values}),
        ind AS (
            SELECT i.id, i.kind, i.allows_not_applicable AS allows, i.province_id AS only_province,
                (SELECT COUNT(*) FROM {option} op WHERE op.indicator_id = i.id) AS options,
                CASE i.kind
                    WHEN 'checklist' THEN (SELECT COALESCE(SUM(op.points), 0) FROM {option} op WHERE op.indicator_id = i.id)
                    WHEN 'all_or_nothing' THEN i.all_or_nothing_points
                    ELSE (SELECT COALESCE(MAX(op.points), 0) FROM {option} op WHERE op.indicator_id = i.id)
                END AS full_points
            FROM {table[Indicator]} i WHERE i.round_id = %s AND NOT i.is_pilot
        ),
        own_ticks AS ({ticked(answer_ticked, "answer", table[Answer])}),
        checked_ticks AS ({ticked(verified_ticked, "verifiedanswer", table[VerifiedAnswer])}),
        own AS (
            SELECT a.assessment_id, a.indicator_id,
                CASE WHEN a.not_applicable AND ind.allows THEN 1 ELSE 0 END AS na,
                CASE WHEN a.not_applicable THEN 0 ELSE {points("a", "tk")} END AS points
            FROM {table[Answer]} a
            JOIN finished f ON f.id = a.assessment_id
            JOIN ind ON ind.id = a.indicator_id
            LEFT JOIN {option} lv ON lv.id = a.level_id AND lv.indicator_id = a.indicator_id
            LEFT JOIN own_ticks tk ON tk.owner_id = a.id
        ),
        checked AS (
            SELECT v.assessment_id, v.indicator_id,
                CASE WHEN v.na_confirmed THEN 1 ELSE 0 END AS confirmed,
                {points("v", "tk")} AS points
            FROM {table[VerifiedAnswer]} v
            JOIN finished f ON f.id = v.assessment_id
            JOIN ind ON ind.id = v.indicator_id
            LEFT JOIN {option} lv ON lv.id = v.level_id AND lv.indicator_id = v.indicator_id
            LEFT JOIN checked_ticks tk ON tk.owner_id = v.id
        ),
        keys AS (
            SELECT assessment_id, indicator_id FROM own UNION SELECT assessment_id, indicator_id FROM checked
        ),
        pairs AS (
            SELECT k.assessment_id, f.org_type, f.province, k.indicator_id, ind.full_points,
                COALESCE(own.na, 0) AS claimed,
                COALESCE(own.points, 0) AS own_points,
                CASE WHEN own.na = 1 AND checked.confirmed = 1 THEN 1 ELSE 0 END AS confirmed,
                CASE WHEN own.na = 1 AND checked.confirmed = 1 THEN 0 ELSE COALESCE(checked.points, 0) END
                    AS checked_points
            FROM keys k
            JOIN finished f ON f.id = k.assessment_id
            JOIN ind ON ind.id = k.indicator_id
            JOIN applies ap ON ap.indicator_id = k.indicator_id AND ap.org_type = f.org_type
            LEFT JOIN own ON own.assessment_id = k.assessment_id AND own.indicator_id = k.indicator_id
            LEFT JOIN checked ON checked.assessment_id = k.assessment_id AND checked.indicator_id = k.indicator_id
            WHERE ind.only_province IS NULL OR ind.only_province = f.province_id
        )"""
    params = [
        assessment_round.pk,
        *map(str, RESULT_STATUSES),
        *(value for pair in applies for value in pair),
        assessment_round.pk,
    ]
    return sql, params


def indicator_list(assessment_round: Round) -> list[Indicator]:
    """The round's counted indicators in framework order, with their dimension (one query)."""
    return list(
        assessment_round.indicators.filter(is_pilot=False)
        .select_related("category__dimension")
        .prefetch_related("options")
    )
