"""The re-review loop in the browser, from the demo (เทศบาลเมืองกระบี่, team 1 led by `assessor`):

the team has scored everything → the lead sends one indicator back (its reason box opens with
its tick, the count and the button stay in reach) → the organization sees the return's due date
and the reason first, revises that indicator's level and note, and the head resubmits → the
lead sees the revised indicator first on the overview, counted as to re-check, marked on the
dimension page with what changed, its form starting from the new answer → saving it needs no
reason and it is checked again → verifying asks for a confirmation first.
"""

import datetime
import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.templatetags.thai_dates import thai_date
from tests.browser.conftest import assert_accessible, demo_assessment
from tests.browser.test_review_journey import RETURNED, best, indicator, self_assess_and_submit

REASON = "ระดับ 1 ต้องมีรายงานผลการดำเนินงานฉบับลงนาม"


def team_scores_everything_as_claimed() -> None:
    from accounts.models import User
    from assessments.models import Indicator
    from reviews.workflow import save_verified_answer

    assessment = demo_assessment()
    member = User.objects.get(username="assessor2")
    for item in Indicator.objects.for_assessment(assessment).prefetch_related("options"):
        save_verified_answer(assessment=assessment, indicator=item, data=best(item), expected_version=0, by=member)


def organization_revises_and_resubmits(returned) -> None:
    """The staff choose level 2 with a note (as the dimension page does), the head resubmits."""
    from accounts.models import User
    from assessments.selfassessment import answer_for, save_answer, submit

    assessment = demo_assessment()
    save_answer(
        assessment=assessment,
        indicator=returned,
        data={"level": returned.options.get(position=2).pk, "note": "ยังไม่มีฉบับลงนาม จึงประเมินระดับ 2"},
        expected_version=answer_for(assessment, returned).version,
        by=User.objects.get(username="org_staff"),
    )
    submit(assessment, by=User.objects.get(username="org_head"))


def test_a_resubmitted_indicator_is_rechecked_first_from_the_new_answer(demo, login, live_server):
    from assessments.models import Assessment

    self_assess_and_submit()
    team_scores_everything_as_claimed()
    assessment = demo_assessment()
    returned = indicator(RETURNED)
    review_url = f"{live_server.url}{reverse('reviews:review_detail', args=[assessment.pk])}"

    # 1. The lead returns one indicator: its reason box opens with its tick, and the count says 1.
    page = login("assessor")
    page.goto(review_url)
    expect(page.locator("main")).to_contain_text("ตรวจแล้ว")
    page.get_by_role("link", name="ส่งกลับให้แก้ไข").click()
    reason = page.get_by_label(f"เหตุผลที่ส่งตัวชี้วัด {returned.code} กลับ")
    expect(reason).to_be_hidden()
    page.get_by_label(f"{returned.code} {returned.title}").check()
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()
    expect(page.locator("[data-flag-count]")).to_have_text("เลือกส่งกลับ 1 ตัวชี้วัด")
    # The button stays on screen at the foot of this long form, without scrolling down.
    button = page.get_by_role("button", name="ส่งกลับให้แก้ไข")
    expect(button).to_be_in_viewport()
    assert_accessible(page)
    reason.fill(REASON)
    button.click()
    expect(page.locator(".alert-success")).to_contain_text("ส่งกลับให้")
    assert demo_assessment().status == Assessment.Status.RETURNED

    # 2. The organization sees the return's due date and the reason before anything else.
    page.context.clear_cookies()
    page = login("org_staff")
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    notice = page.locator("section[aria-labelledby='returned-heading']")
    due = thai_date(timezone.localdate() + datetime.timedelta(days=7), "long")
    expect(notice).to_contain_text(f"ส่งผลที่แก้ไขภายในวันที่ {due}")
    expect(notice).to_contain_text("เหลืออีก 7 วัน")
    expect(notice).to_contain_text(REASON)
    expect(notice.get_by_role("link", name=re.compile(re.escape(returned.code)))).to_be_visible()
    organization_revises_and_resubmits(returned)

    # 3. The lead sees the revised indicator first, counted as to re-check, with what changed.
    page.context.clear_cookies()
    page = login("assessor")
    page.goto(review_url)
    recheck = page.locator("section[aria-labelledby='recheck-heading']")
    expect(recheck).to_contain_text("อปท. แก้ไขแล้ว รอตรวจอีกครั้ง 1 ตัวชี้วัด")
    expect(recheck).to_contain_text("อปท. แก้ไข: คำตอบ, หมายเหตุ")
    expect(page.locator("main")).to_contain_text("รอตรวจอีกครั้ง 1 ตัวชี้วัด")
    assert_accessible(page)
    recheck.get_by_role("link", name=re.compile(re.escape(returned.code))).click()

    # 4. On the dimension page: marked to re-check, the form starts from the new answer (level 2).
    block = page.locator(f"#ind-{returned.pk}")
    expect(block.locator(".badge", has_text="แก้ไขแล้ว รอตรวจอีกครั้ง")).to_be_visible()
    expect(block.locator(".badge", has_text=re.compile("^ตรวจแล้ว$"))).to_have_count(0)
    expect(block.get_by_role("radio", name=re.compile(r"^ระดับ 2:"))).to_be_checked()
    # Agreeing with the new answer needs no reason.
    block.get_by_role("button", name=f"บันทึกผลการตรวจ {returned.code}").click()
    expect(page.locator(f"#ind-{returned.pk}")).to_contain_text(f"บันทึกผลการตรวจตัวชี้วัด {returned.code} แล้ว (4 คะแนน)")
    expect(page.locator(f"#ind-{returned.pk} .badge", has_text=re.compile("^ตรวจแล้ว$"))).to_be_visible()

    # 5. Nothing is left to re-check; verifying asks for a confirmation first.
    page.goto(review_url)
    expect(page.locator("section[aria-labelledby='recheck-heading']")).to_have_count(0)
    page.get_by_role("link", name="ยืนยันผลการตรวจ (หัวหน้าคณะ)").click()
    expect(page.locator("main")).to_contain_text("ส่งให้สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดรับรองผล")
    assert demo_assessment().status == Assessment.Status.IN_REVIEW
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^ยืนยันผลการตรวจ \d+ ตัวชี้วัด$")).click()
    expect(page.locator(".alert-success")).to_contain_text("ยืนยันผลการตรวจแล้ว")
    assert demo_assessment().status == Assessment.Status.VERIFIED
