"""Who may see and change the registry's records: organizations and provinces.

The registry sits below accounts, so these checks read the signed-in user's reach from
`user.scope` (accounts.models.User.scope) without importing accounts: department officials
and system admins reach the whole country (`scope.national`), provincial roles their
province, organization roles their organization. Outsiders get 404; readers who may not
change a record get PermissionDenied.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from organizations.models import Organization, Province


def may_change_registry(user) -> bool:
    """Only department officials and system admins change registry records."""
    return user.is_authenticated and user.scope.national


def registry_manager_required(view):
    """View decorator: the department only; everyone else gets 404 (the page does not reveal
    itself). Use with `login_required` outermost."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_change_registry(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def get_organization_for_user(user, code: str, *, write: bool = False) -> Organization:
    """The organization `code` if `user` may see it (404 otherwise); with `write`, the
    department only (PermissionDenied)."""
    organization = get_object_or_404(Organization.objects.visible_to(user).with_places(), code=code)
    if write and not may_change_registry(user):
        raise PermissionDenied
    return organization


def get_province_for_user(user, code: str, *, write: bool = False) -> Province:
    """A province for its review pages (board, teams, appeals, reports): the department's any,
    a provincial office's own (404 otherwise).

    With `write` (teams, assignments, approval), the provincial office of that province only:
    the department reads the board but does not act on it (PermissionDenied).
    """
    province = get_object_or_404(Province, code=code)
    scope = user.scope
    if province.pk in scope.manages_province_ids:
        return province
    if scope.national:
        if write:
            raise PermissionDenied
        return province
    raise Http404
