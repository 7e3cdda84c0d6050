"""Thai is the interface language whatever the browser asks for; English only when chosen."""

import pytest

pytestmark = pytest.mark.django_db


def page_language(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_browser_asking_for_english_gets_thai(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page_language(response) == "th"
    assert "เข้าสู่ระบบ" in response.content.decode()
    assert response.headers["Content-Language"] == "th"
    # Caches keep the Thai and English pages apart by the switch's cookie, not by the browser.
    assert "Cookie" in response.headers["Vary"]
    assert "Accept-Language" not in response.headers["Vary"]


def test_choosing_english_with_the_language_switch_gives_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True)
    assert page_language(response) == "en"
    assert "Sign in" in response.content.decode()
    # And it stays chosen on the next page, whatever the browser says.
    response = client.get("/accounts/password_reset/", HTTP_ACCEPT_LANGUAGE="th")
    assert page_language(response) == "en"


def test_choosing_thai_again_with_an_english_browser_gives_thai(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    client.post("/i18n/setlang/", {"language": "th", "next": "/accounts/login/"})
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(response) == "th"


def test_an_unknown_language_in_the_cookie_gives_thai(client):
    client.cookies["django_language"] = "fr"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(response) == "th"
