"""The dashboards as workbooks: the page's tables, numbers equal to the page's, the page's
filters, and the page's access rules."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from results.dashboard import Filters, build_dashboard, province_organizations
from results.dashboard_workbook import ABOUT_SHEET, build_dashboard_workbook
from tests.factories import province, user_with_role
from tests.formulas import FORMULAS, assert_inert
from tests.results.test_year_over_year import cells, make_years

pytestmark = pytest.mark.django_db

NATIONAL_SHEETS = [
    "ความคืบหน้า",
    "ผลรายจังหวัด",
    "รายด้าน",
    "การกระจายคะแนน",
    "ตามประเภท",
    "ระดับผลการประเมิน",
    "ส่วนต่าง",
    "เทียบปีก่อน รายด้าน",
    "เทียบปีก่อน รายจังหวัด",
    ABOUT_SHEET,
]


@pytest.fixture
def years():
    return make_years()


@pytest.fixture
def department():
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


def national_url(round, query: str = "") -> str:
    return reverse("results:dashboard_workbook", args=[round.year]) + query


def province_url(round, code: str, query: str = "") -> str:
    return reverse("results:province_dashboard_workbook", args=[round.year, code]) + query


def read(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def shown(value) -> str:
    """A workbook number as the page prints it."""
    return "–" if value is None else f"{Decimal(str(value)):.2f}"


def test_national_workbook_has_a_sheet_per_table_with_the_pages_numbers(client, years, department):
    _last, this, _before, _now = years
    client.force_login(department)
    response = client.get(national_url(this))
    assert response["Content-Disposition"] == f'attachment; filename="lpa-dashboard-{this.year}.xlsx"'
    workbook = read(response)
    assert workbook.sheetnames == NATIONAL_SHEETS
    html = client.get(reverse("results:dashboard", args=[this.year])).content.decode()

    dimensions = {row[0]: row for row in rows(workbook["รายด้าน"])}
    overall = dimensions[0]
    assert overall[1:3] == ("ภาพรวม", 3)
    assert f"data-overall-mean>{shown(overall[3])}<" in html
    assert f"data-overall-pass-rate>{shown(overall[7])}%" in html
    assert (overall[3], overall[6], overall[7]) == (78.33, 2, 66.67)  # reported: rounded once, as on the page
    page = cells(html, "dimensions", "dimension")
    for number in (1, 2):
        row = dimensions[number]
        assert page[str(number)] == [str(row[2]), shown(row[3]), shown(row[4]), shown(row[5])]

    page = cells(html, "province-results", "province")
    for code, name, count, mean, mean_self, _gap, passed, rate in rows(workbook["ผลรายจังหวัด"]):
        assert page[code] == [str(count), shown(mean), shown(mean_self), str(passed), shown(rate)], name

    # Year over year: the page's table, number for number, and the hand-checked change.
    page = cells(html, "year-over-year", "dimension")
    for row in rows(workbook["เทียบปีก่อน รายด้าน"]):
        number, _name, _n, mean, _n_before, mean_before, change, *_rates = row
        assert page[str(number)][:3] == [shown(mean), shown(mean_before), html_change(change)]
    assert rows(workbook["เทียบปีก่อน รายด้าน"])[0][6] == -4.42  # 78.33 − 82.75, the reported means
    page = cells(html, "province-year-over-year", "province")
    by_code = {row[0]: row for row in rows(workbook["เทียบปีก่อน รายจังหวัด"])}
    assert set(by_code) == set(page) == {"20", "81"}
    assert by_code["81"][2:] == (2, 70, 3, 82, -12, 50, 100, -50)
    for code, row in by_code.items():
        assert page[code][:3] == [shown(row[3]), shown(row[5]), html_change(row[6])]

    bands = {row[0]: row[1:] for row in rows(workbook["ระดับผลการประเมิน"])}
    assert bands["ดีเด่น"][0] == 1 and bands["ไม่ผ่านเกณฑ์"][0] == 1
    assert bands["ดีเด่น"][1] == 33.33
    assert rows(workbook["การกระจายคะแนน"])[0][1:] == ("ภาพรวม", 0, 0, 1, 0, 1, 1, 3)
    progress = {row[1]: row for row in rows(workbook["ความคืบหน้า"])}
    assert progress["รวม"][2] == 5 and progress["กระบี่"][2] == 3
    gaps = rows(workbook["ส่วนต่าง"])
    assert [row[:2] for row in gaps[:2]] == [("ด้าน", "1. การบริหารจัดการ"), ("ด้าน", "2. การบริหารงานบุคคล")]
    assert ("จังหวัด", "กระบี่") in [row[:2] for row in gaps]


def html_change(value) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    word = " เพิ่มขึ้น" if value > 0 else " ลดลง" if value < 0 else ""
    return f"{sign}{shown(value)}{word}"


def test_sheets_have_thai_headers_frozen_filters_and_numbers_as_numbers(years):
    last, this, _before, _now = years
    provinces = [province("20"), province("81")]
    board = build_dashboard(this, Filters(), provinces=provinces, distribution=True, previous=last)
    workbook = build_dashboard_workbook(board)
    sheet = workbook["รายด้าน"]
    headers = [cell.value for cell in sheet[1]][:4]
    assert headers == ["ด้าน (0 = ภาพรวม)", "ชื่อด้าน", "จำนวน อปท. ที่มีผล", "ร้อยละเฉลี่ย (ผลการตรวจ)"]
    assert sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H4"
    mean = sheet["D2"]
    assert isinstance(mean.value, Decimal) and mean.number_format == "0.00"
    assert sheet.column_dimensions["B"].width == 40
    about = {row[0]: row[1] for row in workbook[ABOUT_SHEET].iter_rows(min_row=2, values_only=True) if row[0]}
    assert about["เทียบกับปี"] == last.year and about["ขอบเขต"] == "ทั้งประเทศ"


def test_without_a_previous_year_the_workbook_says_so(years):
    _last, this, _before, _now = years
    workbook = build_dashboard_workbook(build_dashboard(this, Filters(), provinces=[province("81")]))
    assert "เทียบปีก่อน รายด้าน" not in workbook.sheetnames
    about = {row[0]: row[1] for row in workbook[ABOUT_SHEET].iter_rows(min_row=2, values_only=True) if row[0]}
    assert about["เทียบกับปี"] == f"ไม่มีรอบการประเมินปี {this.year - 1} ให้เทียบ"


def test_national_workbook_honours_the_pages_filters(client, years, department):
    _last, this, _before, _now = years
    client.force_login(department)
    workbook = read(client.get(national_url(this, "?province=81&org_type=town")))
    overall = rows(workbook["รายด้าน"])[0]
    assert overall[2:4] == (1, 60)
    assert [row[0] for row in rows(workbook["ผลรายจังหวัด"])] == ["81"]
    about = {row[0]: row[1] for row in workbook[ABOUT_SHEET].iter_rows(min_row=2, values_only=True) if row[0]}
    assert (about["ขอบเขต"], about["ประเภท อปท."]) == ("จังหวัดกระบี่", "เทศบาลเมือง")
    workbook = read(client.get(national_url(this, "?status=verified")))
    assert rows(workbook["รายด้าน"])[0][2:4] == (1, 60)


@pytest.mark.parametrize("query", ["?org_type=bogus", "?province=99", "?status=closed&province=<b>"])
def test_invalid_filters_give_a_thai_message_not_a_file(client, years, department, query):
    _last, this, _before, _now = years
    client.force_login(department)
    response = client.get(national_url(this, query))
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("ตัวกรองไม่ถูกต้อง") and "ไม่มีตัวเลือก" in text
    response = client.get(province_url(this, "81", "?org_type=bogus"))
    assert response.status_code == 400 and "ประเภท อปท.: ไม่มีตัวเลือก bogus ในรายการ" in response.content.decode()


def test_province_workbook_lists_its_organizations_with_last_year(client, years):
    last, this, _before, now = years
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    response = client.get(province_url(this, "81"))
    assert response["Content-Disposition"] == f'attachment; filename="lpa-dashboard-{this.year}-81.xlsx"'
    workbook = read(response)
    assert "ผลรายจังหวัด" not in workbook.sheetnames and "อปท." in workbook.sheetnames
    assert "เทียบปีก่อน รายจังหวัด" not in workbook.sheetnames
    progress = rows(workbook["ความคืบหน้า"])
    assert [row[:3] for row in progress] == [("81", "กระบี่", 3)]
    organizations = {row[0]: row for row in rows(workbook["อปท."])}
    assert set(organizations) == {now[key].organization.code for key in "abd"}
    a = organizations[now["a"].organization.code]
    assert a[4:] == ("จังหวัดรับรองผลแล้ว", 90, 80, "ดีมาก", 88, -8)
    assert workbook["อปท."].cell(row=1, column=9).value == f"ร้อยละ (ผลการตรวจ) ปี {last.year}"
    # The same rows as the page.
    html = client.get(reverse("results:province_dashboard", args=[this.year, "81"])).content.decode()
    page = cells(html, "organizations", "organization")
    for code, row in organizations.items():
        assert page[code][4:7] == [shown(row[5]), shown(row[6]), row[7] or "–"]
        assert page[code][7:9] == [shown(row[8]), html_change(row[9])]
    # Filtered as the page is.
    workbook = read(client.get(province_url(this, "81", "?org_type=town")))
    assert [row[0] for row in rows(workbook["อปท."])] == [now["b"].organization.code]


def test_the_builder_takes_the_province_pages_own_rows(years):
    last, this, _before, _now = years
    filters = Filters(province=province("81"))
    board = build_dashboard(this, filters, previous=last)
    workbook = build_dashboard_workbook(board, organizations=list(province_organizations(this, filters, previous=last)))
    assert len(rows(workbook["อปท."])) == 3


def test_typed_names_are_written_as_inert_text(client, years):
    from organizations.models import District, Organization

    _last, this, _before, now = years
    organization = now["a"].organization
    Organization.objects.filter(pk=organization.pk).update(name=FORMULAS[0])
    District.objects.filter(pk=organization.district_id).update(name_th=FORMULAS[1])
    this.dimensions.filter(number=1).update(name=FORMULAS[2])
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))

    workbook = read(client.get(province_url(this, "81")))

    row = next(row for row in workbook["อปท."].iter_rows(min_row=2) if row[0].value == organization.code)
    assert_inert(row[1], FORMULAS[0])
    assert_inert(row[3], FORMULAS[1])
    dimension = next(row for row in workbook["รายด้าน"].iter_rows(min_row=2) if row[0].value == 1)
    assert_inert(dimension[1], FORMULAS[2])


# Access: as the pages.


def test_provincial_office_downloading_the_national_workbook_gets_its_own(client, years):
    _last, this, _before, _now = years
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    response = client.get(national_url(this, "?org_type=sao"))
    assert response.status_code == 302
    assert response["Location"] == province_url(this, "81", "?org_type=sao")


@pytest.mark.parametrize(
    "kind", [Role.Kind.PROVINCIAL_ADMIN, Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_HEAD, Role.Kind.ORG_STAFF]
)
def test_outsiders_get_404_for_a_provinces_workbook(client, years, kind):
    _last, this, _before, now = years
    if kind in Role.PROVINCE_KINDS:
        # Another province's office; an assessor even of กระบี่.
        user = user_with_role(kind, province=province("20" if kind == Role.Kind.PROVINCIAL_ADMIN else "81"))
    else:
        user = user_with_role(kind, organization=now["a"].organization)
    client.force_login(user)
    assert client.get(province_url(this, "81")).status_code == 404
    if kind != Role.Kind.PROVINCIAL_ADMIN:
        assert client.get(national_url(this)).status_code == 404


def test_unknown_year_or_province_gets_404(client, years, department):
    _last, this, _before, _now = years
    client.force_login(department)
    assert client.get(province_url(this, "00")).status_code == 404
    assert client.get(reverse("results:dashboard_workbook", args=[1999])).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, years):
    _last, this, _before, _now = years
    response = client.get(national_url(this))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
