"""An organization's scorecard: the engine's numbers beside its province's and the country's
means and last year's, the same on the page, in the workbook and in the PDF; the team's
results hidden from the organization until they are published; the drill-down to one
indicator; who gets in; and query counts that do not grow with indicators or organizations."""

import io
import re
import subprocess
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from assessments.models import Assessment, Evidence
from assessments.selfassessment import self_assessed_score, submit
from organizations.models import District, Organization
from results.dashboard import Filters, build_dashboard
from results.drilldown import build_indicator_detail
from results.models import OVERALL, Result
from results.scorecard import ABOUT_SHEET, INDICATOR_SHEET, SUMMARY_SHEET, build_scorecard, build_scorecard_workbook
from results.scorecard_pdf import render_scorecard_pdf, scorecard_chart
from reviews.workflow import verified_score
from tests.assessments.factories import (
    AssessmentFactory,
    CategoryFactory,
    DimensionFactory,
    IndicatorFactory,
    RoundFactory,
)
from tests.factories import OrganizationFactory, district, province, user_with_role
from tests.formulas import FORMULAS, assert_inert
from tests.reviews.factories import review_team, submitted_for_review

pytestmark = pytest.mark.django_db

Status = Assessment.Status
REASON = "คำสั่งแต่งตั้งไม่ครบทุกฉบับ"
D = Decimal


def stored(assessment, overall, dimensions):
    """Stored results (verified % only) for another organization's `assessment`."""
    rows = [(OVERALL, overall), *enumerate(dimensions, start=1)]
    Result.objects.bulk_create(
        Result(
            assessment=assessment,
            dimension=number,
            indicators=1,
            verified_indicators=1,
            self_points=D(percent),
            self_full_marks=100,
            self_percent=D(percent),
            verified_points=D(percent),
            verified_full_marks=100,
            verified_percent=D(percent),
        )
        for number, percent in rows
    )


def other(round, place: str, status: str, overall, dimensions):
    organization = OrganizationFactory(district=district(place))
    head = user_with_role(Role.Kind.ORG_HEAD, organization=organization)
    assessment = AssessmentFactory(
        round=round, organization=organization, status=status, submitted_at=timezone.now(), submitted_by=head
    )
    stored(assessment, overall, dimensions)
    return assessment


