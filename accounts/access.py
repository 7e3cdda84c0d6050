"""The access layer: who may see and change what.

Every view goes through these functions. A user's reach is the union of their roles:
organization roles reach one organization, provincial roles one province, department and
system roles the whole country. Objects outside a user's reach answer 404, so outsiders
cannot even learn that they exist; objects a user may read but not change raise
PermissionDenied (403).
"""

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from organizations.models import Organization, Province

_CACHE_ATTR = "_lpa_scope"


@dataclass(frozen=True)
class Scope:
    kinds: frozenset[str]
    organization_ids: frozenset[int]
    province_ids: frozenset[int]
    # Provinces whose people this user administers (provincial office admins).
    manages_province_ids: frozenset[int]
    national: bool
    is_system_admin: bool

    def has(self, *kinds: str) -> bool:
        return any(kind in self.kinds for kind in kinds)

    @property
    def manages_users(self) -> bool:
        return self.national and self.has(Role.Kind.DEPARTMENT_OFFICIAL, Role.Kind.SYSTEM_ADMIN) or bool(
            self.manages_province_ids
        )


NO_SCOPE = Scope(frozenset(), frozenset(), frozenset(), frozenset(), False, False)


def scope_for(user: User) -> Scope:
    """The reach of `user`, computed once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roles = list(user.roles.values_list("kind", "organization_id", "province_id"))
    kinds = frozenset(kind for kind, _, _ in roles)
    is_system_admin = user.is_superuser or Role.Kind.SYSTEM_ADMIN in kinds
    scope = Scope(
        kinds=kinds | ({Role.Kind.SYSTEM_ADMIN.value} if is_system_admin else set()),
        organization_ids=frozenset(org for _, org, _ in roles if org),
        province_ids=frozenset(prov for _, _, prov in roles if prov),
        manages_province_ids=frozenset(
            prov for kind, _, prov in roles if kind == Role.Kind.PROVINCIAL_ADMIN and prov
        ),
        national=is_system_admin or Role.Kind.DEPARTMENT_OFFICIAL in kinds,
        is_system_admin=is_system_admin,
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user: User) -> None:
    """Drop the cached scope after the user's roles change within one request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_required(*kinds: str):
    """View decorator: only users holding one of `kinds` get in; others get 404.

    A 404 rather than 403, so a page meant for another role does not reveal itself.
    The view must also be behind login (use with `login_required` outermost).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not scope_for(request.user).has(*kinds):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_organization_for_user(user: User, code: str, *, write: bool = False) -> Organization:
    """The organization `code` if `user` may see it (404 otherwise).

    Only department officials and system admins change registry records.
    """
    organization = get_object_or_404(Organization.objects.visible_to(user).with_places(), code=code)
    if write and not scope_for(user).national:
        raise PermissionDenied
    return organization


def get_user_for_manager(manager: User, pk: int) -> User:
    """A user account that `manager` administers (404 otherwise, including oneself's peers elsewhere)."""
    return get_object_or_404(User.objects.manageable_by(manager), pk=pk)


def grantable_roles(manager: User) -> list[str]:
    """Role kinds `manager` may grant to others."""
    scope = scope_for(manager)
    if scope.is_system_admin:
        return list(Role.Kind.values)
    if scope.national:
        return [kind for kind in Role.Kind.values if kind != Role.Kind.SYSTEM_ADMIN]
    if scope.manages_province_ids:
        return [*Role.ORGANIZATION_KINDS, *Role.PROVINCE_KINDS]
    return []


def can_grant(manager: User, *, kind: str, organization: Organization | None, province_id: int | None) -> bool:
    """Whether `manager` may grant role `kind` with this scope."""
    if kind not in grantable_roles(manager):
        return False
    scope = scope_for(manager)
    if scope.national:
        return True
    if organization is not None:
        return organization.district.province_id in scope.manages_province_ids
    return province_id in scope.manages_province_ids


# Assessment rounds (issue 3). Imported inside the functions: assessments.framework imports
# this module, so a top-level import of assessments.models would tie the two in a circle.


def get_round_for_user(user: User, year: int, *, write: bool = False) -> "Round":  # noqa: F821
    """The round of `year` if `user` may see it (404 otherwise; see Round.objects.visible_to).

    With `write`, only department officials and system admins: round settings, headings,
    imports and opening are theirs. A provincial office changes only its own indicators
    (get_indicator_for_user).
    """
    from assessments.models import Round

    round = get_object_or_404(Round.objects.visible_to(user), year=year)
    if write and not scope_for(user).national:
        raise PermissionDenied
    return round


def get_indicator_for_user(user: User, year: int, code: str, *, write: bool = False) -> "Indicator":  # noqa: F821
    """The indicator `code` of the round of `year` if `user` may see it (404 otherwise).

    Another province's indicators are outside a provincial user's reach. With `write`: the
    department any indicator, a provincial office its own province's (the phase rules are
    assessments.framework's).
    """
    round = get_round_for_user(user, year)
    indicator = get_object_or_404(
        round.indicators.visible_to(user).select_related("category__dimension", "province").prefetch_related("options"),
        code=code,
    )
    if write:
        scope = scope_for(user)
        if not (scope.national or indicator.province_id in scope.manages_province_ids):
            raise PermissionDenied
    return indicator


# Self-assessment (issue 5).


def get_assessment_for_user(user: User, pk: int, *, write: bool = False) -> "Assessment":  # noqa: F821
    """The assessment `pk` if `user` may see it (404 otherwise; see Assessment.objects.visible_to).

    With `write`, only the organization's own staff and head (PermissionDenied for provincial
    and national readers). Whether the assessment or an indicator may change *now* (status,
    deadline, flags after a return) is assessments.selfassessment's rule: it answers with a
    Thai message rather than a 403, since a page opened before the deadline may still post
    after it.
    """
    from assessments.models import Assessment

    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related(
            "round", "organization__district__province", "submitted_by"
        ),
        pk=pk,
    )
    if write and assessment.organization_id not in scope_for(user).organization_ids:
        raise PermissionDenied
    return assessment


