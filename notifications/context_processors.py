from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.models import Notification


def unread(request: HttpRequest) -> dict:
    """The signed-in user's unread count for the navigation bar's bell.

    Lazy: counted (one query) only when a template shows it, so responses without the
    navigation bar (fetch fragments, downloads) and anonymous visitors cost nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: Notification.objects.for_user(user).unread().count())}
