"""The national-scale benchmark: `make bench`, or `.venv/bin/python bench/run.py`.

1. Uses the PostgreSQL database in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
   lpa_bench), creating it if missing (`--fresh` drops it first), migrates, and generates the
   national round (demo/national_dataset.py) unless it is there already, timing it, then
   gathers the planner's statistics (ANALYZE).
2. Starts the project under gunicorn (2 sync workers, DEBUG off, a generated SECRET_KEY, the
   shared cache in Redis as production has it) and loads it with wrk at 32 connections: the
   floor (/healthz), the authenticated floor (a signed-in request that renders nothing), the
   self-assessment dimension page rendered (a page the user has not seen yet) and again
   (the same page requested again by the same user, nothing changed), the save-one-indicator
   request, the review dimension page and the save of one verified answer (bench/review.py),
   each as a ratio to the floor of the same run.
3. Measures in this process: the province board and a results page (bench/review.py), the
   summary PDF of one organization, the framework workbook export, the registry import of
   the national file and opening a round for every organization; then the national and the
   largest province's dashboards and a scorecard (bench/reports.py).
4. Builds the large files each in a process of its own, with its peak memory: the national
   per-dimension workbook, the largest province's PDF report and the national PDF summary.
5. Prints a table with the targets (bench/targets.py: met, or not met and why) and writes
   bench/results/<timestamp>.json. docs/benchmarks.md explains it all.

Absolute figures depend on the machine; ratios to the floor and query counts are what to compare.
"""

import argparse
import datetime
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import reports  # bench/reports.py, beside this script
import review  # bench/review.py, beside this script
import targets as goals  # bench/targets.py, beside this script
from django.utils import timezone

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/lpa_bench"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
HOST = "127.0.0.1"
CONNECTIONS = 32
THREADS = 2
WORKERS = 2
TARGETS = 64  # organizations (sessions) the load is spread over
DIMENSION = 4  # the largest dimension: the heaviest page an organization opens
# Distinct pages (a user's first view each) the "rendered" dimension page row rotates over, so
# that no request finds the page in a per-user page cache; the last few are measured in-process.
POOL = 1200
IN_PROCESS_POOL = 5
# What wrk loads, in this order; every one but the floor is given as a ratio to the floor.
LOADED = (
    "floor",
    "auth_floor",
    "dimension_page",
    "dimension_page_again",
    "save_answer",
    "review_page",
    "verified_save",
)
# The benchmark's shared cache, as production's (REDIS_URL overrides; "" runs without one).
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--year", type=int, default=None, help="the generated round's year (default 2570)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `make system-deps` (Debian package wrk).")

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"The benchmark runs on PostgreSQL; DATABASE_URL is {database_url!r}.")
    _ensure_database(database_url, fresh=args.fresh)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "lpa.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "LPA_EVIDENCE_ROOT": str(BENCH / "evidence"),
        "LOG_LEVEL": "WARNING",
    }
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS)
    if redis_url and not _redis_reachable(redis_url):
        print(f"No Redis at {redis_url}: the benchmark runs without a shared cache.", flush=True)
        redis_url = ""
    if redis_url:
        # Keys of this database's benchmark apart from other runs on the same Redis.
        env["LPA_CACHE_KEY_PREFIX"] = f"bench-{urlsplit(database_url).path.lstrip('/')}"
    env["REDIS_URL"] = redis_url
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from demo import national_dataset

    year = args.year or national_dataset.DEFAULT_YEAR
    results: dict = {
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "database": _redact(database_url),
        "settings": {
            "connections": CONNECTIONS,
            "threads": THREADS,
            "workers": WORKERS,
            "duration_s": args.duration,
            "cache": _redact(redis_url) if redis_url else "each process's memory (no REDIS_URL)",
        },
    }
    if redis_url:
        _forget_cached(redis_url, env["LPA_CACHE_KEY_PREFIX"])  # every page starts unseen
    print("Migrating …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    results["dataset"] = _dataset(year)
    results["http"] = _http(year, env, duration=args.duration)
    results["in_process"] = _in_process(year)
    print("In-process: dashboards and a scorecard …", flush=True)
    results["dashboards"] = reports.dashboards(year)
    results["files"] = reports.files(year, env)
    results["analyses"] = reports.analyses(year)  # calibration and weak spots, cold and warm (< 0.5 s)
    results["targets"] = goals.judge(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(_table(results))
    print(f"\nJSON: {out.relative_to(ROOT)}")
    return 0


# Database and dataset -------------------------------------------------------------------------


def _ensure_database(url: str, *, fresh: bool) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"Unexpected database name {name!r} in DATABASE_URL.")
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        if fresh:
            print(f"Dropping database {name} …", flush=True)
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"Creating database {name} …", flush=True)
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    if fresh:
        shutil.rmtree(BENCH / "evidence", ignore_errors=True)


