"""The results' measurements for bench/run.py (the dashboards, reports and their targets).

- in-process (Django's test client, as the national dataset's department official): the
  national dashboard, the dashboard of the province with the most organizations, and one
  organization's scorecard there;
- each large file built by its management command in a process of its own, timed from
  outside, with the peak resident memory the command reports (its VmHWM): the national
  per-dimension workbook, the largest province's PDF report and the national PDF summary.

Like run.py, it imports Django inside its functions: run.py sets the environment up first.
"""

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from review import measure_get, session_cookie, signed_in_client

ROOT = Path(__file__).resolve().parent.parent


def largest_province(*, smallest: bool = False):
    from django.db.models import Count

    from organizations.models import Province

    return (
        Province.objects.annotate(organizations=Count("districts__organizations"))
        .filter(organizations__gt=0)
        .order_by("organizations" if smallest else "-organizations", "code")
        .first()
    )


def dashboards(year: int) -> dict:
    """Median time, queries and size of the dashboards and a scorecard, as the department."""
    from django.urls import reverse

    from accounts.models import User
    from assessments.models import Assessment
    from results.dashboard import RESULT_STATUSES

    department = User.objects.get(username="dla_national")
    client = signed_in_client(session_cookie(department)[0])
    province = largest_province()
    assessment = (
        Assessment.objects.filter(
            round__year=year, organization__district__province=province, status__in=RESULT_STATUSES
        )
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    return {
        "national_dashboard": measure_get(client, reverse("results:dashboard", args=[year]), times=5),
        "province_dashboard": {
            **measure_get(client, reverse("results:province_dashboard", args=[year, province.code]), times=5),
            "province": f"{province.name_th} ({province.code})",
            "organizations": province.organizations,
        },
        "scorecard": {
            **measure_get(
                client, reverse("results:organization_scorecard", args=[year, assessment.organization.code]), times=5
            ),
            "organization": assessment.organization.code,
        },
    }


def files(year: int, env: dict) -> dict:
    """Wall time and peak memory of each large export, each in a process of its own."""
    province, smallest = largest_province(), largest_province(smallest=True)
    found = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, command in (
            ("national_workbook", ["export_results_workbook", str(year), f"{folder}/national.xlsx"]),
            ("provincial_pdf", ["export_report", str(year), f"{folder}/province.pdf", "--province", province.code]),
            # Beside the largest: the report's memory should not grow with the organizations.
            (
                "provincial_pdf_smallest",
                ["export_report", str(year), f"{folder}/smallest.pdf", "--province", smallest.code],
            ),
            ("national_pdf", ["export_report", str(year), f"{folder}/national.pdf"]),
        ):
            print(f"Files: {name} …", flush=True)
            found[name] = _run(command, env)
            found[name]["bytes"] = Path(command[2]).stat().st_size
    for name, place in (("provincial_pdf", province), ("provincial_pdf_smallest", smallest)):
        found[name]["province"] = f"{place.name_th} ({place.code})"
        found[name]["organizations"] = place.organizations
    return found


def _run(command: list[str], env: dict) -> dict:
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(command)} failed:\n{finished.stderr}")
    # The command's own figure (VmHWM): this process's size would leak into the child's
    # ru_maxrss through fork and exec.
    peak = re.search(r"peak memory (\d+) MB", finished.stdout)
    return {"seconds": round(seconds, 1), "peak_mb": int(peak.group(1)), "output": finished.stdout.strip()}


TARGET_ANALYSIS_SECONDS = 0.5


def analyses(year: int) -> dict:
    """The calibration and weak-spot pages of the whole country, as the department, in process:
    cold (no cache: weak spots count the per-indicator tallies in the database on every
    request; calibration reads the stored results either way) and warm (the tallies cached for
    the round, as every request after the first gets them)."""
    from django.test import override_settings
    from django.urls import reverse

    from accounts.models import User

    department = User.objects.get(username="dla_national")
    client = signed_in_client(session_cookie(department)[0])
    found = {}
    for name in ("calibration", "weak_spots"):
        url = reverse(f"results:{name}", args=[year])
        print(f"In-process: {name} …", flush=True)
        with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
            cold = measure_get(client, url, times=1)  # each takes the whole count
        client.get(url)  # fills the cache
        warm = measure_get(client, url, times=5)
        found[name] = {
            "cold": cold,
            "warm": warm,
            "target": f"< {TARGET_ANALYSIS_SECONDS} s",
            "met_cold": cold["median_ms"] < TARGET_ANALYSIS_SECONDS * 1000,
            "met_warm": warm["median_ms"] < TARGET_ANALYSIS_SECONDS * 1000,
        }
    return found
