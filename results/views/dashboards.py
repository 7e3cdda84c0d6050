"""The results dashboards of a year: the department's country and a province's, as pages and
as workbooks.

Who sees which is results.access's rule (get_report_scope_for_user, get_province_for_user);
the figures are results/dashboard.py's, the charts results/charts.py's, the workbook
results/dashboard_workbook.py's. The views only wrap them.
"""

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments import scoring
from assessments.access import get_round_for_user
from assessments.models import Round
from core.spreadsheets import XLSX_CONTENT_TYPE
from organizations.access import get_province_for_user
from organizations.models import Province
from results import charts
from results.access import get_report_scope_for_user
from results.dashboard import (
    DISTRIBUTION_EDGES,
    Dashboard,
    build_dashboard,
    distribution_labels,
    organization_movers,
    province_organizations,
)
from results.dashboard_workbook import build_dashboard_workbook
from results.forms import DashboardFilterForm
from results.models import OVERALL


@login_required
def dashboard(request: HttpRequest, year: int) -> HttpResponse:
    """The department's dashboard of the year: the whole country, by province (a provincial
    office is sent to its own province's)."""
    assessment_round, province = get_report_scope_for_user(request.user, year)
    if province is not None:
        return redirect("results:province_dashboard", assessment_round.year, province.code)
    rounds = _rounds(request)
    form, board = _national(request, assessment_round, rounds)
    filters = board.filters
    return render(
        request,
        "results/dashboard.html",
        {
            "round": assessment_round,
            "form": form,
            "dashboard": board,
            "charts": _charts(board, by_province=True),
            "distribution_labels": distribution_labels(),
            "query": filters.query(),
            "years": _years(rounds, assessment_round, filters.query()),
        },
    )


