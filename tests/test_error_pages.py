import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from tests.factories import user_with_role


@pytest.mark.django_db
def test_unknown_page_gets_thai_404(client):
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


@pytest.mark.django_db
def test_expired_form_gets_thai_403_not_a_bare_error():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "แบบฟอร์มหมดอายุ" in response.content.decode()


def test_500_page_is_thai_and_needs_no_context():
    # Rendered by Django with no request context when something has already gone wrong.
    html = render_to_string("500.html")
    assert '<meta charset="utf-8">' in html
    assert "เกิดข้อผิดพลาดในระบบ" in html


@pytest.mark.django_db
def test_permission_denied_renders_thai_403(rf):
    from lpa.views import permission_denied

    response = permission_denied(rf.get("/"))
    assert response.status_code == 403
    assert "ไม่มีสิทธิ์ดำเนินการ" in response.content.decode()
