"""Year over year on the dashboards: last year's results beside this year's, with the change,
the year switcher, the distribution of scores, and the drill-down links."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.models import Assessment, Round
from organizations.models import Organization
from results.dashboard import Filters, build_dashboard, organization_movers, province_organizations
from tests.assessments.factories import DimensionFactory, RoundFactory
from tests.factories import province, user_with_role
from tests.results.test_dashboard import assessment_with

pytestmark = pytest.mark.django_db

Status = Assessment.Status
SAO, TOWN = Organization.Type.SAO, Organization.Type.TOWN_MUNICIPALITY
PLACES = Decimal("0.0001")


def q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(PLACES)


PASSED = {"band": "ดีมาก", "passed": True}
FAILED = {"band": "ไม่ผ่านเกณฑ์", "passed": False}
BEST = {"band": "ดีเด่น", "passed": True}
NO_RESULT = {"overall": (0, None), "dimensions": [(0, None)] * 2}
# Last year: (district, type, status, and the stored results).
LAST_YEAR = {
    "a": ("8101", SAO, Status.PUBLISHED, {"overall": (90, 88), "dimensions": [(90, 85), (90, 90)], **PASSED}),
    "b": ("8102", TOWN, Status.PUBLISHED, {"overall": (80, 75), "dimensions": [(80, 70), (80, 80)], **PASSED}),
    "c": ("2001", SAO, Status.APPEALED, {"overall": (90, 85), "dimensions": [(90, 85), (90, 85)], **PASSED}),
    "d": ("8101", SAO, Status.PUBLISHED, {"overall": (85, 83), "dimensions": [(85, 83), (85, 83)], **PASSED}),
    "f": ("8101", SAO, Status.IN_REVIEW, {"overall": (60, 50), "dimensions": [(60, 50), (60, 50)], **FAILED}),
    "g": ("2001", SAO, Status.DRAFT, NO_RESULT),
}
# This year: the same organizations (but F), status and stored results.
THIS_YEAR = {
    "a": (Status.APPROVED, {"overall": (90, 80), "dimensions": [(100, 80), (80, 80)], **PASSED}),
    "b": (Status.VERIFIED, {"overall": (70, 60), "dimensions": [(60, 50), (80, 70)], **FAILED}),
    "c": (Status.PUBLISHED, {"overall": (95, 95), "dimensions": [(95, 95), (95, 95)], **BEST}),
    "d": (Status.DRAFT, NO_RESULT),
    "g": (Status.IN_REVIEW, {"overall": (50, 10), "dimensions": [(50, 10)] * 2, **FAILED}),
}


def make_years():
    """Last year (closed) and this year (in review), the same organizations in both.

    Overall verified % last year → this year: A (กระบี่, อบต.) 88 → 80, B (กระบี่, ทม.)
    75 → 60 (fail), C (ชลบุรี) 85 → 95; D (กระบี่) 83 → a draft now; F (กระบี่) was still
    in review last year (not counted) and has no assessment now; G (ชลบุรี) was a draft
    last year and is in review now (not counted either year).
    Dimension 1: A 85 → 80, B 70 → 50, C 85 → 95, D 83; dimension 2: A 90 → 80, B 80 → 70,
    C 85 → 95, D 83.

    By hand: overall 78.33 (3 of them, 78.333… reported) against (88 + 75 + 85 + 83) / 4 = 82.75
    (4), change −4.42 (between the reported means); pass rate 66.67% against 100%, −33.33.
    Dimension 1: 75 against 80.75, −5.75; dimension 2: 81.67 against 84.5, −2.83. กระบี่ 70 against (88 + 75 + 83) / 3 = 82,
    −12 (pass rate 50 against 100); ชลบุรี 95 against 85, +10.
    """
    last = RoundFactory(phase=Round.Phase.CLOSED)
    this = RoundFactory(year=last.year + 1, phase=Round.Phase.REVIEW)
    for round in (last, this):
        DimensionFactory(round=round, number=1, name="การบริหารจัดการ")
        DimensionFactory(round=round, number=2, name="การบริหารงานบุคคล")
    before = {
        key: assessment_with(last, place=place, type=type, status=status, **results)
        for key, (place, type, status, results) in LAST_YEAR.items()
    }
    now = {
        key: assessment_with(this, organization=before[key].organization, status=status, **results)
        for key, (status, results) in THIS_YEAR.items()
    }
    return last, this, before, now


@pytest.fixture
def years():
    return make_years()


def national(round, previous, filters: Filters | None = None):
    provinces = [province("20"), province("81")]
    return build_dashboard(round, filters or Filters(), provinces=provinces, previous=previous)


def test_year_over_year_equals_the_hand_computed_case(years):
    last, this, _before, _now = years
    compared = national(this, last).year_over_year
    assert compared.round == last
    overall = compared.overall
    assert (overall.current.count, overall.previous.count) == (3, 4)
    assert (q(overall.current.mean_verified), overall.previous.mean_verified) == (Decimal("78.33"), Decimal("82.75"))
    assert q(overall.mean_change) == Decimal("-4.42")
    assert (q(overall.current.pass_rate), overall.previous.pass_rate) == (Decimal("66.67"), 100)
    assert q(overall.pass_rate_change) == Decimal("-33.33")

    dimensions = {row.number: row.change for row in compared.dimensions}
    assert (dimensions[1].current.mean_verified, dimensions[1].previous.mean_verified) == (75, Decimal("80.75"))
    assert dimensions[1].mean_change == Decimal("-5.75")
    assert q(dimensions[2].mean_change) == Decimal("-2.83")
    assert dimensions[2].pass_rate_change is None  # pass and fail are on the overall score only

    provinces = {row.province.code: row.change for row in compared.provinces}
    krabi, chonburi = provinces["81"], provinces["20"]
    assert (krabi.current.mean_verified, krabi.previous.mean_verified, krabi.mean_change) == (70, 82, -12)
    assert (krabi.current.pass_rate, krabi.previous.pass_rate, krabi.pass_rate_change) == (50, 100, -50)
    assert (chonburi.mean_change, chonburi.pass_rate_change) == (10, 0)
    # Moved most, either way: กระบี่ down 12 before ชลบุรี up 10.
    assert [row.province.code for row in compared.movers] == ["81", "20"]


def test_without_a_previous_round_there_is_no_year_over_year(years):
    _last, this, _before, _now = years
    assert national(this, None).year_over_year is None


def test_last_year_follows_the_province_and_type_filters_but_not_the_status(years):
    last, this, _before, _now = years
    towns = national(this, last, Filters(org_type=TOWN)).year_over_year
    overall = towns.overall
    assert (overall.current.mean_verified, overall.previous.mean_verified, overall.mean_change) == (60, 75, -15)
    # This year's approved ones only; last year's results are its reviewed ones, whatever their status.
    approved = national(this, last, Filters(status=Status.APPROVED)).year_over_year
    assert approved.overall.current.count == 1 and approved.overall.previous.count == 4
    chonburi = build_dashboard(this, Filters(province=province("20")), previous=last).year_over_year
    assert (chonburi.overall.current.mean_verified, chonburi.overall.previous.mean_verified) == (95, 85)
    assert chonburi.provinces == []


def test_each_organization_has_last_years_percent_and_the_change_once_reviewed(years):
    last, this, _before, now = years
    rows = {a.pk: a for a in province_organizations(this, Filters(province=province("81")), previous=last)}
    a, b, d = rows[now["a"].pk], rows[now["b"].pk], rows[now["d"].pk]
    assert (a.verified_percent, a.previous_percent, a.percent_change) == (80, 88, -8)
    assert (b.previous_percent, b.percent_change) == (75, -15)
    # A draft this year: last year's result shows, but no change.
    assert (d.previous_percent, d.percent_change) == (83, None)
    assert [row.pk for row in organization_movers(list(rows.values()))] == [now["b"].pk, now["a"].pk]
    # In review last year: nothing to compare with.
    chonburi = {a.pk: a for a in province_organizations(this, Filters(province=province("20")), previous=last)}
    assert chonburi[now["g"].pk].previous_percent is None


def test_the_distribution_counts_organizations_per_bin_and_dimension(years):
    _last, this, _before, _now = years
    board = build_dashboard(this, Filters(), provinces=[], distribution=True)
    counts = {row.number: row.counts for row in board.distribution}
    # Bins: <50, 50–59.99, 60–69.99, 70–79.99, 80–89.99, 90–100. Overall 80, 60, 95.
    assert counts[0] == [0, 0, 1, 0, 1, 1]
    assert counts[1] == [0, 1, 0, 0, 1, 1]  # 80, 50, 95
    assert counts[2] == [0, 0, 0, 1, 1, 1]  # 80, 70, 95
    assert [row.total for row in board.distribution] == [3, 3, 3]


# The pages.


@pytest.fixture
def department():
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


def cells(html: str, table: str, key: str) -> dict[str, list[str]]:
    """The text of each row's data cells in `table` (data-table=...), keyed by its data-`key`."""
    body = re.search(rf'data-table="{table}".*?<tbody>(.*?)</tbody>', html, re.DOTALL).group(1)
    found = {}
    for row_key, row in re.findall(rf'<tr data-{key}="([^"]+)"[^>]*>(.*?)</tr>', body, re.DOTALL):
        texts = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        found[row_key] = [re.sub(r"<[^>]+>", "", text).strip() for text in texts]
    return found


