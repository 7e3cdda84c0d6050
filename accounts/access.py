"""Who a user is, from their roles: the rules every app's access checks build on.

A user's reach is the union of their roles (User.scope). Each app keeps the object-level
checks of its own models beside them (organizations/access.py, assessments/access.py,
reviews/access.py, results/access.py, exports/access.py): objects outside a user's reach
answer 404, so outsiders cannot even learn that they exist; objects a user may read but not
change raise PermissionDenied (403). This module holds what they share: the scope, the role
tests (department, member, head) and the management of accounts themselves.
"""

from functools import wraps

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import NO_SCOPE, Role, Scope, User
from organizations.models import Organization


def scope_for(user) -> Scope:
    """The reach of `user` (none for anonymous or inactive users), computed once per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    return user.scope


def forget_scope(user: User) -> None:
    """Drop the cached scope after the user's roles change within one request."""
    user.__dict__.pop("scope", None)


def is_department(user: User | None) -> bool:
    """A department official or system admin: the whole country's frameworks, reviews and results."""
    return user is not None and scope_for(user).national


def is_member(user: User | None, organization_id: int) -> bool:
    """Staff or head of the organization (an active account)."""
    return user is not None and organization_id in scope_for(user).organization_ids


def is_head(user: User | None, organization_id: int) -> bool:
    """The organization's head (an active account): submits and appeals."""
    return user is not None and organization_id in scope_for(user).head_organization_ids


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
