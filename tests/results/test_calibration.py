"""Assessor calibration: the statistics per team and province against numbers worked out here
by hand from tests/results/analysis_data.py, the outlier rule, the tallies of changed and
"not applicable" indicators, who sees which teams, and the workbook."""

import io
import math
import statistics

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from results.analysis_workbook import build_calibration_workbook
from results.calibration import HARSH, SOFT, Estimate, build_calibration
from tests.factories import province, user_with_role
from tests.results.analysis_data import NA, TOWN, World, points, three_teams

pytestmark = pytest.mark.django_db

# The overall gaps (verified − self, in points) of each team's finished reviews; see three_teams.
HARSH_GAPS = [-30, -25, -20]
FAIR_GAPS = [-10, -5, -15]
SOFT_GAPS = [0, -5, 5]
NATIONAL_GAPS = HARSH_GAPS + FAIR_GAPS + SOFT_GAPS


def se(values):
    return statistics.stdev(values) / math.sqrt(len(values))


@pytest.fixture
def teams():
    return three_teams()


def by_label(groups):
    return {group.label: group for group in groups}


def test_estimate_is_mean_standard_error_and_95_percent_interval():
    found = Estimate.of([2.0, 4.0, 9.0])
    # mean 5; deviations −3, −1, 4: Σ² = 26, ÷ 2 = 13; SE = √13 ÷ √3.
    assert found.n == 3
    assert found.mean == pytest.approx(5)
    assert found.se == pytest.approx(math.sqrt(13) / math.sqrt(3))
    assert found.low == pytest.approx(5 - 1.96 * math.sqrt(13 / 3))
    assert found.high == pytest.approx(5 + 1.96 * math.sqrt(13 / 3))
    assert Estimate.of([7.0]).se is None and Estimate.of([7.0]).low is None
    assert Estimate.of([]).mean is None


def test_national_mean_gap_counts_only_finished_reviews(teams):
    world, _teams = teams
    found = build_calibration(world.round)
    # The fair team's review still in progress (−100) is left out.
    assert found.national.n == 9
    assert found.national.gap.mean == pytest.approx(-105 / 9)
    assert found.national.gap.se == pytest.approx(se(NATIONAL_GAPS))


def test_each_team_has_its_mean_gap_interval_and_size(teams):
    world, _teams = teams
    groups = by_label(build_calibration(world.round).teams)
    for name, gaps in (("harsh", HARSH_GAPS), ("fair", FAIR_GAPS), ("soft", SOFT_GAPS)):
        group = groups[name]
        assert group.n == 3
        assert group.gap.mean == pytest.approx(statistics.mean(gaps))
        assert group.gap.se == pytest.approx(se(gaps))
        assert group.gap.low == pytest.approx(statistics.mean(gaps) - 1.96 * se(gaps))


def test_teams_beyond_two_standard_errors_of_the_national_gap_are_flagged_harsh_or_soft(teams):
    world, _teams = teams
    found = build_calibration(world.round)
    groups = by_label(found.teams)
    national = -105 / 9
    # harsh: (−25 + 11.67) ÷ 2.89 = −4.6 SE; fair: +0.58 SE; soft: +4.0 SE.
    assert (groups["harsh"].gap.mean - national) / se(HARSH_GAPS) < -2
    assert groups["harsh"].flag == HARSH
    assert groups["harsh"].distance == pytest.approx((-25 - national) / se(HARSH_GAPS))
    assert abs((groups["fair"].gap.mean - national) / se(FAIR_GAPS)) < 2
    assert groups["fair"].flag is None
    assert groups["soft"].flag == SOFT
    # Harshest first.
    assert [group.label for group in found.teams] == ["harsh", "fair", "soft"]


def test_provinces_are_judged_by_the_same_rule(teams):
    world, _teams = teams
    groups = {group.province.code: group for group in build_calibration(world.round).provinces}
    krabi = HARSH_GAPS + FAIR_GAPS
    assert groups["81"].gap.mean == pytest.approx(-17.5)
    assert groups["81"].gap.se == pytest.approx(se(krabi))
    # (−17.5 + 11.67) ÷ 3.82 = −1.5 SE: within the rule.
    assert groups["81"].flag is None
    assert groups["20"].flag == SOFT


def test_a_difference_under_two_points_is_not_flagged_however_certain():
    world = World()
    steady = world.team("steady")
    for a in (4, 4, 4):
        world.reviewed(steady, points(5), points(a))  # 100 → 95: −5 each, SE 0
    near = world.team("near")
    for a in (4, 4, 3):
        world.reviewed(near, points(5), points(a))  # −5, −5, −10
    world.store_results()
    groups = by_label(build_calibration(world.round).teams)
    # National: −35 ÷ 6 = −5.83. steady: 0.83 points off with SE 0; near: 0.83 points off.
    assert groups["steady"].gap.se == 0
    assert groups["steady"].flag is None and groups["near"].flag is None


def test_a_team_of_one_is_never_flagged():
    world = World()
    lone = world.team("lone")
    world.reviewed(lone, points(5), points(0, 0, 0, 0))  # 100 → 0
    others = world.team("others")
    for a in (5, 4):
        world.reviewed(others, points(5), points(a))
    world.store_results()
    groups = by_label(build_calibration(world.round).teams)
    assert groups["lone"].n == 1 and groups["lone"].gap.se is None
    assert groups["lone"].flag is None