def build_case(extra: int = 0):
    """The hand-checked case: a กระบี่ อบต. reviewed and approved (not yet published).

    Dimension 1 (1.1–1.5 of SELF_ASSESSED): self 4+4+5+5 of 20 = 90% (the organization's own
    N/A claim on 1.5 is out of its full marks); the team gives 1.1 level 3 (2 points, with
    REASON) and confirms 1.5 not applicable: 16 of 20 = 80%.
    Dimension 2 (2.1, levels 0–5): self 5, team 3 of 5: 100% and 60%.
    Overall: self 23 of 25 = 92%, verified 19 of 25 = 76%.
    Others of the round (verified overall, dimension 1, dimension 2): B กระบี่ published
    90/85/95; C ชลบุรี published 60/50/70; E กระบี่ verified, not published 50/40/60;
    D กระบี่ in review 10/10/10 (never counted).
    Last year (round of year − 1) the organization was published at self 70%, verified 72.5%
    (dimension 1: 70, dimension 2: 80).
    `extra` adds that many indicators (answered) and that many organizations (published).
    """
    case = submitted_for_review(submit=False)
    round = case.round
    category = CategoryFactory(dimension=DimensionFactory(round=round, number=2, name="การบริหารงานบุคคล"))
    IndicatorFactory(category=category, code="2.1", title="การสรรหาบุคลากร")
    for n in range(extra):
        IndicatorFactory(category=category, code=f"2.{n + 2}", position=n + 2)
    case.answer("2.1", {"level": case.option("2.1", 6).pk})
    for n in range(extra):
        case.answer(f"2.{n + 2}", {"level": case.option(f"2.{n + 2}", 6).pk})
    answer = case.assessment.answers.get(indicator__code="1.1")
    Evidence.objects.create(
        answer=answer, url="https://example.go.th/plan", title="แผนพัฒนาท้องถิ่น", uploaded_by=case.sa.staff
    )
    case.assessment.answers.filter(pk=answer.pk).update(note="ดูคำสั่งที่ 12/2569")
    submit(case.assessment, by=case.sa.head)
    case.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    case.score("1.1", {"level": case.option("1.1", 3).pk, "reason": REASON})
    case.score("2.1", {"level": case.option("2.1", 4).pk, "reason": "ไม่มีหลักฐานการประกาศรับสมัคร"})
    for n in range(extra):
        case.score(f"2.{n + 2}", {"level": case.option(f"2.{n + 2}", 6).pk})
    from reviews.workflow import approve, verify

    verify(assessment=case.assessment, by=case.team.lead)
    approve(assessment=case.assessment, by=case.office)
    others = {
        "b": other(round, "8102", Status.PUBLISHED, 90, [85, 95]),
        "c": other(round, "2001", Status.PUBLISHED, 60, [50, 70]),
        "d": other(round, "8101", Status.IN_REVIEW, 10, [10, 10]),
        "e": other(round, "8103", Status.VERIFIED, 50, [40, 60]),
    }
    for n in range(extra):
        others[f"x{n}"] = other(round, "2002", Status.PUBLISHED, 70, [70, 70])
    last_round = RoundFactory(year=round.year - 1)
    last = AssessmentFactory(
        round=last_round,
        organization=case.sa.organization,
        org_type=Organization.Type.SUBDISTRICT_MUNICIPALITY,
        status=Status.PUBLISHED,
        submitted_at=timezone.now(),
        submitted_by=case.sa.head,
    )
    Result.objects.bulk_create(
        Result(
            assessment=last,
            dimension=number,
            indicators=1,
            verified_indicators=1,
            self_points=D(own),
            self_full_marks=100,
            self_percent=D(own),
            verified_points=D(checked),
            verified_full_marks=100,
            verified_percent=D(checked),
        )
        for number, own, checked in [(OVERALL, "70", "72.5"), (1, "70", "70"), (2, "70", "80")]
    )
    return case, others


def publish(case) -> None:
    from reviews.workflow import publish_round

    publish_round(assessment_round=case.round, by=case.department)
    case.assessment.refresh_from_db()


@pytest.fixture
def case():
    return build_case()[0]


def reload(case) -> Assessment:
    return Assessment.objects.select_related("round", "organization__district__province").get(pk=case.assessment.pk)


def scorecard_url(case, name="organization_scorecard") -> str:
    return reverse(f"results:{name}", args=[case.round.year, case.sa.organization.code])


def indicator_url(case, code: str) -> str:
    return reverse("results:organization_indicator", args=[case.round.year, case.sa.organization.code, code])


def pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


def read_workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def sheet_rows(sheet) -> list[dict]:
    """Rows under the header (row 2) as {header: value}."""
    header = [cell.value for cell in sheet[2]]
    return [dict(zip(header, row)) for row in sheet.iter_rows(min_row=3, values_only=True)]


# The numbers.


