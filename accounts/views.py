import csv

from axes.utils import reset as reset_login_failures
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.access import forget_scope, get_user_for_manager, role_required, scope_for
from accounts.forms import (
    NewUserForm,
    PasswordResetChoiceForm,
    ProfileForm,
    RoleForm,
    UserFilterForm,
    UserImportForm,
)
from accounts.models import Role, User
from accounts.passwords import send_password_reset, set_unknown_password, temporary_password
from accounts.roles import MANAGING_KINDS, deactivation_refusal, grant_role, removal_refusal, remove_role
from accounts.user_import import COLUMNS, UserImportFileError, import_users

PAGE_SIZE = 50
# Where a freshly made temporary password waits, for one page view, to be shown to the manager.
_NEW_PASSWORD_KEY = "accounts_new_password"

# Everyone else gets 404: the people pages do not reveal themselves to other roles.
managers_only = role_required(*MANAGING_KINDS)


def _posted(request: HttpRequest):
    # Not `request.POST or None`: an empty POST must still be validated and answered with errors.
    return request.POST if request.method == "POST" else None


def _roles_with_places():
    return Role.objects.select_related("organization__district__province", "province", "granted_by")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own details and roles; they may correct their name and contacts."""
    form = ProfileForm(_posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("บันทึกข้อมูลของท่านแล้ว"))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "roles": _roles_with_places().filter(user=request.user)},
    )


@never_cache
@login_required
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Who this browser is signed in as, with which roles, and for how much longer (JSON).

    For page scripts: before sending what someone typed for a long time, or when a tab comes
    back to the front, a page asks whether its session still holds and is still the same
    person's (another tab may have signed out or in as someone else) instead of losing the
    input to a login redirect. Reads only the session, the user and their roles: with the
    shared cache no database query at all, the benchmark's "authenticated floor".
    """
    user = request.user
    kinds = scope_for(user).kinds
    return JsonResponse(
        {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "roles": [str(label) for value, label in Role.Kind.choices if value in kinds],
            "expires_in": request.session.get_expiry_age(),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@managers_only
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None, manager=request.user)
    form.is_valid()
    users = form.filter(User.objects.manageable_by(request.user))
    users = users.prefetch_related(Prefetch("roles", queryset=_roles_with_places())).order_by("username")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/user_list.html", {"form": form, "page": page, "query": query.urlencode()})


@never_cache
@login_required
@managers_only
def user_create(request: HttpRequest) -> HttpResponse:
    user_form = NewUserForm(_posted(request))
    role_form = RoleForm(_posted(request), manager=request.user)
    if request.method == "POST" and user_form.is_valid() and role_form.is_valid():
        role = role_form.cleaned_data
        password = None
        try:
            with transaction.atomic():
                user = user_form.save(commit=False)
                if user_form.cleaned_data["password_method"] == NewUserForm.TEMPORARY:
                    password = temporary_password()
                    user.set_password(password)
                else:
                    set_unknown_password(user)
                user.save()
                grant_role(
                    user,
                    kind=role["kind"],
                    organization=role["organization"],
                    province=role["province"],
                    by=request.user,
                )
        except IntegrityError:
            # Someone took the username or email between the form check and the save.
            user_form.add_error(None, _("ชื่อผู้ใช้หรืออีเมลนี้เพิ่งถูกใช้โดยบัญชีอื่น กรุณาตรวจสอบแล้วบันทึกอีกครั้ง"))
        else:
            if password:
                request.session[_NEW_PASSWORD_KEY] = {"user": user.pk, "password": password}
            else:
                send_password_reset(user, request=request)
                messages.info(request, _("ส่งอีเมลตั้งรหัสผ่านไปที่ %(email)s แล้ว") % {"email": user.email})
            messages.success(request, _("สร้างบัญชี %(username)s แล้ว") % {"username": user.username})
            return redirect(user)
    return render(request, "accounts/user_create.html", {"user_form": user_form, "role_form": role_form})


def _render_detail(request: HttpRequest, managed: User, role_form: RoleForm | None = None, status: int = 200):
    new_password = request.session.pop(_NEW_PASSWORD_KEY, None)
    if new_password and new_password.get("user") != managed.pk:
        new_password = None
    return render(
        request,
        "accounts/user_detail.html",
        {
            "managed": managed,
            "roles": _roles_with_places().filter(user=managed),
            "role_form": role_form or RoleForm(manager=request.user, user=managed),
            "new_password": new_password["password"] if new_password else None,
            "is_self": managed.pk == request.user.pk,
        },
        status=status,
    )


@never_cache
@login_required
@managers_only
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_user_for_manager(request.user, pk))


@login_required
@managers_only
@require_POST
def user_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        # Locked so two managers adding the same role at once cannot both pass the duplicate check.
        managed = User.objects.select_for_update().get(pk=get_user_for_manager(request.user, pk).pk)
        form = RoleForm(request.POST, manager=request.user, user=managed)
        if not form.is_valid():
            return _render_detail(request, managed, role_form=form, status=400)
        data = form.cleaned_data
        role = grant_role(
            managed, kind=data["kind"], organization=data["organization"], province=data["province"], by=request.user
        )
    messages.success(request, _("เพิ่มบทบาท %(role)s ให้ %(user)s แล้ว") % {"role": role, "user": managed})
    return redirect(managed)


