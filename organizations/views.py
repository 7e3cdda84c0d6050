from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import get_organization_for_user, scope_for
from organizations.forms import OrganizationFilterForm
from organizations.models import Organization

PAGE_SIZE = 50


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """Browse the registry by province, district and type; search by code or name."""
    visible = Organization.objects.visible_to(request.user)
    form = OrganizationFilterForm(request.GET or None, user=request.user)
    organizations = form.filter(visible) if form.is_valid() else visible
    page = Paginator(organizations.with_places().order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organizations/organization_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "scope": scope_for(request.user)},
    )


@login_required
def registry_import(request):
    raise NotImplementedError


@login_required
def organization_detail(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_organization_for_user(request.user, code)
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "organization": organization,
            "type_changes": organization.type_changes.all(),
            "roles": organization.roles.select_related("user").order_by("kind", "user__username"),
        },
    )
