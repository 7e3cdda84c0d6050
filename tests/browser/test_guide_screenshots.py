"""The guides' screenshots, taken from the running demo as each role sees it.

Each run signs in as the demo users, opens the pages the guides explain and saves them over
guide/static/guide/screens/ (committed, so `make run` shows them): when a page changes, its
picture in the guides changes with the next run. The test fails when a guide names a
screenshot (`{% screenshot "name" … %}`) this run did not produce, or when a page it
photographs does not open.

One test, not one per role: the check must see every shot of the same run, and pytest-xdist
would spread separate tests over processes.
"""

import io

from django.urls import reverse
from playwright.sync_api import expect

from guide.screens import referenced_screens, screen_path

VIEWPORT = {"width": 1280, "height": 800}
# UI screenshots hold few colours: a 64-colour palette keeps text sharp at a third of the size.
COLOURS = 64


def save_png(png: bytes, name: str) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    path = screen_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def shots() -> dict[str, list[tuple[str, str]]]:
    """Demo username → (screenshot name, path) in the order taken."""
    from assessments.models import Assessment, Round
    from demo.seed import DEMO_ORGANIZATION
    from reviews.models import Team

    current = Assessment.objects.get(round__year=2569, organization__code=DEMO_ORGANIZATION)
    last_year = Assessment.objects.get(round__year=2568, organization__code=DEMO_ORGANIZATION)
    in_review = Assessment.objects.get(round__year=2569, status=Assessment.Status.IN_REVIEW)
    team = Team.objects.filter(round__year=2569, members__user__username="assessor").first()
    year = Round.objects.get(year=2569).year
    return {
        "org_staff": [
            ("org-staff-home", reverse("home")),
            ("org-staff-assessment", reverse("assessments:assessment_detail", args=[current.pk])),
            ("org-staff-dimension", reverse("assessments:assessment_dimension", args=[current.pk, 1])),
        ],
        "org_head": [
            ("org-head-submit", reverse("assessments:assessment_submit", args=[current.pk])),
            ("org-head-results", reverse("reviews:results", args=[last_year.pk])),
        ],
        "assessor": [
            ("assessor-queue", reverse("reviews:queue")),
            ("assessor-review", reverse("reviews:review_detail", args=[in_review.pk])),
            ("assessor-scoring", reverse("reviews:review_dimension", args=[in_review.pk, 1])),
        ],
        "province_admin": [
            ("province-board", reverse("reviews:queue")),
            ("province-team", reverse("reviews:team_detail", args=[team.pk])),
            ("province-extension", reverse("assessments:extension_grant", args=[current.pk])),
        ],
        "dla_official": [
            ("department-round", reverse("assessments:round_detail", args=[year])),
            ("department-publish", reverse("reviews:round_publish", args=[year])),
            ("department-dashboard", reverse("results:dashboard", args=[2568])),
        ],
        "sysadmin": [
            ("system-admin-users", reverse("accounts:user_list")),
        ],
    }


def test_guides_screenshots_come_from_this_run(demo, page, live_server, login):
    page.set_viewport_size(VIEWPORT)
    produced: set[str] = set()
    for username, pages in shots().items():
        page.context.clear_cookies()
        login(username)
        for name, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{username} {path}: {response.status}"
            page.wait_for_load_state("networkidle")
            save_png(page.screenshot(), name)
            produced.add(name)
    referenced = referenced_screens()
    missing = {name: where for name, where in referenced.items() if name not in produced}
    assert not missing, f"the guides show screenshots this run did not take: {missing}"


def test_question_mark_opens_the_guide_at_the_pages_section(demo, page, live_server, login):
    from tests.browser.conftest import assert_accessible, demo_assessment

    login("org_staff")
    page.goto(f"{live_server.url}{reverse('assessments:assessment_detail', args=[demo_assessment().pk])}")
    page.get_by_role("link", name="คู่มือการใช้งานของหน้านี้").click()
    page.wait_for_load_state()
    assert page.url.endswith("/guide/org-staff/#assessment")
    expect(page.locator("h2#assessment")).to_be_visible()
    expect(page.locator("h2#assessment")).to_be_in_viewport()
    assert_accessible(page)
