"""The per-dimension results workbook holds the scoring engine's numbers, readably laid out."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from assessments.selfassessment import self_assessed_score
from core.templatetags.thai_dates import thai_date
from results.workbook import ABOUT_SHEET, SUMMARY_SHEET, build_dimension_workbook
from reviews.workflow import verified_score, verify
from tests.assessments.factories import IndicatorFactory
from tests.factories import district, province
from tests.formulas import FORMULAS, assert_inert
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db


def read(round, **kwargs):
    buffer = io.BytesIO()
    build_dimension_workbook(round, **kwargs).save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def rows_by_code(sheet) -> dict[str, dict[str, object]]:
    """Each organization's row as {header: value}, by organization code (a dimension sheet's
    second header line, the indicators' titles, has none)."""
    header = [cell.value for cell in sheet[1]]
    return {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] is not None}


def team_disagrees_on_1_1(case) -> None:
    """Scored as claimed except 1.1: level 3 (2 points) instead of the claimed level 5 (4)."""
    case.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    case.score("1.1", {"level": case.option("1.1", 3).pk, "reason": "คำสั่งไม่ครบทุกฉบับ"})
    verify(assessment=case.assessment, by=case.team.lead)


@pytest.fixture
def verified_case():
    case = submitted_for_review()
    team_disagrees_on_1_1(case)
    return case


def test_summary_holds_the_engines_verified_and_self_assessed_scores(verified_case):
    assessment = verified_case.reload()
    row = rows_by_code(read(assessment.round)[SUMMARY_SHEET])[assessment.organization.code]
    # Hand-checked: verified 2 + 4 + 5 + 5 of 20 (1.5 confirmed N/A is out of both) = 80 %;
    # self-assessed 4 + 4 + 5 + 5 of 20 (the organization's own N/A claim is out of its view) = 90 %.
    assert (row["รวม คะแนนที่ได้"], row["รวม คะแนนเต็ม"], row["รวม ร้อยละ"]) == (16, 20, 80)
    assert (row["ด้านที่ 1 คะแนนที่ได้"], row["ด้านที่ 1 คะแนนเต็ม"], row["ด้านที่ 1 ร้อยละ"]) == (16, 20, 80)
    assert (row["ระดับผลการประเมิน"], row["ผลการประเมิน"]) == ("ดีมาก", "ผ่าน")
    assert row["ร้อยละ (ประเมินตนเอง)"] == 90
    assert (row["ตัวชี้วัดที่ตรวจแล้ว"], row["ตัวชี้วัดที่นับคะแนน"]) == (5, 5)
    # ... which is what the scoring engine says.
    checked, own = verified_score(assessment), self_assessed_score(assessment)
    assert (Decimal(row["รวม คะแนนที่ได้"]), Decimal(row["รวม คะแนนเต็ม"])) == (checked.points, checked.full_marks)
    assert Decimal(str(row["รวม ร้อยละ"])) == checked.percent
    assert Decimal(str(row["ร้อยละ (ประเมินตนเอง)"])) == own.percent
    assert row["ระดับผลการประเมิน"] == checked.band
    place = assessment.organization
    assert row["ชื่อ อปท."] == f"องค์การบริหารส่วนตำบล{place.name}"
    assert (row["ประเภท"], row["อำเภอ"], row["จังหวัด"]) == ("องค์การบริหารส่วนตำบล", "เมืองกระบี่", "กระบี่")
    assert row["สถานะการประเมิน"] == "ตรวจประเมินแล้ว"


