"""Who is who for one assessment's review: its team, the lead, the provincial office, the department."""

from accounts.access import is_department, scope_for
from accounts.models import User
from assessments.models import Assessment
from reviews.models import Assignment, TeamMember


def assignment_of(assessment: Assessment) -> Assignment | None:
    try:
        return assessment.assignment
    except Assignment.DoesNotExist:
        return None


def is_team_member(user: User | None, assessment: Assessment) -> bool:
    """Whether `user` is on the team assigned to the assessment.

    Only while they still hold a role in the organization's province: someone moved to
    another province keeps their old TeamMember row until the office edits the team, and
    must not keep scoring through it.
    """
    return _on_team(user, assessment, lead=False)


def is_team_lead(user: User | None, assessment: Assessment) -> bool:
    return _on_team(user, assessment, lead=True)


def _on_team(user: User | None, assessment: Assessment, *, lead: bool) -> bool:
    if user is None or not user.is_active:
        return False
    if assessment.organization.district.province_id not in scope_for(user).province_ids:
        return False
    place = _team_place(user, assessment)
    return place is not None and (place or not lead)


def _team_place(user: User, assessment: Assessment) -> bool | None:
    """None off the assessment's team, else whether they lead it.

    Asked once per user and assessment object: a request's access check and the workflow it
    calls ask the same question of the same row. An assessment loaded again (as the workflow
    does under its lock) asks again.
    """
    places = assessment.__dict__.setdefault("_lpa_team_places", {})
    if user.pk not in places:
        members = TeamMember.objects.filter(team__assignments__assessment=assessment, user=user)
        places[user.pk] = members.order_by("-is_lead").values_list("is_lead", flat=True).first()
    return places[user.pk]


def manages_province(user: User | None, assessment: Assessment) -> bool:
    """The provincial office (admin) of the organization's province."""
    return user is not None and assessment.organization.district.province_id in scope_for(user).manages_province_ids


def may_score(user: User | None, assessment: Assessment) -> bool:
    """Team members score; nobody else does (the office approves, the department publishes)."""
    return is_team_member(user, assessment)


def may_return(user: User | None, assessment: Assessment) -> bool:
    return is_team_member(user, assessment) or manages_province(user, assessment)


def may_reopen(user: User | None, assessment: Assessment) -> bool:
    return manages_province(user, assessment) or is_department(user)


def may_answer_appeal(user: User | None, assessment: Assessment) -> bool:
    return is_team_lead(user, assessment) or manages_province(user, assessment)
