"""No page scrolls sideways on a 375 px phone: every main page of every role in the demo.

A wide table may scroll inside its own `.table-responsive` box; the page itself must fit, or
the person has to pan the whole screen to read a row's status and reach its action. One browser
context per role, its pages visited in turn.
"""

from collections.abc import Callable

import pytest

from demo.seed import DEMO_PASSWORD

PHONE = {"width": 375, "height": 812}

# The elements that stick out past the right edge, innermost first, to say what to fix.
OVERFLOWING = """(width) => {
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.parentElement.closest(".table-responsive, .visually-hidden, .visually-hidden-focusable")) continue;
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) {
      const name = element.tagName.toLowerCase() + (element.className && typeof element.className === "string"
        ? "." + element.className.trim().split(/\\s+/).join(".") : "");
      out.push(`${name} right=${Math.round(box.right)} «${(element.textContent || "").trim().slice(0, 40)}»`);
    }
  }
  return out.slice(-4);
}"""


def assessment(code: str, year: int = 2569) -> int:
    from assessments.models import Assessment

    return Assessment.objects.get(round__year=year, organization__code=code).pk


def team() -> int:
    from reviews.models import Team

    return Team.objects.get(round__year=2569, province__code="81", name="คณะผู้ประเมินที่ 1").pk


def user(username: str) -> int:
    from accounts.models import User

    return User.objects.get(username=username).pk


DEMO_ORGANIZATION = "4810103"  # draft, team 1
IN_REVIEW = "6810105"  # team 1, partly scored
APPROVED = "6810205"  # team 1, approved

