"""The authenticated floor: a signed-in request that reads only its session, its user and the
user's roles makes no database query when a shared cache is configured (sessions cached_db,
the user with their roles in accounts/user_cache.py), and every change to the user or a role
takes effect on that user's very next request, in this process and in any other."""

import json
import os
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import user_cache
from accounts.models import Role
from accounts.roles import grant_role, remove_role
from tests.factories import OrganizationFactory, district, province, user_with_role
from tests.processes import django_in_a_fresh_process
from tests.test_cache import REDIS_URL, redis_reachable

URL = "/accounts/session/"


def _cached(settings, cache: dict) -> None:
    """The production settings with a shared cache (REDIS_URL), here a cache of `cache`."""
    settings.CACHES = {"default": cache}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.LPA_USER_CACHE_SECONDS = 300


@pytest.fixture
def shared_cache(settings):
    _cached(settings, {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex})


@pytest.fixture
def staff(db):
    organization = OrganizationFactory(district=district("8101"))
    return user_with_role(Role.Kind.ORG_STAFF, organization=organization, first_name="สมชาย", last_name="ใจดี")


def _get(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    return response, len(captured)


def test_session_status_names_the_user_their_roles_and_the_time_left(client, staff):
    client.force_login(staff)

    response = client.get(reverse("accounts:session_status"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["username"] == staff.username
    assert body["name"] == "สมชาย ใจดี"
    assert body["roles"] == [str(Role.Kind.ORG_STAFF.label)]
    assert 0 < body["expires_in"] <= 14 * 24 * 3600


def test_session_status_refuses_a_post(client, staff):
    client.force_login(staff)

    assert client.post(URL).status_code == 405


def test_without_a_shared_cache_session_user_and_roles_are_read_from_the_database(client, staff):
    client.force_login(staff)
    client.get(URL)

    response, queries = _get(client)

    assert response.status_code == 200
    assert queries == 3  # session, user, roles: what the shared cache saves


def test_with_a_shared_cache_a_signed_in_request_makes_no_query(client, staff, shared_cache):
    client.force_login(staff)
    client.get(URL)  # warms the cache

    response, queries = _get(client)

    assert response.status_code == 200
    assert json.loads(response.content)["username"] == staff.username
    assert queries == 0


def test_a_cached_session_survives_a_lost_cache(client, staff, shared_cache):
    from django.core.cache import cache

    client.force_login(staff)
    client.get(URL)
    cache.clear()

    response, queries = _get(client)

    assert response.status_code == 200
    assert queries == 3  # read again from the database, then cached again
    assert _get(client)[1] == 0


def test_deactivating_a_user_signs_them_out_on_their_next_request(
    client, staff, shared_cache, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    client.get(URL)

    with django_capture_on_commit_callbacks(execute=True):
        staff.is_active = False
        staff.save(update_fields=["is_active"])

    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_deactivation_through_the_managers_page_signs_the_user_out(
    client, staff, shared_cache, django_capture_on_commit_callbacks
):
    manager = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
    client.force_login(staff)
    client.get(URL)
    managers = Client()
    managers.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        answered = managers.post(reverse("accounts:user_deactivate", args=[staff.pk]))
    assert answered.status_code == 302

    assert client.get(URL).status_code == 302


def test_removing_a_role_takes_effect_on_the_next_request(
    client, staff, shared_cache, django_capture_on_commit_callbacks
):
    head = Role.objects.create(user=staff, kind=Role.Kind.ORG_HEAD, organization=staff.roles.get().organization)
    client.force_login(staff)
    assert json.loads(client.get(URL).content)["roles"] == [str(Role.Kind.ORG_STAFF.label), str(Role.Kind.ORG_HEAD.label)]

    with django_capture_on_commit_callbacks(execute=True):
        remove_role(head)

    assert json.loads(client.get(URL).content)["roles"] == [str(Role.Kind.ORG_STAFF.label)]


def test_granting_a_role_takes_effect_on_the_next_request(
    client, staff, shared_cache, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    client.get(URL)

    with django_capture_on_commit_callbacks(execute=True):
        grant_role(staff, kind=Role.Kind.PROVINCIAL_ASSESSOR, organization=None, province=province("81"), by=None)

    assert str(Role.Kind.PROVINCIAL_ASSESSOR.label) in json.loads(client.get(URL).content)["roles"]


def test_a_new_password_ends_other_sessions_on_their_next_request(
    client, staff, shared_cache, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    client.get(URL)

    with django_capture_on_commit_callbacks(execute=True):
        staff.set_password("ใหม่-ยาวพอ-2570")
        staff.save(update_fields=["password"])

    assert client.get(URL).status_code == 302


def test_a_stale_copy_stored_after_the_change_does_not_count(staff, shared_cache, django_capture_on_commit_callbacks):
    # A process read the user just before the change was committed and stores it just after.
    stale = user_cache.signed_in_user(staff.pk)
    assert user_cache.cached_entry(staff.pk) is not None
    with django_capture_on_commit_callbacks(execute=True):
        staff.is_active = False
        staff.save(update_fields=["is_active"])
    from django.core.cache import cache

    cache.set(f"accounts:user:{staff.pk}", ("the generation before the change", stale), 300)

    assert user_cache.cached_entry(staff.pk) is None
    assert user_cache.signed_in_user(staff.pk).is_active is False


def test_an_unknown_or_bad_user_id_in_a_session_is_anonymous(db, shared_cache):
    assert user_cache.signed_in_user("not-a-number") is None
    assert user_cache.signed_in_user(987654) is None


def test_with_redis_a_change_in_one_process_reaches_another(
    client, staff, settings, django_capture_on_commit_callbacks
):
    if not redis_reachable():
        if "LPA_TEST_REDIS_URL" in os.environ:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")
    prefix = f"test-{uuid.uuid4().hex}"
    _cached(
        settings,
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix},
    )
    other = (
        "from accounts import user_cache\n"
        f"print(getattr(user_cache.cached_entry({staff.pk}), 'is_active', None))"
    )
    environment = {"REDIS_URL": REDIS_URL, "LPA_USER_CACHE_SECONDS": "300"}
    code = (
        # This test's own keys in the shared Redis database (read before the cache's first use).
        "from django.conf import settings\n"
        f"settings.CACHES['default']['KEY_PREFIX'] = {prefix!r}\n"
    )
    client.force_login(staff)
    client.get(URL)  # this process caches the user in Redis

    served_from_cache = django_in_a_fresh_process(code + other, **environment)
    with django_capture_on_commit_callbacks(execute=True):
        staff.is_active = False
        staff.save(update_fields=["is_active"])
    after_deactivation = django_in_a_fresh_process(code + other, **environment)

    assert (served_from_cache, after_deactivation) == ("True", "None")
    assert client.get(URL).status_code == 302


def test_redis_url_caches_sessions_and_signed_in_users():
    read = "from django.conf import settings; print(settings.SESSION_ENGINE, settings.LPA_USER_CACHE_SECONDS)"

    with_redis = django_in_a_fresh_process(read, REDIS_URL="redis://127.0.0.1:6379/15")
    without = django_in_a_fresh_process(read, REDIS_URL="")

    assert with_redis == "django.contrib.sessions.backends.cached_db 300"
    assert without == "django.contrib.sessions.backends.db 0"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REDIS_URL": "", "LPA_USER_CACHE_SECONDS": "300"}, "needs REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/15", "LPA_USER_CACHE_SECONDS": "-1"}, "0 (off) or more"),
    ],
)
def test_a_user_cache_that_could_miss_changes_is_refused(env, message):
    import subprocess
    import sys

    from django.conf import settings

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "lpa.settings", **env},
        capture_output=True, text=True, timeout=60, cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert message in result.stderr
