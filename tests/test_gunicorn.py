"""The project's gunicorn.conf.py, served for real: a node answers the probes over plain HTTP
and writes an access line naming the request id it returned."""

import os
import subprocess
import time
import urllib.request

import pytest
from django.conf import settings

from tests.processes import free_port


@pytest.fixture
def node(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lpa.settings",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESSLOG": str(log),
        "ALLOWED_HOSTS": "lpa.dla.go.th",
        "SECURE_SSL_REDIRECT": "true",
        "DEBUG": "0",
    }
    server = subprocess.Popen(
        [str(settings.BASE_DIR / ".venv" / "bin" / "gunicorn"), "lpa.wsgi:application"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.skipif(not (settings.BASE_DIR / ".venv" / "bin" / "gunicorn").exists(), reason="needs the project's .venv")
def test_a_node_answers_probes_on_its_own_address_and_logs_the_request_id(node):
    base, log = node
    request = urllib.request.Request(f"{base}/healthz", headers={"X-Request-ID": "probe-41"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert (response.status, response.read()) == (200, b"ok")

    time.sleep(0.5)  # the access line is written after the response
    lines = log.read_text().splitlines()
    assert any('"GET /healthz HTTP/1.1" 200' in line and "request_id=probe-41" in line for line in lines), lines
