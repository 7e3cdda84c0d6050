import os

import pytest
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.test import override_settings

from tests.s3 import S3Server, moto_server

# live_server runs in a thread beside sync Playwright, which Django sees as an async context.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


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
