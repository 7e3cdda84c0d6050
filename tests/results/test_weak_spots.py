"""Indicator weak spots: each indicator's full, partial and zero shares, self-assessed and
verified, against counts worked out here by hand (tests/results/analysis_data.py), sorting,
filters, who sees which province, and the workbook."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from results.weakspots import FAILING, FRAMEWORK, OVERSTATED, build_weak_spots
from tests.factories import province, user_with_role
from tests.results.analysis_data import NA, TOWN, World, points, three_teams

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def teams():
    return three_teams()


def rows_of(found):
    return {row.indicator.code: row for row in found.rows}


def pct(part, whole):
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.01"))


def test_shares_of_full_partial_and_zero_nationally(teams):
    world, _teams = teams
    rows = rows_of(build_weak_spots(world.round, sort=FRAMEWORK))
    # The pilot P is not scored; the review still in progress does not count: 9 organizations.
    assert set(rows) == {"A", "B", "C", "K"}
    a = rows["A"]
    assert a.organizations == 9
    # A verified: harsh 0, 0, 1; fair 3, 4, 2; soft 1, 0, 2. Self: 5 × 6, 1 × 3.
    assert (a.checked.full, a.checked.partial, a.checked.zero) == (0, 6, 3)
    assert a.checked.zero_share == pct(3, 9)
    assert (a.own.full, a.own.partial, a.own.zero) == (6, 3, 0)
    assert a.own.score == pct(33, 45) and a.checked.score == pct(13, 45)
    assert a.gap == pct(33, 45) - pct(13, 45)
    b = rows["B"]
    assert (b.checked.full, b.checked.partial, b.checked.zero) == (8, 1, 0)
    assert b.gap == Decimal(100) - pct(44, 45)


def test_figures_and_all_or_nothing_score_as_the_engine_says():
    world = World(more_kinds=True)
    team = world.team("t")
    # F own 85 → 5, verified 75 → 3; N own all three → 5, verified two → 0.
    world.reviewed(team, {**points(5), "F": 85, "N": 3}, {**points(5), "F": 75, "N": 2})
    # F own 40 → 0, verified 50 → 1 (the threshold itself scores); N both all three → 5.
    world.reviewed(team, {**points(5), "F": 40, "N": 3}, {**points(5), "F": 50, "N": 3})
    world.store_results()
    rows = rows_of(build_weak_spots(world.round))
    f, n = rows["F"], rows["N"]
    assert (f.own.full, f.own.partial, f.own.zero) == (1, 0, 1) and f.own.points == 5
    assert (f.checked.full, f.checked.partial, f.checked.zero) == (0, 2, 0) and f.checked.points == 4
    assert (n.own.full, n.checked.full, n.checked.zero) == (2, 1, 1)
    assert (n.own.points, n.checked.points) == (10, 5)


def test_sorted_by_failing_or_by_overstatement():
    world = World()
    team = world.team("t")
    # A: claimed 5, verified 2 (overstated, partial). B: 0 claimed and verified (failing, honest).
    for _ in range(2):
        world.reviewed(team, points(5, 0), points(2, 0))
    world.store_results()
    assert [row.indicator.code for row in build_weak_spots(world.round, sort=FAILING).rows] == ["B", "A", "C", "K"]
    assert [row.indicator.code for row in build_weak_spots(world.round, sort=OVERSTATED).rows] == ["A", "B", "C", "K"]
    assert [row.indicator.code for row in build_weak_spots(world.round, sort=FRAMEWORK).rows] == ["A", "B", "C", "K"]


def test_province_and_type_narrow_the_organizations(teams):
    world, _teams = teams
    chonburi = rows_of(build_weak_spots(world.round, province=province("20")))["A"]
    # Soft team only: verified 1, 0, 2; self 1, 1, 1.
    assert chonburi.organizations == 3
    assert (chonburi.checked.partial, chonburi.checked.zero) == (2, 1)
    assert (chonburi.own.partial, chonburi.own.zero) == (3, 0)
    towns = rows_of(build_weak_spots(world.round, org_type=TOWN))["A"]
    assert towns.organizations == 3 and towns.checked.zero == 0


def test_not_applicable_is_left_out_of_the_shares():
    world = World()
    team = world.team("na")
    world.reviewed(team, points(5, NA, NA), points(5, NA, 3))
    world.reviewed(team, points(5, NA), points(5, NA))
    world.store_results()
    rows = rows_of(build_weak_spots(world.round))
    assert (rows["B"].own.not_applicable, rows["B"].checked.not_applicable) == (2, 2)
    assert rows["B"].checked.zero_share is None and rows["B"].gap is None
    c = rows["C"]
    # C: claimed and rejected (3 verified) for one, 5 for the other.
    assert (c.own.full, c.own.not_applicable) == (1, 1)
    assert (c.checked.full, c.checked.partial, c.checked.not_applicable) == (1, 1, 0)


def test_department_filters_office_reads_its_own_province(client, teams):
    world, _teams = teams
    url = reverse("results:weak_spots", args=[world.round.year])
    client.force_login(world.department)
    page = client.get(url + "?sort=overstated&org_type=sao&province=20")
    assert page.status_code == 200
    found = page.context["weak_spots"]
    assert (found.province.code, found.org_type, found.sort) == ("20", "sao", OVERSTATED)
    assert page.content.index(b'data-indicator="A"') < page.content.index(b'data-indicator="B"')
    client.force_login(world.office)
    assert client.get(url).context["weak_spots"].province.code == "81"
    assert client.get(url + "?province=20").status_code == 404
    client.force_login(user_with_role(Role.Kind.ORG_HEAD, organization=world.assessments[0].organization))
    assert client.get(url).status_code == 404


def test_bad_filters_are_named_and_ignored(client, teams):
    world, _teams = teams
    client.force_login(world.department)
    page = client.get(reverse("results:weak_spots", args=[world.round.year]) + "?sort=worst&org_type=nowhere")
    assert page.status_code == 200
    assert page.context["weak_spots"].sort == FAILING and page.context["weak_spots"].org_type is None
    assert "ตัวกรองบางค่าไม่ถูกต้อง" in page.content.decode()
    workbook = client.get(reverse("results:weak_spots_workbook", args=[world.round.year]) + "?sort=worst")
    assert workbook.status_code == 400


def test_workbook_has_the_pages_rows_in_order(client, teams):
    world, _teams = teams
    client.force_login(world.department)
    response = client.get(reverse("results:weak_spots_workbook", args=[world.round.year]) + "?sort=overstated")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert [row[0] for row in rows[1:]] == ["A", "B", "C", "K"]
    assert rows[1][3] == 9 and float(rows[1][6]) == pytest.approx(float(pct(3, 9)))
