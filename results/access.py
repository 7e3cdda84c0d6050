"""Who reads which results: reports of the country or a province, and an organization's scorecard.

The department reads the whole country; a provincial office its own province; the
organization's own people their scorecard (verified results only once published); everyone
taking part in a review the scorecard of that assessment. Others get 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import scope_for
from accounts.models import User
from assessments.access import get_round_for_user
from assessments.models import Assessment, Round
from organizations.access import get_province_for_user
from organizations.models import Province


def get_report_scope_for_user(
    user: User, year: int, province: str | None = None
) -> tuple[Round, Province | None]:
    """The round of `year` and the province a results report (the per-dimension workbook)
    covers: None for the whole country.

    The department reads the whole country, or one province when `province` (a code) is
    given; a provincial office reads its own province (get_province_for_user: 404 for
    another's). Everyone else, assessors and organizations included, gets 404: they read
    results through their own pages.
    """
    assessment_round = get_round_for_user(user, year)
    scope = scope_for(user)
    if province:
        return assessment_round, get_province_for_user(user, province)
    if scope.national:
        return assessment_round, None
    if scope.manages_province_ids:
        return assessment_round, Province.objects.filter(pk__in=scope.manages_province_ids).order_by("code").first()
    raise Http404


def check_report_scope(user: User, year: int, province: str | None) -> tuple[Round, Province | None]:
    """The round and province of a report of the whole country (`province` None: the
    department only) or of one province (its office or the department); 404 otherwise.

    Unlike get_report_scope_for_user, no province means the country, never the office's own.
    """
    assessment_round, scope = get_report_scope_for_user(user, year, province)
    if province is None and scope is not None:
        raise Http404
    return assessment_round, scope


def get_scorecard_for_user(user: User, year: int, code: str) -> tuple[Assessment, bool]:
    """The assessment of organization `code` in the round of `year` for its scorecard
    (results/scorecard.py), and whether `user` may see its verified results.

    Who reads it is get_results_for_user's rule: the organization's own people, who see the
    verified results only once they are published (Assessment.RESULT_STATUSES: before that,
    their self-assessed scores alone, never the team's scoring); and everyone taking part in
    the review (get_review_for_user: the department, the provincial office, the assigned
    team), who always see them. Others, an assessor of another team or province included,
    get 404, as do an unknown year or code.
    """
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related("round", "organization__district__province"),
        round__year=year,
        organization__code=code,
    )
    scope = scope_for(user)
    if assessment.organization_id in scope.organization_ids:
        return assessment, assessment.status in Assessment.RESULT_STATUSES
    # The department reads every review: no need to ask the database.
    if not scope.national and not Assessment.objects.reviewable_by(user).filter(pk=assessment.pk).exists():
        raise Http404
    return assessment, True
