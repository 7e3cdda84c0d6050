"""The department sets up a new year in the browser: copy, edit, settings, open."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def test_department_sets_up_and_opens_a_new_year(demo, login, live_server):
    page = login("dla_official")
    page.get_by_role("link", name="รอบการประเมิน", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("รอบการประเมิน")
    assert_accessible(page)

    # A new year, starting from a copy of 2569.
    page.get_by_role("link", name="สร้างรอบการประเมิน").click()
    page.get_by_label("ปีการประเมิน (พ.ศ.)").fill("2570")
    page.get_by_label("คัดลอกกรอบการประเมินของรอบที่มีอยู่").check()
    page.get_by_label("คัดลอกจากรอบ").select_option("2569")
    page.get_by_role("button", name="สร้างรอบการประเมิน").click()
    expect(page).to_have_url(re.compile(r"/rounds/2570/$"))
    expect(page.locator(".alert")).to_contain_text("สร้างรอบการประเมินปี 2570 แล้ว")
    assert_accessible(page)

    # Change the points of one criterion of indicator 1.1.1 (4 criteria: 2 + 1 + 1 + 1).
    page.get_by_role("link", name="แก้ไข 1.1.1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("แก้ไขตัวชี้วัด 1.1.1")
    assert_accessible(page)
    page.get_by_label("คะแนน แถวที่ 1").fill("3")
    page.get_by_role("button", name="บันทึกตัวชี้วัด").click()
    expect(page.locator(".alert")).to_contain_text("บันทึกตัวชี้วัด 1.1.1 แล้ว")
    expect(page.locator("dl")).to_contain_text("6")  # full marks 3 + 1 + 1 + 1

    # Pass mark and the windows, typed in the Buddhist Era.
    page.goto(f"{live_server.url}/rounds/2570/settings/")
    page.get_by_label("เกณฑ์ผ่าน (ร้อยละ)").fill("72.5")
    page.get_by_label("วันเปิดการประเมินตนเอง").fill("01/02/2570")
    page.get_by_label("วันปิดการประเมินตนเอง").fill("31/03/2570")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.locator("main")).to_contain_text("ร้อยละ 72.50 ขึ้นไป")
    expect(page.locator("main")).to_contain_text("1 ก.พ. 2570 – 31 มี.ค. 2570")

    # Open: the confirmation says how many assessments, then the round page shows them.
    page.get_by_role("link", name="เปิดรอบการประเมิน").click()
    caption = page.locator("caption").first
    expect(caption).to_contain_text("การประเมินที่จะสร้าง")
    total = re.search(r"([\d,]+) รายการ", caption.inner_text()).group(1)
    assert_accessible(page)
    page.get_by_role("button", name="ยืนยันการเปิดรอบการประเมิน").click()
    expect(page).to_have_url(re.compile(r"/rounds/2570/$"))
    expect(page.locator(".alert")).to_contain_text(f"สร้างการประเมิน {total} รายการ")
    expect(page.locator("main h1")).to_contain_text("ประเมินตนเอง")
    expect(page.locator("main dl")).to_contain_text(f"{total} รายการ")


@pytest.mark.parametrize(
    "username,path",
    [
        ("dla_official", "/rounds/"),
        ("dla_official", "/rounds/2569/"),
        ("dla_official", "/rounds/2569/indicators/1.1.2/edit/"),
        ("dla_official", "/rounds/2569/settings/"),
        ("dla_official", "/rounds/new/"),
        ("dla_official", "/rounds/2569/open/"),
        ("province_admin", "/rounds/2569/"),
        ("province_admin", "/rounds/2569/new-indicator/"),
    ],
)
def test_framework_pages_are_accessible(demo, login, live_server, username, path):
    page = login(username)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)


def test_options_editor_follows_the_scoring_kind_and_adds_rows(demo, login, live_server):
    page = login("dla_official")
    page.goto(f"{live_server.url}/rounds/2569/indicators/1.1.1/edit/")  # a checklist
    threshold = page.get_by_label("เกณฑ์ขั้นต่ำ แถวที่ 1")
    expect(threshold).to_be_hidden()
    page.get_by_label("วิธีให้คะแนน").select_option(label="ค่าตัวเลขเทียบเกณฑ์")
    expect(threshold).to_be_visible()
    rows = page.locator("[data-option-row]")
    before = rows.count()
    page.get_by_role("button", name="เพิ่มแถว").click()
    expect(rows).to_have_count(before + 1)
    expect(page.get_by_label(f"ข้อความ แถวที่ {before + 1}")).to_be_focused()
    assert_accessible(page)
