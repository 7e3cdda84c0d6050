import pytest
from django.urls import reverse

from tests.access_matrix import LOGIN, MATRIX, ROLES, build_world


@pytest.fixture
def world(db, settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"  # the self-assessment cases store one file
    return build_world()


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.name)
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(client, world, case, role):
    client.force_login(world.users[role])
    response = getattr(client, case.method)(case.url(world))
    assert response.status_code == case.expected(role), f"{role} on {case.name}"


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.name)
def test_anonymous_is_sent_to_login(client, world, case):
    response = getattr(client, case.method)(case.url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN) + "?next=")


def test_matrix_covers_every_role():
    assert set(ROLES) >= {"org_staff", "org_head", "assessor", "province_admin", "department", "system_admin"}
