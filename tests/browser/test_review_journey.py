"""The whole review loop in the browser, from the demo (เทศบาลเมืองกระบี่, team 1 led by `assessor`):

the assessor returns an indicator with a reason → the staff revise it and the head resubmits →
the team scores and the lead verifies → the provincial office approves → the department
publishes → the organization sees its verified results → the head appeals one indicator →
the lead answers → the organization sees the answer, and the assessment is published again.

The long parts the pages of other journeys already cover are prepared through the same
functions the pages call: answering all the indicators, and the team's results for all but
the indicator sent back. Every transition named above is a click.
"""

import datetime
import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.selfassessment import submit
from tests.assessments.factories import pdf_bytes
from tests.browser.conftest import assert_accessible, demo_assessment

RETURNED = "1.1.4"  # levels: 5, 4, 3, 2, 0 points
APPEALED = "2.1.3"  # levels: 5, 3, 0 points
TEAM_REASON = "ไม่พบคำสั่งแต่งตั้งคณะทำงานฉบับลงนาม"


def indicator(code: str):
    from assessments.models import Indicator

    return Indicator.objects.prefetch_related("options").get(round__year=2569, code=code)


def best(indicator) -> dict:
    """Full marks in the indicator's own input."""
    from assessments.models import Indicator

    options = list(indicator.options.all())
    if indicator.kind == Indicator.Kind.LEVELS:
        return {"level": max(options, key=lambda option: option.points).pk}
    if indicator.kind == Indicator.Kind.FIGURE:
        return {"figure": str(max(option.threshold for option in options))}
    return {"ticked": [option.pk for option in options]}


def self_assess_and_submit() -> None:
    """Every indicator at full marks with a link as evidence, then the head submits
    (the self-assessment journey does this through the pages)."""
    from accounts.models import User
    from assessments.evidence import add_evidence_link
    from assessments.models import Indicator
    from assessments.selfassessment import save_answer

    assessment = demo_assessment()
    staff, head = User.objects.get(username="org_staff"), User.objects.get(username="org_head")
    for item in Indicator.objects.for_assessment(assessment).prefetch_related("options"):
        answer = save_answer(assessment=assessment, indicator=item, data=best(item), expected_version=0, by=staff)
        add_evidence_link(answer=answer, url=f"https://krabicity.go.th/lpa/{item.code}", title="", by=staff)
    submit(assessment, by=head)


def team_scores_all_but_the_returned_indicator() -> None:
    """A team member's results: as the organization answered, except APPEALED (one level lower, with a reason)."""
    from accounts.models import User
    from assessments.models import Indicator
    from reviews.workflow import save_verified_answer

    assessment = demo_assessment()
    member = User.objects.get(username="assessor2")
    for item in Indicator.objects.for_assessment(assessment).exclude(code=RETURNED).prefetch_related("options"):
        data = best(item)
        if item.code == APPEALED:
            data = {"level": item.options.get(position=2).pk, "reason": TEAM_REASON}
        save_verified_answer(assessment=assessment, indicator=item, data=data, expected_version=0, by=member)