def _dataset(year: int) -> dict:
    from django.db import connection

    from assessments.models import Answer, Assessment, Evidence
    from demo import national_dataset

    record = RESULTS / f"dataset-{year}.json"
    if national_dataset.national_round_exists(year=year):
        print(f"Dataset for {year} is there already (its load time is from the run that built it).", flush=True)
        dataset = json.loads(record.read_text()) if record.exists() else {"seconds": None}
        dataset["measured_in_this_run"] = False
    else:
        print(f"Generating the national round {year} …", flush=True)
        report = national_dataset.generate_national_round(
            registry=national_dataset.default_registry_path(), year=year, log=lambda line: print(line, flush=True)
        )
        dataset = {
            "seconds": round(report.seconds, 1),
            "stages": {name: round(seconds, 1) for name, seconds in report.stages},
            "counts": report.counts,
            "built_at": datetime.datetime.now().isoformat(timespec="seconds"),
            "commit": _git("rev-parse", "--short", "HEAD"),
        }
        RESULTS.mkdir(exist_ok=True)
        record.write_text(json.dumps(dataset, ensure_ascii=False, indent=2))
        dataset["measured_in_this_run"] = True
    with connection.cursor() as cursor:
        # The planner needs statistics of the bulk-loaded tables. Autovacuum would gather
        # them in production; a server running with it off (as the shared machines' does)
        # would otherwise plan sequential scans of a million rows for one assessment's
        # evidence.
        started = time.perf_counter()
        cursor.execute("ANALYZE")
        dataset["analyze_seconds"] = round(time.perf_counter() - started, 1)
        cursor.execute("SHOW autovacuum")
        dataset["autovacuum"] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_database_size(current_database())")
        dataset["database_mb"] = round(cursor.fetchone()[0] / 1024 / 1024)
    dataset["rows"] = {
        "assessments": Assessment.objects.filter(round__year=year).count(),
        "answers": Answer.objects.filter(assessment__round__year=year).count(),
        "evidence": Evidence.objects.filter(answer__assessment__round__year=year).count(),
    }
    return dataset


# Load through gunicorn + wrk ------------------------------------------------------------------


