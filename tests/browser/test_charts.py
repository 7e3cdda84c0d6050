"""The results charts as a person sees them: named above, a legend of the bands, the pass
mark, within the screen of a 375 px phone (issue 14)."""

import re

from playwright.sync_api import expect

PHONE = {"width": 375, "height": 812}


def test_the_department_reads_the_national_charts_legend_and_ranking(demo, login, live_server):
    page = login("dla_official")
    page.goto(f"{live_server.url}/results/2569/")
    provinces = page.locator('figure[data-chart="provinces"]')
    expect(provinces.locator("figcaption")).to_contain_text("เรียงจากมากไปน้อย")
    chart = provinces.locator("svg:visible")
    expect(chart).to_have_count(1)
    expect(chart).to_have_attribute("viewBox", re.compile(r"^0 0 640 "))
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 40
    # The ranking starts at 1, the bands' legend and the pass mark are drawn text, not tooltips.
    expect(chart.locator("text.label").first).to_have_text("1. กระบี่")
    expect(chart.locator(".legend-entry", has_text="ดีเด่น (90–100)")).to_be_visible()
    expect(chart.locator(".legend-entry", has_text="เกณฑ์ผ่าน ร้อยละ 70")).to_be_visible()
    expect(chart.locator("line.pass-mark")).to_have_count(1)
    dimensions = page.locator('figure[data-chart="dimensions"] svg:visible')
    expect(dimensions.locator("text.value", has_text="ประเมินตนเอง").first).to_be_visible()
    expect(dimensions.locator("text.value", has_text="ผลการตรวจ").first).to_be_visible()
    # Each dimension's whole name, none cut with "…".
    assert "…" not in dimensions.inner_html()
    expect(dimensions.locator("text.label", has_text="ด้านการบริหารงานบุคคลและกิจการสภา")).to_be_visible()


def test_on_a_phone_every_chart_is_drawn_for_the_phone_and_fits_the_screen(demo, login, live_server):
    page = login("dla_official")
    page.set_viewport_size(PHONE)
    for path in ("/results/2569/", "/results/2569/provinces/81/", "/results/2569/organizations/6810205/"):
        page.goto(f"{live_server.url}{path}")
        figures = page.locator("figure[data-chart]")
        assert figures.count() > 0, path
        for index in range(figures.count()):
            # One drawing shown, the phone's: labels above the bars, its text near its own size.
            chart = figures.nth(index).locator("svg:visible")
            expect(chart).to_have_count(1)
            expect(chart).to_have_attribute("viewBox", re.compile(r"^0 0 360 "))
            chart.scroll_into_view_if_needed()
            box = chart.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, index, box)
            label = chart.locator("text").first.bounding_box()
            assert label["height"] >= 10, (path, index, label)
