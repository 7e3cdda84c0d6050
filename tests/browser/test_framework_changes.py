"""The framework between two years in the browser: the round's summary, the comparison page,
its export, and the year-over-year mark on the dashboard (the demo's 2569 against 2568)."""

import io
import re

import openpyxl
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def test_department_sees_what_changed_since_last_year(demo, login, live_server):
    page = login("dla_official")
    page.goto(f"{live_server.url}/rounds/2569/")
    summary = page.locator("[data-framework-changes-summary]")
    expect(summary).to_contain_text("สิ่งที่เปลี่ยนจากปี 2568")
    expect(summary).to_contain_text("เพิ่มใหม่ 1 ตัวชี้วัด")
    summary.get_by_role("link", name=re.compile("ดูรายละเอียดการเปลี่ยนแปลงจากปี 2568")).click()

    expect(page).to_have_url(re.compile(r"/rounds/2569/changes/\?since=2568$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("กรอบการประเมินปี 2569 เทียบกับปี 2568")
    rows = page.locator("[data-table=indicator-changes] tbody tr")
    expect(rows.filter(has_text="5.1.6")).to_contain_text("เพิ่มใหม่")
    expect(rows.filter(has_text="4.4.1")).to_contain_text("ยกเลิก")
    expect(rows.filter(has_text="4.5.4")).to_contain_text("ย้ายหมวด")
    expect(page.locator("tr[data-indicator='2.2.3']")).to_contain_text("เกณฑ์คะแนนเปลี่ยน")
    expect(page.locator("[data-count=rules]")).to_have_text("3")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="ส่งออก (Excel)").click()
    assert download.value.suggested_filename == "lpa-framework-changes-2568-2569.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    codes = {row[1] for row in workbook.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert {"5.1.6", "4.5.4", "2.2.3"} <= codes

    # A year that is not a year: the page says so in Thai and keeps the picker.
    page.goto(f"{live_server.url}/rounds/2569/changes/?since=abc")
    expect(page.get_by_role("alert")).to_contain_text("ปีที่จะเทียบต้องเป็นปี พ.ศ. 4 หลัก")
    page.get_by_label("เทียบกับปี").select_option("2568")
    page.get_by_role("button", name="เทียบ", exact=True).click()
    expect(page.locator("[data-count=added]")).to_have_text("1")


def test_dashboard_marks_the_dimensions_whose_rules_changed(demo, login, live_server):
    page = login("dla_official")
    page.goto(f"{live_server.url}/results/2569/")
    table = page.locator("[data-table=year-over-year]")
    expect(table.locator("tr[data-dimension='4']")).to_contain_text("เกณฑ์เปลี่ยน")
    expect(table.locator("tr[data-dimension='3']")).not_to_contain_text("เกณฑ์เปลี่ยน")
    table.locator("tr[data-dimension='4']").get_by_role("link", name=re.compile("เกณฑ์เปลี่ยน")).click()
    expect(page).to_have_url(re.compile(r"/rounds/2569/changes/\?since=2568$"))