def _targets_for_load(year: int) -> list[dict]:
    """Draft SAO assessments, each with a session of its staff member and one indicator of its own."""
    from accounts.models import Role
    from assessments.models import Answer, Assessment, Indicator
    from organizations.models import Organization

    assessments = list(
        Assessment.objects.filter(
            round__year=year, status=Assessment.Status.DRAFT, org_type=Organization.Type.SAO
        ).order_by("pk")[:TARGETS]
    )
    indicators = list(
        Indicator.objects.filter(round__year=year, province__isnull=True, applies_to__icontains='"sao"')
        .prefetch_related("options")
        .order_by("pk")
    )
    staff = {
        role.organization_id: role.user
        for role in Role.objects.filter(
            kind=Role.Kind.ORG_STAFF, organization_id__in=[a.organization_id for a in assessments]
        ).select_related("user")
    }
    targets = []
    for number, assessment in enumerate(assessments):
        user = staff[assessment.organization_id]
        indicator = indicators[number % len(indicators)]  # distinct while TARGETS <= indicators
        cookie, token = review.session_cookie(user)
        prefix = f"i{indicator.pk}"
        options = list(indicator.options.all())
        fields = [f"{prefix}-note=bench"]
        if indicator.kind == Indicator.Kind.LEVELS:
            fields.append(f"{prefix}-level={options[0].pk}")
        elif indicator.kind == Indicator.Kind.FIGURE:
            fields.append(f"{prefix}-figure={max(o.threshold for o in options):f}")
        else:
            fields += [f"{prefix}-ticked={o.pk}" for o in options]
        answer = Answer.objects.filter(assessment=assessment, indicator=indicator).first()
        targets.append(
            {
                "page": f"/assessments/{assessment.pk}/dimensions/{DIMENSION}/",
                "save": f"/assessments/{assessment.pk}/indicators/{indicator.pk}/answer/",
                "cookie": cookie,
                "token": token,
                "indicator": str(indicator.pk),
                "prefix": prefix,
                "fields": "&".join(fields),
                "version": answer.version if answer else 0,
                "kind": indicator.kind,
            }
        )
    if len({t["indicator"] for t in targets}) != len(targets):
        raise SystemExit("The save load needs one indicator per target; lower TARGETS.")
    return targets


LUA_COMMON = """
local threads = {}
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
c2xx, c3xx, c409, c422, cother = 0, 0, 0, 0, 0
function count(status)
  if status == 409 then c409 = c409 + 1
  elseif status == 422 then c422 = c422 + 1
  elseif status >= 200 and status < 300 then c2xx = c2xx + 1
  elseif status >= 300 and status < 400 then c3xx = c3xx + 1
  else cother = cother + 1 end
end
function done(summary, latency, requests)
  local t = {c2xx = 0, c3xx = 0, c409 = 0, c422 = 0, cother = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do t[name] = t[name] + thread:get(name) end
  end
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"mean_us": %.0f, "socket_errors": %d, "timeouts": %d, "status_2xx": %d, "status_3xx": %d, '
    .. '"status_409": %d, "status_422": %d, "status_other": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, t.c2xx, t.c3xx, t.c409, t.c422, t.cother))
end
"""


def _lua_targets(targets: list[dict], keys: tuple[str, ...]) -> str:
    rows = []
    for target in targets:
        cells = ", ".join(f"{key} = {json.dumps(target[key])}" for key in keys)
        rows.append(f"  {{{cells}}},")
    return "local targets = {\n" + "\n".join(rows) + "\n}\n"


def _lua_floor() -> str:
    return LUA_COMMON + """
function response(status, headers, body) count(status) end
"""


def _lua_page(targets: list[dict]) -> str:
    return LUA_COMMON + _lua_targets(targets, ("page", "cookie")) + f"""
local mine, index = {{}}, 0
function init(args)
  for i, target in ipairs(targets) do
    if (i - 1) % {THREADS} == tid - 1 then table.insert(mine, target) end
  end
end
function request()
  index = index % #mine + 1
  local target = mine[index]
  return wrk.format("GET", target.page, {{["Cookie"] = target.cookie}})
end
function response(status, headers, body) count(status) end
"""


def _lua_save(targets: list[dict], *, form: str = "i") -> str:
    # Each thread posts to its own targets in turn; what comes back carries the answer's new
    # version (a save's JSON, or the editor's hidden field), which the next post to that
    # indicator sends.
    # `form`: the forms' prefix letter, "i" for the organization's answer, "v" for the
    # team's verified answer.
    versions = ", ".join(f'["{t["indicator"]}"] = {t["version"]}' for t in targets)
    return LUA_COMMON + _lua_targets(targets, ("save", "cookie", "token", "indicator", "prefix", "fields")) + f"""
local versions = {{{versions}}}
local mine, index = {{}}, 0
function init(args)
  for i, target in ipairs(targets) do
    if (i - 1) % {THREADS} == tid - 1 then table.insert(mine, target) end
  end
end
function request()
  index = index % #mine + 1
  local t = mine[index]
  local body = t.fields .. "&" .. t.prefix .. "-version=" .. versions[t.indicator]
  return wrk.format("POST", t.save, {{
    ["Cookie"] = t.cookie, ["X-CSRFToken"] = t.token, ["X-Requested-With"] = "fetch",
    ["Content-Type"] = "application/x-www-form-urlencoded"}}, body)
end
function response(status, headers, body)
  count(status)
  -- A save's JSON names the indicator and its new version; a refusal's JSON (the review) or a
  -- conflict's block (the organization's page) carries the version in the editor's field.
  local indicator = string.match(body, '"indicator": (%d+)') or headers["X-LPA-Block"] or headers["x-lpa-block"]
  if not indicator then return end
  local version = string.match(body, '"version": (%d+)')
    or string.match(body, 'name=\\\\?"{form}' .. indicator .. '%-version\\\\?" value=\\\\?"(%d+)')
  if version then versions[indicator] = tonumber(version) end
end
"""


