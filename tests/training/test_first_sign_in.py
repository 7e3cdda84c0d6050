"""A one-time password from the trainers' sheet must be changed before anything else."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import PASSWORD, user_with_role
from tests.training.conftest import prepare

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_first_sign_in_leads_to_the_password_change_until_it_is_changed(client, tmp_path):
    passwords = prepare(tmp_path)
    sign_in(client, "t81-office", passwords["t81-office"])

    for url in (reverse("home"), reverse("feedback:new"), reverse("accounts:profile")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    assert client.post(reverse("feedback:new"), {"text": "x"}).status_code == 302  # nothing else happens first
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert "โปรดตั้งรหัสผ่านใหม่" in response.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": passwords["t81-office"], "new_password1": "ใหม่-Pass-2570!", "new_password2": "ใหม่-Pass-2570!"},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    # Signed in again with the new password: no more detour.
    client.logout()
    sign_in(client, "t81-office", "ใหม่-Pass-2570!")
    assert client.get(reverse("home")).status_code == 200


def test_other_accounts_are_never_sent_to_change_their_password(client):
    user = user_with_role(Role.Kind.ORG_STAFF)
    sign_in(client, user.username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_signing_out_stays_possible(client, tmp_path):
    passwords = prepare(tmp_path)
    sign_in(client, "t81-office", passwords["t81-office"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_after_a_reset_the_sheet_password_must_be_changed_again(client, tmp_path):
    from django.core.management import call_command

    passwords = prepare(tmp_path)
    sign_in(client, "t81-office", passwords["t81-office"])
    new = "ใหม่-Pass-2570!"
    client.post(
        reverse("password_change"), {"old_password": passwords["t81-office"], "new_password1": new, "new_password2": new}
    )
    call_command("prepare_training", reset=True)

    client.logout()
    assert sign_in(client, "t81-office", new).status_code == 200  # the form again: the day's password is gone
    sign_in(client, "t81-office", passwords["t81-office"])
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
