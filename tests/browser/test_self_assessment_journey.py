"""The self-assessment journey in the browser, from the demo: staff fill dimension 1 with
uploads (without reloading the page), the head submits, the forms are gone."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.seed import DEMO_ORGANIZATION
from tests.assessments.factories import PE_HEADER, pdf_bytes
from tests.browser.conftest import assert_accessible, demo_assessment


def answer_the_other_dimensions(assessment, username: str) -> None:
    """Everything outside dimension 1, the way the pages would save it (they are tested above)."""
    from accounts.models import User
    from assessments.evidence import add_evidence_link
    from assessments.models import Indicator
    from assessments.selfassessment import answer_for, save_answer

    staff = User.objects.get(username=username)
    indicators = Indicator.objects.for_assessment(assessment).exclude(category__dimension__number=1).prefetch_related("options")
    for indicator in indicators:
        options = list(indicator.options.all())
        data = {
            Indicator.Kind.LEVELS: {"level": options[-1].pk},
            Indicator.Kind.FIGURE: {"figure": "85"},
        }.get(indicator.kind, {"ticked": [options[0].pk]})
        save_answer(assessment=assessment, indicator=indicator, data=data, expected_version=0, by=staff)
        add_evidence_link(
            answer=answer_for(assessment, indicator), url=f"https://krabicity.go.th/lpa/{indicator.code}", title="", by=staff
        )


def test_staff_fill_a_dimension_the_head_submits_and_it_becomes_read_only(demo, login, live_server, evidence_folder):
    page = login("org_staff")
    page.get_by_role("link", name=re.compile("การประเมินตนเอง ปี 2569")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("การประเมินตนเอง ปี 2569")
    expect(page.locator("main")).to_contain_text("เหลืออีก 60 วัน")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^1\. ด้านการบริหารจัดการ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ด้านที่ 1")
    assert_accessible(page)
    url = page.url

    blocks = page.locator("[data-indicator-block]")
    ids = [blocks.nth(i).get_attribute("id") for i in range(blocks.count())]
    assert len(ids) >= 10
    for number, block_id in enumerate(ids):
        block = page.locator(f"#{block_id}")
        code = block.locator("h3 .code").inner_text()
        # Each indicator shows its answer, points and evidence count; the editors open on demand.
        expect(block.get_by_role("button", name=f"บันทึกคำตอบ {code}")).to_be_hidden()
        block.locator("summary").first.click()
        expect(block.get_by_role("button", name=f"บันทึกคำตอบ {code}")).to_be_visible()  # its editor fetched
        if block.get_by_role("radio").count():
            block.get_by_role("radio").last.check()
        elif block.locator("input[name$='-figure']").count():
            block.locator("input[name$='-figure']").fill("85")
        else:
            block.locator("input[name$='-ticked']").first.check()
        block.get_by_label("หมายเหตุ").fill(f"ตามเอกสารแนบ {code}")
        block.get_by_role("button", name=f"บันทึกคำตอบ {code}").click()
        expect(block.locator("[data-block-message]").first).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {code} แล้ว")
        expect(page.locator("#save-status")).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {code} แล้ว")
        if number == 0:
            # A program renamed .pdf is refused by its content, with its name in the message.
            block.get_by_label(f"แนบไฟล์ {code}").set_input_files(
                files=[{"name": "คำสั่ง.pdf", "mimeType": "application/pdf", "buffer": PE_HEADER}]
            )
            block.get_by_role("button", name=f"อัปโหลด {code}").click()
            expect(block.locator(".invalid-feedback")).to_contain_text("ไฟล์ \"คำสั่ง.pdf\" ไม่ใช่ประเภทที่รับ")
            expect(block.get_by_label(f"แนบไฟล์ {code}")).to_be_focused()
        block.get_by_label(f"แนบไฟล์ {code}").set_input_files(
            files=[{"name": f"คำสั่ง {code}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(code)}]
        )
        block.get_by_role("button", name=f"อัปโหลด {code}").click()
        expect(block.locator("[data-block-message]").first).to_contain_text(f"แนบไฟล์แล้ว 1 ไฟล์: คำสั่ง {code}.pdf")
        expect(block.get_by_role("link", name=f"คำสั่ง {code}.pdf")).to_be_visible()
        expect(block.locator(".badge.text-bg-success")).to_have_text("ครบแล้ว")
        expect(block).to_contain_text("หลักฐาน 1 รายการ")
        expect(page.locator(f".outline-panel a[href='#{block_id}'] .outline-complete")).to_have_text("✓")
    assert page.url == url  # every save happened without leaving the page
    page.mouse.move(0, 0)  # not mid-way through a button's hover transition when axe reads colours
    page.wait_for_timeout(300)
    assert_accessible(page)

    # The answers are there after a reload, and a file downloads under its own name.
    page.reload()
    first = page.locator(f"#{ids[0]}")
    # The outline takes the reader to an indicator and opens it (its editor fetched on demand).
    page.locator(f".outline-panel a[href='#{ids[0]}']").click()
    expect(first.locator("details.indicator-editor")).to_have_attribute("open", "")
    expect(first.get_by_label("หมายเหตุ")).to_have_value(re.compile("^ตามเอกสารแนบ"))
    with page.expect_download() as download:
        first.get_by_role("link", name=re.compile(r"^คำสั่ง .*\.pdf$")).click()
    assert download.value.suggested_filename.startswith("คำสั่ง ")

    answer_the_other_dimensions(demo_assessment(), "org_staff")

    # The head reviews what is missing (nothing), submits, and the forms are gone.
    page.context.clear_cookies()
    page = login("org_head")
    page.goto(f"{live_server.url}{demo_assessment().get_absolute_url()}")
    page.get_by_role("link", name="ตรวจสอบและส่งผลการประเมิน").click()
    expect(page.locator("main")).to_contain_text("ตอบครบทุกตัวชี้วัดและแนบหลักฐานที่กำหนดแล้ว")
    assert_accessible(page)
    page.get_by_role("button", name="ยืนยันส่งผลการประเมินตนเอง").click()
    expect(page.locator(".alert-success")).to_contain_text("ส่งผลการประเมินตนเองแล้ว")
    expect(page.locator("main dl")).to_contain_text("ส่งผลการประเมินตนเองแล้ว")
    expect(page.locator("main")).to_contain_text("ส่งผลการประเมินตนเอง")  # the history

    page.goto(url)
    expect(page.locator("main")).to_contain_text("ส่งผลการประเมินแล้ว หน้านี้ดูได้อย่างเดียว")
    # No answer, upload or link form is left; the comment threads stay open to the team.
    expect(page.locator("form[action$='/answer/'], form[action$='/files/'], form[action$='/links/']")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("บันทึกคำตอบ"))).to_have_count(0)
    page.locator("[data-indicator-block] summary").first.click()
    expect(page.locator("form[action$='/comments/']").first).to_be_visible()
    assert_accessible(page)


def test_saving_works_with_javascript_off(demo, browser, live_server, evidence_folder):
    from demo.seed import DEMO_PASSWORD

    context = browser.new_context(java_script_enabled=False, locale="th-TH")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ชื่อผู้ใช้หรืออีเมล").fill("org_staff")
    page.get_by_label("รหัสผ่าน").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    from assessments.models import Indicator

    figure = (
        Indicator.objects.for_assessment(demo_assessment()).filter(category__dimension__number=1, kind="figure").first()
    )
    page.goto(f"{live_server.url}{demo_assessment().get_absolute_url()}dimensions/1/")
    block_id, code = f"ind-{figure.pk}", figure.code
    block = page.locator(f"#{block_id}")
    block.locator("summary").first.click()  # <details> opens without script too
    block.get_by_role("link", name=f"แก้ไข {code}").click()  # and its link opens the editor as a page
    expect(page.get_by_role("heading", level=1)).to_contain_text("ด้านที่ 1")
    block = page.locator(f"#{block_id}")
    block.locator("input[name$='-figure']").fill("ไม่ทราบ")
    block.get_by_role("button", name=f"บันทึกคำตอบ {code}").click()
    block = page.locator(f"#{block_id}")
    expect(block.locator(".invalid-feedback")).to_contain_text("กรอกค่าเป็นตัวเลข")
    expect(block.locator("input[name$='-figure']")).to_have_attribute("aria-invalid", "true")
    block.locator("input[name$='-figure']").fill("1,250.5")
    block.get_by_role("button", name=f"บันทึกคำตอบ {code}").click()
    expect(page).to_have_url(re.compile(rf"/dimensions/1/#{block_id}$"))
    expect(page.locator(".alert-success").first).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {code} แล้ว")
    expect(page.locator(f"#{block_id}")).to_contain_text("1,250.5")
    context.close()


@pytest.mark.parametrize("username", ["assessor", "province_admin"])
def test_province_reads_the_assessment_from_the_organization_page(demo, login, live_server, username):
    page = login(username)
    page.goto(f"{live_server.url}/organizations/{DEMO_ORGANIZATION}/")
    page.get_by_role("link", name="ปี 2569").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("การประเมินตนเอง ปี 2569")
    page.get_by_role("link", name=re.compile(r"^1\. ")).click()
    expect(page.locator("[data-indicator-block]").first).to_be_visible()
    expect(page.locator("[data-block-form]")).to_have_count(0)
    assert_accessible(page)


def test_provincial_office_grants_an_extension(demo, login, live_server):

    page = login("province_admin")
    page.goto(f"{live_server.url}{demo_assessment().get_absolute_url()}")
    page.get_by_role("link", name="ขยายเวลา", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ขยายเวลาการประเมินตนเอง")
    page.get_by_role("button", name="บันทึกการขยายเวลา").click()
    expect(page.get_by_label("เหตุผล")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    day = demo_assessment().round.self_assessment_closes + datetime.timedelta(days=14)
    page.get_by_label("ขยายถึงวันที่").fill(f"{day.day:02d}/{day.month:02d}/{day.year + 543}")
    page.get_by_label("เหตุผล").fill("ระบบไฟฟ้าของสำนักงานขัดข้อง")
    page.get_by_role("button", name="บันทึกการขยายเวลา").click()
    expect(page.locator(".alert-success")).to_contain_text("ขยายเวลาการประเมินตนเองของ")
    expect(page.locator("main")).to_contain_text(f"เหลืออีก {(day - timezone.localdate()).days} วัน")
    expect(page.locator("main")).to_contain_text("ระบบไฟฟ้าของสำนักงานขัดข้อง")  # the history


def test_dimension_page_fits_a_375px_phone(demo, login, live_server):
    page = login("org_staff")
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("", "dimensions/1/", "submit/"):
        page.goto(f"{live_server.url}{demo_assessment().get_absolute_url()}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path


def test_ticking_not_applicable_disables_the_figure_box(demo, login, live_server):
    page = login("org_staff")
    page.goto(f"{live_server.url}{demo_assessment().get_absolute_url()}dimensions/3/")
    # 3.3.3: a figure the organization may declare not applicable.
    block = page.locator("[data-indicator-block]").filter(has=page.locator("h3 .code", has_text="3.3.3"))
    figure = block.locator("input[name$='-figure']")
    not_applicable = block.get_by_label("ไม่มีภารกิจนี้")
    block.locator("summary").first.click()  # the editors open on demand
    expect(figure).to_be_enabled()

    not_applicable.check()
    expect(figure).to_be_disabled()
    not_applicable.uncheck()
    expect(figure).to_be_enabled()

    # Saved as not applicable: the block the server sends back keeps the box disabled.
    figure.fill("85")
    not_applicable.check()
    block.get_by_label("เหตุผลที่ไม่มีภารกิจ").fill("ไม่มีสถานีขนส่งในพื้นที่")
    block.get_by_role("button", name="บันทึกคำตอบ 3.3.3").click()
    expect(block.locator("[data-block-message]").first).to_contain_text("บันทึกคำตอบตัวชี้วัด 3.3.3 แล้ว")
    expect(block.get_by_label("ไม่มีภารกิจนี้")).to_be_checked()
    expect(block.locator("input[name$='-figure']")).to_be_disabled()
    expect(block.locator("input[name$='-figure']")).to_have_value("")  # the server dropped the figure
    page.reload()
    block.locator("summary").first.click()
    expect(block.locator("input[name$='-figure']")).to_be_disabled()
