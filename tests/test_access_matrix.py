import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from tests.access_matrix import LOGIN, MATRIX, ROLES, World, build_world


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The matrix's data, built once for its ~900 cases rather than once per case.

    It lives in a transaction left open for the module and rolled back at its end; each test
    runs in a savepoint inside it (the `db` fixture), so what one case changes (an evidence
    removal, a login's timestamp) is gone before the next. Every case's URL is resolved here,
    so the rounds, assessment and review the cases build on first use exist for all of them.
    """
    # The self-assessment cases store one file as evidence.
    with (
        django_db_blocker.unblock(),
        override_settings(LPA_EVIDENCE_ROOT=tmp_path_factory.mktemp("evidence")),
        transaction.atomic(),
    ):
        world = build_world()
        for case in MATRIX:
            case.url(world)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(matrix_world: World, db) -> World:
    return matrix_world


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
