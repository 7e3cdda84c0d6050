"""The results dashboards: figures from stored results, filters, who sees which province, and
a query count that does not grow with the number of organizations."""

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import Assessment, Round
from organizations.models import Organization
from results.charts import Banding
from results.dashboard import Filters, build_dashboard
from results.models import OVERALL, Result
from tests.assessments.factories import AssessmentFactory, DimensionFactory, RoundFactory
from tests.factories import OrganizationFactory, district, province, user_with_role
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

Status = Assessment.Status
SAO, TOWN = Organization.Type.SAO, Organization.Type.TOWN_MUNICIPALITY


def head_of(organization):
    return user_with_role(Role.Kind.ORG_HEAD, organization=organization)


def assessment_with(
    round, *, status: str, overall, dimensions=(), band="", passed=None, place="", type="", organization=None
):
    """An assessment with stored results: `overall` and each of `dimensions` are (self %, verified %).

    A new organization in district `place` of `type`, or `organization`'s (another year's).
    """
    organization = organization or OrganizationFactory(district=district(place), type=type)
    sent = {} if status == Status.DRAFT else {"submitted_at": timezone.now(), "submitted_by": head_of(organization)}
    assessment = AssessmentFactory(round=round, organization=organization, status=status, **sent)
    rows = [(OVERALL, overall, band, passed), *((n, pair, "", None) for n, pair in enumerate(dimensions, start=1))]
    Result.objects.bulk_create(
        Result(
            assessment=assessment,
            dimension=number,
            self_points=Decimal(own),
            self_full_marks=100,
            self_percent=Decimal(own),
            verified_points=Decimal(checked or 0),
            verified_full_marks=100,
            verified_percent=None if checked is None else Decimal(checked),
            verified_band=band,
            verified_passed=passed,
        )
        for number, (own, checked), band, passed in rows
    )
    return assessment