def get_evidence_for_user(user: User, pk: int, *, write: bool = False) -> "Evidence":  # noqa: F821
    """A piece of evidence (not removed) if `user` may see its assessment (404 otherwise).

    With `write`, as get_assessment_for_user: the organization's own people only.
    """
    from assessments.models import Assessment, Evidence

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


def may_grant_extension(user: User, assessment: "Assessment") -> bool:  # noqa: F821
    """The provincial office (admin) of the assessment's province grants extensions."""
    return assessment.organization.district.province_id in scope_for(user).manages_province_ids


# Provincial review (issue 6).


def get_review_for_user(user: User, pk: int, *, write: bool = False) -> "Assessment":  # noqa: F821
    """The assessment `pk` for its review pages, if `user` takes part in its review (404 otherwise).

    The department and the provincial office of the organization's province read every
    review of their reach; an assessor only those assigned to a team they are on (others,
    even of the same province, get 404). With `write` (scoring, comments, returns), only
    members of the assigned team (PermissionDenied for the office and the department, who
    approve, reopen and publish through their own pages). Whether the assessment may change
    *now* is reviews.workflow's rule.
    """
    from assessments.models import Assessment

    assessment = get_object_or_404(
        Assessment.objects.reviewable_by(user).select_related(
            "round", "organization__district__province", "submitted_by"
        ),
        pk=pk,
    )
    if write:
        from reviews.workflow import is_team_member

        if not is_team_member(user, assessment):
            raise PermissionDenied
    return assessment


def get_results_for_user(user: User, pk: int) -> tuple["Assessment", bool]:  # noqa: F821
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


