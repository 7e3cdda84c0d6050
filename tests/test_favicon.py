"""Every page names its icon, and /favicon.ico (asked for by browsers on their own) is there."""

import pytest
from django.contrib.staticfiles import finders

from accounts.models import Role
from tests.factories import user_with_role


@pytest.mark.django_db
def test_pages_link_the_icon(client):
    for html in (client.get("/accounts/login/").content.decode(), _home(client)):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("favicon.svg")


def _home(client) -> str:
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    return client.get("/").content.decode()


def test_favicon_ico_is_served_at_the_root_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/vnd.microsoft.icon", "image/x-icon")
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO header
