"""Every page of the project sends an anonymous visitor to the login page.

Walks the whole URL configuration, so a new view that forgets `login_required` fails here
without anyone adding it to a list. Only the pages meant for signed-out people are exempt.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages a signed-out person must reach: signing in and recovering a password.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "admin:login",
    "admin:logout",
    # Says only "ok", reads nothing: a liveness probe and the benchmark's floor (bench/run.py).
    "healthz",
    # Readiness for the load balancer: "ready" or not and which check failed, nothing else.
    "readyz",
}
SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def walk(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from walk(entry.url_patterns, pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", pattern


def to_path(pattern: str) -> str | None:
    if pattern.startswith("^") or "(?P" in pattern:
        # A regex pattern (admin's): fill named groups with a plain value.
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", pattern).lstrip("^").rstrip("$")
        path = path.replace("\\", "")
        return None if any(c in path for c in "()[]*+?|") else "/" + path
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], pattern)


ROUTES = sorted({(name, to_path(p)) for name, p in walk(get_resolver().url_patterns)})


@pytest.mark.django_db
@pytest.mark.parametrize("name,path", [r for r in ROUTES if r[1] and r[0] not in PUBLIC], ids=lambda v: str(v))
def test_anonymous_visitor_is_sent_to_login(client, name, path):
    response = client.get(path)
    login = reverse("admin:login") if name.startswith("admin:") else reverse("login")
    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
    assert response["Location"].startswith(login), f"{name} ({path}) went to {response['Location']}"


def test_walk_finds_the_project_pages():
    names = {name for name, _ in ROUTES}
    assert {"home", "organizations:list", "organizations:detail", "accounts:user_list"} <= names
