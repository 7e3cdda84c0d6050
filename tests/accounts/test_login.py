"""Signing in by username or email, throttling, and changing or resetting a password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from tests.factories import PASSWORD, UserFactory, user_with_role

WRONG_LOGIN = "ชื่อผู้ใช้/อีเมล หรือรหัสผ่านไม่ถูกต้อง"


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def somchai(db):
    return user_with_role(Role.Kind.ORG_STAFF, username="somchai", email="Somchai.J@Example.go.th")


def test_login_by_username_lands_on_home(client, somchai):
    response = sign_in(client, "somchai")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == str(somchai.pk)


def test_login_by_username_ignores_case(client, somchai):
    sign_in(client, "SomChai")
    assert signed_in_as(client) == str(somchai.pk)


def test_login_by_email_ignores_case(client, somchai):
    response = sign_in(client, "somchai.j@example.GO.TH")
    assert response.status_code == 302
    assert signed_in_as(client) == str(somchai.pk)


def test_wrong_password_shows_thai_error_and_stays_on_login(client, somchai):
    response = sign_in(client, "somchai", "not-the-password")
    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert signed_in_as(client) is None


def test_unknown_account_gets_the_same_error_as_a_wrong_password(client, db):
    response = sign_in(client, "nobody@example.go.th")
    assert WRONG_LOGIN in response.content.decode()


def test_five_failures_lock_out_even_the_right_password(client, somchai):
    for _ in range(4):
        assert sign_in(client, "somchai", "wrong").status_code == 200
    fifth = sign_in(client, "somchai", "wrong")
    assert fifth.status_code == 429
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in fifth.content.decode()

    response = sign_in(client, "somchai")
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert signed_in_as(client) is None


def test_lockout_of_one_user_leaves_others_alone(client, somchai):
    other = UserFactory(username="other")
    for _ in range(5):
        sign_in(client, "somchai", "wrong")
    assert sign_in(client, "other").status_code == 302
    assert signed_in_as(client) == str(other.pk)


def test_four_failures_then_success_signs_in(client, somchai):
    for _ in range(4):
        sign_in(client, "somchai", "wrong")
    assert sign_in(client, "somchai").status_code == 302


def test_deactivated_user_cannot_sign_in(client, somchai):
    somchai.is_active = False
    somchai.save()
    response = sign_in(client, "somchai")
    assert response.status_code == 200
    assert signed_in_as(client) is None
    assert "บัญชีนี้ถูกระงับการใช้งาน" in response.content.decode()


def test_deactivated_user_with_wrong_password_learns_nothing(client, somchai):
    somchai.is_active = False
    somchai.save()
    response = sign_in(client, "somchai", "wrong")
    assert "ชื่อผู้ใช้/อีเมล หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()
    assert "ถูกระงับ" not in response.content.decode()


def test_deactivation_ends_an_open_session(client, somchai):
    client.force_login(somchai)
    somchai.is_active = False
    somchai.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_takes_effect(client, somchai):
    client.force_login(somchai)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "ใหม่-Krabi-2569", "new_password2": "ใหม่-Krabi-2569"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    somchai.refresh_from_db()
    assert somchai.check_password("ใหม่-Krabi-2569")


def test_password_change_with_wrong_old_password_is_refused(client, somchai):
    client.force_login(somchai)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "ใหม่-Krabi-2569", "new_password2": "ใหม่-Krabi-2569"},
    )
    assert response.status_code == 200
    somchai.refresh_from_db()
    assert somchai.check_password(PASSWORD)


def follow_reset_link(client, message, new_password: str):
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    response = client.get(link)
    # Django swaps the token for a session key and redirects to the set-password form.
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")


def test_password_reset_sends_a_working_link(client, somchai):
    response = client.post(reverse("password_reset"), {"email": "SOMCHAI.J@example.go.th"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Somchai.J@Example.go.th"]
    assert "ตั้งรหัสผ่านใหม่" in message.body

    follow_reset_link(client, message, "ตั้งใหม่-Krabi-2569")
    assert sign_in(client, "somchai", "ตั้งใหม่-Krabi-2569").status_code == 302


def test_password_reset_for_unknown_email_sends_nothing_but_looks_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.go.th"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_link_works_only_once(client, somchai):
    client.post(reverse("password_reset"), {"email": somchai.email})
    message = mail.outbox[0]
    follow_reset_link(client, message, "ตั้งใหม่-Krabi-2569")
    link = re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "ลิงก์นี้ใช้ไม่ได้แล้ว" in response.content.decode()
