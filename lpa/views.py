from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import scope_for
from accounts.models import Role, User
from assessments import selfassessment
from assessments.models import Assessment, Round
from organizations.models import Organization, Province, RegistryImport
from reviews import progress

HOME_ROUNDS = 5


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's starting page: the work of that role, within its scope only."""
    scope = scope_for(request.user)
    ctx: dict = {"scope": scope}
    organizations = Organization.objects.visible_to(request.user)
    if scope.organization_ids:
        ctx["my_organizations"] = (
            Organization.objects.filter(pk__in=scope.organization_ids)
            .with_places()
            .prefetch_related("roles__user")
        )
    if scope.organization_ids:
        ctx["my_assessments"] = [
            _assessment_summary(assessment)
            for assessment in Assessment.objects.filter(organization_id__in=scope.organization_ids)
            .running()
            .select_related("round", "organization")
            .order_by("-round__year", "organization__code")
        ]
    if scope.province_ids and not scope.national:
        ctx["my_provinces"] = list(
            Province.objects.filter(pk__in=scope.province_ids)
            .annotate(organization_count=Count("districts__organizations"))
            .order_by("code")
        )
        # Assessors (and office officials sitting on a team): what waits in their queue.
        ctx["queue_counts"] = progress.queue_counts(request.user)
        ctx["is_assessor"] = scope.has(Role.Kind.PROVINCIAL_ASSESSOR) or any(ctx["queue_counts"].values())
        ctx["type_counts"] = _type_counts(organizations.filter(district__province_id__in=scope.province_ids))
    if scope.manages_users:
        ctx["user_count"] = User.objects.manageable_by(request.user).filter(is_active=True).count()
    if scope.national:
        ctx["type_counts"] = _type_counts(organizations)
        ctx["province_count"] = Province.objects.count()
        ctx["last_import"] = RegistryImport.objects.select_related("imported_by").first()
    if scope.national or scope.province_ids:
        # The latest few years: one query.
        ctx["rounds"] = list(Round.objects.visible_to(request.user)[:HOME_ROUNDS])
        running = [assessment_round for assessment_round in ctx["rounds"] if assessment_round.phase not in (Round.Phase.SETUP, Round.Phase.CLOSED)]
        # The office's boards and the department's publishing, from rows already loaded.
        ctx["boards"] = [
            (assessment_round, province)
            for assessment_round in running
            for province in ctx.get("my_provinces", [])
            if province.pk in scope.manages_province_ids
        ]
        ctx["publishable_rounds"] = running if scope.national else []
    ctx["role_labels"] = [
        role for role in request.user.roles.select_related("organization__district__province", "province")
    ]
    return render(request, "home.html", ctx)


def _assessment_summary(assessment: Assessment) -> dict:
    """Status, completion and time left of one assessment (an organization has one per open round)."""
    returned = assessment.status == Assessment.Status.RETURNED and assessment.revision_due is not None
    deadline = assessment.date_asked()
    return {
        "assessment": assessment,
        "completion": selfassessment.completion(assessment),
        "returned": returned,
        "deadline": deadline,
        "days_left": None if deadline is None else (deadline - selfassessment.timezone.localdate()).days,
    }


def _type_counts(organizations) -> list[tuple[str, int]]:
    counts = dict(organizations.filter(is_active=True).values_list("type").annotate(n=Count("pk")))
    return [(label, counts.get(value, 0)) for value, label in Organization.Type.choices]


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