def test_scorecard_holds_the_engines_numbers_the_means_and_last_years_change(case):
    card = build_scorecard(reload(case), verified_visible=True)
    own, verified = self_assessed_score(case.assessment), verified_score(reload(case))
    overall, (first, second) = card.overall, [section.row for section in card.sections]

    assert (overall.own.points, overall.own.full_marks) == (own.points, own.full_marks) == (23, 25)
    assert overall.own.percent == D("92.00")
    assert (overall.verified.points, overall.verified.full_marks) == (verified.points, verified.full_marks) == (19, 25)
    assert overall.verified.percent == D("76.00") and overall.verified.band == verified.band == "ดี"
    assert overall.verified.passed is True
    assert (first.own.percent, first.verified.percent, second.own.percent, second.verified.percent) == (90, 80, 100, 60)
    assert first.verified.points == verified.dimension(1).points == 16

    # Finished reviews: the case, B and E in กระบี่; C in ชลบุรี besides. D (in review) never counts.
    assert (overall.province_mean, overall.province_count) == (72, 3)
    assert (overall.national_mean, overall.national_count) == (D("69"), 4)
    assert first.province_mean == D("68.33") and first.national_mean == D("63.75")
    assert second.province_mean == D("71.67") and second.national_mean == D("71.25")
    # The dashboards' figures: the same stored rows, the same rule.
    board = build_dashboard(case.round, Filters(), provinces=[province("81")])
    assert board.overall.mean_verified == overall.national_mean
    assert board.provinces[0].results.mean_verified == overall.province_mean
    assert (card.province_rank, card.province_ranked, card.national_rank, card.national_ranked) == (2, 3, 2, 4)

    assert card.last_year == case.round.year - 1 and card.type_changed
    assert (overall.last_verified, overall.verified_change) == (D("72.5"), D("3.5"))
    assert overall.self_change == D("22.00")  # 92.00 − 70.00
    assert (first.verified_change, second.verified_change) == (10, -20)

    rows = {row.code: row for section in card.sections for row in section.indicators}
    assert (rows["1.1"].self_points, rows["1.1"].verified_points, rows["1.1"].reason) == (4, 2, REASON)
    assert rows["1.5"].not_applicable and rows["1.5"].self_points == 0 and rows["1.5"].reason == ""
    assert not rows["1.3"].differs and rows["1.3"].reason == ""
    # The indicator rows explain the stored totals.
    counted = [row.verified_points for row in card.sections[0].indicators if not row.not_applicable]
    assert sum(counted) == first.verified.points


def test_organization_is_compared_with_published_results_only(case):
    publish(case)
    card = build_scorecard(reload(case), verified_visible=True, published_only=True)
    # E (verified, not published) is left out: กระบี่ = the case and B; the country adds C.
    assert (card.overall.province_mean, card.overall.province_count) == (83, 2)
    assert card.overall.national_mean == D("75.33")  # (76 + 90 + 60) / 3 = 75.333…, rounded once
    assert (card.province_rank, card.province_ranked) == (2, 2)


def test_without_verified_results_the_scorecard_holds_none(case):
    card = build_scorecard(reload(case), verified_visible=False, published_only=True)
    rows = card.rows
    assert all(row.verified is None and row.province_mean is None and row.last_verified is None for row in rows)
    assert card.province_rank is None
    assert all(row.verified_points is None and row.reason == "" for s in card.sections for row in s.indicators)
    assert card.overall.own.percent == D("92.00") and card.overall.last_self == 70


def test_workbook_shows_the_scorecards_numbers_as_numbers(case):
    workbook = read_workbook(_save(build_scorecard_workbook(build_scorecard(reload(case), verified_visible=True))))
    assert workbook.sheetnames == [SUMMARY_SHEET, INDICATOR_SHEET, ABOUT_SHEET]
    summary = workbook[SUMMARY_SHEET]
    assert summary.freeze_panes == "C3"
    rows = {row["ด้าน"]: row for row in sheet_rows(summary)}
    total = rows["รวม"]
    assert (total["คะแนนที่ตรวจได้"], total["คะแนนเต็ม (ผลการตรวจ)"], total["ร้อยละ (ผลการตรวจ)"]) == (19, 25, 76)
    assert total["ร้อยละ (ประเมินตนเอง)"] == 92
    assert (total["ร้อยละเฉลี่ยของจังหวัด"], total["ร้อยละเฉลี่ยของประเทศ"]) == (72, 69)
    assert total[f"ร้อยละ ปี {case.round.year - 1} (ผลการตรวจ)"] == 72.5
    assert total["เปลี่ยนแปลง (ผลการตรวจ)"] == 3.5
    assert rows[1]["ร้อยละ (ผลการตรวจ)"] == 80 and rows[2]["เปลี่ยนแปลง (ผลการตรวจ)"] == -20
    assert summary.cell(row=3, column=8).number_format == "0.00"
    indicators = {row["รหัสตัวชี้วัด"]: row for row in sheet_rows(workbook[INDICATOR_SHEET])}
    assert (indicators["1.1"]["คะแนนประเมินตนเอง"], indicators["1.1"]["คะแนนที่ตรวจได้"]) == (4, 2)
    assert indicators["1.1"]["เหตุผลของผู้ประเมิน"] == REASON
    assert indicators["1.5"]["คะแนนที่ตรวจได้"] == "N/A"
    # The organization's own claim is out of its self-assessed score too.
    assert indicators["1.5"]["คะแนนประเมินตนเอง"] == "N/A"


