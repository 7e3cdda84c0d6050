"""The review dimension page's editors on demand, in the browser, from the demo (เทศบาลเมือง
กระบี่, team 1 led by `assessor`): a compact block carries no form → opening it brings its
editor → a result that differs from the organization's is refused until a reason is given,
beside the field and with what was chosen (and a comment being typed) kept → saved, the block, the outline and the
dimension's counters follow without a reload.
"""

import re

from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, demo_assessment
from tests.browser.test_review_journey import RETURNED, indicator, self_assess_and_submit


def test_opening_a_block_brings_its_editor_and_a_save_updates_the_page_in_place(demo, login, live_server):
    from reviews.models import VerifiedAnswer

    self_assess_and_submit()
    assessment = demo_assessment()
    scored = indicator(RETURNED)  # levels: 5, 4, 3, 2, 0 points; the organization chose 5
    page = login("assessor")
    page.goto(f"{live_server.url}{reverse('reviews:review_dimension', args=[assessment.pk, 1])}")
    total = page.locator("[data-indicator-block]").count()
    totals = page.locator("[data-verified-total]")
    expect(totals).to_contain_text(f"ตรวจแล้ว 0 จาก {total} ตัวชี้วัด")
    # A marker on the window: gone if the page were loaded again.
    page.evaluate("window.notReloaded = true")

    # 1. Closed, the block carries no form; opening it fetches the editor.
    block = page.locator(f"#ind-{scored.pk}")
    expect(block.locator("form")).to_have_count(0)
    expect(page.locator("form[data-verified-form]")).to_have_count(0)
    block.locator("summary", has_text="ตรวจหลักฐานและบันทึกผล").click()
    level_2 = block.get_by_role("radio", name=re.compile(r"^ระดับ 2:"))
    expect(level_2).to_be_visible()
    expect(block.get_by_role("radio", name=re.compile(r"^ระดับ 1:"))).to_be_checked()  # the organization's answer
    expect(block).to_contain_text(f"https://krabicity.go.th/lpa/{scored.code}")  # its evidence
    assert_accessible(page)

    # 2. A lower level without a reason: refused beside the reason field, the choice kept,
    # and a comment being typed in the thread is not lost.
    comment = block.get_by_label(re.compile("^เขียนความเห็น"))
    comment.fill("ร่างความเห็นที่ยังไม่ได้ส่ง")
    level_2.check()
    block.get_by_role("button", name=f"บันทึกผลการตรวจ {scored.code}").click()
    reason = block.get_by_label(re.compile("^เหตุผลของผลการตรวจ"))
    expect(block.locator(".invalid-feedback")).to_contain_text("ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_focused()
    expect(block.get_by_role("radio", name=re.compile(r"^ระดับ 2:"))).to_be_checked()
    expect(comment).to_have_value("ร่างความเห็นที่ยังไม่ได้ส่ง")
    assert not VerifiedAnswer.objects.filter(assessment=assessment, indicator=scored).exists()

    # 3. With a reason: saved; the block, the outline and the counters follow, no reload.
    reason.fill("ไม่พบคำสั่งแต่งตั้งฉบับลงนาม")
    block.get_by_role("button", name=f"บันทึกผลการตรวจ {scored.code}").click()
    expect(page.locator(f"#ind-{scored.pk} > .card-body > [data-block-message]")).to_contain_text(f"บันทึกผลการตรวจตัวชี้วัด {scored.code} แล้ว (4 คะแนน)")
    expect(block.locator("[data-state-badge]")).to_have_text("ตรวจแล้ว")
    expect(block.locator("[data-verified-points]")).to_have_text("4")
    expect(block.locator("[data-verified-reason]")).to_contain_text("ไม่พบคำสั่งแต่งตั้งฉบับลงนาม")
    expect(totals).to_contain_text(f"ตรวจแล้ว 1 จาก {total} ตัวชี้วัด")
    expect(page.locator("[data-complete-count]").first).to_have_text("1")
    outline = page.locator(f".dimension-outline a[href='#ind-{scored.pk}'] .outline-state").first
    expect(outline).to_have_class(re.compile("outline-checked"))
    assert page.evaluate("window.notReloaded === true")
    saved = VerifiedAnswer.objects.get(assessment=assessment, indicator=scored)
    assert (saved.points, saved.reason, saved.version) == (4, "ไม่พบคำสั่งแต่งตั้งฉบับลงนาม", 1)

    # 4. Saving again from the same form works (it carries the new version).
    block.get_by_role("radio", name=re.compile(r"^ระดับ 3:")).check()
    block.get_by_role("button", name=f"บันทึกผลการตรวจ {scored.code}").click()
    expect(page.locator(f"#ind-{scored.pk} > .card-body > [data-block-message]")).to_contain_text(f"บันทึกผลการตรวจตัวชี้วัด {scored.code} แล้ว (3 คะแนน)")
    expect(totals).to_contain_text(f"ตรวจแล้ว 1 จาก {total} ตัวชี้วัด")
    assert_accessible(page)
