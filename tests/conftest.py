import os

import pytest
import pytest_django.plugin
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.test import override_settings
from pytest_django.fixtures import validate_django_db

from tests.s3 import S3Server, moto_server

# live_server runs in a thread beside sync Playwright, which Django sees as an async context.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Django's order again, after pytest's own: plain database tests, then transactional and
    live-server ones (which empty every table, the migrations' geography included), then the
    rest. pytest groups the tests of a parametrized session fixture after pytest-django has
    sorted them (pytest-playwright's browser_name), which put the browser tests amid the
    plain ones: the tests after them on the same worker found no provinces."""
    pytest_django.plugin.pytest_collection_modifyitems(items)


@pytest.fixture(autouse=True)
def _geography_for_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Provinces and districts for a transaction=True test: the migrations load them, but each
    transactional or live-server test before it on the same worker emptied every table."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transaction, *_rest = validate_django_db(marker)
    if not transaction:
        return
    request.getfixturevalue("_django_db_helper")
    from organizations.geography import load_geography
    from organizations.models import District, Province

    if not District.objects.exists():
        load_geography(Province, District)


@receiver(connection_created, dispatch_uid="tests.allow_audit_truncate")
def _allow_emptying_the_audit_trail(sender, connection, **kwargs) -> None:
    """The suite empties every table between transactional and browser tests (flush, TRUNCATE);
    the audit trail refuses TRUNCATE unless the connection says so (assessments migration 0005)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lpa.allow_audit_truncate = 'on'")


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """Tests speak plain HTTP and use uncollected static files; production forces HTTPS.

    Session-wide and first, so the live server's middleware is built with these values.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        # The production hasher takes ~0.3 s a password on purpose; tests make hundreds of accounts.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            # The local folders LPA_EVIDENCE_ROOT / LPA_EXPORTS_ROOT, whatever LPA_STORAGE says.
            "evidence": {"BACKEND": "assessments.storage.EvidenceStorage"},
            "exports": {"BACKEND": "exports.storage.ExportStorage"},
        },
    ):
        yield


@pytest.fixture(autouse=True)
def _thai_after_each_test():
    """A request in English leaves English active in this thread; later tests expect Thai."""
    yield
    from django.utils import translation

    translation.activate("th")


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on 127.0.0.1, started once per test process (tests/s3.py)."""
    with moto_server() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server: S3Server, settings) -> str:
    """A fresh private bucket that evidence and exports go to for this test (as LPA_STORAGE=s3)."""
    bucket = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, **s3_server.storages(bucket)}
    return bucket
