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
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
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
