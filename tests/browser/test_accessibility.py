"""axe-core finds no serious or critical violation on any page that exists."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

PAGES = [
    ("dla_official", "/"),
    ("dla_official", "/organizations/"),
    ("dla_official", "/organizations/?province=20"),
    ("dla_official", "/organizations/3200408/"),
    ("dla_official", "/organizations/6810405/"),  # with type history
    ("dla_official", "/organizations/import/"),
    ("dla_official", "/accounts/users/"),
    ("province_admin", "/accounts/users/new/"),
    ("province_admin", "/accounts/users/import/"),
    ("org_staff", "/accounts/profile/"),
    ("org_staff", "/accounts/password_change/"),
    ("org_staff", "/organizations/no-such-code/"),  # the 404 page
    ("assessor", "/review/"),
    ("province_admin", "/review/2569/provinces/81/"),
    ("province_admin", "/review/2569/provinces/81/appeals/"),
    ("dla_official", "/review/2569/publish/"),
    ("dla_official", "/results/2569/"),  # with year over year against 2568
    ("province_admin", "/results/2569/provinces/81/"),
    ("org_staff", "/results/2569/organizations/4810103/"),  # its scorecard, self-assessed only
    ("dla_official", "/results/2569/organizations/6810205/"),  # approved, beside last year
    ("dla_official", "/results/2569/organizations/6810205/indicators/1.1.1/"),
    ("org_staff", "/notifications/"),
]


@pytest.mark.parametrize("username,path", PAGES)
def test_page_has_no_serious_accessibility_violations(demo, login, live_server, username, path):
    page = login(username)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)


def test_signed_out_pages_are_accessible(page, live_server, transactional_db):
    for path in ("/accounts/login/", "/accounts/password_reset/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)


def test_department_uploads_a_registry_file(demo, login, live_server, tmp_path):
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "จังหวัด,อำเภอ,รหัส อปท.,ประเภท อปท.,อปท.\n"
        "กระบี่,เมืองกระบี่,6810199,อบต.,ทดสอบนำเข้า\n"
        "กระบี่,เมืองกระบี่,6810198,ไม่รู้จัก,ผิดประเภท\n",
        encoding="utf-8-sig",
    )
    page = login("dla_official")
    page.goto(f"{live_server.url}/organizations/import/")
    page.get_by_label("ไฟล์ทะเบียน อปท. (CSV หรือ XLSX)").set_input_files(str(registry))
    page.get_by_role("button", name="นำเข้า").click()
    expect(page.locator("main")).to_contain_text("เพิ่มใหม่ 1 แห่ง")
    expect(page.locator("main")).to_contain_text("6810198")
    assert_accessible(page)


def test_review_pages_reached_from_the_assessors_queue_are_accessible(demo, login, live_server):
    page = login("assessor")
    page.goto(f"{live_server.url}/review/")
    # The demo's organization in review: its overview, first dimension and history.
    page.locator("main a[href*='/review/assessments/']").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    page.locator("main a[href*='/dimensions/1/']").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    page.locator("main a[href$='/history/']").first.click()
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
