"""Passwords a manager hands out: temporary passwords and reset emails."""

import secrets

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User

# No 0/O, 1/l/I: the password is read off a screen and typed, or dictated by phone.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_PASSWORD_LENGTH = 12


def temporary_password() -> str:
    """A random password to read out once; always mixes letters and digits."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(TEMPORARY_PASSWORD_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def set_unknown_password(user: User) -> None:
    """Give `user` a long random password nobody is told; they set their own through "ลืมรหัสผ่าน".

    Not `set_unusable_password()`: Django's password-reset form skips accounts whose password
    is unusable, so such a person could never use "ลืมรหัสผ่าน" to get in.
    """
    user.set_password(secrets.token_urlsafe(32))


def send_password_reset(user: User, *, request: HttpRequest) -> None:
    """Send `user` the same email as the "ลืมรหัสผ่าน" page, with a link to set a new password."""
    site = get_current_site(request)
    context = {
        "email": user.email,
        "domain": site.domain,
        "site_name": site.name,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if request.is_secure() else "http",
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.html",
        context,
        None,
        user.email,
    )
