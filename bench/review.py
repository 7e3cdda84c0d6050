"""The review's measurements for bench/run.py (the review pages).

- load targets for wrk: in-review assessments, each with a session of a member of its
  assigned team and one indicator of its own to save, with a value the organization gave
  (the team agrees) and the verified answer's current version;
- in-process (Django's test client): the review dimension page and one save, the province
  board of the province with the most organizations as its provincial office, and the
  results page of a published assessment as the organization's head.

run.py drives wrk with its own Lua scripts; this module only prepares and measures. Like
run.py, it imports Django inside its functions: run.py sets the environment up first.
"""

import statistics
import time
from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import urlencode

HOST = "127.0.0.1"
REASON = "bench"  # the team's note: not required when it agrees, but assessors often write one


def session_cookie(user) -> tuple[str, str]:
    """A logged-in session of `user` and a CSRF token: (Cookie header, token)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string

    # The configured engine: with the shared cache the session is in it from the start.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.UsernameOrEmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = get_random_string(32)
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={token}", token


def verified_fields(
    prefix: str,
    kind: str,
    *,
    level: int | None = None,
    ticked: Sequence[int] = (),
    figure: Decimal | None = None,
    reason: str = REASON,
) -> str:
    """The verified-answer form's fields for one indicator (without its version), URL-encoded.

    `kind` is Indicator.Kind's value: "levels" sends the level, "figure" the figure, any
    checklist kind its ticked options (none ticked is an answer too: "none of these met").
    """
    fields: list[tuple[str, str]] = [(f"{prefix}-reason", reason)]
    if kind == "levels":
        fields.append((f"{prefix}-level", "" if level is None else str(level)))
    elif kind == "figure":
        fields.append((f"{prefix}-figure", "" if figure is None else f"{figure.normalize():f}"))
    else:
        fields += [(f"{prefix}-ticked", str(pk)) for pk in ticked]
    return urlencode(fields)


def load_targets(year: int, *, count: int, dimension: int) -> list[dict]:
    """In-review assessments (up to `count`), each with a team member's session, its review
    page of `dimension` and one indicator to save, distinct across targets (wrk's save
    script keeps the versions by indicator).

    The indicator is one the organization answered with a value (not "not applicable");
    the saved value is the organization's own, so the save is valid whatever the kind.
    """
    from django.urls import reverse

    from assessments.models import Answer, Assessment, Indicator
    from reviews.models import Assignment, TeamMember, VerifiedAnswer

    assessments = list(
        Assessment.objects.filter(round__year=year, status=Assessment.Status.IN_REVIEW, assignment__isnull=False)
        .order_by("pk")[:count]
    )
    team_of = dict(Assignment.objects.filter(assessment__in=assessments).values_list("assessment", "team"))
    members: dict[int, list] = {}
    for member in (
        TeamMember.objects.filter(team__in=set(team_of.values())).select_related("user").order_by("-is_lead", "pk")
    ):
        members.setdefault(member.team_id, []).append(member.user)
    used: set[int] = set()
    targets = []
    for number, assessment in enumerate(assessments):
        team = members.get(team_of[assessment.pk], [])
        if not team:
            continue
        # The members take turns: the lead is not the only one who scores.
        user = team[number % len(team)]
        answers = {
            answer.indicator_id: answer
            for answer in Answer.objects.filter(assessment=assessment, not_applicable=False).prefetch_related("ticked")
            if answer.level_id is not None or answer.figure is not None or answer.ticked.all()
        }
        indicators = [
            indicator
            for indicator in Indicator.objects.for_assessment(assessment).order_by("pk")
            if indicator.pk in answers and indicator.pk not in used
        ]
        if not indicators:
            continue
        indicator = indicators[number % len(indicators)]
        used.add(indicator.pk)
        answer = answers[indicator.pk]
        cookie, token = session_cookie(user)
        verified = VerifiedAnswer.objects.filter(assessment=assessment, indicator=indicator).first()
        prefix = f"v{indicator.pk}"
        targets.append(
            {
                "page": reverse("reviews:review_dimension", args=[assessment.pk, dimension]),
                "save": reverse("reviews:verified_answer_save", args=[assessment.pk, indicator.pk]),
                "assessment": assessment.pk,
                "cookie": cookie,
                "token": token,
                "user": user.username,
                "indicator": str(indicator.pk),
                "prefix": prefix,
                "fields": verified_fields(
                    prefix,
                    indicator.kind,
                    level=answer.level_id,
                    ticked=sorted(option.pk for option in answer.ticked.all()),
                    figure=answer.figure,
                ),
                "version": verified.version if verified else 0,
                "kind": indicator.kind,
            }
        )
    return targets


def refresh_versions(targets: list[dict]) -> list[dict]:
    """Each target's verified answer version as saved so far (0: none yet)."""
    from reviews.models import VerifiedAnswer

    for target in targets:
        verified = VerifiedAnswer.objects.filter(
            assessment_id=target["assessment"], indicator_id=int(target["indicator"])
        ).first()
        target["version"] = verified.version if verified else 0
    return targets