def test_workbook_writes_typed_names_titles_and_reasons_as_inert_text(client, case):
    from reviews.models import VerifiedAnswer

    case.round.dimensions.filter(number=1).update(name=FORMULAS[0])
    case.round.indicators.filter(code="1.1").update(title=FORMULAS[1])
    VerifiedAnswer.objects.filter(assessment=case.assessment, indicator__code="1.1").update(reason=FORMULAS[2])
    District.objects.filter(pk=case.sa.organization.district_id).update(name_th=FORMULAS[3])
    client.force_login(case.department)

    response = client.get(scorecard_url(case, "scorecard_workbook"))

    workbook = read_workbook(b"".join(response.streaming_content))

    summary = workbook[SUMMARY_SHEET]
    assert_inert(next(row for row in summary.iter_rows(min_row=3) if row[0].value == 1)[1], FORMULAS[0])
    indicator = next(row for row in workbook[INDICATOR_SHEET].iter_rows(min_row=3) if row[0].value == "1.1")
    assert_inert(indicator[2], FORMULAS[1])
    assert_inert(indicator[6], FORMULAS[2])
    assert_inert(next(row for row in workbook[ABOUT_SHEET].iter_rows() if row[0].value == "อำเภอ")[1], FORMULAS[3])

def test_pdf_text_shows_the_scorecards_numbers(case):
    text = pdf_text(render_scorecard_pdf(reload(case), verified_visible=True))
    assert case.sa.organization.full_name in text
    total = next(line for line in text.splitlines() if "23 / 25" in line)
    # Self 23/25 92.00, verified 19/25 76.00, province 72.00, country 69.00, last year 72.50, +3.50.
    numbers = ["23", "/", "25", "92.00", "19", "/", "25", "76.00", "72.00", "69.00", "72.50", "+3.50"]
    assert total.split()[-len(numbers):] == numbers
    first = next(line for line in text.splitlines() if "18 / 20" in line)
    numbers = ["18", "/", "20", "90.00", "16", "/", "20", "80.00", "68.33", "63.75", "70.00", "+10.00"]
    assert first.split()[-len(numbers):] == numbers
    assert REASON in text
    assert "อันดับ 2 จาก 3 แห่งในจังหวัดกระบี่" in text


# Who sees the team's results.


def test_organization_before_publication_sees_no_verified_score_anywhere(client, case):
    client.force_login(case.sa.staff)
    page = client.get(scorecard_url(case))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ยังไม่ประกาศผลการประเมิน" in html
    assert 'data-cell="self-percent">92.00<' in html
    for secret in ("76.00", "19 / 25", "80.00", REASON, "เฉลี่ยจังหวัด", "อันดับ"):
        assert secret not in html

    workbook = read_workbook(client.get(scorecard_url(case, "scorecard_workbook")).getvalue())
    headers = [cell.value for name in (SUMMARY_SHEET, INDICATOR_SHEET) for cell in workbook[name][2]]
    assert "คะแนนประเมินตนเอง" in headers
    assert not any("ผลการตรวจ" in header or "ตรวจได้" in header or "เฉลี่ย" in header for header in headers)
    values = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert REASON not in values and "ยืนยันว่าไม่มีภารกิจ ไม่นับคะแนน" not in values
    # 1.5's N/A is the organization's own claim (its self-assessed view), not the team's result.
    indicator_rows = {row["รหัสตัวชี้วัด"]: row for row in sheet_rows(workbook[INDICATOR_SHEET])}
    assert indicator_rows["1.5"]["คะแนนประเมินตนเอง"] == "N/A"
    assert 'data-indicator="1.5"' in html and 'data-cell="self">N/A<' in html
    assert 19 not in [cell for row in workbook[SUMMARY_SHEET].iter_rows(values_only=True) for cell in row]

    text = pdf_text(client.get(scorecard_url(case, "scorecard_pdf")).content)
    assert "92.00" in text
    for secret in ("76.00", REASON, "เฉลี่ยจังหวัด"):
        assert secret not in text

    indicator = client.get(indicator_url(case, "1.1")).content.decode()
    assert "แผนพัฒนาท้องถิ่น" in indicator and "ดูคำสั่งที่ 12/2569" in indicator
    assert REASON not in indicator and "data-verified-points" not in indicator and 'data-table="means"' not in indicator


