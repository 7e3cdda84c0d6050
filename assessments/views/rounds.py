"""Rounds: the list, creating one, its page (the framework), its settings, opening it, and what
changed in its framework since another year."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import is_department, role_required, scope_for
from accounts.models import Role
from assessments.access import get_round_for_user
from assessments.forms import RoundCreateForm, RoundSettingsForm, add_errors, band_formset
from assessments.framework_changes import compare, previous_round
from assessments.framework_changes_workbook import build_changes_workbook
from assessments.models import Round
from assessments.outline import corrections_for, describe_changes, framework_outline
from assessments.workbook import WorkbookErrors
from core.spreadsheets import XLSX_CONTENT_TYPE
from organizations.models import Organization

# The roles that see rounds at all (organization roles get their pages with the self-assessment).
ROUND_ROLES = (*Role.PROVINCE_KINDS, *Role.NATIONAL_KINDS)
department_only = role_required(*Role.NATIONAL_KINDS)


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must still be validated and answered with errors.
    return request.POST if request.method == "POST" else None


@login_required
@role_required(*ROUND_ROLES)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = Round.objects.visible_to(request.user).with_counts()
    return render(request, "assessments/round_list.html", {"rounds": rounds, "can_create": is_department(request.user)})


@login_required
@department_only
def round_create(request: HttpRequest) -> HttpResponse:
    """A new year: a copy of a past framework, a workbook, or an empty framework."""
    form = RoundCreateForm(_posted(request), request.FILES or None, rounds=Round.objects.all())
    workbook_errors = None
    if request.method == "POST" and form.is_valid():
        try:
            assessment_round = form.create(by=request.user)
        except WorkbookErrors as errors:
            workbook_errors = errors.errors
            form.add_error(
                "file",
                _("พบปัญหาในไฟล์ %(n)s รายการ ยังไม่ได้สร้างรอบ แก้ไขไฟล์ตามตารางด้านล่างแล้วนำเข้าอีกครั้ง") % {"n": len(errors)},
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("สร้างรอบการประเมินปี %(year)s แล้ว") % {"year": assessment_round.year})
            return redirect(assessment_round)
    return render(request, "assessments/round_create.html", {"form": form, "workbook_errors": workbook_errors})


@login_required
def round_detail(request: HttpRequest, year: int) -> HttpResponse:
    """The framework page: settings, the dimension → category → indicator tree, the audit trail."""
    assessment_round = get_round_for_user(request.user, year)
    department = is_department(request.user)
    scope = scope_for(request.user)
    corrections = list(corrections_for(assessment_round, user=request.user))
    previous = previous_round(assessment_round, user=request.user)
    return render(
        request,
        "assessments/round_detail.html",
        {
            "round": assessment_round,
            "bands": assessment_round.bands.all(),
            "outline": framework_outline(assessment_round, user=request.user),
            "corrections": [(correction, describe_changes(correction)) for correction in corrections],
            "assessment_count": assessment_round.assessments.count(),
            "department": department,
            "can_edit_framework": department and not assessment_round.is_closed,
            "can_add_provincial": bool(scope.manages_province_ids) and assessment_round.is_editable,
            "managed_province_ids": scope.manages_province_ids,
            "changes_since": compare(previous, assessment_round, user=request.user) if previous else None,
        },
    )


@login_required
def round_settings(request: HttpRequest, year: int) -> HttpResponse:
    assessment_round = get_round_for_user(request.user, year, write=True)
    form = RoundSettingsForm(_posted(request), assessment_round=assessment_round)
    bands = band_formset(_posted(request), assessment_round=assessment_round)
    if request.method == "POST" and form.is_valid() and bands.is_valid():
        try:
            correction = form.save(bands, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if correction:
                messages.success(request, _("บันทึกการแก้ไขกรอบการประเมินพร้อมเหตุผลแล้ว"))
            else:
                messages.success(request, _("บันทึกการตั้งค่ารอบการประเมินแล้ว"))
            return redirect(assessment_round)
    return render(request, "assessments/round_settings.html", {"round": assessment_round, "form": form, "bands": bands})


@login_required
def round_open(request: HttpRequest, year: int) -> HttpResponse:
    """Confirm, then open: one assessment per active organization, by its type for the round."""
    assessment_round = get_round_for_user(request.user, year, write=True)
    problems = []
    if request.method == "POST":
        try:
            created = assessment_round.open(by=request.user)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(
                request,
                _("เปิดรอบการประเมินปี %(year)s แล้ว สร้างการประเมิน %(n)s รายการ")
                % {"year": assessment_round.year, "n": f"{created:,}"},
            )
            return redirect(assessment_round)
    counts = assessment_round.assessments_to_create() if assessment_round.is_editable else {}
    return render(
        request,
        "assessments/round_open.html",
        {
            "round": assessment_round,
            "counts": [(label, counts.get(value, 0)) for value, label in Organization.Type.choices],
            "total": sum(counts.values()),
            "counted_indicators": assessment_round.indicators.filter(is_pilot=False).count(),
            "missing_windows": [
                Round._meta.get_field(name).verbose_name
                for name in ("self_assessment_opens", "self_assessment_closes")
                if getattr(assessment_round, name) is None
            ],
            "problems": problems,
        },
    )


def _compared_round(request: HttpRequest, assessment_round: Round) -> tuple[Round | None, str | None]:
    """The year to compare with: `?since=<year>`, else the latest earlier year the user sees.

    Returns (round, None), or (None, a Thai message) when `since` is not a year to compare with.
    A year the user may not see is a 404, as its own page would be.
    """
    since = request.GET.get("since", "").strip()
    if not since:
        return previous_round(assessment_round, user=request.user), None
    if not since.isascii() or not since.isdigit() or len(since) > 4:
        return None, _("ปีที่จะเทียบต้องเป็นปี พ.ศ. 4 หลัก เช่น %(year)s") % {"year": assessment_round.year - 1}
    if int(since) == assessment_round.year:
        return None, _("เลือกปีอื่นที่จะเทียบกับปี %(year)s") % {"year": assessment_round.year}
    return get_round_for_user(request.user, int(since)), None


@login_required
def framework_changes(request: HttpRequest, year: int) -> HttpResponse:
    """What changed in the framework between `?since=` (last year by default) and this year."""
    assessment_round = get_round_for_user(request.user, year)
    before, problem = _compared_round(request, assessment_round)
    changes = compare(before, assessment_round, user=request.user) if before else None
    years = Round.objects.visible_to(request.user).exclude(pk=assessment_round.pk).values_list("year", flat=True)
    return render(
        request,
        "assessments/framework_changes.html",
        {
            "round": assessment_round,
            "before": before,
            "changes": changes,
            "problem": problem,
            "years": sorted(years, reverse=True),
        },
        status=400 if problem else 200,
    )


@login_required
def framework_changes_export(request: HttpRequest, year: int) -> HttpResponse:
    """lpa-framework-changes-<since>-<year>.xlsx: the comparison page's tables."""
    assessment_round = get_round_for_user(request.user, year)
    before, problem = _compared_round(request, assessment_round)
    if before is None:
        problem = problem or _("ไม่มีกรอบการประเมินปีก่อนหน้าให้เทียบ")
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    workbook = build_changes_workbook(compare(before, assessment_round, user=request.user))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = f"lpa-framework-changes-{before.year}-{assessment_round.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