@login_required
def province_dashboard(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A province's dashboard of the year and its organizations: its office's and the department's."""
    assessment_round = get_round_for_user(request.user, year)
    province = get_province_for_user(request.user, code)
    rounds = _rounds(request)
    form, board, assessments = _provincial(request, assessment_round, province, rounds)
    query = board.filters.query(with_province=False)
    return render(
        request,
        "results/province_dashboard.html",
        {
            "round": assessment_round,
            "province": province,
            "form": form,
            "dashboard": board,
            "charts": _charts(board, by_province=False),
            "assessments": assessments,
            "distribution_labels": distribution_labels(),
            "movers": organization_movers(assessments) if board.year_over_year else [],
            "query": query,
            "years": _years(rounds, assessment_round, query, province=province),
        },
    )


@login_required
def dashboard_workbook(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-dashboard-<year>.xlsx: the national dashboard's tables, with the page's filters."""
    assessment_round, province = get_report_scope_for_user(request.user, year)
    if province is not None:
        url = reverse("results:province_dashboard_workbook", args=[assessment_round.year, province.code])
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    form, board = _national(request, assessment_round, _rounds(request))
    if form.errors:
        return _invalid_filters(form)
    return _xlsx(build_dashboard_workbook(board), f"lpa-dashboard-{assessment_round.year}.xlsx")


@login_required
def province_dashboard_workbook(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """lpa-dashboard-<year>-<province>.xlsx: a province's dashboard tables and its organizations."""
    assessment_round = get_round_for_user(request.user, year)
    province = get_province_for_user(request.user, code)
    form, board, assessments = _provincial(request, assessment_round, province, _rounds(request))
    if form.errors:
        return _invalid_filters(form)
    workbook = build_dashboard_workbook(board, organizations=assessments)
    return _xlsx(workbook, f"lpa-dashboard-{assessment_round.year}-{province.code}.xlsx")


def _national(request: HttpRequest, assessment_round: Round, rounds: list[Round]) -> tuple[DashboardFilterForm, Dashboard]:
    provinces = list(Province.objects.order_by("code"))
    form = DashboardFilterForm(request.GET or None, provinces=provinces)
    filters = form.filters()
    shown = [filters.province] if filters.province else provinces
    board = build_dashboard(
        assessment_round, filters, provinces=shown, distribution=True, previous=_previous(rounds, assessment_round)
    )
    return form, board


def _provincial(
    request: HttpRequest, assessment_round: Round, province: Province, rounds: list[Round]
) -> tuple[DashboardFilterForm, Dashboard, list]:
    form = DashboardFilterForm(request.GET or None)
    filters = form.filters(province=province)
    previous = _previous(rounds, assessment_round)
    board = build_dashboard(assessment_round, filters, distribution=True, previous=previous)
    return form, board, list(province_organizations(assessment_round, filters, previous=previous))


def _rounds(request: HttpRequest) -> list[Round]:
    """The opened rounds the user may see, newest first (one query): the year switcher's
    years, and last year's round if there is one."""
    return list(Round.objects.visible_to(request.user).exclude(phase=Round.Phase.SETUP).order_by("-year"))


def _previous(rounds: list[Round], assessment_round: Round) -> Round | None:
    return next((other for other in rounds if other.year == assessment_round.year - 1), None)


def _years(rounds: list[Round], assessment_round: Round, query: str, *, province: Province | None = None) -> list[dict]:
    """The year switcher: this year and every other opened round, each keeping the filters."""
    years = sorted({other.year for other in rounds} | {assessment_round.year}, reverse=True)
    links = []
    for year in years:
        args = [year, province.code] if province else [year]
        url = reverse("results:province_dashboard" if province else "results:dashboard", args=args)
        links.append({"year": year, "url": f"{url}?{query}" if query else url, "current": year == assessment_round.year})
    return links


def _invalid_filters(form: DashboardFilterForm) -> HttpResponse:
    """A download cannot show the page's warning beside the figures: say what was wrong instead."""
    lines = [_("ตัวกรองไม่ถูกต้อง จึงไม่ได้สร้างไฟล์:")]
    lines += [f"- {form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors]
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


def _xlsx(workbook, name: str) -> HttpResponse:
    # A dashboard's tables are a few hundred rows at most: the file stays in memory.
    file = io.BytesIO()
    workbook.save(file)
    response = HttpResponse(file.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _charts(board: Dashboard, *, by_province: bool) -> dict:
    """The page's SVG charts (charts.Figure: a title and the SVG), from the dashboard's numbers:
    bars coloured by the round's bands, the pass mark drawn."""
    bands = charts.Banding.of(board.round.pass_mark, board.band_specs)
    mark = {"mark": bands.pass_mark, "mark_label": bands.mark_label, "bands": bands}
    labels = distribution_labels()
    found = {
        "dimensions": _figure(
            _("ร้อยละเฉลี่ยรายด้าน: ผลประเมินตนเองกับผลการตรวจประเมิน"),
            lambda title, **layout: charts.paired_bars(
                [
                    charts.Pair(f"{row.number}. {row.name}", row.results.mean_self, row.results.mean_verified)
                    for row in board.dimensions
                ],
                title=title,
                first_label=_("ประเมินตนเอง"),
                second_label=_("ผลการตรวจ"),
                **mark,
                **layout,
            ),
        ),
        "types": _figure(
            _("ร้อยละเฉลี่ยของผลการตรวจประเมิน และจำนวนที่ผ่านเกณฑ์ ตามประเภท อปท."),
            lambda title, **layout: charts.horizontal_bars(
                [
                    charts.Bar(row.label, row.results.mean_verified, charts.passed_note(row.results.passed, row.results.count))
                    for row in board.types
                ],
                title=title,
                **mark,
                **layout,
            ),
        ),
        "bands": _figure(
            _("การกระจายของระดับผลการประเมิน"),
            lambda title, **layout: charts.stacked_bar(
                [charts.Bar(row.label, row.count) for row in board.bands],
                title=title,
                fail_label=scoring.FAIL_LABEL,
                bands=bands,
                **layout,
            ),
        ),
        "distribution": [],
    }
    for row in board.distribution:
        name = row.name if row.number == 0 else f"{row.number}. {row.name}"
        figure = _figure(
            _("จำนวน อปท. ตามช่วงร้อยละของผลการตรวจ: %(name)s") % {"name": name},
            lambda title, row=row, **layout: charts.histogram(
                [charts.Bar(label, count) for label, count in zip(labels, row.counts)],
                title=title,
                edges=DISTRIBUTION_EDGES,
                **mark,
                **layout,
            ),
        )
        if row.number == OVERALL:
            found["overall_distribution"] = figure
        else:
            found["distribution"].append(figure)
    if board.year_over_year is not None:
        found["year_over_year"] = _year_over_year_chart(board, mark)
    if by_province:
        # Ranked: the highest mean first (ties by code), so the page answers "where are we weakest".
        rows = sorted(board.provinces_with_results, key=lambda row: (-row.results.mean_verified, row.province.code))
        found["provinces"] = _figure(
            _("ร้อยละเฉลี่ยของผลการตรวจประเมิน รายจังหวัด เรียงจากมากไปน้อย และจำนวนที่ผ่านเกณฑ์"),
            lambda title, **layout: charts.horizontal_bars(
                [
                    charts.Bar(
                        f"{rank}. {row.province.name_th}",
                        row.results.mean_verified,
                        charts.passed_note(row.results.passed, row.results.count),
                    )
                    for rank, row in enumerate(rows, start=1)
                ],
                title=title,
                **mark,
                **layout,
            ),
        )
    return found


def _figure(title: str, draw) -> charts.Figure:
    """The chart as a screen shows it, and drawn again for a phone."""
    return charts.Figure(title, draw(title), draw(title, compact=True))


def _year_over_year_chart(board: Dashboard, mark: dict) -> charts.Figure:
    """Overall and each dimension's mean this year (filled) above last year's (an outline)."""
    compared = board.year_over_year
    this, last = board.round.year, compared.round.year
    groups = [(_("ภาพรวม"), compared.overall)]
    groups += [(f"{row.number}. {row.name}".rstrip(". "), row.change) for row in compared.dimensions]
    return _figure(
        _("ร้อยละเฉลี่ยของผลการตรวจประเมิน ปี %(this)s เทียบกับปี %(last)s") % {"this": this, "last": last},
        lambda title, **layout: charts.paired_bars(
            [charts.Pair(name, change.current.mean_verified, change.previous.mean_verified) for name, change in groups],
            title=title,
            first_label=_("ปี %(year)s") % {"year": this},
            second_label=_("ปี %(year)s") % {"year": last},
            first_style=charts.FILLED,
            second_style=charts.OUTLINED,
            **mark,
            **layout,
        ),
    )
