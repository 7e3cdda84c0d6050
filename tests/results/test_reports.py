"""The provincial report and the national summary as PDFs: the numbers printed are the scoring
engine's and the stored results', the fonts are Sarabun only, who may download which, and a
number of queries that does not grow with the organizations."""

import io
import re
import subprocess
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import Assessment, Round
from organizations.models import Organization
from results.dashboard import distribution_labels
from results.models import OVERALL, Result
from results.reports import (
    NATIONAL_TEMPLATE,
    PROVINCE_TEMPLATE,
    bin_of,
    national_report_context,
    province_report_context,
    render_national_report_pdf,
    render_province_report_pdf,
)
from reviews.workflow import verified_score, verify
from tests.assessments.factories import AssessmentFactory, DimensionFactory, RoundFactory
from tests.factories import OrganizationFactory, district, province, user_with_role
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

Status = Assessment.Status
CENT = Decimal("0.01")


def pdf_text(content: bytes) -> str:
    """The text in the order it is drawn, a table row on a line (-layout would move Thai marks
    of bold text to a line of their own)."""
    done = subprocess.run(["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


def pdf_fonts(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    # Skip the two header lines; a font's name is its first column ("ABCDEF+Sarabun-Bold").
    return [line.split()[0] for line in done.stdout.splitlines()[2:] if line.strip()]


def two_places(value: Decimal) -> str:
    """As the reports print a percentage or points: 2 places, half up, thousands separated."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def line_of(text: str, code: str, after: str = "") -> str:
    """The first line of `text` (after the first `after`) that names organization `code`."""
    start = text.index(after) if after else 0
    return next(line for line in text[start:].splitlines() if code in line)


@pytest.fixture
def reviewed():
    """In กระบี่: A verified as claimed (18 of 20), B verified with 1.1 marked down, C submitted
    and not yet reviewed; in ชลบุรี: D verified as claimed. All with the engine's stored results."""
    a = submitted_for_review()
    a.verified()
    b = submitted_for_review(a.round)
    b.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    b.score("1.1", {"level": b.option("1.1", 2).pk, "reason": "หลักฐานไม่ครบ"})
    verify(assessment=b.assessment, by=b.team.lead)
    c = submitted_for_review(a.round)
    d = submitted_for_review(a.round, district=district("2001"))
    d.verified()
    return {"a": a, "b": b, "c": c, "d": d}


def stored_overall(case) -> Result:
    return Result.objects.get(assessment=case.assessment, dimension=OVERALL)


# The numbers.


def test_province_report_prints_each_organizations_engine_score_and_the_province_figures(reviewed, tmp_path):
    a, b, c = reviewed["a"], reviewed["b"], reviewed["c"]
    scores = {key: verified_score(reviewed[key].reload()) for key in "ab"}
    assert (scores["a"].points, scores["a"].full_marks) == (18, 20)
    assert scores["b"].percent < scores["a"].percent
    steps = []
    pdf = render_province_report_pdf(a.round, province("81"), progress=lambda done, total: steps.append((done, total)))
    text = pdf_text(pdf)

    assert steps == [(1, 3), (2, 3), (3, 3)]
    assert "จังหวัด กระบี่ (81)" in text and f"ปีการประเมิน (พ.ศ.) {a.round.year}" in text
    assert "ชลบุรี" not in text and reviewed["d"].assessment.organization.code not in text
    # The table of every organization: its verified points, full marks, % and band, from the engine.
    everyone = "ผลการประเมินของ อปท. ทุกแห่งในจังหวัด"
    for key in "ab":
        score, code = scores[key], reviewed[key].assessment.organization.code
        points = f"{two_places(score.points)} / {two_places(score.full_marks)}"
        assert f"{points} {two_places(score.percent)} {score.band}" in line_of(text, code, everyone), key
        # …and its dimension's in the dimension's table.
        dimension = score.dimension(1)
        numbers = f"{two_places(dimension.points)} / {two_places(dimension.full_marks)} {two_places(dimension.percent)}"
        assert numbers in line_of(text, code, "ผลการตรวจประเมินด้านที่ 1 ของแต่ละ")
    # The dimension's table ranks A (90%) before B.
    ranked = text[text.index("ผลการตรวจประเมินด้านที่ 1 ของแต่ละ") :]
    assert ranked.index(a.assessment.organization.code) < ranked.index(b.assessment.organization.code)
    # C is listed, not yet reviewed, with its status.
    pending = line_of(text, c.assessment.organization.code, everyone)
    assert "ยังตรวจประเมินไม่เสร็จ" in pending and "ส่งผลการประเมินตนเองแล้ว" in pending
    assert "อีก 1 แห่งยังตรวจประเมินไม่เสร็จ" in ranked

    # The province: the mean of the stored (4-place) percentages, the pass rate.
    stored = [stored_overall(reviewed[key]).verified_percent for key in "ab"]
    assert re.search(rf"ร้อยละเฉลี่ย \(ผลการตรวจ\)\s+{two_places(sum(stored) / 2)}\n", text)
    passed = sum(scores[key].passed for key in "ab")
    assert re.search(rf"อัตราการผ่านเกณฑ์ \(%\)\s+{two_places(Decimal(passed * 100) / 2)}\n", text)
    assert re.search(r"อปท\. ที่มีผลการตรวจประเมิน\s+2 แห่ง", text)
    # The band chart's legend is SVG text, extracted as Thai.
    assert f"{scores['a'].band}: 1 (50.00%)" in text

    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(name.split("+")[-1].startswith("Sarabun") for name in fonts), fonts


def reading_order_text(content: bytes) -> str:
    """pdftotext as a person copying from a viewer gets it: reading order rebuilt from positions."""
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_province_report_text_holds_every_name_and_heading_as_written(reviewed):
    # Names full of tone marks and upper and lower vowels, which used to come out reordered
    # ("ผา่ น", "ร้อยละเฉลีย่").
    names = {"a": "บ้านไร่ผู้ใหญ่", "b": "ท่าน้ำฝั่งซ้าย", "c": "ศรีสุนทรปู่ย่า"}
    for key, name in names.items():
        Organization.objects.filter(pk=reviewed[key].assessment.organization_id).update(name=name)
    text = reading_order_text(render_province_report_pdf(reviewed["a"].round, province("81")))
    # A long name may wrap inside its table cell: compared without the line breaks.
    joined = "".join(text.split())
    for name in names.values():
        assert f"อบต.{name}" in joined, name  # as the tables print it: short type and name
    for heading in (
        "รายงานผลการประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น จังหวัดกระบี่",
        "ผลการประเมินของ อปท. ทุกแห่งในจังหวัด",
        "ร้อยละเฉลี่ย (ผลการตรวจ)",
        "ร้อยละเฉลี่ย (ประเมินตนเอง)",
        "อัตราการผ่านเกณฑ์",
        "ยังตรวจประเมินไม่เสร็จ",
    ):
        assert "".join(heading.split()) in joined, heading
    assert "ผา่ น" not in text and "เฉลีย่" not in text


def test_national_summary_prints_each_provinces_figures_and_the_country(reviewed, tmp_path):
    a, d = reviewed["a"], reviewed["d"]
    pdf = render_national_report_pdf(a.round)
    text = pdf_text(pdf)

    krabi = [stored_overall(reviewed[key]) for key in "ab"]
    mean = sum(row.verified_percent for row in krabi) / 2
    own = sum(row.self_percent for row in krabi) / 2
    passed = sum(row.verified_passed for row in krabi)
    results = text[text.index("ผลการตรวจประเมินของแต่ละจังหวัด") :]
    assert re.search(
        rf"81\s+กระบี่\s+2\s+{two_places(mean)}\s+{two_places(own)}\s+{two_places(own - mean)}\s+{passed}\s+"
        rf"{two_places(Decimal(passed * 100) / 2)}",
        results,
    )
    chonburi = stored_overall(d)
    assert re.search(rf"20\s+ชลบุรี\s+1\s+{two_places(chonburi.verified_percent)}", results)
    assert re.search(r"\n\s*10\s+กรุงเทพมหานคร", results) is None  # Bangkok is not assessed
    # Progress per province: กระบี่ has 3 assessments, 2 reviewed to the end (66.67%).
    progress = text[text.index("จำนวนแบบประเมินของแต่ละจังหวัด") :]
    assert re.search(r"81\s+กระบี่\s+3\s+3\s+1\s+2\s+66\.67", progress)
    # The country: three organizations with results, and their mean.
    country = [stored_overall(reviewed[key]).verified_percent for key in "abd"]
    assert re.search(rf"ร้อยละเฉลี่ย \(ผลการตรวจ\)\s+{two_places(sum(country) / 3)}\n", text)
    # The distribution table: every result in its range, the total equal to the count.
    distribution = text[text.index("ภาพรวมและรายด้าน\n") :]
    assert re.search(r"รวม 3 3", distribution)
    for index, n in Counter(bin_of(percent) for percent in country).items():
        assert re.search(rf"\n{distribution_labels()[index]} {n} ", distribution), index

    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(name.split("+")[-1].startswith("Sarabun") for name in fonts), fonts


# Who downloads which.


def national_url(round) -> str:
    return reverse("results:national_report_pdf", args=[round.year])


def province_url(round, code: str) -> str:
    return reverse("results:province_report_pdf", args=[round.year, code])


def test_department_is_offered_the_national_summary_and_downloads_any_provinces_report(client, reviewed):
    a = reviewed["a"]
    client.force_login(a.department)
    response = client.get(national_url(a.round))
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert f'action="{reverse("exports:create")}"' in html and 'name="kind" value="national_report"' in html
    response = client.get(province_url(a.round, "20"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="lpa-report-{a.round.year}-20.pdf"'
    assert reviewed["d"].assessment.organization.code in pdf_text(response.content)


def test_provincial_office_downloads_its_own_provinces_report_only(client, reviewed):
    a = reviewed["a"]
    client.force_login(a.office)
    response = client.get(province_url(a.round, "81"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(province_url(a.round, "20")).status_code == 404
    assert client.get(national_url(a.round)).status_code == 404


def test_a_large_provinces_report_is_offered_as_a_background_export(client, reviewed, monkeypatch):
    a = reviewed["a"]
    monkeypatch.setattr("results.views.reports.IMMEDIATE_ORGANIZATIONS", 0)
    client.force_login(a.office)
    html = client.get(province_url(a.round, "81")).content.decode()
    assert 'name="kind" value="province_report"' in html and 'name="province" value="81"' in html


@pytest.mark.parametrize("kind", [Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_HEAD, Role.Kind.ORG_STAFF])
def test_assessors_and_organizations_get_404_for_both_reports(client, reviewed, kind):
    a = reviewed["a"]
    user = (
        user_with_role(kind, province=province("81"))
        if kind in Role.PROVINCE_KINDS
        else user_with_role(kind, organization=a.assessment.organization)
    )
    client.force_login(user)
    assert client.get(province_url(a.round, "81")).status_code == 404
    assert client.get(national_url(a.round)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, reviewed):
    a = reviewed["a"]
    for url in (national_url(a.round), province_url(a.round, "81")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_year_or_province_gets_404(client, reviewed):
    a = reviewed["a"]
    client.force_login(a.department)
    assert client.get(reverse("results:national_report_pdf", args=[1999])).status_code == 404
    assert client.get(reverse("results:province_report_pdf", args=[1999, "81"])).status_code == 404
    assert client.get(province_url(a.round, "00")).status_code == 404
    assert client.get(province_url(a.round, "<b>")).status_code == 404


# Queries: the same for 2 and 8 organizations.


def with_results(round, *, place: str, status: str, verified: int, dimensions: dict[int, tuple] | None = None):
    """An assessment with stored results: overall verified at `verified` % of 100 points, and
    each of `dimensions` as {number: (verified points, full marks)} (dimension 1 as overall
    when none is given)."""
    organization = OrganizationFactory(district=district(place), type=Organization.Type.SAO)
    head = user_with_role(Role.Kind.ORG_HEAD, organization=organization)
    assessment = AssessmentFactory(
        round=round, organization=organization, status=status, submitted_at=timezone.now(), submitted_by=head
    )
    rows = {OVERALL: (verified, 100), **(dimensions or {1: (verified, 100)})}
    Result.objects.bulk_create(
        Result(
            assessment=assessment,
            dimension=number,
            self_points=full,
            self_full_marks=full,
            self_percent=100,
            verified_points=points,
            verified_full_marks=full,
            verified_percent=Decimal(points) * 100 / full,
            verified_band="ดี" if number == OVERALL else "",
            verified_passed=True if number == OVERALL else None,
        )
        for number, (points, full) in rows.items()
    )
    return assessment


def test_each_dimensions_table_prints_that_dimensions_stored_points():
    round = RoundFactory(phase=Round.Phase.REVIEW)
    DimensionFactory(round=round, number=1, name="การบริหารจัดการ")
    DimensionFactory(round=round, number=2, name="ธรรมาภิบาล")
    first = with_results(
        round, place="8101", status=Status.APPROVED, verified=75, dimensions={1: (30, 40), 2: (45, 60)}
    )
    second = with_results(
        round, place="8102", status=Status.VERIFIED, verified=80, dimensions={1: (36, 40), 2: (44, 60)}
    )
    first, second = first.organization.code, second.organization.code
    text = pdf_text(render_province_report_pdf(Round.objects.get(pk=round.pk), province("81")))

    one = text[text.index("ผลการตรวจประเมินด้านที่ 1 ของแต่ละ") : text.index("ผลการตรวจประเมินด้านที่ 2 ของแต่ละ")]
    two = text[text.index("ผลการตรวจประเมินด้านที่ 2 ของแต่ละ") :]
    assert "36.00 / 40.00 90.00" in line_of(one, second) and "30.00 / 40.00 75.00" in line_of(one, first)
    assert one.index(second) < one.index(first)  # ranked by the dimension's %
    assert "45.00 / 60.00 75.00" in line_of(two, first) and "44.00 / 60.00 73.33" in line_of(two, second)
    assert two.index(first) < two.index(second)
    # Means per dimension (82.50 and 74.17) and the table of all: overall then each dimension's %.
    assert re.search(r"1\. การบริหารจัดการ 2 100\.00 82\.50 17\.50", text)
    assert re.search(r"2\. ธรรมาภิบาล 2 100\.00 74\.17 25\.83", text)
    everyone = text[text.index("ผลการประเมินของ อปท. ทุกแห่งในจังหวัด") :]
    assert "75.00 / 100.00 75.00 ดี ผ่าน 75.00 75.00" in line_of(everyone, first)
    assert "อบต.ทดสอบ" in line_of(everyone, first)  # the name with its type


PROVINCE_QUERIES = 8
NATIONAL_QUERIES = 9


@pytest.mark.parametrize("organizations", [2, 8])
def test_context_queries_do_not_grow_with_organizations(organizations):
    round = RoundFactory(phase=Round.Phase.REVIEW)
    DimensionFactory(round=round, number=1)
    statuses = [Status.APPROVED, Status.VERIFIED, Status.SUBMITTED, Status.PUBLISHED]
    for n in range(organizations):
        with_results(round, place=("8101", "8102")[n % 2], status=statuses[n % 4], verified=70 + n)
    krabi = province("81")
    round = Round.objects.get(pk=round.pk)
    with CaptureQueriesContext(connection) as queries:
        context = province_report_context(round, krabi)
    assert len(queries) == PROVINCE_QUERIES
    assert len(context["organizations"]) == organizations
    with CaptureQueriesContext(connection) as queries:
        render_to_string(PROVINCE_TEMPLATE, context)
    assert len(queries) == 0  # nothing asked of the database from the template
    with CaptureQueriesContext(connection) as queries:
        context = national_report_context(round)
        render_to_string(NATIONAL_TEMPLATE, context)
    assert len(queries) == NATIONAL_QUERIES


def test_a_round_without_results_prints_both_reports_saying_so():
    round = RoundFactory(phase=Round.Phase.REVIEW)
    DimensionFactory(round=round, number=1)
    province_text = pdf_text(render_province_report_pdf(round, province("81")))
    assert "ยังไม่มี อปท. ที่มีผลการตรวจประเมินด้านนี้" in province_text
    assert "ไม่มี อปท. ในจังหวัดนี้" in province_text
    national_text = pdf_text(render_national_report_pdf(round))
    assert "ยังไม่มีผลการตรวจประเมิน" in national_text
    assert re.search(r"รวมทั้งประเทศ 0 0 0 0 – 0 0", national_text)


@pytest.mark.parametrize(
    "percent, label",
    [("0", "ต่ำกว่า 50"), ("49.9999", "ต่ำกว่า 50"), ("50", "50–59.99"), ("89.995", "80–89.99"), ("90", "90–100"), ("100", "90–100")],
)
def test_reports_count_scores_in_the_dashboards_ranges(percent, label):
    assert distribution_labels()[bin_of(Decimal(percent))] == label


def test_command_prints_a_provinces_report_or_the_national_summary(reviewed, tmp_path):
    a = reviewed["a"]
    for name, extra, expected in (("krabi.pdf", ["--province", "81"], "กระบี่"), ("country.pdf", [], "ชลบุรี")):
        out = io.StringIO()
        call_command("export_report", str(a.round.year), str(tmp_path / name), *extra, stdout=out)
        assert "peak memory" in out.getvalue()
        assert expected in pdf_text((tmp_path / name).read_bytes())


def test_command_refuses_an_unknown_year_or_province(reviewed, tmp_path):
    with pytest.raises(CommandError, match="No round for 1999"):
        call_command("export_report", "1999", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="No province with code 99"):
        call_command("export_report", str(reviewed["a"].round.year), str(tmp_path / "x.pdf"), "--province", "99")
    assert not (tmp_path / "x.pdf").exists()


# The charts print as the pages draw them (issue 14): a legend of the bands, the pass mark
# named, self-assessed beside verified by name, provinces ranked, and a histogram of everyone.


def test_the_national_summarys_charts_print_their_legends_and_labels(reviewed):
    round = reviewed["a"].round
    context = national_report_context(round)
    text = pdf_text(render_national_report_pdf(round))
    for words in ("ดีเด่น (90–100)", "ดีมาก (80–89.99)", "ไม่ผ่านเกณฑ์ (ต่ำกว่า 70)", "เกณฑ์ผ่าน ร้อยละ 70"):
        assert words in text, words
    board = context["dashboard"]
    krabi = next(row for row in board.provinces if row.province.code == "81")
    # Ranked: ชลบุรี's single organization passed as claimed, above กระบี่'s marked-down mean.
    assert re.search(r"1\. ชลบุรี\s+[\d.]+% ผ่าน 1 จาก 1 แห่ง", text)
    assert re.search(rf"2\. กระบี่\s+{two_places(krabi.results.mean_verified)}% ผ่าน {krabi.results.passed} จาก 2 แห่ง", text)
    dimension = board.dimensions[0]
    assert f"ประเมินตนเอง {two_places(dimension.results.mean_self)}%" in text
    assert f"ผลการตรวจ {two_places(dimension.results.mean_verified)}%" in text
    assert f"รวม {board.overall.count} แห่ง" in text


def test_the_province_reports_histogram_counts_each_reviewed_organization_once(reviewed):
    a = reviewed["a"]
    context = province_report_context(a.round, province("81"))
    svg = str(context["charts"]["overall_distribution"].svg)
    counts = [int(n) for n in re.findall(r'<text class="count"[^>]*>([\d,]+)</text>', svg)]
    reviewed_here = [row for row in context["organizations"] if row.reviewed]
    assert sum(counts) == len(reviewed_here) == 2
    assert 'class="pass-mark"' in svg
    text = pdf_text(render_province_report_pdf(a.round, province("81")))
    assert "รวม 2 แห่ง" in text and "เกณฑ์ผ่าน ร้อยละ 70" in text