def test_dimension_sheet_has_each_indicators_verified_points_summing_to_the_dimension(verified_case):
    assessment = verified_case.reload()
    sheet = read(assessment.round)["ด้านที่ 1"]
    row = rows_by_code(sheet)[assessment.organization.code]
    engine = {result.code: result.points for result in verified_score(assessment).indicators}
    counted = ("1.1", "1.2", "1.3", "1.4")
    assert [row[code] for code in counted] == [2, 4, 5, 5]
    assert [Decimal(row[code]) for code in counted] == [engine[code] for code in counted]
    assert row["1.5"] == "N/A"  # confirmed "no such mission": out of points and full marks
    assert (row["ด้านที่ 1 คะแนนที่ได้"], row["ด้านที่ 1 คะแนนเต็ม"], row["ด้านที่ 1 ร้อยละ"]) == (16, 20, 80)
    assert sum(row[code] for code in counted) == row["ด้านที่ 1 คะแนนที่ได้"]
    assert (row["ระดับผลการประเมิน (รวม)"], row["ผลการประเมิน (รวม)"]) == ("ดีมาก", "ผ่าน")


def test_numbers_are_numbers_and_percentages_show_two_places(verified_case):
    workbook = read(verified_case.round)
    summary = workbook[SUMMARY_SHEET]
    header = [cell.value for cell in summary[1]]
    points = summary.cell(2, header.index("รวม คะแนนที่ได้") + 1)
    percent = summary.cell(2, header.index("รวม ร้อยละ") + 1)
    assert (points.data_type, percent.data_type) == ("n", "n")
    assert percent.number_format == "0.00"
    assert summary.cell(2, 1).data_type == "s"  # the organization code stays text


def test_every_data_sheet_has_a_frozen_filtered_header_and_set_widths(verified_case):
    workbook = read(verified_case.round)
    assert workbook.sheetnames == [SUMMARY_SHEET, "ด้านที่ 1", ABOUT_SHEET]
    # A dimension sheet has a second header line (the indicators' titles): the filter sits on it.
    for sheet, header_rows in ((workbook[SUMMARY_SHEET], 1), (workbook["ด้านที่ 1"], 2)):
        assert sheet.freeze_panes == f"C{header_rows + 1}"
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A{header_rows}:{last}{sheet.max_row}"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["B"].width == 34
    about = [row for row in workbook[ABOUT_SHEET].iter_rows(values_only=True)]
    assert ("ปีการประเมิน (พ.ศ.)", verified_case.round.year) in [row[:2] for row in about]
    assert ("ขอบเขต", "ทั้งประเทศ") in [row[:2] for row in about]
    generated = next(row[1] for row in about if row[0] == "ส่งออกเมื่อ")
    assert generated.startswith(thai_date(timezone.localdate()))  # 26 พ.ย. 2569 14:05 น.


def test_dimension_sheet_names_each_indicator_under_its_code(verified_case):
    round = verified_case.round
    round.indicators.filter(code="1.1").update(title=FORMULAS[1])  # a typed title stays text
    sheet = read(round)["ด้านที่ 1"]
    codes = [cell.value for cell in sheet[1]]
    titles = dict(zip(codes, sheet[2]))
    for indicator in round.indicators.exclude(code="1.1"):
        assert titles[indicator.code].value == indicator.title
    assert_inert(titles["1.1"], FORMULAS[1])
    assert titles["1.2"].alignment.wrap_text
    # The row of titles is no organization's: the first data row comes after it.
    assert sheet.cell(3, 1).value == verified_case.assessment.organization.code


def test_unreviewed_assessments_are_listed_with_blank_verified_columns(verified_case):
    draft = submitted_for_review(verified_case.round, submit=False, assign=False)
    workbook = read(verified_case.round)
    row = rows_by_code(workbook[SUMMARY_SHEET])[draft.assessment.organization.code]
    assert row["สถานะการประเมิน"] == "กำลังประเมินตนเอง"
    assert row["รวม คะแนนที่ได้"] is row["รวม ร้อยละ"] is row["ผลการประเมิน"] is None
    assert row["ร้อยละ (ประเมินตนเอง)"] == 90  # answered, not submitted
    detail = rows_by_code(workbook["ด้านที่ 1"])[draft.assessment.organization.code]
    assert [detail[code] for code in ("1.1", "1.2", "1.3", "1.4", "1.5")] == [None] * 5