def measure_get(client, url: str, *, times: int = 10) -> dict:
    """Median in-process time of `times` GETs, the queries of the last one and its size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, queries = [], 0
    for _ in range(times):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        queries = len(captured)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def measure_post(client, url: str, body: str) -> dict:
    """One fetch-style POST (the page script's path): time, queries, status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.post(
            url, data=body, content_type="application/x-www-form-urlencoded", HTTP_X_REQUESTED_WITH="fetch"
        )
        seconds = time.perf_counter() - started
    return {"ms": round(seconds * 1000, 1), "queries": len(captured), "status": response.status_code}


def client_for(target: dict):
    return signed_in_client(target["cookie"])


def signed_in_client(cookie: str):
    """A test client sending the session `cookie`, its middleware already loaded: a client
    loads the middleware on its first request (WhiteNoise scanning the static files: about 70
    ms), which a gunicorn worker does once, so an in-process time would count it per page."""
    from django.test import Client

    client = Client(SERVER_NAME=HOST, HTTP_COOKIE=cookie)
    client.get("/healthz")
    return client


def server_side(targets: list[dict]) -> dict:
    """The review dimension page and one save of the last target, in this process."""
    target = targets[-1]
    client = client_for(target)
    page = measure_get(client, target["page"])
    (target,) = refresh_versions([target])
    body = f"{target['fields']}&{target['prefix']}-version={target['version']}"
    save = measure_post(client, target["save"], body)
    return {"review_page_server": page, "verified_save_server": save}


def province_board(year: int) -> dict:
    """The province board of the province with the most organizations, as its provincial office."""
    from django.db.models import Count
    from django.urls import reverse

    from accounts.models import Role
    from organizations.models import Province

    province = (
        Province.objects.annotate(organizations=Count("districts__organizations"))
        .order_by("-organizations", "code")
        .first()
    )
    office = (
        Role.objects.filter(kind=Role.Kind.PROVINCIAL_ADMIN, province=province)
        .select_related("user")
        .order_by("user__username")
        .first()
        .user
    )
    client = signed_in_client(session_cookie(office)[0])
    measured = measure_get(client, reverse("reviews:province_board", args=[year, province.code]), times=5)
    return {
        **measured,
        "province": f"{province.name_th} ({province.code})",
        "organizations": province.organizations,
        "user": office.username,
    }


def results_page(year: int) -> dict:
    """The results page of a published อบต. (the commonest type) as the organization's head."""
    from django.urls import reverse

    from accounts.models import Role
    from assessments.models import Assessment

    assessment = (
        Assessment.objects.filter(round__year=year, status=Assessment.Status.PUBLISHED, org_type="sao")
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    head = Role.objects.filter(kind=Role.Kind.ORG_HEAD, organization=assessment.organization).select_related("user")
    user = head.first().user
    client = signed_in_client(session_cookie(user)[0])
    measured = measure_get(client, reverse("reviews:results", args=[assessment.pk]), times=5)
    return {**measured, "organization": assessment.organization.code, "user": user.username}
