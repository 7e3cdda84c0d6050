"""The Content-Security-Policy: on every page, and nothing in the pages that it would refuse.

The policy (lpa/settings.py) allows this site's own scripts and stylesheets only, so a page
must carry no inline <script>, no <style> element, no style="…" and no on…= handler: the
browser would drop them (tests/browser/test_content_security_policy.py watches it doing so).
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import tests.test_access_matrix as access_matrix
from accounts.models import Role
from tests.access_matrix import MATRIX, ROLES
from tests.factories import user_with_role

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def directives(header: str) -> dict[str, str]:
    """A policy header as {directive: sources} (django-csp writes the directives in no fixed order)."""
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


# The matrix's data, built once for this module as for tests/test_access_matrix.py.
matrix_world = access_matrix.matrix_world
world = access_matrix.world


class InlineCode(HTMLParser):
    """Collects what the policy would refuse in a page: each as `tag attribute=value`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and not names.get("src"):
            self.found.append("<script> without src")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.django_db
def test_policy_is_the_one_the_settings_name(client):
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    assert directives(client.get(reverse("home"))["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_login_page_and_error_pages_carry_the_policy_and_no_inline_code(client):
    response = client.get(reverse("login"))
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert inline_code(response.content.decode()) == []
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and directives(missing["Content-Security-Policy"]) == POLICY
    assert inline_code(missing.content.decode()) == []
    refused = client.get("/organizations/?q=%00")
    assert refused.status_code == 400 and directives(refused["Content-Security-Policy"]) == POLICY
    assert inline_code(refused.content.decode()) == []


@pytest.mark.parametrize("name", ["400.html", "500.html"])
def test_stand_alone_error_pages_have_no_inline_style(name):
    from django.template.loader import render_to_string

    assert inline_code(render_to_string(name)) == []


# Every page a role may see, as that role sees it (what the page shows differs by role).
PAGES = [(case, role) for case in MATRIX for role in ROLES if case.method == "get" and case.expected(role) == 200]


@pytest.mark.parametrize(("case", "role"), PAGES, ids=[f"{case.name}-{role}" for case, role in PAGES])
def test_every_page_of_the_matrix_has_the_policy_and_nothing_it_refuses(client, world, case, role):
    client.force_login(world.users[role])
    response = client.get(case.url(world))
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return  # files and JSON: the header is there, but nothing in them runs as a page
    assert directives(response["Content-Security-Policy"]) == POLICY
    assert inline_code(response.content.decode()) == [], f"{role} on {case.name}"


# WeasyPrint's own templates: never served to a browser, so never under the policy.
PDF_ONLY = ("results/pdf/",)


def test_no_template_writes_inline_styles_scripts_or_handlers():
    """Whatever data a test world lacks (a chart, a progress bar), the templates hold nothing refused.

    templates/assessments/print/summary.html keeps a <style> element only in its PDF branch,
    which the matrix test above sees served without it.
    """
    root = Path(settings.BASE_DIR) / "templates"
    refused = {}
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name.startswith(PDF_ONLY):
            continue
        found = [item for item in inline_code(path.read_text(encoding="utf-8")) if item != "<style>" or "print/" not in name]
        if found:
            refused[name] = found
    assert refused == {}
