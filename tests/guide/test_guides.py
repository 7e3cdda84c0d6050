import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from guide.guides import GUIDES, guides_for
from guide.pages import PAGES, help_for
from guide.screens import referenced_screens, screen_path
from tests.factories import OrganizationFactory, user_with_role

ROLE_OF_GUIDE = {guide.slug: guide.role for guide in GUIDES.values()}

# The main pages of the issue: each must open its guide at its own section.
MAIN_PAGES = [
    "home",
    "assessments:assessment_list",
    "assessments:assessment_detail",
    "assessments:assessment_dimension",
    "assessments:assessment_submit",
    "reviews:queue",
    "reviews:review_detail",
    "reviews:review_dimension",
    "reviews:province_board",
    "reviews:results",
    "results:dashboard",
    "results:province_dashboard",
    "results:organization_scorecard",
    "assessments:round_list",
    "assessments:round_detail",
    "assessments:round_create",
    "assessments:round_settings",
    "exports:list",
    "accounts:user_list",
]


def url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def user_of(slug: str, **kwargs):
    return user_with_role(ROLE_OF_GUIDE[slug], **kwargs)


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_every_main_page_has_a_guide_section(name):
    assert PAGES.get(name), f"{name} has no guide section"


def test_every_mapped_page_is_a_real_url_name_and_every_section_exists():
    names = url_names()
    for page, entries in PAGES.items():
        assert page in names, f"{page} is no URL name"
        for slug, anchor in entries:
            assert GUIDES[slug].has_section(anchor), f"{page}: {slug} has no section {anchor}"


def test_every_guide_is_reachable_from_the_home_page_of_its_role():
    for slug in GUIDES:
        assert (slug, "start") in PAGES["home"]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(GUIDES))
def test_guide_page_has_every_outline_section_once_and_no_other(client, slug):
    guide = GUIDES[slug]
    client.force_login(user_of(slug))
    response = client.get(reverse("guide:detail", args=[slug]))
    assert response.status_code == 200
    page = response.content.decode()
    headings = re.findall(r'<h2 id="([^"]+)" class="guide-section">', page)
    assert headings == [section.anchor for section in guide.sections]
    for section in guide.sections:
        assert f'href="#{section.anchor}"' in page  # the table of contents
        assert str(section.title) in page
    assert reverse("guide:pdf", args=[slug]) in page


@pytest.mark.django_db
def test_unknown_guide_is_404(client):
    client.force_login(user_of("org-staff"))
    assert client.get("/guide/nobody/").status_code == 404
    assert client.get("/guide/nobody/pdf/").status_code == 404


@pytest.mark.django_db
def test_index_puts_the_users_own_guides_first(client):
    user = user_of("province")
    client.force_login(user)
    page = client.get(reverse("guide:index")).content.decode()
    mine, others = page.split("คู่มือของบทบาทอื่น")
    assert reverse("guide:detail", args=["province"]) in mine
    assert reverse("guide:detail", args=["org-staff"]) in others
    assert reverse("guide:detail", args=["province"]) not in others


@pytest.mark.django_db
def test_guides_for_a_superuser_is_the_system_admin_guide():
    from tests.factories import UserFactory

    assert [guide.slug for guide in guides_for(UserFactory(is_superuser=True))] == ["system-admin"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page, slug, expected",
    [
        ("home", "org-staff", "/guide/org-staff/#start"),
        ("home", "assessor", "/guide/assessor/#start"),
        ("home", "system-admin", "/guide/system-admin/#start"),
        ("assessments:assessment_submit", "org-head", "/guide/org-head/#submit"),
        ("assessments:assessment_submit", "org-staff", "/guide/org-staff/#assessment"),
        ("reviews:queue", "assessor", "/guide/assessor/#queue"),
        ("reviews:queue", "province", "/guide/province/#board"),
        ("reviews:queue", "department", "/guide/department/#progress"),
        ("accounts:user_list", "system-admin", "/guide/system-admin/#accounts"),
        # No guide of the user's roles covers the page: the guide of the role it belongs to.
        ("assessments:assessment_dimension", "department", "/guide/org-staff/#answering"),
    ],
)
def test_help_link_is_the_section_of_the_users_role(page, slug, expected):
    assert help_for(page, user_of(slug)).url == expected


@pytest.mark.django_db
def test_a_person_with_two_roles_gets_the_guide_of_the_role_the_page_belongs_to():
    organization = OrganizationFactory()
    user = user_with_role(Role.Kind.ORG_STAFF, organization=organization)
    Role.objects.create(user=user, kind=Role.Kind.ORG_HEAD, organization=organization)
    assert help_for("assessments:assessment_submit", user).url == "/guide/org-head/#submit"
    assert help_for("assessments:assessment_dimension", user).url == "/guide/org-staff/#answering"


@pytest.mark.django_db
def test_unmapped_page_has_no_help_link():
    assert help_for("accounts:profile", user_of("org-staff")) is None
    assert help_for(None, user_of("org-staff")) is None


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(GUIDES))
def test_home_page_header_opens_the_guide_of_the_role(client, slug):
    client.force_login(user_of(slug))
    page = client.get(reverse("home")).content.decode()
    assert f'href="/guide/{slug}/#start"' in page


@pytest.mark.django_db
def test_page_without_a_section_shows_no_help_link(client):
    client.force_login(user_of("org-staff"))
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "lpa-help-link" not in page


def test_login_page_shows_no_help_link(client, db):
    assert "lpa-help-link" not in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_guide_states_the_evidence_limits_the_deployment_set(client, settings):
    settings.LPA_EVIDENCE_MAX_BYTES = 50 * 1024 * 1024
    settings.LPA_EVIDENCE_MAX_ITEMS = 7
    client.force_login(user_of("org-staff"))
    page = client.get(reverse("guide:detail", args=["org-staff"])).content.decode()
    assert "ไฟล์ละไม่เกิน 50 MB" in page
    assert "ได้ไม่เกิน 7 รายการ" in page


def test_every_screenshot_a_guide_shows_is_in_the_repository():
    """The committed copies, so `make run` shows them (the browser run overwrites them)."""
    referenced = referenced_screens()
    assert referenced, "the guides show no screenshot"
    missing = {name: where for name, where in referenced.items() if not screen_path(name).is_file()}
    assert not missing, f"screenshots not in guide/static/guide/screens/: {missing}"


def test_screenshots_stay_small():
    folder = screen_path("x").parent
    total = sum(path.stat().st_size for path in folder.glob("*.png"))
    assert total < 3 * 1024 * 1024, f"{total / 2**20:.1f} MB of screenshots"


def test_no_stray_screenshot_files():
    """Every PNG in the folder is shown by a guide (a renamed shot leaves no orphan behind)."""
    folder = screen_path("x").parent
    referenced = set(referenced_screens())
    stray = {path.stem for path in folder.glob("*.png")} - referenced
    assert not stray, f"no guide shows {sorted(stray)}"


@pytest.mark.django_db
def test_guide_in_english_uses_the_catalogue_where_it_has_the_words(client):
    client.force_login(user_of("org-staff"))
    client.cookies["django_language"] = "en"  # as the language switch sets it
    response = client.get(reverse("guide:detail", args=["org-staff"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Excellent ≥ 90 · Very good ≥ 80 · Good ≥ 70" in page  # the bands, from the catalogue
    assert 'href="/guide/org-staff/#start"' not in page  # the guide itself shows no "?"