def _refresh_versions(targets: list[dict]) -> list[dict]:
    from assessments.models import Answer

    for target in targets:
        answer = Answer.objects.filter(
            assessment_id=int(target["save"].split("/")[2]), indicator_id=int(target["indicator"])
        ).first()
        target["version"] = answer.version if answer else 0
    return targets


def _wrk(url: str, script: str, *, duration: int) -> dict:
    path = BENCH / "results" / ".wrk.lua"
    path.parent.mkdir(exist_ok=True)
    path.write_text(script)
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s", "-s", str(path), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCHJSON "))
    data = json.loads(line.removeprefix("BENCHJSON "))
    seconds = data["duration_us"] / 1e6
    return {
        "req_per_s": round(data["requests"] / seconds, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p90_ms": round(data["p90_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "max_ms": round(data["max_us"] / 1000, 1),
        **{key: data[key] for key in data if key.startswith(("status_", "socket_", "timeouts", "requests"))},
    }


def _forget_cached(url: str, prefix: str) -> None:
    """Delete the keys an earlier run on this database left (its prefix only: the cache's
    clear() would empty the whole Redis database, other people's keys with it)."""
    import redis

    client = redis.Redis.from_url(url)
    for batch in _batches(client.scan_iter(match=f"{prefix}:*", count=1000), 1000):
        client.delete(*batch)


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _page_pool(year: int, *, skip: int, count: int) -> list[dict]:
    """Dimension pages no one has opened in this run: draft and returned อบต. assessments after
    the first `skip` (the save's targets), each with a session of its staff member."""
    from accounts.models import Role
    from assessments.models import Assessment
    from organizations.models import Organization

    assessments = list(
        Assessment.objects.filter(
            round__year=year,
            status__in=[Assessment.Status.DRAFT, Assessment.Status.RETURNED],
            org_type=Organization.Type.SAO,
        ).order_by("status", "pk")[skip : skip + count]
    )
    staff = {
        role.organization_id: role.user
        for role in Role.objects.filter(
            kind=Role.Kind.ORG_STAFF, organization_id__in=[a.organization_id for a in assessments]
        ).select_related("user")
    }
    return [
        {"page": f"/assessments/{a.pk}/dimensions/{DIMENSION}/", "cookie": review.session_cookie(staff[a.organization_id])[0]}
        for a in assessments
        if a.organization_id in staff
    ]


def _prime(base: str, targets: list[dict]) -> None:
    """Open each target's page once, as its user (two at a time: one per worker)."""
    from concurrent.futures import ThreadPoolExecutor

    def get(target: dict) -> None:
        request = urllib.request.Request(base + target["page"], headers={"Cookie": target["cookie"]})
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(get, targets))


