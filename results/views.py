"""Results of a year: the dashboards (the department's country, a province's) and the reports
to download (the per-dimension workbook, the open-data CSV).

Who gets which is accounts.access's rule (get_report_scope_for_user, get_province_for_user);
the figures are results/dashboard.py's, the charts results/charts.py's, the files
results/workbook.py's and results/opendata.py's. The views only wrap them.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import get_province_for_user, get_report_scope_for_user, get_round_for_user
from assessments import scoring
from assessments.models import Round
from organizations.models import Province
from results import charts
from results.dashboard import Dashboard, build_dashboard, province_organizations
from results.forms import DashboardFilterForm
from results.opendata import write_open_data_csv
from results.workbook import build_dimension_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A provincial workbook stays in memory; the national one (about 5 MB) goes to a temporary file.
SPOOL_BYTES = 4 * 2**20


@login_required
def workbook(request: HttpRequest, year: int) -> FileResponse:
    """lpa-results-<year>[-<province>].xlsx: the department's whole country (or ?province=),
    a provincial office's own province."""
    round, province = get_report_scope_for_user(request.user, year, request.GET.get("province"))
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    build_dimension_workbook(round, province=province).save(file)
    file.seek(0)
    name = f"lpa-results-{round.year}-{province.code}.xlsx" if province else f"lpa-results-{round.year}.xlsx"
    return FileResponse(file, as_attachment=True, filename=name, content_type=XLSX)


@login_required
def open_data(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-open-data-<year>.csv: the published results, for every signed-in user.

    No access helper narrows it: published results are public, and which rounds exist is no
    secret. It stays behind login like every page until the department publishes it openly.
    """
    round = get_object_or_404(Round, year=year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lpa-open-data-{round.year}.csv"'
    write_open_data_csv(round, response)
    return response


@login_required
def dashboard(request: HttpRequest, year: int) -> HttpResponse:
    """The department's dashboard of the year: the whole country, by province (a provincial
    office is sent to its own province's)."""
    round, province = get_report_scope_for_user(request.user, year)
    if province is not None:
        return redirect("results:province_dashboard", round.year, province.code)
    provinces = list(Province.objects.order_by("code"))
    form = DashboardFilterForm(request.GET or None, provinces=provinces)
    filters = form.filters()
    shown = [filters.province] if filters.province else provinces
    board = build_dashboard(round, filters, provinces=shown)
    return render(
        request,
        "results/dashboard.html",
        {"round": round, "form": form, "dashboard": board, "charts": _charts(board, by_province=True)},
    )


@login_required
def province_dashboard(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A province's dashboard of the year and its organizations: its office's and the department's."""
    round = get_round_for_user(request.user, year)
    province = get_province_for_user(request.user, code)
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters(province=province)
    board = build_dashboard(round, filters)
    return render(
        request,
        "results/province_dashboard.html",
        {
            "round": round,
            "province": province,
            "form": form,
            "dashboard": board,
            "charts": _charts(board, by_province=False),
            "assessments": list(province_organizations(round, filters)),
        },
    )


def _charts(board: Dashboard, *, by_province: bool) -> dict:
    """The page's SVG charts, from the dashboard's numbers."""
    pass_mark = board.round.pass_mark
    found = {
        "dimensions": charts.horizontal_bars(
            [charts.Bar(f"{row.number}. {row.name}", row.results.mean_verified) for row in board.dimensions],
            title=_("ร้อยละเฉลี่ยของผลการตรวจประเมิน รายด้าน"),
        ),
        "types": charts.horizontal_bars(
            [charts.Bar(row.label, row.results.pass_rate) for row in board.types],
            title=_("อัตราการผ่านเกณฑ์ ตามประเภท อปท."),
        ),
        "bands": charts.stacked_bar(
            [charts.Bar(row.label, row.count) for row in board.bands],
            title=_("การกระจายของระดับผลการประเมิน"),
            fail_label=scoring.FAIL_LABEL,
        ),
    }
    if by_province:
        rows = board.provinces_with_results
        found["provinces"] = charts.horizontal_bars(
            [charts.Bar(row.province.name_th, row.results.mean_verified) for row in rows],
            title=_("ร้อยละเฉลี่ยของผลการตรวจประเมิน รายจังหวัด"),
            mark=pass_mark,
            mark_label=_("เกณฑ์ผ่าน ร้อยละ %(mark)s") % {"mark": pass_mark},
        )
        found["pass_rates"] = charts.horizontal_bars(
            [charts.Bar(row.province.name_th, row.results.pass_rate) for row in rows],
            title=_("อัตราการผ่านเกณฑ์ รายจังหวัด"),
        )
    return found
