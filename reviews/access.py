"""Who takes part in an assessment's review: its review pages, results, appeals and teams.

The department and the provincial office of the organization's province read every review of
their reach; an assessor only those assigned to a team they are on. The organization's own
people read their results and appeals through their own reach. Outsiders get 404; readers
who may not act PermissionDenied. Whether an assessment may change *now* is
reviews.workflow's rule.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import scope_for
from accounts.models import User
from assessments.access import get_assessment_for_user
from assessments.models import Assessment, Round
from organizations.models import Province
from reviews.models import Appeal, Assignment, Team, TeamMember
from reviews.workflow import is_team_member, may_answer_appeal


def get_review_for_user(user: User, pk: int, *, write: bool = False) -> Assessment:
    """The assessment `pk` for its review pages, if `user` takes part in its review (404 otherwise).

    The department and the provincial office of the organization's province read every
    review of their reach; an assessor only those assigned to a team they are on (others,
    even of the same province, get 404). With `write` (scoring, comments, returns), only
    members of the assigned team (PermissionDenied for the office and the department, who
    approve, reopen and publish through their own pages). Whether the assessment may change
    *now* is reviews.workflow's rule.
    """
    assessment = get_object_or_404(
        Assessment.objects.reviewable_by(user).select_related(
            "round", "organization__district__province", "submitted_by"
        ),
        pk=pk,
    )
    if write and not is_team_member(user, assessment):
        raise PermissionDenied
    return assessment


def get_results_for_user(user: User, pk: int) -> tuple[Assessment, bool]:
    """The assessment `pk` for the pages both sides of its review read (its results, its
    comment threads), and whether `user` reads it as a reviewer (else as its organization).

    The organization's own people, through their own reach (get_assessment_for_user);
    everyone else only as a reviewer (get_review_for_user: an assessor of another team or
    province gets 404 like any outsider).
    """
    assessment = get_assessment_for_user(user, pk)
    if assessment.organization_id in scope_for(user).organization_ids:
        return assessment, False
    return get_review_for_user(user, pk), True


def get_appeal_for_user(user: User, pk: int, *, write: bool = False) -> Appeal:
    """An appeal, if `user` may read its assessment's results (404 otherwise): the
    organization's own people and everyone taking part in the review (as get_results_for_user).

    With `write` (answering it), the team lead of the assigned team or the provincial office
    only; the organization and the other reviewers (department, team members) read appeals
    on the results page: PermissionDenied.
    """
    appeal = get_object_or_404(
        Appeal.objects.select_related(
            "assessment__round",
            "assessment__organization__district__province",
            "indicator__category__dimension",
            "opened_by",
            "answered_by",
        ),
        pk=pk,
    )
    assessment = appeal.assessment
    own = assessment.organization_id in scope_for(user).organization_ids
    if not own and not Assessment.objects.reviewable_by(user).filter(pk=assessment.pk).exists():
        raise Http404
    if write and (own or not may_answer_appeal(user, assessment)):
        raise PermissionDenied
    return appeal


def get_team_for_user(user: User, pk: int, *, write: bool = False) -> Team:
    """A review team, if `user` may see it (404 otherwise).

    The department sees every team; a provincial office its province's; an assessor the
    teams they are on. With `write`, the provincial office of the team's province only.
    """
    scope = scope_for(user)
    teams = Team.objects.select_related("round", "province")
    if not scope.national:
        teams = teams.filter(Q(province_id__in=scope.manages_province_ids) | Q(members__user=user)).distinct()
    team = get_object_or_404(teams, pk=pk)
    if write and team.province_id not in scope.manages_province_ids:
        raise PermissionDenied
    return team


def get_province_appeals_for_user(user: User, assessment_round: Round, code: str) -> tuple[Province, QuerySet[Appeal]]:
    """The province `code` and the appeals of `assessment_round` in it that `user` reads (404 otherwise).

    The department and the province's office read them all (as get_province_for_user); an
    assessor of the province who is on one of its teams in the round, those of the
    organizations assigned to their teams (the lead answers them, the members read them on
    the results page). Anyone else, assessors of the province on no team of the round
    included, gets 404.
    """
    scope = scope_for(user)
    province = get_object_or_404(Province, code=code)
    appeals = Appeal.objects.filter(assessment__round=assessment_round, assessment__organization__district__province=province)
    if scope.national or province.pk in scope.manages_province_ids:
        return province, appeals
    on_team = TeamMember.objects.filter(user=user, team__round=assessment_round, team__province=province).exists()
    if province.pk not in scope.province_ids or not on_team:
        raise Http404
    return province, appeals.filter(assessment__assignment__team__members__user=user)


def appeals_user_may_answer(user: User, appeals: list[Appeal]) -> set[int]:
    """The pks of `appeals` (their assessments' organizations and districts loaded) that `user`
    may answer: the province's office all of them, a team lead its team's (at most one query)."""
    managed = scope_for(user).manages_province_ids
    assessments = {
        appeal.assessment_id for appeal in appeals if appeal.assessment.organization.district.province_id not in managed
    }
    led = set()
    if assessments:
        led = set(
            Assignment.objects.filter(
                assessment__in=assessments, team__members__user=user, team__members__is_lead=True
            ).values_list("assessment_id", flat=True)
        )
    return {
        appeal.pk
        for appeal in appeals
        if appeal.assessment.organization.district.province_id in managed or appeal.assessment_id in led
    }