@login_required
@managers_only
@require_POST
def user_role_remove(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    with transaction.atomic():
        # Locked so two removals at once cannot together take away the last role.
        managed = User.objects.select_for_update().get(pk=get_user_for_manager(request.user, pk).pk)
        role = get_object_or_404(_roles_with_places(), pk=role_pk, user=managed)
        refusal = removal_refusal(request.user, role)
        if refusal:
            messages.error(request, refusal)
            return redirect(managed)
        remove_role(role)
    if managed.pk == request.user.pk:
        forget_scope(request.user)
    messages.success(request, _("ยกเลิกบทบาท %(role)s ของ %(user)s แล้ว") % {"role": role, "user": managed})
    return redirect(managed)


@login_required
@managers_only
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST switches the account off."""
    managed = get_user_for_manager(request.user, pk)
    refusal = deactivation_refusal(request.user, managed)
    if refusal:
        messages.error(request, refusal)
        return redirect(managed)
    if request.method != "POST":
        return render(request, "accounts/user_deactivate.html", {"managed": managed})
    with transaction.atomic():
        managed = User.objects.select_for_update().get(pk=managed.pk)
        managed.is_active = False
        managed.save(update_fields=["is_active"])
    messages.success(
        request,
        _("ระงับบัญชี %(user)s แล้ว ผู้ใช้นี้เข้าสู่ระบบไม่ได้จนกว่าจะเปิดใช้งานอีกครั้ง") % {"user": managed},
    )
    return redirect(managed)


@login_required
@managers_only
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    managed = get_user_for_manager(request.user, pk)
    with transaction.atomic():
        managed = User.objects.select_for_update().get(pk=managed.pk)
        if managed.is_active:
            messages.info(request, _("บัญชีนี้ใช้งานได้อยู่แล้ว"))
            return redirect(managed)
        managed.is_active = True
        managed.save(update_fields=["is_active"])
    messages.success(request, _("เปิดใช้งานบัญชี %(user)s อีกครั้งแล้ว") % {"user": managed})
    return redirect(managed)


@login_required
@managers_only
@require_POST
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Either a new temporary password shown once to the manager, or the standard reset email."""
    managed = get_user_for_manager(request.user, pk)
    form = PasswordResetChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("กรุณาเลือกวิธีตั้งรหัสผ่านใหม่จากปุ่มในหน้านี้"))
        return redirect(managed)
    if form.cleaned_data["method"] == form.EMAIL:
        if not managed.email:
            messages.error(request, _("บัญชีนี้ไม่มีอีเมล ให้เพิ่มอีเมลก่อน หรือสร้างรหัสผ่านชั่วคราวแทน"))
            return redirect(managed)
        send_password_reset(managed, request=request)
        messages.success(request, _("ส่งอีเมลตั้งรหัสผ่านใหม่ไปที่ %(email)s แล้ว") % {"email": managed.email})
        return redirect(managed)
    password = temporary_password()
    with transaction.atomic():
        managed = User.objects.select_for_update().get(pk=managed.pk)
        # A new password also ends the person's open sessions (their session hash no longer matches).
        managed.set_password(password)
        managed.save(update_fields=["password"])
    # Whoever asked for the reset is often the one locked out by failed sign-ins.
    reset_login_failures(username=managed.username)
    request.session[_NEW_PASSWORD_KEY] = {"user": managed.pk, "password": password}
    messages.success(request, _("ตั้งรหัสผ่านชั่วคราวใหม่ให้ %(user)s แล้ว") % {"user": managed})
    return redirect(managed)


@login_required
@managers_only
def user_import(request: HttpRequest) -> HttpResponse:
    form = UserImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            report = import_users(
                uploaded, file_name=uploaded.name, manager=request.user, dry_run=form.cleaned_data["dry_run"]
            )
        except UserImportFileError as error:
            form.add_error("file", str(error))
        else:
            return render(request, "accounts/user_import_report.html", {"report": report})
    return render(
        request,
        "accounts/user_import.html",
        {"form": form, "columns": COLUMNS, "role_kinds": Role.Kind.choices},
    )


@login_required
@managers_only
def user_import_template(request: HttpRequest) -> HttpResponse:
    """A CSV with the right headers and two example rows, to fill in with Excel."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lpa-users-template.csv"'
    response.write("\ufeff")  # so Excel opens the Thai as UTF-8
    writer = csv.writer(response)
    writer.writerow([column.header for column in COLUMNS])
    writer.writerow(
        ["somchai.j", "สมชาย", "ใจดี", "somchai.j@example.go.th", str(Role.Kind.ORG_STAFF.label), "6810401", "", "", ""]
    )
    writer.writerow(
        [
            "suda.k",
            "สุดา",
            "เก่งงาน",
            "suda.k@example.go.th",
            str(Role.Kind.PROVINCIAL_ASSESSOR.label),
            "",
            "กระบี่",
            "",
            "",
        ]
    )
    return response
