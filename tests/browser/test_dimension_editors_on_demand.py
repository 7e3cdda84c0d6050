"""The dimension page in the browser: compact blocks whose editor is fetched when opened, a
save answered with JSON that updates the block, the outline and the counters in place, and
a refused value shown beside its field with what was typed kept. (Without script the block's
link opens the editor as a page: tests/assessments/test_views_self_assessment_editor.py.)"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, demo_assessment


def _indicator(kind: str, dimension: int = 1):
    from assessments.models import Indicator

    return (
        Indicator.objects.for_assessment(demo_assessment())
        .filter(category__dimension__number=dimension, kind=kind)
        .order_by("category__number", "position")
        .first()
    )


def test_opening_a_block_fetches_its_editor_and_a_save_updates_the_page_in_place(demo, login, live_server, evidence_folder):
    levels, figure = _indicator("levels"), _indicator("figure", dimension=3)
    page = login("org_staff")
    page.goto(f"{live_server.url}{demo_assessment().get_absolute_url()}dimensions/1/")
    page.evaluate("window.lpaNotReloaded = true")
    block = page.locator(f"#ind-{levels.pk}")
    expect(block.locator("form")).to_have_count(0)  # closed: no editor yet

    block.locator("summary").first.click()
    expect(block.get_by_role("button", name=f"บันทึกคำตอบ {levels.code}")).to_be_visible()
    assert_accessible(page)
    block.get_by_role("radio").nth(2).check()
    block.get_by_label("หมายเหตุ").fill("ตามคำสั่งที่แนบ")
    block.get_by_role("button", name=f"บันทึกคำตอบ {levels.code}").click()

    expect(block.locator("[data-block-message]").first).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {levels.code} แล้ว")
    expect(page.locator("#save-status")).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {levels.code} แล้ว")
    expect(block.locator("[data-block-summary]")).to_contain_text("คะแนน")
    expect(block.locator("[data-block-summary]")).to_contain_text("บันทึกล่าสุด")
    expect(block.locator("input[name$='-version']")).to_have_value("1")  # a second save goes on from here
    state = block.get_attribute("data-state")
    expect(page.locator(f".outline-panel a[href='#ind-{levels.pk}'] .outline-state")).to_have_class(re.compile(f"outline-{state}"))
    done = page.locator("[data-indicator-block][data-state=complete]").count()
    expect(page.locator(".outline-panel [data-complete-count]")).to_have_text(str(done))
    assert page.evaluate("window.lpaNotReloaded") is True  # all of it without a reload

    # A second save of the same block, from the version the first one returned.
    block.get_by_role("radio").nth(3).check()
    block.get_by_role("button", name=f"บันทึกคำตอบ {levels.code}").click()
    expect(block.locator("input[name$='-version']")).to_have_value("2")

    # A value refused: the message beside the field, what was typed kept, nothing reloaded.
    page.goto(f"{live_server.url}{demo_assessment().get_absolute_url()}dimensions/3/")
    block = page.locator(f"#ind-{figure.pk}")
    block.locator("summary").first.click()
    box = block.locator("input[name$='-figure']")
    box.fill("แปดสิบ")
    block.get_by_role("button", name=f"บันทึกคำตอบ {figure.code}").click()
    expect(block.locator(f"#id_i{figure.pk}-figure_errors")).to_contain_text("กรอกค่าเป็นตัวเลข")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    expect(box).to_have_value("แปดสิบ")
    box.fill("85")
    block.get_by_role("button", name=f"บันทึกคำตอบ {figure.code}").click()
    expect(block.locator("[data-block-message]").first).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {figure.code} แล้ว")
    expect(block.locator(f"#id_i{figure.pk}-figure_errors")).to_have_count(0)
    assert_accessible(page)

    # After a reload the page (served from the cache or not) shows both answers.
    page.reload()
    expect(page.locator(f"#ind-{figure.pk} [data-block-summary]")).to_contain_text("85")
