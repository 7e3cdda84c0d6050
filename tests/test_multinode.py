"""Two app servers and two workers, one system: the deployment of docs/deployment.md on one
machine, driven over HTTP.

Two gunicorn nodes on their own ports and two `db_worker` processes share the PostgreSQL test
database, an S3 bucket (moto's server), Redis and an SMTP server (aiosmtpd), configured only by
environment variables as production is. The flow crosses them: a session opened on one node
is good on the other; evidence uploaded through node A downloads through node B; an export
asked for on node B is built by whichever worker takes it and downloads from node A; a return
made on node A notifies by a mail that a worker sends; and a worker killed in the middle of an
export leaves it to the other (the rule: a task whose worker died goes back to the queue when
its export is asked for again, exports.building.request_export).

PostgreSQL only (SQLite is one file on one machine) and Redis required: CI runs it in the
PostgreSQL pass, with Redis started by .ci/run.
"""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.notifications.mailserver import FakeMailServer
from tests.processes import free_port
from tests.s3 import ACCESS_KEY, REGION, SECRET_KEY
from tests.test_cache import REDIS_URL, redis_reachable

pytestmark = [pytest.mark.multinode, pytest.mark.django_db(transaction=True)]

PYTHON = Path(sys.executable)
GUNICORN = PYTHON.with_name("gunicorn")
DEADLINE = 120  # seconds for anything the worker does


def manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]


