"""Editing a round's framework: headings, indicators with their options, removal.

The views authorize through assessments.access and leave every phase rule to
assessments.framework: a refused change (FrameworkLocked) comes back as a form error.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import is_department, scope_for
from assessments.access import get_indicator_for_user, get_round_for_user
from assessments.forms import (
    CategoryForm,
    DimensionForm,
    IndicatorForm,
    ReasonForm,
    add_errors,
    option_formset,
)
from assessments.framework import add_category, add_dimension, remove_indicator, update_heading
from assessments.models import Category, Dimension, Indicator


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _heading_page(request: HttpRequest, form, *, assessment_round, title: str, save) -> HttpResponse:
    """Validate a heading form, call `save(form)` and go back to the round; else show the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("บันทึกแล้ว"))
            return redirect(assessment_round)
    return render(request, "assessments/heading_form.html", {"round": assessment_round, "form": form, "title": title})


@login_required
def dimension_add(request: HttpRequest, year: int) -> HttpResponse:
    assessment_round = get_round_for_user(request.user, year, write=True)
    form = DimensionForm(_posted(request), assessment_round=assessment_round)
    return _heading_page(
        request,
        form,
        assessment_round=assessment_round,
        title=_("เพิ่มด้าน"),
        save=lambda f: add_dimension(assessment_round, **f.cleaned_data, by=request.user),
    )


@login_required
def dimension_edit(request: HttpRequest, year: int, number: int) -> HttpResponse:
    assessment_round = get_round_for_user(request.user, year, write=True)
    dimension = get_object_or_404(Dimension, round=assessment_round, number=number)
    form = DimensionForm(_posted(request), assessment_round=assessment_round, dimension=dimension)
    return _heading_page(
        request,
        form,
        assessment_round=assessment_round,
        title=_("แก้ไขด้านที่ %(number)s") % {"number": dimension.number},
        save=lambda f: update_heading(dimension, changes=f.changes(), by=request.user),
    )


@login_required
def category_add(request: HttpRequest, year: int, number: int) -> HttpResponse:
    assessment_round = get_round_for_user(request.user, year, write=True)
    dimension = get_object_or_404(Dimension, round=assessment_round, number=number)
    form = CategoryForm(_posted(request), dimension=dimension)
    return _heading_page(
        request,
        form,
        assessment_round=assessment_round,
        title=_("เพิ่มหมวดในด้านที่ %(number)s") % {"number": dimension.number},
        save=lambda f: add_category(dimension, **f.cleaned_data, by=request.user),
    )


@login_required
def category_edit(request: HttpRequest, year: int, number: int, category: int) -> HttpResponse:
    assessment_round = get_round_for_user(request.user, year, write=True)
    heading = get_object_or_404(
        Category.objects.select_related("dimension__round"),
        dimension__round=assessment_round,
        dimension__number=number,
        number=category,
    )
    form = CategoryForm(_posted(request), dimension=heading.dimension, category=heading)
    return _heading_page(
        request,
        form,
        assessment_round=assessment_round,
        title=_("แก้ไขหมวด %(d)s.%(c)s") % {"d": number, "c": heading.number},
        save=lambda f: update_heading(heading, changes=f.changes(), by=request.user),
    )


@login_required
def indicator_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    indicator = get_indicator_for_user(request.user, year, code)
    scope = scope_for(request.user)
    assessment_round = indicator.round
    return render(
        request,
        "assessments/indicator_detail.html",
        {
            "round": assessment_round,
            "indicator": indicator,
            "can_edit": not assessment_round.is_closed and (scope.national or indicator.province_id in scope.manages_province_ids),
            "corrections": indicator.corrections.select_related("made_by"),
        },
    )


def _indicator_page(request: HttpRequest, *, assessment_round, indicator: Indicator | None) -> HttpResponse:
    # The round page links "add an indicator" per category with ?category=<pk>.
    initial = {"category": request.GET["category"]} if indicator is None and "category" in request.GET else {}
    form = IndicatorForm(_posted(request), assessment_round=assessment_round, user=request.user, indicator=indicator, initial=initial)
    kind = form.data.get("kind") if form.is_bound else (indicator.kind if indicator else form.initial.get("kind"))
    options = option_formset(_posted(request), kind=kind, indicator=indicator)
    if request.method == "POST" and form.is_valid() and options.is_valid():
        try:
            saved = form.save(options, by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("บันทึกตัวชี้วัด %(code)s แล้ว") % {"code": saved.code})
            return redirect("assessments:indicator_detail", assessment_round.year, saved.code)
    return render(
        request,
        "assessments/indicator_form.html",
        {"round": assessment_round, "indicator": indicator, "form": form, "options": options, "kind": kind},
    )


@login_required
def indicator_create(request: HttpRequest, year: int) -> HttpResponse:
    """The department adds to any category; a provincial office to categories open to provinces."""
    assessment_round = get_round_for_user(request.user, year)
    if not (is_department(request.user) or scope_for(request.user).manages_province_ids):
        raise PermissionDenied
    return _indicator_page(request, assessment_round=assessment_round, indicator=None)


@login_required
def indicator_edit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    indicator = get_indicator_for_user(request.user, year, code, write=True)
    return _indicator_page(request, assessment_round=indicator.round, indicator=indicator)


@login_required
def indicator_remove(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Confirm, then remove; once the round is open only as a correction with a reason."""
    indicator = get_indicator_for_user(request.user, year, code, write=True)
    assessment_round = indicator.round
    form = ReasonForm(_posted(request), assessment_round=assessment_round, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            remove_indicator(indicator, by=request.user, reason=form.given_reason)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("ลบตัวชี้วัด %(code)s แล้ว") % {"code": code})
            return redirect(assessment_round)
    return render(request, "assessments/indicator_remove.html", {"round": assessment_round, "indicator": indicator, "form": form})