def test_typed_names_and_titles_are_written_as_inert_text(verified_case):
    from organizations.models import District

    round, organization = verified_case.round, verified_case.assessment.organization
    District.objects.filter(pk=organization.district_id).update(name_th=FORMULAS[0])
    round.indicators.filter(code="1.1").update(title=FORMULAS[1])
    round.dimensions.filter(number=1).update(name=FORMULAS[2])

    workbook = read(round)

    for sheet in (workbook[SUMMARY_SHEET], workbook["ด้านที่ 1"]):
        assert_inert(next(row for row in sheet.iter_rows(min_row=2) if row[0].value == organization.code)[3], FORMULAS[0])
    about = {row[0].value: row for row in workbook[ABOUT_SHEET].iter_rows()}
    assert_inert(about["1.1"][2], FORMULAS[1])
    assert_inert(about["ด้านที่ 1"][1], FORMULAS[2])


def test_a_provinces_workbook_holds_its_organizations_and_indicators_only(verified_case):
    round = verified_case.round
    chonburi = submitted_for_review(round, submit=False, assign=False, district=district("2001"))
    IndicatorFactory(category=verified_case.sa.category, code="1.6", province=province("20"))

    national = read(round)
    assert set(rows_by_code(national[SUMMARY_SHEET])) == {
        verified_case.assessment.organization.code,
        chonburi.assessment.organization.code,
    }
    assert "1.6" in [cell.value for cell in national["ด้านที่ 1"][1]]

    krabi = read(round, province=province("81"))
    assert set(rows_by_code(krabi[SUMMARY_SHEET])) == {verified_case.assessment.organization.code}
    assert "1.6" not in [cell.value for cell in krabi["ด้านที่ 1"][1]]
    assert ("ขอบเขต", "จังหวัดกระบี่") in [row[:2] for row in krabi[ABOUT_SHEET].iter_rows(values_only=True)]


def test_queries_do_not_grow_with_the_number_of_organizations(verified_case):
    round = verified_case.round

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            build_dimension_workbook(round).save(io.BytesIO())
        return len(queries)

    one = count()
    for _ in range(3):
        submitted_for_review(round, submit=False, assign=False)
    assert count() == one


def test_rows_are_the_same_however_many_assessments_are_read_at_a_time(verified_case, monkeypatch):
    for _ in range(2):
        submitted_for_review(verified_case.round, submit=False, assign=False)
    whole = read(verified_case.round)
    monkeypatch.setattr("results.workbook.CHUNK", 1)
    one_by_one = read(verified_case.round)
    for title in (SUMMARY_SHEET, "ด้านที่ 1"):
        assert list(one_by_one[title].values) == list(whole[title].values)
        assert len(rows_by_code(whole[title])) == 3


def test_command_writes_the_workbook_and_reports_time_and_memory(verified_case, tmp_path):
    out = io.StringIO()
    path = tmp_path / "krabi.xlsx"
    call_command("export_results_workbook", str(verified_case.round.year), str(path), "--province", "81", stdout=out)
    assert "peak memory" in out.getvalue() and " s;" in out.getvalue()
    assert verified_case.assessment.organization.code in rows_by_code(load_workbook(path)[SUMMARY_SHEET])


def test_indicators_that_count_leave_out_the_pilots(verified_case):
    from results.scores import refresh_results

    category = verified_case.indicator("1.1").category
    IndicatorFactory(category=category, code="1.9", position=9, is_pilot=True)
    refresh_results([verified_case.assessment])
    row = rows_by_code(read(verified_case.round)[SUMMARY_SHEET])[verified_case.assessment.organization.code]
    # 1.1–1.5 count; the pilot 1.9 is assessed but never counts.
    assert (row["ตัวชี้วัดที่ตรวจแล้ว"], row["ตัวชี้วัดที่นับคะแนน"]) == (5, 5)
    assert (row["รวม คะแนนที่ได้"], row["รวม คะแนนเต็ม"]) == (16, 20)
