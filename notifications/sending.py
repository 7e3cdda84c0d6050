"""Storing notifications and emailing them: the delivery every app uses.

The apps that know who must hear of what compose the messages (reviews/notices.py for the
review workflow's events, assessments/reminders.py for deadline reminders, exports for files
ready); this module stores them (each recipient's list, with the unread count in the
navigation bar) and sends one email each through Django's email backend (the console in
development). A failed email is logged and leaves the row with emailed_at empty; the in-app
notification stands.
"""

import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification

logger = logging.getLogger(__name__)

# Rows per INSERT/UPDATE: SQLite limits the variables of one statement.
BATCH = 500


def deliver(
    recipients: Iterable[User], *, kind: str, subject: str, body: str, url: str = "", assessment=None, key: str = ""
) -> list[Notification]:
    """One notification per recipient, then one email each (those with an address)."""
    return store_and_send(
        [
            Notification(
                recipient=user, kind=kind, subject=subject[:300], body=body, url=url, assessment=assessment, key=key
            )
            for user in recipients
        ]
    )


def store_and_send(notifications: list[Notification]) -> list[Notification]:
    """Save the notifications (their recipients loaded), then email them."""
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications, batch_size=BATCH)
    send_emails(created)
    return created


def send_emails(notifications: Sequence[Notification]) -> int:
    """Email each saved notification whose recipient has an address; returns how many went.

    One connection for the lot. A message that fails is logged and its emailed_at stays
    empty; the rest still go.
    """
    pending = [notification for notification in notifications if notification.recipient.email]
    if not pending:
        return 0
    sent = []
    try:
        connection = get_connection()
        connection.open()
    except Exception:  # the mail server is down: the in-app notifications stand
        logger.exception("opening the email connection failed; %s emails not sent", len(pending))
        return 0
    try:
        for notification in pending:
            if _send(notification, connection):
                sent.append(notification)
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("closing the email connection failed")
    now = timezone.now()
    pks = [notification.pk for notification in sent]
    for start in range(0, len(pks), BATCH):
        Notification.objects.filter(pk__in=pks[start : start + BATCH]).update(emailed_at=now)
    for notification in sent:
        notification.emailed_at = now
    return len(sent)


def send_email(notification: Notification) -> bool:
    """Email one saved notification (True if it went)."""
    return send_emails([notification]) == 1


def _send(notification: Notification, connection) -> bool:
    recipient = notification.recipient
    link = f"{settings.LPA_SITE_URL}{notification.url}" if notification.url else settings.LPA_SITE_URL
    message = EmailMessage(
        subject=f"[LPA] {notification.subject}",
        body=f"{notification.body}\n\n{link}\n",
        to=[recipient.email],
        connection=connection,
        # Tells mail servers and out-of-office replies that a program sent it (RFC 3834).
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        return message.send() == 1
    except Exception:  # an SMTP outage must not undo a committed transition
        logger.exception("notification email to %s failed", recipient.email)
        return False
