"""The provincial office's team pages: create and edit a team, assign organizations, plan visits.

Everything here changes through reviews.teams; the views authorize (the office of the
team's province writes, the department and the team's members read), call it and render.
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.access import get_round_for_user
from assessments.forms import add_errors
from assessments.models import Assessment, Round
from organizations.access import get_province_for_user
from reviews import progress, teams
from reviews.access import get_team_for_user
from reviews.forms.teams import AssessmentFilterForm, AssignForm, TeamForm, TeamVisitsForm
from reviews.models import TeamMember
from reviews.views.board import board_url
from reviews.workflow import assignment_of


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must still be validated and answered with errors.
    return request.POST if request.method == "POST" else None


def _running(assessment_round: Round) -> bool:
    return assessment_round.phase not in (Round.Phase.SETUP, Round.Phase.CLOSED)


def _team_id(assessment: Assessment) -> int | None:
    assignment = assignment_of(assessment)
    return assignment.team_id if assignment else None


@login_required
def team_create(request: HttpRequest, year: int, province: str) -> HttpResponse:
    assessment_round = get_round_for_user(request.user, year)
    province = get_province_for_user(request.user, province, write=True)
    form = TeamForm(_posted(request), province=province)
    if request.method == "POST" and _running(assessment_round) and form.is_valid():
        team = form.save(assessment_round=assessment_round, by=request.user)
        if team is not None:
            messages.success(request, _("ตั้ง%(team)sแล้ว มอบหมาย อปท. ให้คณะได้จากหน้านี้") % {"team": team.name})
            return redirect(team)
    return render(
        request,
        "reviews/team_form.html",
        {
            "form": form,
            "round": assessment_round,
            "province": province,
            "team": None,
            "running": _running(assessment_round),
            "no_people": not form.fields["members"].queryset.exists(),
        },
    )


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk)
    assignments = list(
        team.assignments.select_related("assessment__organization__district").order_by(
            "visit_on", "assessment__organization__code"
        )
    )
    counts = Counter(assignment.assessment.status for assignment in assignments)
    is_office = teams.manages(request.user, team.province)
    return render(
        request,
        "reviews/team_detail.html",
        {
            "team": team,
            "round": team.round,
            "province": team.province,
            "members": list(TeamMember.objects.filter(team=team).select_related("user")),
            "assignments": assignments,
            "counts": [(status.label, counts[status.value]) for status in progress.BOARD_STATUSES if counts.get(status.value)],
            "is_office": is_office,
            "can_manage": is_office and _running(team.round),
            "unassignable": [status.value for status in teams.UNASSIGNABLE_STATUSES],
            "sent_statuses": [status.value for status in Assessment.SENT_STATUSES],
        },
    )


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, pk, write=True)
    form = TeamForm(_posted(request), province=team.province, team=team)
    if request.method == "POST" and _running(team.round) and form.is_valid():
        if form.save(assessment_round=team.round, by=request.user) is not None:
            messages.success(request, _("บันทึกการแก้ไข%(team)sแล้ว") % {"team": team.name})
            return redirect(team)
    return render(
        request,
        "reviews/team_form.html",
        {
            "form": form,
            "round": team.round,
            "province": team.province,
            "team": team,
            "running": _running(team.round),
            "no_people": not form.fields["members"].queryset.exists(),
        },
    )


@login_required
def team_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the province's assessments for the team: by district and type, or tick them by hand.

    POST `action`: "matching" assigns everything the filter (in the query string) shows,
    "selected" the ticked ones, "unassign" takes the ticked ones off the team.
    """
    team = get_team_for_user(request.user, pk, write=True)
    province_assessments = teams.province_assessments(team.round, team.province)
    filters = AssessmentFilterForm(request.GET, province=team.province)
    matching = filters.apply(province_assessments)
    form = AssignForm(_posted(request), candidates=province_assessments)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        chosen = form.cleaned_data["assessments"]
        try:
            if action == "unassign":
                count = teams.unassign(team=team, assessments=chosen, by=request.user)
                messages.success(request, _("นำ %(n)s อปท. ออกจาก%(team)sแล้ว") % {"n": count, "team": team.name})
                return redirect(team)
            selection = matching if action == "matching" else chosen
            changed = teams.assign(
                team=team, assessments=selection, by=request.user, visit_on=form.cleaned_data["visit_on"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if changed:
                messages.success(
                    request, _("มอบหมาย %(n)s อปท. ให้%(team)sแล้ว") % {"n": len(changed), "team": team.name}
                )
            else:
                messages.info(request, _("อปท. ที่เลือกอยู่ในความรับผิดชอบของคณะนี้อยู่แล้ว"))
            query = request.GET.urlencode()
            return redirect(reverse("reviews:team_assign", args=[team.pk]) + (f"?{query}" if query else ""))
    rows = list(
        matching.select_related("organization__district", "assignment__team").order_by("organization__code")
    )
    return render(
        request,
        "reviews/team_assign.html",
        {
            "team": team,
            "round": team.round,
            "province": team.province,
            "filters": filters,
            "form": form,
            "rows": rows,
            "moving": sum(1 for a in rows if _team_id(a) not in (None, team.pk)),
            "chosen_pks": {a.pk for a in form.cleaned_data["assessments"]} if form.is_bound and form.is_valid() else set(),
            "query": request.GET.urlencode(),
            "running": _running(team.round),
            "board_url": board_url(team.round, team.province),
        },
    )


@login_required
def team_visits(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan the visit date of each organization assigned to the team."""
    team = get_team_for_user(request.user, pk, write=True)
    assignments = list(
        team.assignments.select_related("assessment__organization__district").order_by("assessment__organization__code")
    )
    form = TeamVisitsForm(_posted(request), assignments=assignments)
    if request.method == "POST" and _running(team.round) and form.is_valid():
        try:
            count = teams.set_visit_dates(team=team, dates=form.dates(), by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("บันทึกวันลงพื้นที่แล้ว (เปลี่ยน %(n)s รายการ)") % {"n": count})
            return redirect(team)
    return render(
        request,
        "reviews/team_visits.html",
        {"team": team, "round": team.round, "province": team.province, "form": form, "running": _running(team.round)},
    )

