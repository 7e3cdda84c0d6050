"""The review analyses of a year: assessor calibration and indicator weak spots, as pages and
workbooks.

Who reads them is results.access's rule for reports (get_report_scope_for_user): the
department the whole country, or one province with ?province=; a provincial office its own
province (another's is 404); everyone else 404. The figures are results/calibration.py's and
results/weakspots.py's, the workbooks results/analysis_workbook.py's; the views only wrap them.
"""

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_for
from assessments.models import Assessment
from core.spreadsheets import XLSX_CONTENT_TYPE
from organizations.models import Organization, Province
from results.access import get_report_scope_for_user
from results.analysis_workbook import build_calibration_workbook, build_weak_spots_workbook
from results.calibration import FLAG_SE, MIN_DIFFERENCE, MIN_FLAG_N, Z_95, build_calibration
from results.dashboard import RESULT_STATUSES
from results.weakspots import FAILING, FRAMEWORK, OVERSTATED, build_weak_spots

INVALID = _("ไม่มีตัวเลือก %(value)s ในรายการ")
SORT_CHOICES = [
    (FAILING, _("ได้ศูนย์คะแนน (ผลการตรวจ) มากที่สุดก่อน")),
    (OVERSTATED, _("ประเมินตนเองสูงกว่าผลการตรวจมากที่สุดก่อน")),
    (FRAMEWORK, _("ตามลำดับตัวชี้วัด")),
]


class WeakSpotFilterForm(forms.Form):
    """Organization type and order; blank or invalid means all types, the failing first."""

    org_type = forms.ChoiceField(
        label=_("ประเภท อปท."),
        required=False,
        choices=[("", _("ทุกประเภท")), *Organization.Type.choices],
        error_messages={"invalid_choice": INVALID},
    )
    sort = forms.ChoiceField(
        label=_("เรียงตาม"), required=False, choices=SORT_CHOICES, error_messages={"invalid_choice": INVALID}
    )

    def values(self) -> tuple[str | None, str]:
        if not self.is_valid():
            return None, FAILING
        return self.cleaned_data["org_type"] or None, self.cleaned_data["sort"] or FAILING


def _scope(request: HttpRequest, year: int):
    assessment_round, province = get_report_scope_for_user(request.user, year, request.GET.get("province") or None)
    provinces = list(Province.objects.order_by("code")) if scope_for(request.user).national else []
    return assessment_round, province, provinces


def _statuses() -> list[str]:
    labels = dict(Assessment.Status.choices)
    return [labels[status] for status in RESULT_STATUSES]


@login_required
def calibration(request: HttpRequest, year: int) -> HttpResponse:
    """Are some teams or provinces harsher or softer than the rest? Teams and provinces with
    their mean verified − self-assessed gap, its interval, and the outliers flagged."""
    assessment_round, province, provinces = _scope(request, year)
    found = build_calibration(assessment_round, province=province)
    return render(
        request,
        "results/calibration.html",
        {
            "round": assessment_round,
            "province": province,
            "provinces": provinces,
            "calibration": found,
            "statuses": _statuses(),
            "z": Z_95,
            "flag_se": FLAG_SE,
            "min_n": MIN_FLAG_N,
            "min_difference": MIN_DIFFERENCE,
            "query": f"province={province.code}" if province else "",
        },
    )


@login_required
def calibration_workbook(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-calibration-<year>[-<province>].xlsx: the page's tables."""
    assessment_round, province, _provinces = _scope(request, year)
    found = build_calibration(assessment_round, province=province)
    suffix = f"-{province.code}" if province else ""
    return _xlsx(build_calibration_workbook(found), f"lpa-calibration-{assessment_round.year}{suffix}.xlsx")


@login_required
def weak_spots(request: HttpRequest, year: int) -> HttpResponse:
    """Each indicator's full, partial and zero shares, self-assessed and verified, sorted to
    show the indicators most organizations fail or most overstate."""
    assessment_round, province, provinces = _scope(request, year)
    form = WeakSpotFilterForm(request.GET or None)
    org_type, sort = form.values()
    found = build_weak_spots(assessment_round, province=province, org_type=org_type, sort=sort)
    return render(
        request,
        "results/weak_spots.html",
        {
            "round": assessment_round,
            "province": province,
            "provinces": provinces,
            "form": form,
            "weak_spots": found,
            "statuses": _statuses(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def weak_spots_workbook(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-weak-spots-<year>[-<province>].xlsx: the page's table with its filters."""
    assessment_round, province, _provinces = _scope(request, year)
    form = WeakSpotFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        lines = [str(_("ตัวกรองไม่ถูกต้อง จึงไม่ได้สร้างไฟล์:"))]
        lines += [f"- {form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    org_type, sort = form.values()
    found = build_weak_spots(assessment_round, province=province, org_type=org_type, sort=sort)
    suffix = f"-{province.code}" if province else ""
    return _xlsx(build_weak_spots_workbook(found), f"lpa-weak-spots-{assessment_round.year}{suffix}.xlsx")


def _xlsx(workbook, name: str) -> HttpResponse:
    # A few hundred rows (indicators, teams): the file stays in memory.
    file = io.BytesIO()
    workbook.save(file)
    response = HttpResponse(file.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