def test_the_national_page_shows_last_year_and_the_change(client, years, department):
    last, this, _before, _now = years
    client.force_login(department)
    html = client.get(reverse("results:dashboard", args=[this.year])).content.decode()
    assert f"เทียบกับปี {last.year}" in html
    dimensions = cells(html, "year-over-year", "dimension")
    assert dimensions["0"] == ["78.33", "82.75", "-4.42 ลดลง", "66.67", "100.00", "-33.33 ลดลง"]
    assert dimensions["1"][:3] == ["75.00", "80.75", "-5.75 ลดลง"]
    provinces = cells(html, "province-year-over-year", "province")
    assert provinces["20"] == ["95.00", "85.00", "+10.00 เพิ่มขึ้น", "100.00", "100.00", "0.00"]
    assert provinces["81"][2] == "-12.00 ลดลง"
    assert re.search(r'data-movers="provinces"><li><a href="[^"]+/provinces/81/">', html)
    # Each dimension's mean this year and last year, as a chart beside the table.
    assert f'aria-label="ร้อยละเฉลี่ยของผลการตรวจประเมิน ปี {this.year} เทียบกับปี {last.year}"' in html


def test_the_year_switcher_links_the_other_rounds_with_the_filters(client, years, department):
    last, this, _before, _now = years
    RoundFactory(year=this.year + 1)  # in set-up: no results to show yet
    client.force_login(department)
    response = client.get(reverse("results:dashboard", args=[this.year]) + "?org_type=sao")
    years = response.context["years"]
    assert [item["year"] for item in years] == [this.year, last.year]
    assert years[1]["url"] == reverse("results:dashboard", args=[last.year]) + "?org_type=sao"
    html = response.content.decode()
    assert f'aria-current="page">ปี {this.year}<' in html
    # Last year's page compares with the year before it: there is none.
    html = client.get(years[1]["url"]).content.decode()
    assert f"ไม่มีผลการประเมินปี {last.year - 1} ให้เทียบ" in html


