"""A one-time password must be changed at first sign-in.

At sign-in (user_logged_in), an account still on the password it was handed (its
TrainingAccount's initial hash) gets a mark in its session, next to the session's password
fingerprint. While the mark is there and the fingerprint unchanged, every page but the
password change itself (and signing out) redirects to the password change page. Changing the
password changes the fingerprint (update_session_auth_hash), which lifts the mark: no query
on any later request.
"""

from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_KEY = "lpa_one_time_password"
# Pages open while the password waits to be changed.
ALLOWED = ("password_change", "password_change_done", "logout", "set_language")


def remember_one_time_password(sender, request: HttpRequest, user, **kwargs) -> None:
    from training.models import TrainingAccount

    if request is None or not hasattr(request, "session"):
        return
    if TrainingAccount.objects.filter(user=user, initial_password=user.password).exists():
        request.session[SESSION_KEY] = request.session.get(HASH_SESSION_KEY, "")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        mark = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if mark is not None:
            if request.session.get(HASH_SESSION_KEY) != mark or not request.user.is_authenticated:
                del request.session[SESSION_KEY]
            elif not self._allowed(request.path_info):
                messages.warning(request, _("โปรดตั้งรหัสผ่านใหม่แทนรหัสผ่านครั้งแรกที่ได้รับ ก่อนเริ่มใช้งาน"))
                return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        return any(path == reverse(name) for name in ALLOWED) or path.startswith("/static/")
