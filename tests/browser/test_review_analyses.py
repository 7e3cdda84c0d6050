"""The review analyses as their readers see them (issue 16): the department's calibration
page flags the demo's harsh and soft teams of last year; a provincial office reaches it from
its board; the weak spots list the indicators most organizations fail first."""

import re

from playwright.sync_api import expect

YEAR = 2568  # the demo's last year: every organization reviewed, four teams in กระบี่


def test_the_department_sees_the_harsh_and_the_soft_team_flagged(demo, login, live_server):
    page = login("dla_official")
    page.goto(f"{live_server.url}/results/{YEAR}/")
    page.get_by_role("link", name="ความสอดคล้องของการตรวจประเมินและตัวชี้วัดที่เป็นจุดอ่อน").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ความสอดคล้องของการตรวจประเมิน")
    expect(page.locator("[data-rule]")).to_contain_text("เกิน 2 เท่าของ SE")
    teams = page.locator('table[data-table="teams"] tbody tr')
    expect(teams).to_have_count(4)
    # Harshest first: the harsh team heads the table, the soft one closes it.
    expect(teams.first).to_contain_text("คณะผู้ประเมินที่ 3")
    expect(teams.first.locator('[data-flag="harsh"]')).to_be_visible()
    expect(teams.last).to_contain_text("คณะผู้ประเมินที่ 4")
    expect(teams.last.locator('[data-flag="soft"]')).to_be_visible()
    expect(page.locator("[data-flagged] li")).to_have_count(2)
    # Every province of the demo, and the country.
    expect(page.locator('table[data-table="provinces"] tbody tr[data-province]')).to_have_count(3)


def test_the_provincial_office_reaches_its_teams_from_the_board(demo, login, live_server):
    page = login("province_admin")
    page.goto(f"{live_server.url}/review/{YEAR}/provinces/81/")
    page.get_by_role("link", name="ความสอดคล้องของการตรวจประเมิน").click()
    expect(page).to_have_url(re.compile(rf"/results/{YEAR}/calibration/\?province=81$"))
    expect(page.locator('table[data-table="teams"] tbody tr')).to_have_count(4)
    expect(page.locator('[data-flag="harsh"]')).to_have_count(1)


def test_the_weak_spots_list_the_most_failed_indicators_first(demo, login, live_server):
    page = login("dla_official")
    page.goto(f"{live_server.url}/results/{YEAR}/weak-spots/")
    zeros = page.locator('table[data-table="weak-spots"] tbody td[data-zero]')
    values = [float(text) for text in zeros.all_inner_texts() if text != "–"]
    assert len(values) > 10 and values == sorted(values, reverse=True)
    page.get_by_label("เรียงตาม").select_option("overstated")
    page.get_by_role("button", name="แสดง").click()
    gaps = [float(text) for text in page.locator("td[data-gap]").all_inner_texts() if text != "–"]
    assert gaps == sorted(gaps, reverse=True) and gaps[0] > 0