def test_the_province_page_links_each_organization_to_its_scorecard_and_review(client, years):
    last, this, _before, now = years
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    response = client.get(reverse("results:province_dashboard", args=[this.year, "81"]))
    html = response.content.decode()
    code = now["a"].organization.code
    assert reverse("results:organization_scorecard", args=[this.year, code]) in html
    assert reverse("reviews:review_detail", args=[now["a"].pk]) in html
    organizations = cells(html, "organizations", "organization")
    # code, type, district, status, self %, verified %, band, last year %, change, review link
    assert organizations[code][4:8] == ["90.00", "80.00", "ดีมาก", "88.00"]
    assert organizations[code][8] == "-8.00 ลดลง"
    assert organizations[now["d"].organization.code][7:9] == ["83.00", "–"]
    assert [a.pk for a in response.context["movers"]] == [now["b"].pk, now["a"].pk]
    assert [item["year"] for item in response.context["years"]] == [this.year, last.year]
    assert response.context["years"][1]["url"] == reverse("results:province_dashboard", args=[last.year, "81"])


def test_the_pages_link_their_workbook_with_the_filters_and_their_reports(client, years, department):
    _last, this, _before, _now = years
    client.force_login(department)
    html = client.get(reverse("results:dashboard", args=[this.year]) + "?province=81&org_type=sao").content.decode()
    assert reverse("results:dashboard_workbook", args=[this.year]) + "?province=81&amp;org_type=sao" in html
    assert reverse("results:national_report_pdf", args=[this.year]) in html
    assert reverse("results:workbook", args=[this.year]) + "?province=81" in html
    # An invalid filter is not carried into the links.
    html = client.get(reverse("results:dashboard", args=[this.year]) + "?org_type=bogus").content.decode()
    assert f'href="{reverse("results:dashboard_workbook", args=[this.year])}"' in html
    url = reverse("results:province_dashboard", args=[this.year, "81"])
    html = client.get(url + "?status=verified").content.decode()
    assert reverse("results:province_dashboard_workbook", args=[this.year, "81"]) + "?status=verified" in html
    assert reverse("results:province_report_pdf", args=[this.year, "81"]) in html


