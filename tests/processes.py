"""Helpers for tests that start other processes: a free port, and Django in a fresh process."""

import os
import socket
import subprocess
import sys

from django.conf import settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def django_in_a_fresh_process(code: str, **env: str) -> str:
    """Run `code` after django.setup() in a new interpreter with `env` added (settings read
    afresh from the environment); its stdout, stripped. Fails the test if it fails."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "lpa.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
