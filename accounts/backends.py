from django.contrib.auth.backends import ModelBackend

from accounts import user_cache
from accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    """Sign in with either the username or the email address (case-insensitive).

    A deactivated account with the right password is returned, as Django's
    AllowAllUsersModelBackend does, so the login form can say it is deactivated rather
    than "wrong password"; the form then refuses it and sessions (`get_user`) still do.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        login = username.strip()
        field = "email__iexact" if "@" in login else "username__iexact"
        try:
            user = User.objects.get(**{field: login})
        except (User.DoesNotExist, User.MultipleObjectsReturned):
            # Run the hasher anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password):
            return user
        return None

    def get_user(self, user_id):
        """The session's user, from the shared cache when there is one (accounts/user_cache.py)."""
        user = user_cache.signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
