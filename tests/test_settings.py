import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The suite sets DJANGO_ALLOW_ASYNC_UNSAFE for the live server; check --deploy rightly warns about it.
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "lpa.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="lpa.example.go.th",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_development_secret_key():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_bad_boolean_in_environment_fails_loudly():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr



@pytest.mark.parametrize(
    "env",
    [
        {"LPA_MAIL_MAX_ATTEMPTS": "0"},
        {"LPA_MAIL_RETRY_SECONDS": "0"},
        {"LPA_MAIL_RETRY_SECONDS": "600", "LPA_MAIL_RETRY_MAX_SECONDS": "60"},
    ],
)
def test_impossible_mail_retry_settings_fail_loudly(env):
    result = run_manage("check", DEBUG="1", **env)
    assert result.returncode != 0
    assert "LPA_MAIL_MAX_ATTEMPTS and LPA_MAIL_RETRY_SECONDS must be at least 1" in result.stderr

def test_database_url_selects_the_database():
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/lpa",
    )
    assert result.stdout.strip().endswith("postgresql"), result.stderr


def test_without_database_url_sqlite_is_used():
    result = run_manage("shell", "-c", "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])")
    assert result.stdout.strip().endswith("sqlite3"), result.stderr


def test_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Asia/Bangkok"
    assert settings.LANGUAGE_CODE == "th"
    assert ("en", "English") in settings.LANGUAGES


@pytest.mark.django_db
def test_english_is_available_through_i18n(client):
    client.cookies["django_language"] = "en"  # as the language switch sets it
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Sign in" in response.content.decode()


def test_static_files_are_served_without_debug_after_collectstatic(tmp_path):
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(tmp_path),
    }
    collected = run_manage("collectstatic", "--noinput", **env)
    assert collected.returncode == 0, collected.stderr
    fetch = (
        "from django.test import Client; from django.templatetags.static import static; "
        "url = static('vendor/bootstrap-5.3.8/bootstrap.min.css'); r = Client().get(url); "
        "print(url, r.status_code, r.headers.get('Cache-Control'))"
    )
    served = run_manage("shell", "-c", fetch, **env)
    url, status, cache = served.stdout.strip().splitlines()[-1].split(maxsplit=2)
    assert status == "200", served.stderr
    assert url != "/static/vendor/bootstrap-5.3.8/bootstrap.min.css"  # a hashed, cacheable name
    assert "max-age" in cache


STORAGE_OPTIONS = (
    "from django.core.files.storage import storages; "
    "s = storages['{alias}']; "
    "print(type(s).__name__, s.bucket_name, s.location, s.endpoint_url, s.default_acl, s.querystring_auth, "
    "s.querystring_expire, s.file_overwrite)"
)


def test_files_stay_on_the_local_disk_by_default(tmp_path):
    result = run_manage(
        "shell", "-c",
        "from django.core.files.storage import storages; print(storages['evidence'].location, storages['exports'].location)",
        LPA_EVIDENCE_ROOT=str(tmp_path / "ev"), LPA_EXPORTS_ROOT=str(tmp_path / "ex"),
    )
    assert result.stdout.strip().splitlines()[-1].split() == [str(tmp_path / "ev"), str(tmp_path / "ex")], result.stderr


@pytest.mark.parametrize("alias, prefix", [("evidence", "evidence"), ("exports", "exports")])
def test_lpa_storage_s3_puts_each_kind_of_file_under_its_prefix_of_a_private_bucket(alias, prefix):
    result = run_manage(
        "shell", "-c", STORAGE_OPTIONS.format(alias=alias),
        LPA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="lpa-files", AWS_S3_ENDPOINT_URL="https://s3.example.go.th",
        LPA_STORAGE_URL_SECONDS="120",
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "S3Storage", "lpa-files", prefix, "https://s3.example.go.th", "None", "True", "120", "False"
    ], result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"LPA_STORAGE": "ftp"}, "LPA_STORAGE must be local or s3"),
        ({"LPA_STORAGE": "s3"}, "LPA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        ({"LPA_STORAGE_REDIRECT": "1"}, "LPA_STORAGE_REDIRECT needs LPA_STORAGE=s3"),
        ({"LPA_STORAGE_URL_SECONDS": "0"}, "LPA_STORAGE_URL_SECONDS must be 1 to 604800"),
    ],
)
def test_bad_storage_settings_fail_loudly(env, message):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


# Six people saving at once through the ORM, each save reading before it writes (as a form save
# does): with SQLite's defaults one of them gets "database is locked" at once.
_CONCURRENT_WRITES = """
import threading, time
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.utils import timezone

with connection.schema_editor() as editor:
    editor.create_model(Session)
errors = []

def save(worker):
    try:
        for i in range(25):
            try:
                with transaction.atomic():
                    Session.objects.count()
                    time.sleep(0.002)
                    Session.objects.create(session_key=f"{worker}-{i}", session_data="x", expire_date=timezone.now())
            except Exception as error:
                errors.append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=save, args=(n,)) for n in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(connection.cursor().execute("PRAGMA journal_mode").fetchone()[0], Session.objects.count(), len(errors))
print(errors[:3])
"""


def test_sqlite_database_takes_concurrent_writers_without_locking_errors(tmp_path):
    result = run_manage(
        "shell", "-c", _CONCURRENT_WRITES, DATABASE_URL=f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    mode, rows, errors = result.stdout.strip().splitlines()[-2].split()
    assert errors == "0", result.stdout
    assert (mode, rows) == ("wal", "150")


def test_sqlite_options_leave_postgresql_alone():
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/lpa",
    )
    assert result.returncode == 0, result.stderr
    assert "transaction_mode" not in result.stdout and "init_command" not in result.stdout
