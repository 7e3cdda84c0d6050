"""The Content-Security-Policy as the browser enforces it, from the demo: each role's main pages
load with no violation reported (no inline style or script refused, nothing loaded from
elsewhere), and what their scripts and styles do still happens: an answer saves without a
reload, charts are drawn, progress shows, an evidence PDF previews in its frame."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from demo.seed import DEMO_ORGANIZATION
from tests.assessments.factories import pdf_bytes
from tests.browser.conftest import demo_assessment

# Every page a violation report script listens in, frames included: whatever the policy
# refuses is reported to the test, with the page it happened on.
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.lpaCspViolation({
    page: location.pathname, directive: event.violatedDirective, blocked: event.blockedURI,
    sample: event.sample, line: event.lineNumber,
  });
});
"""

PAGES = {
    "org_staff": [
        "/",
        "/assessments/",
        f"/results/2569/organizations/{DEMO_ORGANIZATION}/",  # the scorecard's charts
        "/notifications/",
        "/exports/",
        "/accounts/profile/",
    ],
    "org_head": ["/"],
    "assessor": ["/", "/review/"],
    "province_admin": [
        "/",
        "/review/2569/provinces/81/",
        "/results/2569/provinces/81/",
        "/accounts/users/",
        "/organizations/",
    ],
    "dla_official": [
        "/",
        "/results/2569/",
        "/results/2569/organizations/6810205/",
        "/review/2569/publish/",
        "/rounds/2569/",  # the framework's tables
        "/organizations/import/",
    ],
    # A read-only list too: with no actions, Django's change_list.html would add a <style> element.
    "sysadmin": ["/", "/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/assessments/assessmentevent/"],
}


@pytest.fixture
def violations(page) -> list[dict]:
    """What the policy refused on this page from now on (reports and console errors alike)."""
    found: list[dict] = []
    page.expose_function("lpaCspViolation", lambda report: found.append(report))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: found.append({"console": message.text}) if "Content Security Policy" in message.text else None,
    )
    return found


@pytest.mark.parametrize("username", list(PAGES))
def test_main_pages_of_each_role_load_without_a_violation(demo, violations, login, live_server, username):
    page = login(username)
    for path in PAGES[username]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, path
        assert "style-src 'self'" in response.headers["content-security-policy"], path
        expect(page.locator("h1").first).to_be_visible()
        # Stylesheets applied: lpa.css's font (the admin's own stylesheet there), not the browser's defaults.
        if path.startswith("/admin/"):
            assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") == "flex", path
        else:
            assert "Sarabun" in page.evaluate("getComputedStyle(document.body).fontFamily"), path
        charts = page.locator("svg.lpa-chart:visible")
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box["width"] > 300 and box["height"] > 40, (path, index, box)
    page.wait_for_timeout(200)  # reports are dispatched as tasks, after the load
    assert violations == []


def test_a_refused_inline_style_is_heard(demo, violations, login, live_server):
    # The listener works: the tests above pass because nothing is refused, not because nothing is heard.
    page = login("org_staff")
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')""")
    page.wait_for_timeout(300)
    reports = [(report["page"], report["directive"]) for report in violations if "page" in report]
    console = [report["console"] for report in violations if "console" in report]
    assert reports == [("/", "style-src-attr")]
    assert len(console) == 1 and "Applying inline style violates" in console[0]


def test_dimension_page_still_saves_an_answer_and_progress_shows(demo, violations, login, live_server):
    page = login("org_staff")
    assessment = demo_assessment()
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    bars = page.locator("progress.lpa-progress")
    assert bars.count() >= 1
    assert bars.first.bounding_box()["height"] > 3
    page.goto(f"{live_server.url}{reverse('assessments:assessment_dimension', args=[assessment.pk, 1])}")
    url = page.url
    block = page.locator("[data-indicator-block]").first
    code = block.locator("h3 .code").inner_text()
    block.locator("summary").first.click()
    expect(block.get_by_role("button", name=f"บันทึกคำตอบ {code}")).to_be_visible()  # its editor fetched on opening
    if block.get_by_role("radio").count():
        block.get_by_role("radio").last.check()
    elif block.locator("input[name$='-figure']").count():
        block.locator("input[name$='-figure']").fill("85")
    else:
        block.locator("input[name$='-ticked']").first.check()
    block.get_by_role("button", name=f"บันทึกคำตอบ {code}").click()
    expect(page.locator("#save-status")).to_contain_text(f"บันทึกคำตอบตัวชี้วัด {code} แล้ว")
    assert page.url == url  # saved by the page's script, not a reload
    page.goto(f"{live_server.url}{reverse('assessments:assessment_print', args=[assessment.pk])}")
    # The print view's rules come from its static stylesheet: A4 wide on screen, tables ruled.
    assert page.evaluate("getComputedStyle(document.querySelector('th')).borderTopStyle") == "solid"
    page.wait_for_timeout(200)
    assert violations == []


def test_assessor_previews_an_evidence_pdf_in_its_frame(demo, violations, login, live_server, evidence_folder):
    from accounts.models import User
    from assessments.evidence import add_evidence_file, add_evidence_link
    from assessments.models import Indicator
    from assessments.selfassessment import answer_for, save_answer, submit
    from tests.assessments.factories import upload
    from tests.browser.test_review_journey import best

    # Every indicator answered with a link, a PDF beside the first of dimension 1, submitted.
    assessment = demo_assessment()
    staff, head = User.objects.get(username="org_staff"), User.objects.get(username="org_head")
    indicators = list(Indicator.objects.for_assessment(assessment).prefetch_related("options").order_by("pk"))
    for item in indicators:
        answer = save_answer(assessment=assessment, indicator=item, data=best(item), expected_version=0, by=staff)
        add_evidence_link(answer=answer, url=f"https://krabicity.go.th/lpa/{item.code}", title="", by=staff)
    first = next(item for item in indicators if item.category.dimension.number == 1)
    add_evidence_file(answer=answer_for(assessment, first), upload=upload("คำสั่ง.pdf", pdf_bytes()), by=staff)
    submit(assessment, by=head)

    page = login("assessor")
    page.goto(f"{live_server.url}{reverse('reviews:review_dimension', args=[assessment.pk, 1])}")
    block = page.locator(f"#ind-{first.pk}")
    block.locator("details.indicator-editor > summary").click()  # folded until opened
    preview = block.locator("details[data-preview]", has_text="คำสั่ง.pdf")
    # Opened, the frame loads this site's own evidence_view, which keeps its own, stricter policy.
    with page.expect_response(re.compile(r"/assessments/evidence/\d+/view/")) as framed:
        preview.locator("summary").click()
    frame = preview.locator("iframe")
    expect(frame).to_be_visible()
    assert frame.bounding_box()["height"] > 300  # lpa-preview-frame's 32rem
    assert framed.value.status == 200
    assert framed.value.headers["content-security-policy"] == "frame-ancestors 'self'"
    page.wait_for_timeout(300)
    assert violations == []
