"""A user sends feedback from the page they are on; the department answers; the user reads it."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


def test_user_sends_feedback_with_screenshot_and_reads_the_answer(demo, login, live_server, evidence_folder, tmp_path):
    page = login("org_staff")
    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="ส่งความคิดเห็นต่อระบบ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ส่งความคิดเห็นต่อระบบ")
    expect(page.get_by_label("หน้าที่พบ")).to_have_value("/accounts/profile/")
    assert_accessible(page)

    page.get_by_label("สิ่งที่เกิดขึ้น หรือข้อเสนอแนะ").fill("ไม่แน่ใจว่าจะแก้ชื่อได้ที่ไหน")
    not_an_image = tmp_path / "จอ.png"
    not_an_image.write_bytes(b"%PDF-1.4 not an image")
    page.get_by_label("ภาพหน้าจอ (ถ้ามี)").set_input_files(str(not_an_image))
    page.get_by_role("button", name="ส่งความคิดเห็น").click()
    expect(page.locator("main")).to_contain_text("ภาพหน้าจอต้องเป็นไฟล์รูปภาพ PNG หรือ JPEG")
    expect(page.get_by_label("สิ่งที่เกิดขึ้น หรือข้อเสนอแนะ")).to_have_value("ไม่แน่ใจว่าจะแก้ชื่อได้ที่ไหน")

    screenshot = tmp_path / "screen.png"
    screenshot.write_bytes(page.screenshot())
    page.get_by_label("ภาพหน้าจอ (ถ้ามี)").set_input_files(str(screenshot))
    page.get_by_role("button", name="ส่งความคิดเห็น").click()
    expect(page).to_have_url(re.compile(r"/feedback/$"))
    expect(page.locator("main")).to_contain_text("ส่งความคิดเห็นแล้ว")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("ใหม่")

    page.context.clear_cookies()  # sign out
    official = login("dla_official")
    official.get_by_role("link", name="ความคิดเห็นทั้งหมด").click()
    official.get_by_label("สถานะ").select_option(label="ใหม่")
    official.get_by_role("button", name="กรอง").click()
    official.locator("tbody a").first.click()
    expect(official.locator("main")).to_contain_text("ไม่แน่ใจว่าจะแก้ชื่อได้ที่ไหน")
    expect(official.locator("main")).to_contain_text("อ่านแล้ว")
    assert_accessible(official)
    official.get_by_label("คำตอบถึงผู้ส่ง").fill("แก้ได้ที่หน้าข้อมูลของฉัน")
    official.get_by_role("button", name="ตอบและแจ้งผู้ส่ง").click()
    expect(official.locator("main")).to_contain_text("บันทึกคำตอบและแจ้งผู้ส่งแล้ว")

    official.context.clear_cookies()
    page = login("org_staff")
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name=re.compile("ตอบความคิดเห็น")).first.click()
    expect(page.locator("main")).to_contain_text("แก้ได้ที่หน้าข้อมูลของฉัน")