def _http(year: int, env: dict, *, duration: int) -> dict:
    targets = _targets_for_load(year)
    reviews = review.load_targets(year, count=TARGETS, dimension=DIMENSION)
    pool = _page_pool(year, skip=TARGETS, count=POOL)
    pool, unseen = pool[:-IN_PROCESS_POOL], pool[-IN_PROCESS_POOL:]
    signed_in = [{**target, "page": "/accounts/session/"} for target in targets]
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "lpa.wsgi:application",
        "--workers", str(WORKERS),
        "--bind", f"{HOST}:{PORT}",
        "--no-control-socket",
        "--max-requests", "0",  # gunicorn.conf.py recycles workers; not in the middle of a measurement
        "--log-level", "warning",
    ]
    print(f"Starting gunicorn on {HOST}:{PORT} ({WORKERS} sync workers) …", flush=True)
    # ERROR: django.request logs every expected 409/422 as a warning.
    RESULTS.mkdir(exist_ok=True)
    log = (RESULTS / "gunicorn.log").open("w")  # django.request logs every expected 409/422
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        _wait_for(f"http://{HOST}:{PORT}/healthz")
        base = f"http://{HOST}:{PORT}"
        plan = [
            ("floor", "/healthz", _lua_floor),
            ("auth_floor", signed_in[0]["page"], lambda: _lua_page(signed_in)),
            # Warmed up on the save's targets' pages, which the next row asks for again.
            ("dimension_page", pool[0]["page"], lambda: _lua_page(pool)),
            ("dimension_page_again", targets[0]["page"], lambda: _lua_page(targets)),
            # Built again before each run: the answers' versions as saved so far.
            ("save_answer", targets[0]["save"], lambda: _lua_save(_refresh_versions(targets))),
            ("review_page", reviews[0]["page"], lambda: _lua_page(reviews)),
            ("verified_save", reviews[0]["save"], lambda: _lua_save(review.refresh_versions(reviews), form="v")),
        ]
        results = {}
        for name, path, script in plan:
            print(f"wrk {name}: warm-up 2 s, then {duration} s at {CONNECTIONS} connections …", flush=True)
            if name == "dimension_page":
                _wrk(base + path, _lua_page(targets), duration=2)
            elif name == "dimension_page_again":
                _prime(base, targets)  # every page seen once by its user: what follows is "again"
            else:
                _wrk(base + path, script(), duration=2)
            _drain(base)
            results[name] = _wrk(base + path, script(), duration=duration)
        floor = results["floor"]["req_per_s"]
        for name in LOADED[1:]:
            results[name]["ratio_to_floor"] = round(results[name]["req_per_s"] / floor, 4) if floor else None
        results["auth_floor"]["note"] = f"GET /accounts/session/ (JSON, no template) as {len(signed_in)} staff members"
        results["dimension_page"]["note"] = (
            f"dimension {DIMENSION} of {len(pool)} draft and returned อบต. assessments, each GET a page its user "
            "has not opened in this run"
            + (" (fewer pages than requests: some were seen before)" if results["dimension_page"]["requests"] > len(pool) else "")
        )
        results["dimension_page_again"]["note"] = (
            f"dimension {DIMENSION} of {len(targets)} draft อบต. assessments, GET again by the user who opened it, "
            "nothing changed since"
        )
        results["save_answer"]["note"] = (
            "fetch path (X-Requested-With: fetch): 200 saved, 409 someone saved first, 422 refused; "
            f"{len(targets)} organizations, one indicator each"
        )
        results["review_page"]["note"] = (
            f"review dimension {DIMENSION} of {len(reviews)} in-review assessments, "
            "GET as a member of the assigned team"
        )
        results["verified_save"]["note"] = (
            f"fetch path, the organization's own value (the team agrees); {len(reviews)} in-review assessments, "
            "one indicator each, members of the assigned teams taking turns"
        )
        results.update(_server_side(targets, unseen, signed_in))
        results.update(review.server_side(reviews))
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def _drain(base: str) -> None:
    """Wait for the requests wrk left queued at the end of a run: gunicorn still serves them,
    and saves among them would make the versions read for the next script stale (a 409 per
    target). A /healthz sent now is answered after all of them have been taken up; the
    second leaves time for the last on the other worker."""
    _wait_for(f"{base}/healthz", timeout=60)
    time.sleep(1)


