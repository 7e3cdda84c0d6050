"""The user's own notifications: the list, opening one (marks it read), marking all read.

Everyone signed in has a list; nobody sees another person's notifications (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification

PER_PAGE = 30


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """การแจ้งเตือน: newest first, unread marked, with whether the email went out."""
    notifications = Notification.objects.for_user(request.user).only(
        "pk", "kind", "subject", "body", "url", "created_at", "read_at", "emailed_at", "email_status", "recipient_id"
    )
    page = Paginator(notifications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page, "notifications": page.object_list})


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notification read and go to the page it is about.

    A GET changes state here, but only the reader's own read mark, which is what opening a
    link in an email or the list means; the target is always a path on this site.
    """
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    target = notification.url
    if not (target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None)):
        return redirect("notifications:list")
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    if count:
        messages.success(request, _("ทำเครื่องหมายว่าอ่านแล้ว %(count)s รายการ") % {"count": count})
    return redirect("notifications:list")
