"""A NUL or another control character in a URL is a 404 (in the path) or a plain answer (in the
query), never a 500: PostgreSQL refuses NUL in a text value, so one reaching a query breaks it."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role
from tests.assessments.factories import RoundFactory
from tests.factories import OrganizationFactory, user_with_role

YEAR = 2567
TEXT_CONVERTER = re.compile(r"<(?:str|path):\w+>")


def text_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every route (its full pattern) with a parameter that takes free text: <str:…> or <path:…>."""
    routes = []
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += text_routes(entry, pattern)
        elif isinstance(entry, URLPattern) and TEXT_CONVERTER.search(pattern):
            routes.append(pattern)
    return routes


def url_with(route: str, text: str) -> str:
    return "/" + TEXT_CONVERTER.sub(text, re.sub(r"<int:\w+>", str(YEAR), route.lstrip("^")))


ROUTES = text_routes()


def test_every_free_text_route_is_covered():
    # The list is built from the URLconf; these are the ones known when this was written.
    assert "organizations/<str:code>/" in ROUTES
    assert "results/<int:year>/organizations/<str:code>/indicators/<path:indicator>/" in ROUTES
    assert "rounds/<int:year>/indicators/<path:code>/edit/" in ROUTES
    assert len(ROUTES) >= 15


@pytest.fixture
def department_user(db):
    RoundFactory(year=YEAR)
    OrganizationFactory()
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


@pytest.mark.parametrize("route", ROUTES)
def test_control_character_in_path_gets_404(client, department_user, route):
    client.force_login(department_user)
    for text in ("%00", "81%00", "%01", "a%0Ab", "%7F"):
        for method in (client.get, client.post):
            response = method(url_with(route, text))
            assert response.status_code == 404, f"{method.__name__} {url_with(route, text)}"


@pytest.mark.django_db
def test_control_character_in_path_gets_404_for_anonymous_visitors_too(client):
    assert client.get("/organizations/%00/").status_code == 404


QUERIES = [
    ("/organizations/", ["q", "province", "district", "type", "page"]),
    ("/accounts/users/", ["q", "kind", "province", "organization", "status", "page"]),
    (f"/results/{YEAR}/", ["province", "org_type", "status", "q"]),
    (f"/results/{YEAR}/workbook.xlsx", ["province"]),
    (f"/rounds/{YEAR}/new-indicator/", ["category"]),
    ("/review/", ["year", "group"]),
    ("/notifications/", ["page"]),
]


@pytest.mark.parametrize(("url", "keys"), QUERIES, ids=[url for url, _ in QUERIES])
def test_nul_in_query_values_is_not_a_server_error(client, department_user, url, keys):
    for user in (department_user, user_with_role(Role.Kind.SYSTEM_ADMIN)):
        client.force_login(user)
        for key in keys:
            response = client.get(f"{url}?{key}=%00")
            assert response.status_code == 400, f"{url}?{key}=%00"
            assert "ที่อยู่หน้าเว็บไม่ถูกต้อง" in response.content.decode()


def test_ordinary_query_still_works(client, department_user):
    client.force_login(department_user)
    assert client.get("/organizations/?q=%E0%B8%81%E0%B8%A3%E0%B8%B0%09").status_code == 200