def test_organization_after_publication_sees_its_verified_results(client, case):
    publish(case)
    client.force_login(case.sa.staff)
    html = client.get(scorecard_url(case)).content.decode()
    assert 'data-cell="verified-percent">76.00<' in html and REASON in html
    # Compared with published results only: กระบี่ 83.00 (the case and B).
    assert 'data-cell="province-mean">83.00<' in html
    assert REASON in pdf_text(client.get(scorecard_url(case, "scorecard_pdf")).content)
    indicator = client.get(indicator_url(case, "1.1")).content.decode()
    assert REASON in indicator and "data-verified-points>คะแนน 2 / 5" in indicator


def test_department_sees_the_page_with_links_and_crumbs(client, case):
    client.force_login(case.department)
    response = client.get(scorecard_url(case))
    html = response.content.decode()
    assert reverse("results:dashboard", args=[case.round.year]) in html
    assert reverse("results:province_dashboard", args=[case.round.year, "81"]) in html
    assert indicator_url(case, "1.1") in html
    assert 'data-cell="province-mean">72.00<' in html and 'data-cell="change">+3.50' in html
    # One chart, drawn for a screen and for a phone (one shown at a time).
    assert html.count('role="img"') == 2
    assert re.search(r'<div class="d-none d-sm-block"><svg[^>]*viewBox="0 0 640 ', html)
    assert re.search(r'<div class="d-sm-none"><svg[^>]*viewBox="0 0 360 ', html)


def test_indicator_page_shows_answer_evidence_result_and_means(client, case):
    client.force_login(case.office)
    response = client.get(indicator_url(case, "2.1"))
    assert response.status_code == 200
    detail = response.context["detail"]
    assert (detail.self_points, detail.verified_points, detail.differs) == (5, 3, True)
    # Only the case has an answer to 2.1 (the others' results are stored rows alone).
    assert (detail.means.verified_province.points, detail.means.verified_province.count) == (3, 1)
    assert detail.means.self_national.points == 5
    html = response.content.decode()
    assert reverse("results:organization_scorecard", args=[case.round.year, case.sa.organization.code]) in html
    assert "ไม่มีหลักฐานการประกาศรับสมัคร" in html


def test_indicator_means_follow_the_engine_for_every_kind(case):
    """A second กระบี่ organization of the round, answered otherwise and reviewed as it claimed;
    the means are the engine's points of both, kind by kind."""
    from reviews.workflow import verify

    second = submitted_for_review(case.round, submit=False, district=district("8102"))
    second.answer("1.2", {"ticked": []})  # checklist: nothing met, 0
    second.answer("1.3", {"figure": "60"})  # figure: the 50 band, 1 point
    second.answer("1.4", {"ticked": [second.option("1.4", 1).pk, second.option("1.4", 2).pk]})  # 2 of 3: 0
    second.answer("2.1", {"level": second.option("2.1", 6).pk})
    submit(second.assessment, by=second.sa.head)
    second.score_as_claimed("1.1", "1.5")
    second.score("1.2", {"ticked": []})
    second.score("1.3", {"figure": "60"})
    second.score("1.4", {"ticked": [second.option("1.4", 1).pk, second.option("1.4", 2).pk]})
    second.score("2.1", {"level": second.option("2.1", 6).pk})
    verify(assessment=second.assessment, by=second.team.lead)
    assessment = reload(case)
    # (self mean, verified mean): the case's (4, 2) (4, 4) (5, 5) (5, 5) beside the second's.
    expected = {"1.1": (4, 3), "1.2": (2, 2), "1.3": (3, 3), "1.4": (D("2.5"), D("2.5")), "2.1": (5, 4)}
    for code, (own, checked) in expected.items():
        means = build_indicator_detail(assessment, code, verified_visible=True).means
        assert (means.self_province.points, means.verified_province.points) == (own, checked), code
        assert means.self_province.count == means.verified_province.count == 2, code
        assert means.self_national == means.self_province and means.verified_national == means.verified_province
    # 1.5: both claimed "no such mission", which leaves their self-assessed scores, so the self
    # mean too; confirmed, it leaves the verified mean as well.
    means = build_indicator_detail(assessment, "1.5", verified_visible=True).means
    assert (means.self_province.points, means.self_province.count, means.verified_province.count) == (None, 0, 0)
    assert means.verified_province.points is None


