"""Only user managers reach the people pages; everyone else gets 404, anonymous visitors the login page."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import province, user_with_role

# (url name, needs a user pk, needs a role pk, method)
PAGES = [
    ("accounts:user_list", False, False, "get"),
    ("accounts:user_create", False, False, "get"),
    ("accounts:user_create", False, False, "post"),
    ("accounts:user_import", False, False, "get"),
    ("accounts:user_import", False, False, "post"),
    ("accounts:user_import_template", False, False, "get"),
    ("accounts:user_detail", True, False, "get"),
    ("accounts:user_role_add", True, False, "post"),
    ("accounts:user_role_remove", True, True, "post"),
    ("accounts:user_deactivate", True, False, "get"),
    ("accounts:user_deactivate", True, False, "post"),
    ("accounts:user_reactivate", True, False, "post"),
    ("accounts:user_password_reset", True, False, "post"),
]


@pytest.fixture
def target(krabi_org):
    return user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org)


def url_for(name, needs_user, needs_role, target):
    args = []
    if needs_user:
        args.append(target.pk)
    if needs_role:
        args.append(target.roles.get().pk)
    return reverse(name, args=args)


@pytest.mark.parametrize("kind", [Role.Kind.ORG_STAFF, Role.Kind.ORG_HEAD, Role.Kind.PROVINCIAL_ASSESSOR])
@pytest.mark.parametrize("name,needs_user,needs_role,method", PAGES)
def test_non_manager_gets_404(client, krabi_org, target, kind, name, needs_user, needs_role, method):
    if kind in Role.ORGANIZATION_KINDS:
        outsider = user_with_role(kind, organization=krabi_org)
    else:
        outsider = user_with_role(kind, province=province("81"))
    client.force_login(outsider)
    response = getattr(client, method)(url_for(name, needs_user, needs_role, target), {"method": "temporary"})
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.is_active and target.roles.count() == 1


@pytest.mark.parametrize("name,needs_user,needs_role,method", PAGES)
def test_user_without_any_role_gets_404(client, target, name, needs_user, needs_role, method):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = getattr(client, method)(url_for(name, needs_user, needs_role, target))
    assert response.status_code == 404


@pytest.mark.parametrize("name,needs_user,needs_role,method", PAGES)
def test_anonymous_visitor_is_sent_to_login(client, target, name, needs_user, needs_role, method):
    response = getattr(client, method)(url_for(name, needs_user, needs_role, target))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name,needs_user,needs_role,method", [p for p in PAGES if p[1]])
def test_admin_of_another_province_gets_404_for_krabi_user(client, target, name, needs_user, needs_role, method):
    chonburi_admin = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20"))
    client.force_login(chonburi_admin)
    response = getattr(client, method)(url_for(name, needs_user, needs_role, target), {"method": "temporary"})
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.is_active and target.roles.count() == 1


@pytest.mark.parametrize("name", ["accounts:user_role_add", "accounts:user_reactivate", "accounts:user_password_reset"])
def test_state_changing_pages_refuse_get(client, krabi_admin, target, name):
    client.force_login(krabi_admin)
    assert client.get(reverse(name, args=[target.pk])).status_code == 405


def test_role_removal_refuses_get(client, krabi_admin, target):
    client.force_login(krabi_admin)
    url = reverse("accounts:user_role_remove", args=[target.pk, target.roles.get().pk])
    assert client.get(url).status_code == 405
    assert target.roles.count() == 1


def test_role_of_another_user_cannot_be_removed_through_this_user(client, krabi_admin, target, krabi_org):
    other = user_with_role(Role.Kind.ORG_HEAD, organization=krabi_org)
    Role.objects.create(user=other, kind=Role.Kind.ORG_STAFF, organization=krabi_org)
    client.force_login(krabi_admin)
    response = client.post(reverse("accounts:user_role_remove", args=[target.pk, other.roles.first().pk]))
    assert response.status_code == 404
    assert other.roles.count() == 2
