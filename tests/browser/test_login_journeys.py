"""Every demo role signs in through the browser and lands on its own home page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

# username → text that proves the home page shows this role's work and scope.
LANDINGS = {
    "org_staff": "เทศบาลเมืองกระบี่",
    "org_head": "เทศบาลเมืองกระบี่",
    "assessor": "จังหวัดที่รับผิดชอบ",
    "province_admin": "จัดการผู้ใช้งาน",
    "dla_official": "อปท. ทั่วประเทศ แยกตามประเภท",
    "sysadmin": "อปท. ทั่วประเทศ แยกตามประเภท",
}


@pytest.mark.parametrize("username", LANDINGS)
def test_demo_user_signs_in_and_sees_own_home(demo, login, live_server, username):
    page = login(username)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("สวัสดี")
    expect(page.locator("main")).to_contain_text(LANDINGS[username])
    assert_accessible(page)


def test_wrong_password_shows_thai_message_and_stays_on_login(demo, login):
    page = login("org_staff", "not-the-password")
    expect(page.locator("main form")).to_contain_text("ชื่อผู้ใช้/อีเมล หรือรหัสผ่านไม่ถูกต้อง")


def test_login_page_is_thai_and_accessible(page, live_server, transactional_db):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(page.get_by_role("heading", level=1)).to_have_text("เข้าสู่ระบบ")
    assert_accessible(page)


def test_staff_does_not_see_other_provinces(demo, login, live_server):
    page = login("org_staff")
    page.goto(f"{live_server.url}/organizations/3200408/")  # เมืองพัทยา, ชลบุรี
    expect(page.get_by_role("heading", level=1)).to_have_text("ไม่พบหน้าที่ต้องการ")


def test_department_browses_registry_by_province_and_searches(demo, login, live_server):
    page = login("dla_official")
    page.get_by_role("link", name="ทะเบียน อปท.").first.click()
    page.get_by_label("จังหวัด").select_option(label="ชลบุรี")
    page.get_by_role("button", name="กรอง").click()
    expect(page.locator("table")).to_contain_text("เมืองพัทยา")
    page.get_by_label("ค้นหารหัสหรือชื่อ").fill("3200408")
    page.get_by_role("button", name="กรอง").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert_accessible(page)
