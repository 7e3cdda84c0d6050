"""Which request (or background task) a log line belongs to.

`RequestIdMiddleware` gives each request an id — the load balancer's `X-Request-ID` when it
sends a sane one, a new one otherwise — returns it in the response's `X-Request-ID` and keeps
it in a context variable for the request's lifetime; `task_context()` does the same for a
background task with its task id. `ContextFilter` copies the id onto every log record, so the
JSON formatter (settings.LOGGING) writes it on every line.
"""

import contextlib
import contextvars
import logging
import re
import uuid
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# What a proxy may hand us: letters, digits and - _ . : up to 64 characters (a UUID, a trace id).
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        value = given if SANE_ID.match(given) else uuid.uuid4().hex
        request.request_id = value
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[HEADER] = value
        return response


@contextlib.contextmanager
def task_context(value: str) -> Iterator[None]:
    """Every line logged inside carries `task_id=value` (a background job's id)."""
    token = task_id.set(str(value))
    try:
        yield
    finally:
        task_id.reset(token)


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` (empty outside a request or task) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.task_id = task_id.get()
        return True