def _server_side(targets: list[dict], unseen: list[dict], signed_in: list[dict]) -> dict:
    """Queries and in-process time of the authenticated floor, a dimension page rendered (the
    median of first views of pages no one opened) and again, and one save (Django's test client)."""
    target = targets[-1]
    client = review.client_for(target)
    auth = review.measure_get(review.client_for(signed_in[-1]), signed_in[-1]["page"], times=20)
    first = [review.measure_get(review.client_for(page), page["page"], times=1) for page in unseen]
    rendered = {
        "median_ms": sorted(row["median_ms"] for row in first)[len(first) // 2],
        "queries": first[-1]["queries"],
        "bytes": first[-1]["bytes"],
        "pages": len(first),
    }
    review.measure_get(client, target["page"], times=1)
    again = review.measure_get(client, target["page"])
    (target,) = _refresh_versions([target])
    body = f"{target['fields']}&{target['prefix']}-version={target['version']}"
    save = review.measure_post(client, target["save"], body)
    return {
        "auth_floor_server": auth,
        "dimension_page_server": rendered,
        "dimension_page_again_server": again,
        "save_answer_server": save,
    }


# In-process measurements ----------------------------------------------------------------------


def _measure(function) -> dict:
    """Time of one call, then Python-heap peak of a second (tracemalloc slows the call down)."""
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": round(seconds, 2), "peak_python_mb": round(peak / 1024 / 1024, 1), "result": result}


def _in_process(year: int) -> dict:
    from django.db import transaction

    from assessments import printing
    from assessments.framework import copy_round
    from assessments.models import Assessment, Round
    from assessments.workbook import build_framework_workbook
    from demo.framework import open_demo_round
    from demo.national_dataset import default_registry_path
    from organizations.registry import import_registry

    national = Round.objects.get(year=year)
    # A submitted อบต. with every answer given: the fullest summary an organization prints.
    assessment = (
        Assessment.objects.filter(round=national, status=Assessment.Status.SUBMITTED, org_type="sao")
        .select_related("round", "organization__district__province")
        .order_by("pk")
        .first()
    )
    results = {}
    print("In-process: the province board and a results page …", flush=True)
    results["province_board"] = review.province_board(year)
    results["results_page"] = review.results_page(year)

    print("In-process: summary PDF …", flush=True)
    pdf = _measure(lambda: len(printing.render_summary_pdf(assessment)))
    results["summary_pdf"] = {**pdf, "bytes": pdf.pop("result"), "organization": assessment.organization.code}

    print("In-process: framework workbook …", flush=True)

    def workbook() -> int:
        buffer = io.BytesIO()
        build_framework_workbook(national).save(buffer)
        return len(buffer.getvalue())

    book = _measure(workbook)
    results["framework_workbook"] = {**book, "bytes": book.pop("result")}

    print("In-process: registry import of the national file …", flush=True)
    started = time.perf_counter()
    report = import_registry(default_registry_path(), file_name="dla_organizations.csv")
    results["registry_import"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "rows": report.rows_read,
        "unchanged": report.unchanged,
        "note": "re-import over the loaded registry (every row checked and compared, nothing to write); "
        "the first import, creating every organization, is the dataset's 'registry import' stage",
    }

    print("In-process: opening a round for every organization (rolled back) …", flush=True)

    class Rollback(Exception):
        pass

    opened = {}
    try:
        with transaction.atomic():
            copy = copy_round(national, year=year + 1, by=None)
            started = time.perf_counter()
            open_demo_round(copy, by=None, today=timezone.localdate())
            opened = {"seconds": round(time.perf_counter() - started, 2), "assessments": copy.assessments.count()}
            raise Rollback
    except Rollback:
        pass
    results["round_open"] = opened
    return results


# Report ---------------------------------------------------------------------------------------


def _table(results: dict) -> str:
    http, local, dataset = results["http"], results["in_process"], results["dataset"]
    lines = [
        "",
        f"LPA benchmark — commit {results['commit']}{' (uncommitted changes)' if results['dirty'] else ''}, "
        f"{results['started']}, {results['machine']['cpus']} CPUs, cache: {results['settings']['cache']}",
        "",
        f"{'page (wrk, 32 connections)':<30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× floor':>8}  statuses",
    ]
    for name in LOADED:
        row = http[name]
        ratio = f"{row['ratio_to_floor']:.1%}" if "ratio_to_floor" in row else "1"
        statuses = " ".join(
            f"{key.removeprefix('status_')}:{row[key]}" for key in row if key.startswith("status_") and row[key]
        )
        if row["socket_errors"] or row["timeouts"]:
            statuses += f" socket-errors:{row['socket_errors']} timeouts:{row['timeouts']}"
        lines.append(f"{name:<30} {row['req_per_s']:>9,.1f} {row['p50_ms']:>8} {row['p99_ms']:>8} {ratio:>8}  {statuses}")
    page, save = http["dimension_page_server"], http["save_answer_server"]
    board, shown = local["province_board"], local["results_page"]
    auth, again = http["auth_floor_server"], http["dimension_page_again_server"]
    lines += [
        "",
        f"authenticated floor in-process: {auth['median_ms']} ms, {auth['queries']} queries",
        f"dimension page in-process (first view, median of {page['pages']}): {page['median_ms']} ms, "
        f"{page['queries']} queries, {page['bytes']:,} bytes",
        f"dimension page again in-process: {again['median_ms']} ms, {again['queries']} queries, {again['bytes']:,} bytes",
        f"save in-process: {save['ms']} ms, {save['queries']} queries (status {save['status']})",
    ]
    page, save = http["review_page_server"], http["verified_save_server"]
    lines += [
        f"review page in-process: {page['median_ms']} ms, {page['queries']} queries, {page['bytes']:,} bytes",
        f"verified save in-process: {save['ms']} ms, {save['queries']} queries (status {save['status']})",
        f"province board in-process ({board['province']}, {board['organizations']} organizations): "
        f"{board['median_ms']} ms, {board['queries']} queries, {board['bytes']:,} bytes",
        f"results page in-process (published อบต.): {shown['median_ms']} ms, {shown['queries']} queries, "
        f"{shown['bytes']:,} bytes",
        "",
        "dashboards in-process (department): "
        + " · ".join(
            f"{name.replace('_', ' ')} {row['median_ms']} ms, {row['queries']} queries"
            for name, row in results["dashboards"].items()
        ),
        "",
        f"{'file (own process)':<30} {'seconds':>9} {'peak MB':>8} {'MB':>6}",
        *(
            f"{name.replace('_', ' '):<30} {row['seconds']:>9} {row['peak_mb']:>8} {row['bytes'] / 2**20:>6.1f}"
            for name, row in results["files"].items()
        ),
        "",
        f"{'in-process':<30} {'seconds':>9} {'peak MB':>8}",
        f"{'summary PDF (1 organization)':<30} {local['summary_pdf']['seconds']:>9} {local['summary_pdf']['peak_python_mb']:>8}",
        f"{'framework workbook export':<30} {local['framework_workbook']['seconds']:>9} "
        f"{local['framework_workbook']['peak_python_mb']:>8}",
        f"{'registry import (national)':<30} {local['registry_import']['seconds']:>9} {'':>8}",
        f"{'round.open (' + str(local['round_open'].get('assessments', '?')) + ' orgs)':<30} "
        f"{local['round_open'].get('seconds', '?'):>9}",
        f"{'dataset load':<30} {dataset.get('seconds') or '?':>9} "
        f"{'(this run)' if dataset.get('measured_in_this_run') else '(earlier run)':>8}",
        f"  rows: {dataset['rows']['assessments']:,} assessments, {dataset['rows']['answers']:,} answers, "
        f"{dataset['rows']['evidence']:,} evidence; database {dataset['database_mb']:,} MB; "
        f"ANALYZE {dataset['analyze_seconds']} s (autovacuum {dataset['autovacuum']})",
        "",
        "targets (issue 15; issue 4's still met below them):",
        *goals.lines(results["targets"]),
    ]
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _redact(url: str) -> str:
    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


if __name__ == "__main__":
    sys.exit(main())
