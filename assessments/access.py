"""Who may see and change a round's framework, an assessment and its evidence.

Object-level checks for this app's models, used by every view that takes one from the URL
(one helper per owned object). The querysets they scope by are the models' own
(Round.objects.visible_to, Assessment.objects.visible_to): outsiders get 404, readers who may
not change the object PermissionDenied. Whether an assessment or an indicator may change *now*
(status, deadline, flags after a return) is assessments.selfassessment's rule, which answers
with a Thai message rather than a 403, since a page opened before the deadline may still post
after it.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.access import scope_for
from accounts.models import User
from assessments.models import Assessment, Evidence, Indicator, Round


def get_round_for_user(user: User, year: int, *, write: bool = False) -> Round:
    """The round of `year` if `user` may see it (404 otherwise; see Round.objects.visible_to).

    With `write`, only department officials and system admins: round settings, headings,
    imports and opening are theirs. A provincial office changes only its own indicators
    (get_indicator_for_user).
    """
    assessment_round = get_object_or_404(Round.objects.visible_to(user), year=year)
    if write and not scope_for(user).national:
        raise PermissionDenied
    return assessment_round


def get_indicator_for_user(user: User, year: int, code: str, *, write: bool = False) -> Indicator:
    """The indicator `code` of the round of `year` if `user` may see it (404 otherwise).

    Another province's indicators are outside a provincial user's reach. With `write`: the
    department any indicator, a provincial office its own province's (the phase rules are
    assessments.framework's).
    """
    assessment_round = get_round_for_user(user, year)
    indicator = get_object_or_404(
        assessment_round.indicators.visible_to(user).select_related("category__dimension", "province").prefetch_related("options"),
        code=code,
    )
    if write:
        scope = scope_for(user)
        if not (scope.national or indicator.province_id in scope.manages_province_ids):
            raise PermissionDenied
    return indicator


def get_assessment_for_user(user: User, pk: int, *, write: bool = False) -> Assessment:
    """The assessment `pk` if `user` may see it (404 otherwise; see Assessment.objects.visible_to).

    With `write`, only the organization's own staff and head (PermissionDenied for provincial
    and national readers). Whether the assessment or an indicator may change *now* (status,
    deadline, flags after a return) is assessments.selfassessment's rule: it answers with a
    Thai message rather than a 403, since a page opened before the deadline may still post
    after it.
    """
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "round", "organization__district__province", "submitted_by"
        ),
        pk=pk,
    )
    if write and assessment.organization_id not in scope_for(user).organization_ids:
        raise PermissionDenied
    return assessment


def get_evidence_for_user(user: User, pk: int, *, write: bool = False) -> Evidence:
    """A piece of evidence (not removed) if `user` may see its assessment (404 otherwise).

    With `write`, as get_assessment_for_user: the organization's own people only.
    """
    evidence = get_object_or_404(
        Evidence.objects.current()
        .filter(answer__assessment__in=Assessment.objects.visible_to(user))
        .select_related(
            "answer__indicator__category__dimension",
            "answer__assessment__round",
            "answer__assessment__organization__district__province",
        ),
        pk=pk,
    )
    if write and evidence.answer.assessment.organization_id not in scope_for(user).organization_ids:
        raise PermissionDenied
    return evidence


def may_grant_extension(user: User, assessment: Assessment) -> bool:
    """The provincial office (admin) of the assessment's province grants extensions."""
    return assessment.organization.district.province_id in scope_for(user).manages_province_ids
