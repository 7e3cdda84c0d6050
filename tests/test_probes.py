"""Running behind a load balancer: probes, request ids in the logs, the client's address,
errors reported to Sentry or to ADMINS."""

import datetime
import gzip
import http.server
import io
import json
import logging
import socket
import threading

import brotli
import pytest
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.log_context import ContextFilter, RequestIdMiddleware, task_context
from tests.processes import django_in_a_fresh_process
from tests.s3 import S3Server

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_https(settings):
    """Production's answer to a plain-HTTP request for a host it does not serve: redirect or 400."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["lpa.dla.go.th"]


def test_probes_answer_a_node_address_over_plain_http(client, behind_https):
    other = client.get("/", HTTP_HOST="10.0.0.7:8000")
    health = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    ready = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")

    assert other.status_code == 400  # an unknown host, as before
    assert (health.status_code, health.content) == (200, b"ok")
    assert ready.status_code == 200
    assert ready.json() == {
        "ready": True,
        "checks": {
            "database": {"ok": True},
            "storage": {"ok": True},
            "queue": {"ok": True, "oldest_waiting_seconds": 0, "limit_seconds": settings.LPA_READY_MAX_QUEUE_AGE},
        },
    }
    assert ready["Cache-Control"] == "no-store"


def queued(minutes_ago: int) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        task_path="exports.tasks.build_export", args_kwargs={"args": [1], "kwargs": {}}, queue_name="default",
        backend_name="default", priority=0,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    return task


def test_readyz_says_503_when_no_worker_drains_the_queue(client, settings):
    settings.LPA_READY_MAX_QUEUE_AGE = 300
    queued(minutes_ago=1)
    assert client.get("/readyz").status_code == 200

    queued(minutes_ago=6)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["ready"] is False
    assert response.json()["checks"]["queue"]["ok"] is False
    assert response.json()["checks"]["queue"]["oldest_waiting_seconds"] >= 360


def test_a_task_deferred_until_just_now_has_waited_only_since_then(client, settings):
    """A mail retry enqueued an hour ago to run after its backoff is not an hour late."""
    settings.LPA_READY_MAX_QUEUE_AGE = 300
    task = queued(minutes_ago=60)
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get("/readyz")

    assert response.status_code == 200
    assert 55 <= response.json()["checks"]["queue"]["oldest_waiting_seconds"] <= 70


def test_readyz_names_a_failing_check_without_failing_itself(client, monkeypatch):
    from lpa import probes

    def broken():
        raise OSError("bucket unreachable")

    monkeypatch.setattr(probes, "_storage", broken)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"ok": False, "error": "OSError"}
    assert response.json()["checks"]["database"] == {"ok": True}


def test_readyz_asks_the_bucket_evidence_is_kept_in(client, s3_bucket):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["checks"]["storage"] == {"ok": True}


def test_readyz_says_503_when_the_evidence_bucket_is_missing(client, s3_server, settings):
    settings.STORAGES = {**settings.STORAGES, **s3_server.storages("lpa-no-such-bucket")}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {"ok": False, "error": "ClientError"}


def test_readyz_says_503_when_the_object_store_does_not_answer(client, s3_server, settings):
    unreachable = S3Server(f"http://127.0.0.1:{closed_port()}")
    settings.STORAGES = {**settings.STORAGES, **unreachable.storages("lpa-evidence")}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Request ids.


def capture(record_filter: logging.Filter) -> tuple[logging.Logger, list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.addFilter(record_filter)
    handler.emit = records.append
    logger = logging.getLogger("lpa.test.request-id")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return logger, records


def test_every_line_of_a_request_carries_its_id_and_the_response_returns_it():
    logger, records = capture(ContextFilter())

    def view(request):
        logger.info("first")
        logger.info("second")
        from django.http import HttpResponse

        return HttpResponse()

    middleware = RequestIdMiddleware(view)
    response = middleware(RequestFactory().get("/"))
    given = middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="lb-7f3a.9"))
    hostile = middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID='x" {"level": "ERROR"}'))
    logger.info("outside")

    ids = [record.request_id for record in records]
    assert ids[0] == ids[1] == response["X-Request-ID"] and len(ids[0]) == 32
    assert ids[2] == ids[3] == given["X-Request-ID"] == "lb-7f3a.9"
    assert ids[4] == ids[5] == hostile["X-Request-ID"] != 'x" {"level": "ERROR"}'
    assert ids[6] == ""


def test_a_task_s_lines_carry_its_task_id():
    logger, records = capture(ContextFilter())
    with task_context("0b6e-task"):
        logger.info("building")
    logger.info("after")

    assert [record.task_id for record in records] == ["0b6e-task", ""]


def test_logs_are_one_json_object_a_line_with_the_request_id():
    config = settings.LOGGING
    assert config["handlers"]["console"]["formatter"] == "json"  # the default whenever DEBUG is off
    spec = dict(config["formatters"]["json"])
    formatter = spec.pop("()")
    module, name = formatter.rsplit(".", 1)
    formatter = getattr(__import__(module, fromlist=[name]), name)(**{k: v for k, v in spec.items()})
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("lpa.test.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    RequestIdMiddleware(lambda request: logger.warning("ส่งออก %s", "ไม่สำเร็จ") or __import__("django.http").http.HttpResponse())(
        RequestFactory().get("/", HTTP_X_REQUEST_ID="req-1")
    )

    line = json.loads(stream.getvalue().strip())
    assert line["message"] == "ส่งออก ไม่สำเร็จ"
    assert (line["level"], line["logger"], line["request_id"], line["task_id"]) == ("WARNING", "lpa.test.json", "req-1", "")
    assert "time" in line


# The client's address behind the load balancer (django-axes locks by it).


def test_without_a_proxy_the_forwarded_header_is_ignored():
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert get_client_ip_address(request) == "203.0.113.5"


def test_behind_one_proxy_the_client_is_the_address_it_forwarded_not_one_the_client_made_up(settings):
    settings.LPA_TRUSTED_PROXIES = 1
    honest = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    spoofed = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.5"
    )
    garbage = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")
    missing = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.0.0.2")

    assert get_client_ip_address(honest) == "203.0.113.5"
    assert get_client_ip_address(spoofed) == "203.0.113.5"
    assert get_client_ip_address(garbage) == get_client_ip_address(missing) == "10.0.0.2"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.LPA_TRUSTED_PROXIES = 2
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="198.51.100.66, 2001:db8::5, 10.0.0.2"
    )
    assert get_client_ip_address(request) == "2001:db8::5"


def test_failed_logins_through_the_proxy_lock_the_client_not_everyone(client, settings):
    from tests.factories import UserFactory

    settings.LPA_TRUSTED_PROXIES = 1
    UserFactory(username="somchai")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "somchai", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    locked = client.post(
        "/accounts/login/", {"username": "somchai", "password": "wrong"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    other = client.post(
        "/accounts/login/", {"username": "somchai", "password": "wrong"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )

    assert locked.status_code == 429
    assert other.status_code == 200


# Errors.


def test_admins_come_from_the_environment():
    out = django_in_a_fresh_process(
        "from django.conf import settings; print(settings.ADMINS)",
        ADMINS="ทีมระบบ <ops@dla.go.th>, Somchai <somchai@dla.go.th>",
    )
    assert out == "[('ทีมระบบ', 'ops@dla.go.th'), ('Somchai', 'somchai@dla.go.th')]"


def test_with_a_sentry_dsn_an_error_reaches_the_sentry_server():
    received: list[bytes] = []

    class Sentry(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            received.append(brotli.decompress(body) if encoding == "br" else gzip.decompress(body) if encoding == "gzip" else body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Sentry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        django_in_a_fresh_process(
            "import sentry_sdk\n"
            "try:\n    1 / 0\nexcept ZeroDivisionError:\n    sentry_sdk.capture_exception()\n"
            "sentry_sdk.flush(timeout=10)\n",
            SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/42",
        )
    finally:
        server.shutdown()

    assert received and b"ZeroDivisionError" in b"".join(received)