PAGES: dict[str, list[Callable[[], str]]] = {
    "org_staff": [
        lambda: "/",
        lambda: "/assessments/",
        lambda: f"/assessments/{assessment(DEMO_ORGANIZATION)}/",
        lambda: f"/assessments/{assessment(DEMO_ORGANIZATION)}/dimensions/1/",
        lambda: f"/assessments/{assessment(DEMO_ORGANIZATION)}/dimensions/4/",
        lambda: f"/assessments/{assessment(DEMO_ORGANIZATION)}/submit/",
        lambda: f"/results/2569/organizations/{DEMO_ORGANIZATION}/",
        lambda: f"/results/2568/organizations/{DEMO_ORGANIZATION}/",
        lambda: f"/review/assessments/{assessment(DEMO_ORGANIZATION, 2568)}/results/",
        lambda: f"/organizations/{DEMO_ORGANIZATION}/",
        lambda: "/organizations/",
        lambda: "/notifications/",
        lambda: "/accounts/profile/",
        lambda: "/accounts/password_change/",
    ],
    "org_head": [
        lambda: "/",
        lambda: f"/assessments/{assessment(DEMO_ORGANIZATION)}/",
        lambda: f"/assessments/{assessment(DEMO_ORGANIZATION)}/submit/",
    ],
    "assessor": [
        lambda: "/",
        lambda: "/review/",
        lambda: f"/review/assessments/{assessment(IN_REVIEW)}/",
        lambda: f"/review/assessments/{assessment(IN_REVIEW)}/dimensions/1/",
        lambda: f"/review/assessments/{assessment(IN_REVIEW)}/history/",
        lambda: f"/review/assessments/{assessment(IN_REVIEW)}/return/",
        lambda: f"/review/assessments/{assessment(APPROVED)}/",
        lambda: f"/assessments/{assessment(IN_REVIEW)}/",
        lambda: f"/assessments/{assessment(IN_REVIEW)}/dimensions/2/",
        lambda: f"/review/teams/{team()}/",
        lambda: "/rounds/",
        lambda: "/rounds/2569/",
        lambda: "/rounds/2569/indicators/1.1.1/",
        lambda: "/organizations/",
        lambda: "/notifications/",
    ],
    "province_admin": [
        lambda: "/",
        lambda: "/review/2569/provinces/81/",
        lambda: "/review/2569/provinces/81/appeals/",
        lambda: "/review/2569/provinces/81/teams/new/",
        lambda: f"/review/teams/{team()}/",
        lambda: f"/review/teams/{team()}/edit/",
        lambda: f"/review/teams/{team()}/assign/",
        lambda: f"/review/teams/{team()}/visits/",
        lambda: f"/review/assessments/{assessment(APPROVED)}/",
        lambda: f"/review/assessments/{assessment(APPROVED)}/history/",
        lambda: "/results/2569/provinces/81/",
        lambda: "/results/2568/provinces/81/",
        lambda: f"/results/2569/organizations/{APPROVED}/",
        lambda: "/organizations/?province=81",
        lambda: "/accounts/users/",
        lambda: f"/accounts/users/{user('org_staff')}/",
        lambda: "/accounts/users/new/",
        lambda: "/accounts/users/import/",
        lambda: "/exports/",
        lambda: "/rounds/",
        lambda: "/rounds/2569/",
    ],
    "dla_official": [
        lambda: "/",
        lambda: "/results/2569/",
        lambda: "/results/2568/",
        lambda: "/results/2569/report.pdf",  # the page offering the report in the background
        lambda: "/results/2568/provinces/20/",
        lambda: f"/results/2569/organizations/{APPROVED}/",
        lambda: f"/results/2569/organizations/{APPROVED}/indicators/1.1.1/",
        lambda: "/review/2569/publish/",
        lambda: "/rounds/",
        lambda: "/rounds/new/",
        lambda: "/rounds/2569/",
        lambda: "/rounds/2569/settings/",
        lambda: "/rounds/2569/indicators/1.1.1/",
        lambda: "/rounds/2569/indicators/1.1.1/edit/",
        lambda: "/organizations/",
        lambda: "/organizations/6810405/",
        lambda: "/organizations/import/",
        lambda: "/accounts/users/",
        lambda: "/exports/",
        lambda: "/notifications/",
    ],
    "sysadmin": [
        lambda: "/",
        lambda: "/accounts/users/",
        lambda: f"/accounts/users/{user('dla_official')}/",
    ],
}


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized browser signed in as the given demo account."""
    contexts = []

    def sign_in(username: str, *, language: str = "th"):
        context = browser.new_context(viewport=PHONE, locale="th-TH", timezone_id="Asia/Bangkok")
        contexts.append(context)
        # As the language switch leaves it.
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        return page

    yield sign_in
    for context in contexts:
        context.close()


def too_wide(page, base: str, urls: list[Callable[[], str]]) -> list[str]:
    """Each page of `urls` wider than the phone, with what sticks out."""
    found = []
    for url in urls:
        path = url()
        response = page.goto(f"{base}{path}")
        assert response.ok, f"{path} answered {response.status}"
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            found.append(f"{path}: {width} px {page.evaluate(OVERFLOWING, PHONE['width'])}")
    return found


@pytest.mark.parametrize("username", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(demo, phone, live_server, username):
    page = phone(username)
    found = too_wide(page, live_server.url, PAGES[username])
    assert not found, "\n".join(found)


def test_english_pages_fit_a_phone_too(demo, phone, live_server):
    """English labels run longer than Thai ones: the busiest pages in English."""
    page = phone("dla_official", language="en")
    assert page.locator("html").get_attribute("lang") == "en"
    found = too_wide(page, live_server.url, PAGES["dla_official"][:8])
    page = phone("assessor", language="en")
    found += too_wide(page, live_server.url, PAGES["assessor"][:6])
    assert not found, "\n".join(found)


def test_assessors_queue_shows_each_status_and_action_on_a_phone(demo, phone, live_server):
    """Not only inside the table's own scroll box: on screen, without panning the table."""
    page = phone("assessor")
    page.goto(f"{live_server.url}/review/")
    row = page.locator("main tbody tr").filter(has=page.get_by_role("link", name="ตรวจประเมิน")).first
    for part in (row.locator(".badge"), row.get_by_role("link", name="ตรวจประเมิน")):
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{part} is off screen: {box}"