def wait_for(condition, what: str, timeout: float = DEADLINE, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class Node:
    """One app server, as the load balancer reaches it (HTTPS ended in front of it)."""

    def __init__(self, name: str, port: int):
        self.name, self.base = name, f"http://127.0.0.1:{port}"

    def url(self, path: str) -> str:
        return self.base + path


class Browser:
    """A person's browser: one cookie jar, whichever node the load balancer sends it to."""

    def __init__(self):
        self.session = requests.Session()

    def _headers(self, node: Node) -> dict:
        # The load balancer ended TLS: the app sees https and checks the Referer as for https.
        return {"X-Forwarded-Proto": "https", "Referer": node.base.replace("http://", "https://") + "/"}

    def _keep_cookies(self) -> None:
        # Secure cookies travel over the (test's) plain-HTTP hop between balancer and node.
        for cookie in self.session.cookies:
            cookie.secure = False

    def get(self, node: Node, path: str, **kwargs) -> requests.Response:
        response = self.session.get(node.url(path), headers=self._headers(node), timeout=60, **kwargs)
        self._keep_cookies()
        return response

    def post_to(self, node: Node, form_page: str, action: str, data: dict, files=None) -> requests.Response:
        page = self.get(node, form_page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.session.post(
            node.url(action),
            data={"csrfmiddlewaretoken": token, **data},
            files=files,
            headers=self._headers(node),
            allow_redirects=False,
            timeout=60,
        )
        self._keep_cookies()
        return response

    def sign_in(self, node: Node, username: str) -> None:
        from demo.seed import DEMO_PASSWORD

        login = "/accounts/login/"
        response = self.post_to(node, login, login, {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.text[:2000]


@pytest.fixture
def system(tmp_path, s3_server):
    if connection.vendor != "postgresql":
        pytest.skip("several nodes share PostgreSQL; SQLite is one file on one machine")
    if not redis_reachable():
        if "LPA_TEST_REDIS_URL" in os.environ:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")
    database = connection.settings_dict
    bucket = s3_server.new_bucket()
    mail = FakeMailServer().start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lpa.settings",
        "DEBUG": "0",
        "SECRET_KEY": "multinode-test-secret-key-that-is-long-enough-for-django-checks",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
        "LPA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_ADDRESSING_STYLE": "path",
        # Nothing may land on a node's own disk: these folders must stay empty.
        "LPA_EVIDENCE_ROOT": str(tmp_path / "node-disk" / "evidence"),
        "LPA_EXPORTS_ROOT": str(tmp_path / "node-disk" / "exports"),
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail.port),
        "STATIC_ROOT": str(tmp_path / "static"),
        "GUNICORN_ACCESSLOG": str(tmp_path / "access.log"),
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "collectstatic", "--noinput")
    manage(env, "seed_demo")
    with ExitStack() as stack:
        processes = {}

        def start(name: str, command: list[str], extra: dict | None = None) -> subprocess.Popen:
            log = (tmp_path / f"{name}.log").open("w")
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env={**env, **(extra or {})}, stdout=log, stderr=log)
            processes[name] = process

            def stop():
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
                log.close()

            stack.callback(stop)
            return process

        nodes = []
        for name in ("A", "B"):
            port = free_port()
            start(f"node-{name}", [str(GUNICORN), "lpa.wsgi:application"], {"GUNICORN_BIND": f"127.0.0.1:{port}"})
            nodes.append(Node(name, port))
        for name in ("worker-1", "worker-2"):
            start(name, [str(PYTHON), "manage.py", "db_worker", "--no-reload", "--no-startup-delay"])
        for node in nodes:
            wait_for(lambda node=node: _answers(node.url("/healthz")), f"node {node.name}", timeout=60)
        stack.callback(mail.stop)
        yield {"nodes": nodes, "bucket": bucket, "s3": s3_server, "mail": mail, "processes": processes, "tmp": tmp_path}


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_two_nodes_and_two_workers_work_as_one_system(system):
    from assessments.models import Assessment, Evidence, Indicator
    from demo.seed import DEMO_ORGANIZATION
    from exports.models import Export
    from notifications.models import Notification

    a, b = system["nodes"]
    s3, bucket, mail = system["s3"], system["bucket"], system["mail"]

    # Both nodes are ready: database, bucket and queue.
    for node in (a, b):
        ready = requests.get(node.url("/readyz"), timeout=10)
        assert ready.status_code == 200, ready.text

    # A session opened on node A is good on node B (sessions live in the database).
    staff = Browser()
    staff.sign_in(a, "org_staff")
    assessment = Assessment.objects.filter(organization__code=DEMO_ORGANIZATION, round__year=2569).get()
    assert staff.get(b, assessment.get_absolute_url()).status_code == 200

    # Evidence uploaded through node A lands in the bucket and downloads through node B.
    indicator = Indicator.objects.for_assessment(assessment).filter(category__dimension__number=1).first()
    content = b"%PDF-1.4\n% multinode evidence\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    dimension = f"{assessment.get_absolute_url()}dimensions/1/"
    uploaded = staff.post_to(
        a,
        dimension,
        f"/assessments/{assessment.pk}/indicators/{indicator.pk}/files/",
        {},
        files={f"i{indicator.pk}-files": ("คำสั่งแต่งตั้ง.pdf", content, "application/pdf")},
    )
    assert uploaded.status_code == 302, uploaded.text[:2000]
    evidence = Evidence.objects.filter(answer__assessment=assessment, original_name="คำสั่งแต่งตั้ง.pdf").get()
    assert any(key.startswith("evidence/") for key in s3.keys(bucket))
    downloaded = staff.get(b, f"/assessments/evidence/{evidence.pk}/")
    assert downloaded.status_code == 200 and downloaded.content == content
    assert not list((system["tmp"] / "node-disk").rglob("*.pdf"))

    # An export asked for on node B is built by a worker and downloads from node A.
    official = Browser()
    official.sign_in(b, "dla_official")
    asked = official.post_to(b, "/exports/", "/exports/new/", {"kind": Export.Kind.RESULTS_WORKBOOK, "year": 2568, "province": ""})
    assert asked.status_code == 302, asked.text[:2000]
    export = Export.objects.latest("pk")
    wait_for(lambda: Export.objects.get(pk=export.pk).status == Export.Status.DONE, "the export")
    workbook = official.get(a, f"/exports/{export.pk}/download/")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert any(key.startswith("exports/") for key in s3.keys(bucket))

    # A return made on node A notifies the organization; a worker sends the mails.
    lead = Browser()
    lead.sign_in(a, "assessor")
    submitted = (
        Assessment.objects.filter(round__year=2569, status=Assessment.Status.SUBMITTED, organization__district__province__code="81")
        .order_by("organization__code")
        .first()
    )
    flagged = Indicator.objects.for_assessment(submitted).first()
    page = f"/review/assessments/{submitted.pk}/return/"
    returned = lead.post_to(a, page, page, {f"flag_{flagged.pk}": "on", f"reason_{flagged.pk}": "แนบคำสั่งที่ลงนามแล้ว"})
    assert returned.status_code == 302, returned.text[:3000]
    to_mail = Notification.objects.filter(assessment=submitted, kind=Notification.Kind.RETURNED).exclude(recipient__email="")
    expected = sorted(to_mail.values_list("recipient__email", flat=True))
    assert expected
    wait_for(lambda: set(expected) <= set(mail.recipients()), "the return's mail")
    assert all(row.email_status == "sent" for row in to_mail)


def test_a_worker_killed_in_the_middle_of_an_export_leaves_it_to_the_other(system):
    from exports.models import Export

    a, b = system["nodes"]
    processes = system["processes"]
    official = Browser()
    official.sign_in(a, "dla_official")
    # Stop worker 2 so that worker 1 takes the export; kill worker 1 once it is building.
    processes["worker-2"].send_signal(signal.SIGSTOP)
    try:
        asked = official.post_to(a, "/exports/", "/exports/new/", {"kind": Export.Kind.RESULTS_WORKBOOK, "year": 2568, "province": ""})
        assert asked.status_code == 302
        export = Export.objects.latest("pk")
        wait_for(lambda: Export.objects.get(pk=export.pk).status != Export.Status.QUEUED, "worker 1 to take it", every=0.02)
        processes["worker-1"].kill()  # SIGKILL: no clean-up, as a machine that dies
    finally:
        processes["worker-2"].send_signal(signal.SIGCONT)
    export.refresh_from_db()
    if export.status == Export.Status.DONE:
        pytest.skip("worker 1 finished the export before it could be killed")
    assert export.status == Export.Status.RUNNING  # its worker is gone: nobody will finish it
    # The rule (exports.building.request_export): an export running for longer than
    # STALE_AFTER (30 min) has lost its worker; asking for it again fails it with a message and
    # queues a new one, which a living worker builds. Here its start is moved back in time
    # instead of waiting half an hour.
    Export.objects.filter(pk=export.pk).update(started_at=export.started_at - datetime.timedelta(hours=1))
    again = official.post_to(b, "/exports/", "/exports/new/", {"kind": Export.Kind.RESULTS_WORKBOOK, "year": 2568, "province": ""})
    assert again.status_code == 302
    replacement = Export.objects.latest("pk")
    assert replacement.pk != export.pk
    wait_for(lambda: Export.objects.get(pk=replacement.pk).status == Export.Status.DONE, "the other worker")
    assert official.get(b, f"/exports/{replacement.pk}/download/").status_code == 200