def thai_day(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def test_return_resubmit_verify_approve_publish_appeal_and_answer(demo, login, live_server, evidence_folder):
    from assessments.models import Assessment
    from reviews.models import Appeal, VerifiedAnswer

    self_assess_and_submit()
    assessment = demo_assessment()
    returned = indicator(RETURNED)
    appealed = indicator(APPEALED)
    review_url = f"{live_server.url}{reverse('reviews:review_detail', args=[assessment.pk])}"
    results_url = f"{live_server.url}{reverse('reviews:results', args=[assessment.pk])}"

    # 1. The team lead sends one indicator back with its reason.
    page = login("assessor")
    page.goto(review_url)
    page.get_by_role("link", name="ส่งกลับให้แก้ไข").click()
    page.get_by_label(f"{returned.code} {returned.title}").check()
    page.get_by_label(f"เหตุผลที่ส่งตัวชี้วัด {returned.code} กลับ").fill("แนบคำสั่งแต่งตั้งคณะทำงานฉบับลงนาม")
    page.get_by_role("button", name="ส่งกลับให้แก้ไข").click()
    expect(page.locator(".alert-success")).to_contain_text("ส่งกลับให้")
    assert demo_assessment().status == Assessment.Status.RETURNED

    # 2. The staff revise that indicator (a lower level, and the order as a file); the head resubmits.
    page.context.clear_cookies()
    page = login("org_staff")
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("แนบคำสั่งแต่งตั้งคณะทำงานฉบับลงนาม")
    page.goto(f"{live_server.url}{reverse('assessments:assessment_dimension', args=[assessment.pk, 1])}")
    block = page.locator(f"#ind-{returned.pk}")
    block.get_by_role("radio", name=re.compile(r"^ระดับ 2:")).check()
    block.get_by_role("button", name=f"บันทึกคำตอบ {returned.code}").click()
    expect(page.locator("main")).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {returned.code} แล้ว")
    block.get_by_label(f"แนบไฟล์ {returned.code}").set_input_files(
        files=[{"name": "คำสั่งแต่งตั้ง.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("order")}]
    )
    block.get_by_role("button", name=f"อัปโหลด {returned.code}").click()
    expect(page.locator("main")).to_contain_text("แนบไฟล์แล้ว 1 ไฟล์: คำสั่งแต่งตั้ง.pdf")
    page.context.clear_cookies()
    page = login("org_head")
    page.goto(f"{live_server.url}{reverse('assessments:assessment_submit', args=[assessment.pk])}")
    page.get_by_role("button", name="ยืนยันส่งผลการประเมินตนเอง").click()
    expect(page.locator(".alert-success")).to_contain_text("ส่งผลการประเมินตนเองแล้ว")
    assert demo_assessment().status == Assessment.Status.RESUBMITTED

    # 3. The team scores; the lead scores the revised indicator and verifies.
    team_scores_all_but_the_returned_indicator()
    page.context.clear_cookies()
    page = login("assessor")
    page.goto(f"{live_server.url}{reverse('reviews:review_dimension', args=[assessment.pk, 1])}")
    block = page.locator(f"#ind-{returned.pk}")
    block.get_by_role("radio", name=re.compile(r"^ระดับ 2:")).check()
    block.get_by_role("button", name=f"บันทึกผลการตรวจ {returned.code}").click()
    expect(page.locator("main")).to_contain_text(f"บันทึกผลการตรวจตัวชี้วัด {returned.code} แล้ว (4 คะแนน)")
    page.goto(review_url)
    page.get_by_role("link", name="ยืนยันผลการตรวจ (หัวหน้าคณะ)").click()
    # A page says what will happen before anything does.
    expect(page.locator("main")).to_contain_text("ส่งให้สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดรับรองผล")
    assert demo_assessment().status == Assessment.Status.IN_REVIEW
    page.get_by_role("button", name=re.compile(r"^ยืนยันผลการตรวจ \d+ ตัวชี้วัด$")).click()
    expect(page.locator(".alert-success")).to_contain_text("ยืนยันผลการตรวจแล้ว")
    assert demo_assessment().status == Assessment.Status.VERIFIED

    # 4. The provincial office approves.
    page.context.clear_cookies()
    page = login("province_admin")
    page.goto(review_url)
    page.get_by_role("link", name="รับรองผล", exact=True).click()
    expect(page.locator("main")).to_contain_text("รับรองผลการประเมินของ 1 อปท.")
    assert demo_assessment().status == Assessment.Status.VERIFIED
    page.get_by_role("button", name="ยืนยันรับรองผล").click()
    expect(page.locator(".alert-success")).to_contain_text("รับรองผลการประเมินของ")
    assert demo_assessment().status == Assessment.Status.APPROVED

    # 5. The department publishes the round's approved results.
    page.context.clear_cookies()
    page = login("dla_official")
    page.goto(f"{live_server.url}{reverse('reviews:round_publish', args=[2569])}")
    # The demo planned the appeal window months ahead; the department opens it today instead.
    today = timezone.localdate()
    page.get_by_label("วันเปิดรับอุทธรณ์").fill(thai_day(today))
    page.get_by_label("วันปิดรับอุทธรณ์").fill(thai_day(today + datetime.timedelta(days=14)))
    page.get_by_role("button", name=re.compile("^ยืนยันการประกาศผล")).click()
    expect(page.locator(".alert-success")).to_contain_text("อุทธรณ์ได้ถึงวันที่")
    assert demo_assessment().status == Assessment.Status.PUBLISHED

    # 6. The organization sees its verified results, with the team's reason.
    page.context.clear_cookies()
    page = login("org_staff")
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    page.get_by_role("link", name="ผลการตรวจประเมิน").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ผลการประเมิน ปี 2569")
    result = page.locator(f"#ind-{appealed.pk}")
    expect(result).to_contain_text(TEAM_REASON)
    expect(result.locator("[data-verified-points]")).to_contain_text("คะแนน 3 / 5")
    expect(page.locator(f"#ind-{returned.pk} [data-verified-points]")).to_contain_text("คะแนน 4 / 5")
    before = page.locator("[data-overall-points]").inner_text()
    assert_accessible(page)

    # 7. The head appeals that one indicator, with a new file; what was typed survives a refusal.
    page.context.clear_cookies()
    page = login("org_head")
    page.goto(results_url)
    page.get_by_role("link", name="อุทธรณ์ผลการประเมิน").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("อุทธรณ์ผลการประเมิน ปี 2569")
    assert_accessible(page)
    argument = "มีคำสั่งแต่งตั้งคณะทำงานฉบับลงนามแล้ว แนบมาพร้อมนี้"
    page.get_by_label(f"เหตุผลการอุทธรณ์ {APPEALED}").fill(argument)
    page.get_by_role("button", name="ส่งคำอุทธรณ์").click()
    expect(page.locator(f"#ind-{appealed.pk} .invalid-feedback")).to_contain_text("แต่ไม่ได้เลือกอุทธรณ์")
    expect(page.get_by_label(f"เหตุผลการอุทธรณ์ {APPEALED}")).to_have_value(argument)
    page.get_by_label(f"อุทธรณ์ตัวชี้วัด {APPEALED}").check()
    page.get_by_label(f"หลักฐานเพิ่มเติม {APPEALED}").set_input_files(
        files=[{"name": "คำสั่งฉบับลงนาม.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("signed")}]
    )
    page.get_by_role("button", name="ส่งคำอุทธรณ์").click()
    expect(page.locator(".alert-success")).to_contain_text("ส่งคำอุทธรณ์ 1 ตัวชี้วัดแล้ว")
    expect(page.locator(f"#ind-{appealed.pk} [data-appeal]")).to_contain_text("รอจังหวัดพิจารณา")
    assert demo_assessment().status == Assessment.Status.APPEALED

    # 8. The lead reads the argument and the new file, and accepts: full marks.
    page.context.clear_cookies()
    page = login("assessor")
    page.goto(results_url)
    page.get_by_role("link", name=f"พิจารณาอุทธรณ์ {APPEALED}").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"พิจารณาอุทธรณ์ตัวชี้วัด {APPEALED}")
    expect(page.locator("main")).to_contain_text(argument)
    with page.expect_download() as download:
        page.get_by_role("link", name="คำสั่งฉบับลงนาม.pdf").click()
    assert download.value.suggested_filename == "คำสั่งฉบับลงนาม.pdf"
    assert_accessible(page)
    page.get_by_role("button", name="บันทึกผลการพิจารณา").click()
    expect(page.locator("main")).to_contain_text("เลือกผลการพิจารณา")  # nothing chosen: refused, in Thai
    page.get_by_role("radio", name="รับอุทธรณ์ (แก้ไขผลการตรวจ)").check()
    page.get_by_role("radio", name=re.compile(r"^ระดับ 1:")).check()
    page.get_by_label("คำชี้แจงผลการพิจารณา").fill("คำสั่งฉบับลงนามครบถ้วน ได้คะแนนเต็ม")
    page.get_by_role("button", name="บันทึกผลการพิจารณา").click()
    expect(page.locator(".alert-success")).to_contain_text(f"บันทึกผลการพิจารณาอุทธรณ์ตัวชี้วัด {APPEALED} แล้ว")
    appeal = Appeal.objects.get(assessment=assessment)
    assert (appeal.decision, appeal.points_before, appeal.points_after) == ("accepted", 3, 5)
    assert VerifiedAnswer.objects.get(assessment=assessment, indicator=appealed).points == 5

    # 9. The organization sees the answer; the assessment is published again.
    page.context.clear_cookies()
    page = login("org_staff")
    page.goto(results_url)
    expect(page.locator("main")).to_contain_text("ประกาศผลแล้ว")
    result = page.locator(f"#ind-{appealed.pk}")
    expect(result.locator("[data-appeal-response]")).to_have_text("คำสั่งฉบับลงนามครบถ้วน ได้คะแนนเต็ม")
    expect(result.locator("[data-verified-points]")).to_contain_text("คะแนน 5 / 5")
    assert page.locator("[data-overall-points]").inner_text() != before
    assert demo_assessment().status == Assessment.Status.PUBLISHED


def test_results_wait_for_publication_for_the_organization(demo, login, live_server):
    page = login("org_head")
    page.goto(f"{live_server.url}{reverse('reviews:results', args=[demo_assessment().pk])}")
    expect(page.locator("main")).to_contain_text("ยังไม่ประกาศผลการประเมิน")
    expect(page.locator("[data-result]")).to_have_count(0)
    assert_accessible(page)