@pytest.fixture
def country():
    """Three reviewed assessments (two in กระบี่, one in ชลบุรี), one in review, one draft.

    Overall (self %, verified %): A 90/80 ดีมาก, B 70/60 fail, C 95/95 ดีเด่น; dimension 1:
    100/80, 60/50, 95/95; dimension 2: 80/80, 80/70, 95/95. D is partly verified (10%): in
    review, so it does not count.
    """
    round = RoundFactory(phase=Round.Phase.REVIEW)
    DimensionFactory(round=round, number=1, name="การบริหารจัดการ")
    DimensionFactory(round=round, number=2, name="การบริหารงานบุคคล")
    a = assessment_with(
        round, place="8101", type=SAO, status=Status.APPROVED, overall=(90, 80), dimensions=[(100, 80), (80, 80)],
        band="ดีมาก", passed=True,
    )
    b = assessment_with(
        round, place="8102", type=TOWN, status=Status.VERIFIED, overall=(70, 60), dimensions=[(60, 50), (80, 70)],
        band="ไม่ผ่านเกณฑ์", passed=False,
    )
    c = assessment_with(
        round, place="2001", type=SAO, status=Status.PUBLISHED, overall=(95, 95), dimensions=[(95, 95), (95, 95)],
        band="ดีเด่น", passed=True,
    )
    d = assessment_with(
        round, place="2001", type=SAO, status=Status.IN_REVIEW, overall=(50, 10), dimensions=[(50, 10), (50, 10)],
        band="ไม่ผ่านเกณฑ์", passed=False,
    )
    e = assessment_with(
        round, place="8101", type=SAO, status=Status.DRAFT, overall=(0, None), dimensions=[(0, None)] * 2
    )
    return round, {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_a_mean_of_percentages_is_the_exact_mean_rounded_once():
    # 70.00 and 70.01: the exact mean is 70.005, reported 70.01 and held as that figure, so the
    # page, the workbook and the PDF print the same; the country's 3 pass 2 of 3: 66.67.
    round = RoundFactory(phase=Round.Phase.REVIEW)
    DimensionFactory(round=round, number=1, name="การบริหารจัดการ")
    for place, percent, passed in (("8101", "70.00", True), ("8102", "70.01", True)):
        assessment_with(round, place=place, type=SAO, status=Status.APPROVED, overall=(percent, percent),
                        dimensions=[(percent, percent)], band="ดี", passed=passed)
    assessment_with(round, place="2001", type=SAO, status=Status.APPROVED, overall=("69.99", "69.99"),
                    dimensions=[("69.99", "69.99")], band="ไม่ผ่านเกณฑ์", passed=False)
    board = build_dashboard(round, Filters(), provinces=[province("20"), province("81")])
    krabi = by_code(board.provinces)["81"].results
    assert (krabi.mean_verified, krabi.mean_self, krabi.gap, krabi.pass_rate) == (
        Decimal("70.01"), Decimal("70.01"), 0, 100
    )
    assert (board.overall.mean_verified, board.overall.pass_rate) == (Decimal("70.00"), Decimal("66.67"))


def by_code(rows):
    return {row.province.code: row for row in rows}


def test_national_figures_equal_the_hand_computed_case(country):
    round, _ = country
    board = build_dashboard(round, Filters(), provinces=[province("20"), province("81")])

    assert board.progress.total == 5
    assert (board.progress.submitted, board.progress.in_review, board.progress.approved, board.progress.published) == (
        4,
        1,
        2,
        1,
    )
    overall = board.overall
    assert overall.count == 3
    assert overall.mean_verified == Decimal("78.33")  # (80 + 60 + 95) / 3 = 78.333…, rounded once
    assert overall.mean_self == 85
    assert overall.passed == 2
    assert overall.pass_rate == Decimal("66.67")  # 2 of 3

    dimensions = {row.number: row.results for row in board.dimensions}
    assert (dimensions[1].mean_verified, dimensions[1].mean_self, dimensions[1].gap) == (75, 85, 10)
    assert dimensions[2].mean_verified == Decimal("81.67")
    assert dimensions[2].passed is None  # pass and fail are on the overall score only
    assert [row.number for row in board.dimension_gaps] == [1, 2]

    types = {row.org_type: row.results for row in board.types}
    assert (types[SAO].count, types[SAO].mean_verified, types[SAO].pass_rate) == (2, Decimal("87.5"), 100)
    assert (types[TOWN].count, types[TOWN].mean_verified, types[TOWN].pass_rate) == (1, 60, 0)

    bands = [(row.label, row.count) for row in board.bands]
    assert bands == [("ดีเด่น", 1), ("ดีมาก", 1), ("ดี", 0), ("ไม่ผ่านเกณฑ์", 1)]

    provinces = by_code(board.provinces)
    krabi, chonburi = provinces["81"], provinces["20"]
    progress = krabi.progress
    assert (progress.total, progress.submitted, progress.approved, progress.published) == (3, 2, 1, 0)
    assert (chonburi.progress.total, chonburi.progress.in_review, chonburi.progress.published) == (2, 1, 1)
    results = krabi.results
    assert (results.count, results.mean_verified, results.gap, results.pass_rate) == (2, 70, 10, 50)
    assert (chonburi.results.count, chonburi.results.mean_verified, chonburi.results.gap) == (1, 95, 0)
    assert [row.province.code for row in board.province_gaps] == ["81", "20"]


def test_filters_narrow_every_figure(country):
    round, _ = country
    towns = build_dashboard(round, Filters(org_type=TOWN), provinces=[province("81")])
    assert (towns.progress.total, towns.overall.count, towns.overall.mean_verified) == (1, 1, 60)
    approved = build_dashboard(round, Filters(status=Status.APPROVED), provinces=[])
    assert (approved.progress.total, approved.overall.count, approved.overall.mean_verified) == (1, 1, 80)
    chonburi = build_dashboard(round, Filters(province=province("20")))
    assert (chonburi.progress.total, chonburi.overall.count, chonburi.overall.mean_verified) == (2, 1, 95)
    assert chonburi.provinces == []


@pytest.fixture
def department():
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


def dashboard_url(round, query: str = "") -> str:
    return reverse("results:dashboard", args=[round.year]) + query


def province_url(round, code: str, query: str = "") -> str:
    return reverse("results:province_dashboard", args=[round.year, code]) + query


def test_department_sees_the_country_with_links_to_provinces(client, country, department):
    round, _ = country
    client.force_login(department)
    response = client.get(dashboard_url(round))
    assert response.status_code == 200
    html = response.content.decode()
    assert province_url(round, "81") in html
    assert 'data-overall-mean>78.33<' in html
    assert 'data-overall-pass-rate>66.67%' in html
    # Charts are inline SVG with a name, each beside a table: four (the provinces' mean and pass
    # rate in one ranked chart), and the distribution of scores overall and per dimension (no
    # year-over-year: there is no previous round).
    # Each drawn twice: for a screen and, shown instead below 576 px, for a phone.
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 2 * (4 + 3)
    assert 'role="img" aria-label="ร้อยละเฉลี่ยของผลการตรวจประเมิน รายจังหวัด เรียงจากมากไปน้อย' in html


def test_department_filters_by_province_type_and_status(client, country, department):
    round, _ = country
    client.force_login(department)
    response = client.get(dashboard_url(round, "?province=20&org_type=sao&status="))
    board = response.context["dashboard"]
    assert [row.province.code for row in board.provinces] == ["20"]
    assert (board.progress.total, board.overall.count) == (2, 1)
    response = client.get(dashboard_url(round, "?status=verified"))
    assert response.context["dashboard"].overall.mean_verified == 60


@pytest.mark.parametrize("query", ["?province=99", "?org_type=bogus", "?status=closed", "?province=<b>&status=x"])
def test_invalid_filters_show_everything_with_a_thai_message(client, country, department, query):
    round, _ = country
    client.force_login(department)
    response = client.get(dashboard_url(round, query))
    assert response.status_code == 200
    assert "ตัวกรองบางค่าไม่ถูกต้อง" in response.content.decode()
    assert response.context["dashboard"].progress.total == 5


def test_invalid_filter_on_the_province_page_gives_a_message(client, country):
    round, _ = country
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    response = client.get(province_url(round, "81", "?org_type=city-hall"))
    assert response.status_code == 200
    assert "ตัวกรองบางค่าไม่ถูกต้อง" in response.content.decode()


def test_provincial_office_is_sent_to_its_own_province(client, country):
    round, _ = country
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    response = client.get(dashboard_url(round))
    assert response.status_code == 302
    assert response["Location"] == province_url(round, "81")


def test_province_page_lists_its_organizations_with_links_to_their_review(client, country):
    round, cases = country
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    response = client.get(province_url(round, "81"))
    assert response.status_code == 200
    rows = {a.organization.code: a for a in response.context["assessments"]}
    assert set(rows) == {cases[k].organization.code for k in "abe"}
    a = rows[cases["a"].organization.code]
    assert (a.self_percent, a.verified_percent, a.verified_band) == (90, 80, "ดีมาก")
    assert rows[cases["e"].organization.code].verified_percent is None
    html = response.content.decode()
    assert reverse("reviews:review_detail", args=[cases["a"].pk]) in html
    assert cases["c"].organization.code not in html
    board = response.context["dashboard"]
    assert (board.overall.count, board.overall.mean_verified, board.overall.pass_rate) == (2, 70, 50)


def test_province_page_filters_its_organizations(client, country, department):
    round, cases = country
    client.force_login(department)
    response = client.get(province_url(round, "81", "?org_type=town"))
    assert [a.pk for a in response.context["assessments"]] == [cases["b"].pk]


@pytest.mark.parametrize(
    "kind", [Role.Kind.PROVINCIAL_ADMIN, Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_HEAD, Role.Kind.ORG_STAFF]
)
def test_outsiders_get_404_for_a_province(client, country, kind):
    round, cases = country
    if kind in Role.PROVINCE_KINDS:
        # Another province's office; an assessor even of กระบี่.
        user = user_with_role(kind, province=province("20" if kind == Role.Kind.PROVINCIAL_ADMIN else "81"))
    else:
        user = user_with_role(kind, organization=cases["a"].organization)
    client.force_login(user)
    assert client.get(province_url(round, "81")).status_code == 404


@pytest.mark.parametrize("kind", [Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_HEAD, Role.Kind.ORG_STAFF])
def test_assessors_and_organizations_get_404_for_the_country(client, country, kind):
    round, cases = country
    user = (
        user_with_role(kind, province=province("81"))
        if kind in Role.PROVINCE_KINDS
        else user_with_role(kind, organization=cases["a"].organization)
    )
    client.force_login(user)
    assert client.get(dashboard_url(round)).status_code == 404


def test_unknown_province_gets_404(client, country, department):
    round, _ = country
    client.force_login(department)
    assert client.get(province_url(round, "00")).status_code == 404


# Query counts: the same for 2 and 8 organizations.


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# The figures (13 each before year-over-year), the opened rounds for the year switcher (1), the
# distribution of scores (1) and last year's results by dimension (1) and, on the national
# page, by province (1); a province's organizations read last year's % in their own query.
NATIONAL_QUERIES = 17
PROVINCE_QUERIES = 16
# The workbooks: the same, without the page's count of unread notifications.
WORKBOOK_QUERIES = {"national": NATIONAL_QUERIES - 1, "province": PROVINCE_QUERIES - 1}


@pytest.mark.parametrize("organizations", [2, 8])
def test_query_counts_do_not_grow_with_organizations(client, department, organizations):
    last_year = RoundFactory(phase=Round.Phase.CLOSED)
    round = RoundFactory(year=last_year.year + 1, phase=Round.Phase.REVIEW)
    for year in (last_year, round):
        DimensionFactory(round=year, number=1)
    statuses = [Status.APPROVED, Status.VERIFIED, Status.DRAFT, Status.PUBLISHED]
    for n in range(organizations):
        before = assessment_with(
            last_year,
            place=("8101", "2001")[n % 2],
            type=(SAO, TOWN)[n % 2],
            status=Status.PUBLISHED,
            overall=(80, 60 + n),
            dimensions=[(80, 60 + n)],
            band="ไม่ผ่านเกณฑ์",
            passed=False,
        )
        assessment_with(
            round,
            organization=before.organization,
            status=statuses[n % 4],
            overall=(80, 70 + n),
            dimensions=[(80, 70 + n)],
            band="ดี",
            passed=True,
        )
    client.force_login(department)
    # The first view compares the two years' frameworks (six queries) and keeps the answer
    # under their framework versions; the pins are for every view after it.
    client.get(dashboard_url(round))
    assert queries_for(client, dashboard_url(round)) == NATIONAL_QUERIES
    assert queries_for(client, province_url(round, "81")) == PROVINCE_QUERIES
    workbook = reverse("results:dashboard_workbook", args=[round.year])
    assert queries_for(client, workbook) == WORKBOOK_QUERIES["national"]
    workbook = reverse("results:province_dashboard_workbook", args=[round.year, "81"])
    assert queries_for(client, workbook) == WORKBOOK_QUERIES["province"]


# End to end: a review through the workflow, then the dashboard.


def test_a_verified_review_shows_on_the_dashboard(client):
    case = submitted_for_review()
    case.verified()
    stored = Result.objects.overall().get(assessment=case.assessment)
    # 18 of 20 claimed (the organization's own N/A claim is out of its full marks); 18 of 20 verified.
    assert (stored.self_percent, stored.verified_percent) == (Decimal("90.00"), Decimal("90.00"))
    client.force_login(case.department)
    response = client.get(dashboard_url(case.round))
    board = response.context["dashboard"]
    assert (board.overall.count, board.overall.mean_verified, board.overall.mean_self) == (1, 90, 90)
    assert by_code(board.provinces)["81"].progress.counts == {Status.VERIFIED: 1}
    assert board.dimensions[0].results.gap == 0
    client.force_login(case.office)
    response = client.get(province_url(case.round, "81"))
    assert reverse("reviews:review_detail", args=[case.assessment.pk]) in response.content.decode()


# The progress cards and the tables beside them count "sent" one way (issue 14: a card said
# "ส่งผลประเมินตนเองแล้ว 5" beside a table saying 1).


def progress_figures(html: str) -> dict[str, int]:
    """The page's progress: each card, the status table's cells by status and its group heads."""
    number = lambda text: int(re.sub(r"\D", "", text))  # noqa: E731
    cards = {key: number(value) for key, value in re.findall(r'data-progress="(\w+)">([^<]+)<', html)}
    statuses = {key: number(value) for key, value in re.findall(r'<td[^>]*data-status="(\w+)"[^>]*>([^<]+)<', html)}
    stages = {key: number(value) for key, value in re.findall(r'data-stage="(\w+)"[^>]*>[^<]*<span[^>]*>([^<]+)<', html)}
    return {"cards": cards, "statuses": statuses, "stages": stages}


def test_the_sent_card_equals_the_statuses_the_table_groups_under_it(client, country, department):
    round, _ = country
    # Sent, then returned for changes: it was sent, and it is in review's loop.
    returned = assessment_with(round, place="8101", type=SAO, status=Status.SUBMITTED, overall=(50, None))
    Assessment.objects.filter(pk=returned.pk).update(status=Status.RETURNED, revision=1)
    client.force_login(department)
    for url in (dashboard_url(round), province_url(round, "81")):
        html = client.get(url).content.decode()
        figures = progress_figures(html)
        cards, statuses, stages = figures["cards"], figures["statuses"], figures["stages"]
        sent = [status for status in statuses if status != Status.DRAFT]
        assert cards["submitted"] == stages["sent"] == sum(statuses[status] for status in sent), url
        assert stages["not_sent"] == statuses[Status.DRAFT]
        assert cards["total"] == stages["sent"] + stages["not_sent"]
        # Every assessment in review's loop (the returned one included) was sent.
        assert cards["in_review"] <= cards["submitted"]
    html = client.get(dashboard_url(round)).content.decode()
    assert progress_figures(html)["cards"]["submitted"] == 5
    # The table by province counts the same "sent", under the same words.
    table = html.split('data-table="province-progress"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-province="\d+">.*?</tr>', table, re.DOTALL)
    sent_by_province = [int(re.findall(r'<td class="text-end">([\d,]+)</td>', row)[1]) for row in rows]
    assert sum(sent_by_province) == 5
    assert "ส่งผลประเมินตนเองแล้ว</th>" in table.split("</thead>")[0]


# The charts (issue 14): each named above it, coloured by band with a legend, the pass mark
# drawn, self-assessed beside verified, a ranked province chart, a histogram of everyone.

SVG = "{http://www.w3.org/2000/svg}"


def chart(html: str, name: str) -> tuple[str, ElementTree.Element]:
    """The caption and the SVG of the page's figure data-chart=`name`."""
    figure = re.search(rf'<figure[^>]*data-chart="{name}"[^>]*>(.*?)</figure>', html, re.DOTALL).group(1)
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", figure, re.DOTALL).group(1).strip()
    # The first drawing: the screen's (the phone's follows it).
    return caption, ElementTree.fromstring(re.search(r"<svg.*?</svg>", figure, re.DOTALL).group(0))


def texts(svg: ElementTree.Element, css: str) -> list[str]:
    return ["".join(e.itertext()) for e in svg.iter() if css in (e.get("class") or "").split()]


def fills(svg: ElementTree.Element) -> list[str]:
    return [e.get("fill") for e in svg.iter() if "bar" in (e.get("class") or "").split()]


def test_the_national_charts_answer_the_departments_questions_at_a_glance(client, country, department):
    round, _ = country
    client.force_login(department)
    html = client.get(dashboard_url(round)).content.decode()
    banding = Banding(pass_mark=round.pass_mark, bands=tuple(round.band_specs()))

    # One ranked province chart: its rank and name, the mean and how many passed, by band.
    caption, svg = chart(html, "provinces")
    assert caption
    assert texts(svg, "label") == ["1. ชลบุรี", "2. กระบี่"]
    assert texts(svg, "value") == ["95.00% ผ่าน 1 จาก 1 แห่ง", "70.00% ผ่าน 1 จาก 2 แห่ง"]
    assert fills(svg) == [banding.colour(95), banding.colour(70)]
    assert texts(svg, "pass-mark") and "ดีเด่น (90–100)" in texts(svg, "legend-entry")
    assert 'data-chart="pass_rates"' not in html

    # Self-assessed beside verified, each dimension by its whole name.
    _caption, svg = chart(html, "dimensions")
    assert texts(svg, "label") == ["1. การบริหารจัดการ", "2. การบริหารงานบุคคล"]
    assert texts(svg, "value")[:2] == ["ประเมินตนเอง 85.00%", "ผลการตรวจ 75.00%"]
    assert {"ประเมินตนเอง", "ผลการตรวจ", "เกณฑ์ผ่าน ร้อยละ 70"} <= set(texts(svg, "legend-entry"))
    assert len(set(fills(svg))) > 1

    # The distribution of overall %: every organization with a result, once.
    _caption, svg = chart(html, "overall_distribution")
    counts = [int(text) for text in texts(svg, "count")]
    assert sum(counts) == 3 == int(re.search(r"data-overall-count>(\d+)<", html).group(1))
    assert texts(svg, "pass-mark")

    # Every chart of the page has its title above it.
    figures = re.findall(r"<figure[^>]*>(.*?)</figure>", html, re.DOTALL)
    assert figures and all(re.search(r"<figcaption[^>]*>\s*\S", figure) for figure in figures)


def test_the_province_page_ranks_nothing_but_shows_the_same_figures(client, country, department):
    round, _ = country
    client.force_login(department)
    html = client.get(province_url(round, "81")).content.decode()
    assert 'data-chart="provinces"' not in html
    _caption, svg = chart(html, "overall_distribution")
    assert sum(int(text) for text in texts(svg, "count")) == 2
    _caption, svg = chart(html, "types")
    assert set(texts(svg, "label")) == {str(Organization.Type(TOWN).label), str(Organization.Type(SAO).label)}
    assert all("ผ่าน" in value for value in texts(svg, "value"))