# Who gets in.


@pytest.mark.parametrize("name", ["organization_scorecard", "scorecard_pdf", "scorecard_workbook"])
def test_outsiders_get_404(client, case, name):
    outsiders = [
        user_with_role(Role.Kind.ORG_STAFF),  # another organization of กระบี่
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        review_team(case.round, name="คณะอื่น").lead,  # กระบี่, but another team
    ]
    for user in outsiders:
        client.force_login(user)
        assert client.get(scorecard_url(case, name)).status_code == 404
        assert client.get(indicator_url(case, "1.1")).status_code == 404


def test_the_team_reads_it(client, case):
    client.force_login(case.team.members[0])
    assert client.get(scorecard_url(case)).status_code == 200


def test_anonymous_is_sent_to_login(client, case):
    response = client.get(scorecard_url(case))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_unknown_organization_year_or_indicator_gets_404(client, case):
    client.force_login(case.department)
    code = case.sa.organization.code
    assert client.get(reverse("results:organization_scorecard", args=[case.round.year, "9999999"])).status_code == 404
    assert client.get(reverse("results:organization_scorecard", args=[1999, code])).status_code == 404
    assert client.get(indicator_url(case, "9.9")).status_code == 404
    pao_only = IndicatorFactory(category=case.sa.category, code="1.9", applies_to=[Organization.Type.PAO])
    assert client.get(indicator_url(case, pao_only.code)).status_code == 404


