from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import get_user_for_manager, scope_for
from accounts.models import User


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", {"roles": request.user.roles.all()})


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.manageable_by(request.user)
    return render(request, "accounts/user_list.html", {"users": users, "scope": scope_for(request.user)})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "accounts/user_detail.html", {"managed": get_user_for_manager(request.user, pk)})
