"""Load-balancer probes, answered before anything else looks at the request.

`/healthz` is liveness: the process answers (no database, no session, no template — also the
benchmark's floor). `/readyz` is readiness: the database answers, the evidence storage (its
folder or its bucket) answers, and the background queue is being drained (its oldest waiting
task is younger than LPA_READY_MAX_QUEUE_AGE seconds). A probe comes to a node's own address
over plain HTTP, so the middleware answers before ALLOWED_HOSTS is checked and before the
HTTPS redirect.
"""

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.db.models import Case, F, When
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from core.storage import is_s3

logger = logging.getLogger(__name__)

PROBE_FILE = "readyz-probe"


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def readyz(request: HttpRequest) -> HttpResponse:
    checks = {}
    for name, check in (("database", _database), ("storage", _storage), ("queue", _queue)):
        try:
            checks[name] = check()
        except Exception as error:  # a probe reports what failed; it must not itself fail
            logger.warning("readyz: %s check failed: %s", name, error)
            checks[name] = {"ok": False, "error": type(error).__name__}
    ready = all(check["ok"] for check in checks.values())
    body = json.dumps({"ready": ready, "checks": checks}, ensure_ascii=False)
    return HttpResponse(body, status=200 if ready else 503, content_type="application/json")


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _storage() -> dict:
    """The storage evidence lives in answers: a round trip to the disk or the object store."""
    storage = storages["evidence"]
    if is_s3(storage):
        # A missing key is no error to exists(), so a misspelt bucket would pass: ask for the
        # bucket itself (missing, or credentials refused, raises).
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    else:
        storage.exists(PROBE_FILE)
    return {"ok": True}


def _queue() -> dict:
    # A task deferred to run later (a mail retry after its backoff) waits from then, not from
    # when it was enqueued: otherwise every retry that comes due looks an hour late.
    waiting_since = Case(
        When(run_after__gt=F("enqueued_at"), run_after__lt=get_date_max(), then=F("run_after")),
        default=F("enqueued_at"),
    )
    oldest = (
        DBTaskResult.objects.ready()
        .annotate(waiting_since=waiting_since)
        .order_by("waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    age = 0 if oldest is None else max(0, int((timezone.now() - oldest).total_seconds()))
    limit = settings.LPA_READY_MAX_QUEUE_AGE
    return {"ok": age <= limit, "oldest_waiting_seconds": age, "limit_seconds": limit}


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            response = probe(request)
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