def test_file_names_and_types(client, case):
    client.force_login(case.department)
    year, code = case.round.year, case.sa.organization.code
    pdf = client.get(scorecard_url(case, "scorecard_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert f'filename="lpa-scorecard-{year}-{code}.pdf"' in pdf["Content-Disposition"]
    xlsx = client.get(scorecard_url(case, "scorecard_workbook"))
    assert f'filename="lpa-scorecard-{year}-{code}.xlsx"' in xlsx["Content-Disposition"]


# Query counts.


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("published", [False, True])
def test_query_counts_do_not_grow_with_indicators_or_organizations(client, published):
    counts = []
    for extra in (2, 8):
        case, _others = build_case(extra)
        if published:
            publish(case)
        client.force_login(case.sa.staff)
        counts.append(
            (
                queries(client, scorecard_url(case)),
                queries(client, scorecard_url(case, "scorecard_workbook")),
                queries(client, indicator_url(case, "1.2")),
            )
        )
    assert counts[0] == counts[1]
    # The page: one more than the workbook for the round's bands, which colour its chart.
    assert counts[0] == ((15, 13, 14) if published else (12, 10, 10))


def test_department_query_count_is_pinned(client, case):
    client.force_login(case.department)
    assert queries(client, scorecard_url(case)) == 15  # the round's bands colour the chart
    assert queries(client, indicator_url(case, "1.1")) == 14


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_organizations_pages_link_to_its_scorecard(client, case):
    client.force_login(case.sa.staff)
    html = client.get(case.assessment.get_absolute_url()).content.decode()
    assert scorecard_url(case) in html
    publish(case)
    assert scorecard_url(case) in client.get(reverse("reviews:results", args=[case.assessment.pk])).content.decode()


def test_a_draft_without_results_or_last_year_shows_dashes(client):
    case = submitted_for_review(submit=False, assign=False)
    Result.objects.filter(assessment=case.assessment).delete()
    client.force_login(case.sa.staff)
    response = client.get(scorecard_url(case))
    assert response.status_code == 200
    card = response.context["card"]
    assert card.overall.own is None and card.last_year is None
    assert client.get(scorecard_url(case, "scorecard_pdf")).status_code == 200
    assert client.get(scorecard_url(case, "scorecard_workbook")).status_code == 200


# The chart (issue 14: it was 18 identical blue bars named "ด้านที่ 1 · อปท. นี้"…).

SVG = "{http://www.w3.org/2000/svg}"


def chart_texts(svg, css: str) -> list[str]:
    return ["".join(e.itertext()) for e in svg.iter() if css in (e.get("class") or "").split()]


def test_the_chart_groups_each_dimension_by_name_with_self_verified_and_the_means(case):
    card = build_scorecard(reload(case), verified_visible=True)
    svg = ElementTree.fromstring(str(scorecard_chart(card).svg))
    names = [f"{section.row.number}. {section.row.name}" for section in card.sections]
    assert chart_texts(svg, "label") == [*names, "ภาพรวม"]
    values = chart_texts(svg, "value")
    # Overall: self 92.00, verified 76.00, province 72.00, country 69.00 (as the PDF's table).
    assert values[-4:] == ["ประเมินตนเอง 92.00%", "ผลการตรวจ 76.00%", "เฉลี่ยจังหวัด 72.00%", "เฉลี่ยประเทศ 69.00%"]
    legend = chart_texts(svg, "legend-entry")
    assert {"ประเมินตนเอง", "ผลการตรวจ", "เฉลี่ยจังหวัด", "เฉลี่ยประเทศ", "เกณฑ์ผ่าน ร้อยละ 70"} <= set(legend)
    assert "ดีเด่น (90–100)" in legend
    bars = [e for e in svg.iter() if "bar" in (e.get("class") or "").split()]
    assert len({(bar.get("fill"), bar.get("stroke")) for bar in bars}) >= 4
    assert [e for e in svg.iter() if e.get("class") == "pass-mark"]


def test_before_publication_the_chart_shows_the_self_assessment_alone(case):
    card = build_scorecard(reload(case), verified_visible=False)
    svg = ElementTree.fromstring(str(scorecard_chart(card).svg))
    assert chart_texts(svg, "value")[-1] == "92.00%"
    assert not any("เฉลี่ย" in text or "ผลการตรวจ" in text for text in chart_texts(svg, "legend-entry"))


def test_the_pdfs_chart_prints_its_legend_and_whole_names_in_sarabun_alone(case, tmp_path):
    content = render_scorecard_pdf(reload(case), verified_visible=True)
    text = pdf_text(content)
    for words in ("เฉลี่ยจังหวัด 72.00%", "ผลการตรวจ 76.00%", "ดีเด่น (90–100)", "เกณฑ์ผ่าน ร้อยละ 70", "2. การบริหารงานบุคคล"):
        assert words in text, words
    path = tmp_path / "scorecard.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert names and all(name.split("+")[-1].startswith("Sarabun") for name in names), names


def test_a_dimension_of_pilots_only_has_no_score_line(client, case):
    from results.scores import refresh_results

    category = CategoryFactory(dimension=DimensionFactory(round=case.round, number=3, name="นำร่อง"))
    IndicatorFactory(category=category, code="3.1", title="ตัวชี้วัดนำร่องด้านสาม", is_pilot=True)
    refresh_results([case.assessment])

    card = build_scorecard(reload(case), verified_visible=True)
    assert [row.number for row in card.rows] == [1, 2, OVERALL]
    # The pilot is still listed under its dimension, with no score line for the dimension.
    (pilots,) = [section for section in card.sections if section.row.number == 3]
    assert [row.code for row in pilots.indicators] == ["3.1"] and not pilots.scored
    client.force_login(case.department)
    html = client.get(scorecard_url(case)).content.decode()
    assert 'data-dimension="3"' not in html and "0 / 0" not in html
    workbook = read_workbook(_save(build_scorecard_workbook(card)))
    assert [row["ด้าน"] for row in sheet_rows(workbook[SUMMARY_SHEET])] == [1, 2, "รวม"]


def test_indicator_page_shows_the_organizations_own_not_applicable_claim_as_na(client, case):
    detail = build_indicator_detail(reload(case), "1.5", verified_visible=True)
    assert detail.self_not_applicable and not build_indicator_detail(reload(case), "1.1", verified_visible=True).self_not_applicable
    client.force_login(case.department)
    html = client.get(indicator_url(case, "1.5")).content.decode()
    assert re.search(r"data-self-points>\s*คะแนน\s+N/A\s*</p>", html)