# The demo's previous year, which `make run` shows.


def test_the_demos_last_year_is_published_with_the_engines_results_and_loads_once():
    from assessments.models import AssessmentEvent, Indicator
    from demo.history import PREVIOUS_YEAR
    from demo.seed import seed_demo
    from results.models import Result
    from results.scores import recompute_round
    from reviews.models import VerifiedAnswer
    from tests.results.test_scores import FIELDS, assert_matches_engine

    seed_demo(progress=False)
    previous = Round.objects.get(year=PREVIOUS_YEAR)
    assert previous.phase == Round.Phase.CLOSED
    assessments = previous.assessments.all()
    assert assessments.count() == Organization.objects.filter(is_active=True).count()
    assert set(assessments.values_list("status", flat=True)) == {Status.PUBLISHED}
    every = sum(Indicator.objects.for_assessment(a).count() for a in assessments[:3])
    assert VerifiedAnswer.objects.filter(assessment__in=list(assessments[:3])).count() == every

    # Stored results equal a recomputation from scratch, and the engine's.
    def stored():
        rows = Result.objects.filter(assessment__round=previous).order_by("assessment", "dimension")
        return list(rows.values_list("assessment", *FIELDS))

    before = stored()
    Result.objects.filter(assessment__round=previous).delete()
    recompute_round(previous)
    assert stored() == before
    for assessment in assessments.order_by("pk")[:5]:
        assert_matches_engine(assessment)

    # Spread enough to compare: every band and some fails.
    this_year = Round.objects.get(year=PREVIOUS_YEAR + 1)
    board = build_dashboard(this_year, Filters(), provinces=[province("81")], previous=previous)
    last_year = board.year_over_year.overall.previous
    assert last_year.count == assessments.count() and 0 < last_year.passed < last_year.count
    bands = build_dashboard(previous, Filters(), provinces=[]).bands
    assert all(row.count for row in bands)

    counts = (Result.objects.count(), VerifiedAnswer.objects.count(), AssessmentEvent.objects.count())
    seed_demo(progress=False)
    assert (Result.objects.count(), VerifiedAnswer.objects.count(), AssessmentEvent.objects.count()) == counts