def test_dimension_gaps_are_means_of_each_dimensions_verified_minus_self(teams):
    world, _teams = teams
    harsh = by_label(build_calibration(world.round).teams)["harsh"]
    # Dimension 1 is A alone (5 points): 100 → 0, 0, 20. Dimension 2 is B, C, K (15 points):
    # 100 → 14/15, 100, 100.
    assert harsh.dimension_gaps[0] == pytest.approx((-100 - 100 - 80) / 3)
    assert harsh.dimension_gaps[1] == pytest.approx((round(14 / 15 * 100, 2) - 100) / 3)


def test_distance_from_the_national_mean_of_the_same_types(teams):
    world, _teams = teams
    found = build_calibration(world.round)
    # อบต. (harsh and soft): verified 70, 75, 80, 80, 75, 85 → 77.5; ทม. (fair): 90, 95, 85 → 90.
    assert found.national_by_type["sao"] == pytest.approx(77.5)
    assert found.national_by_type[TOWN] == pytest.approx(90)
    groups = by_label(found.teams)
    assert groups["harsh"].mean_verified == pytest.approx(75)
    assert groups["harsh"].against_type.mean == pytest.approx(-2.5)
    assert groups["harsh"].against_type.se == pytest.approx(se([-7.5, -2.5, 2.5]))
    assert groups["fair"].against_type.mean == pytest.approx(0)
    assert groups["soft"].against_type.mean == pytest.approx(2.5)


def test_share_of_indicators_changed_and_of_those_lowered(teams):
    world, _teams = teams
    groups = by_label(build_calibration(world.round).teams)
    # Four counted indicators verified per assessment (the pilot P never counts): 12 a team.
    assert groups["harsh"].indicators.verified == 12
    assert groups["harsh"].changed_share == pytest.approx(4 / 12 * 100)
    assert groups["harsh"].lowered_share == pytest.approx(100)
    assert groups["soft"].changed_share == pytest.approx(2 / 12 * 100)
    assert groups["soft"].lowered_share == pytest.approx(50)
    assert groups["soft"].confirmed_share is None


def test_not_applicable_claims_confirmed_and_rejected():
    world = World()
    team = world.team("na")
    # Claims B and C; the team confirms B, rejects C (3 points): changed and lowered.
    world.reviewed(team, points(5, NA, NA), points(5, NA, 3))
    # Claims B; confirmed. Nothing changed.
    world.reviewed(team, points(5, NA), points(5, NA))
    world.store_results()
    group = build_calibration(world.round).teams[0]
    assert (group.indicators.claimed, group.indicators.confirmed) == (3, 2)
    assert group.confirmed_share == pytest.approx(2 / 3 * 100)
    assert (group.indicators.verified, group.indicators.changed, group.indicators.lowered) == (8, 1, 1)
    # Self-assessed: A + K = 10 of 10 (claims out) → 100; verified: A + C + K = 13 of 15 → 86.67.
    # The second: 15 of 15 both.
    assert group.gap.mean == pytest.approx((86.67 - 100 + 0) / 2)


def test_the_counts_follow_a_changed_verified_answer(teams):
    world, _teams = teams
    harsh = world.assessments[0]
    before = next(group for group in build_calibration(world.round).teams if group.label == "harsh").indicators
    harsh.verified_answers.filter(indicator__code="A").update(level=world.indicators["A"].options.get(points=5))
    world.store_results()
    after = next(group for group in build_calibration(world.round).teams if group.label == "harsh").indicators
    assert (after.verified, after.changed) == (before.verified, before.changed - 1)


def test_department_reads_every_province_office_its_own_teams(client, teams):
    world, _teams = teams
    url = reverse("results:calibration", args=[world.round.year])
    client.force_login(world.department)
    page = client.get(url)
    assert page.status_code == 200
    assert [group.label for group in page.context["calibration"].teams] == ["harsh", "fair", "soft"]
    assert b'data-flag="harsh"' in page.content and b'data-flag="soft"' in page.content
    client.force_login(world.office)
    page = client.get(url)
    assert [group.label for group in page.context["calibration"].teams] == ["harsh", "fair"]
    assert client.get(url + "?province=20").status_code == 404


def test_outsiders_and_assessors_get_404(client, teams):
    world, _teams = teams
    url = reverse("results:calibration", args=[world.round.year])
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")))
    assert client.get(url).status_code == 404
    client.force_login(world.department)
    assert client.get(url + "?province=99").status_code == 404


def test_page_takes_a_fixed_number_of_queries(client, teams, django_assert_max_num_queries):
    world, _teams = teams
    client.force_login(world.department)
    url = reverse("results:calibration", args=[world.round.year])
    client.get(url)
    with django_assert_max_num_queries(20):
        client.get(url)


def test_workbook_holds_the_teams_and_the_rule(client, teams):
    world, _teams = teams
    client.force_login(world.department)
    response = client.get(reverse("results:calibration_workbook", args=[world.round.year]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    teams_sheet = list(book.worksheets[0].values)
    assert teams_sheet[1][0] == "harsh" and teams_sheet[1][-1] == "เข้มกว่าค่าเฉลี่ยประเทศ"
    assert float(teams_sheet[1][3]) == pytest.approx(-25)
    about = [row[0] for row in book.worksheets[-1].values]
    assert any("2 เท่าของ SE" in line for line in about)


def test_workbook_text_that_looks_like_a_formula_stays_text(teams):
    world, groups = teams
    groups["harsh"].name = '=HYPERLINK("http://x")'
    groups["harsh"].save()
    book = build_calibration_workbook(build_calibration(world.round))
    cell = book.worksheets[0]["A2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
