from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organizations.access import get_organization_for_user, registry_manager_required
from organizations.forms import OrganizationFilterForm, RegistryImportForm
from organizations.models import Organization, RegistryImport
from organizations.registry import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, RegistryFileError, import_registry

PAGE_SIZE = 50
RECENT_IMPORTS = 5


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
        {"form": form, "page": page, "query": query.urlencode(), "scope": request.user.scope},
    )


@login_required
@registry_manager_required
def registry_import(request: HttpRequest) -> HttpResponse:
    """Upload DLA's registry file; the report shows on the same page (dry run or real)."""
    report = None
    form = RegistryImportForm(request.POST, request.FILES) if request.method == "POST" else RegistryImportForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = import_registry(
                upload, file_name=upload.name, dry_run=form.cleaned_data["dry_run"], imported_by=request.user
            )
        except RegistryFileError as error:
            form.add_error("file", str(error))
        else:
            level = messages.WARNING if report.rejected else messages.SUCCESS
            messages.add_message(request, level, report.summary())
    return render(
        request,
        "organizations/registry_import.html",
        {
            "form": form,
            "report": report,
            "recent_imports": RegistryImport.objects.select_related("imported_by")[:RECENT_IMPORTS],
            "required_columns": REQUIRED_COLUMNS.values(),
            "optional_columns": OPTIONAL_COLUMNS.values(),
            "max_bytes": settings.LPA_IMPORT_MAX_BYTES,
        },
    )


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
            # Only those the user may open: an assessor sees the organizations of the province, but
            # only the assessments assigned to their team (the related manager is the assessments
            # app's, so this app needs no import of it).
            "assessments": organization.assessments.visible_to(request.user).select_related("round").order_by("-round__year"),
        },
    )