def get_appeal_for_user(user: User, pk: int, *, write: bool = False) -> "Appeal":  # noqa: F821
    """An appeal, if `user` may read its assessment's results (404 otherwise): the
    organization's own people and everyone taking part in the review (as get_results_for_user).

    With `write` (answering it), the team lead of the assigned team or the provincial office
    only; the organization and the other reviewers (department, team members) read appeals
    on the results page: PermissionDenied.
    """
    from assessments.models import Assessment
    from reviews.models import Appeal
    from reviews.workflow import may_answer_appeal

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


def get_province_for_user(user: User, code: str, *, write: bool = False) -> Province:
    """A province for its review pages (board, teams, appeals): the department's any, a
    provincial office's own (404 otherwise).

    With `write` (teams, assignments, approval), the provincial office of that province only:
    the department reads the board but does not act on it (PermissionDenied).
    """
    province = get_object_or_404(Province, code=code)
    scope = scope_for(user)
    if province.pk in scope.manages_province_ids:
        return province
    if scope.national:
        if write:
            raise PermissionDenied
        return province
    raise Http404


def get_report_scope_for_user(
    user: User, year: int, province: str | None = None
) -> tuple["Round", Province | None]:  # noqa: F821
    """The round of `year` and the province a results report (the per-dimension workbook)
    covers: None for the whole country.

    The department reads the whole country, or one province when `province` (a code) is
    given; a provincial office reads its own province (get_province_for_user: 404 for
    another's). Everyone else, assessors and organizations included, gets 404: they read
    results through their own pages.
    """
    round = get_round_for_user(user, year)
    scope = scope_for(user)
    if province:
        return round, get_province_for_user(user, province)
    if scope.national:
        return round, None
    if scope.manages_province_ids:
        return round, Province.objects.filter(pk__in=scope.manages_province_ids).order_by("code").first()
    raise Http404


def get_team_for_user(user: User, pk: int, *, write: bool = False) -> "Team":  # noqa: F821
    """A review team, if `user` may see it (404 otherwise).

    The department sees every team; a provincial office its province's; an assessor the
    teams they are on. With `write`, the provincial office of the team's province only.
    """
    from reviews.models import Team

    scope = scope_for(user)
    teams = Team.objects.select_related("round", "province")
    if not scope.national:
        teams = teams.filter(Q(province_id__in=scope.manages_province_ids) | Q(members__user=user)).distinct()
    team = get_object_or_404(teams, pk=pk)
    if write and team.province_id not in scope.manages_province_ids:
        raise PermissionDenied
    return team


def get_export_for_user(user: User, pk: int) -> "Export":  # noqa: F821
    """An export `user` asked for, while they may still read its report (404 otherwise: someone
    else's export, or a report their roles no longer reach)."""
    from exports.models import Export

    export = get_object_or_404(Export.objects.select_related("round", "province"), pk=pk, requested_by=user)
    check_report_scope(user, export.round.year, export.province.code if export.province_id else None)
    return export


def check_report_scope(user: User, year: int, province: str | None) -> tuple["Round", Province | None]:  # noqa: F821
    """The round and province of a report of the whole country (`province` None: the
    department only) or of one province (its office or the department); 404 otherwise.

    Unlike get_report_scope_for_user, no province means the country, never the office's own.
    """
    round, scope = get_report_scope_for_user(user, year, province)
    if province is None and scope is not None:
        raise Http404
    return round, scope


def get_scorecard_for_user(user: User, year: int, code: str) -> tuple["Assessment", bool]:  # noqa: F821
    """The assessment of organization `code` in the round of `year` for its scorecard
    (results/scorecard.py), and whether `user` may see its verified results.

    Who reads it is get_results_for_user's rule: the organization's own people, who see the
    verified results only once they are published (Assessment.RESULT_STATUSES: before that,
    their self-assessed scores alone, never the team's scoring); and everyone taking part in
    the review (get_review_for_user: the department, the provincial office, the assigned
    team), who always see them. Others, an assessor of another team or province included,
    get 404, as do an unknown year or code.
    """
    from assessments.models import Assessment

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
