"""Storing notifications and emailing them: the delivery every app uses.

The apps that know who must hear of what compose the messages (reviews/notices.py for the
review workflow's events, assessments/reminders.py for deadline reminders, exports for files
ready); this module stores them (each recipient's list, with the unread count in the
navigation bar) and queues their emails, in one transaction: a row to email is `queued`
(one whose recipient has no address is `not_needed`) and a background task
(notifications.tasks.send_notification_emails, run by `manage.py db_worker`) is enqueued
for each EMAILS_PER_TASK of them. The request never talks to the mail server: publishing a
national round stores ~16,000 rows and enqueues ~32 tasks.

The worker claims its messages (a short transaction with SKIP LOCKED that sets a lease in
email_next_attempt_at, so two workers never send one message), sends them over one
connection through Django's email backend, and marks each sent as it goes. A message the
server refuses for now is tried again after LPA_MAIL_RETRY_SECONDS, doubling each time up
to LPA_MAIL_RETRY_MAX_SECONDS, by a task enqueued to run then; after LPA_MAIL_MAX_ATTEMPTS,
or at once when the server refuses that message for good (a 5xx reply), it is `failed`:
listed in the admin, sent again by `manage.py retry_failed_mail`. A worker killed
mid-batch leaves its unsent messages queued; once their lease ends `manage.py
send_queued_mail` (cron) sends them. Delivery is at least once: a message sent just
before such a kill, not yet marked, goes twice.
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification

logger = logging.getLogger(__name__)

# Rows per INSERT/UPDATE: SQLite limits the variables of one statement.
BATCH = 500
# Messages per background task: one SMTP connection each, a few seconds of work.
EMAILS_PER_TASK = 500
# How long a worker's claim on its batch lasts: far longer than sending EMAILS_PER_TASK takes.
LEASE = datetime.timedelta(minutes=15)

Status = Notification.EmailStatus


@dataclass(frozen=True)
class MailRun:
    sent: int = 0
    retrying: int = 0  # refused for now, another attempt scheduled
    failed: int = 0  # given up: out of attempts, or refused for good

    def __add__(self, other: "MailRun") -> "MailRun":
        return MailRun(self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed)


def deliver(
    recipients: Iterable[User], *, kind: str, subject: str, body: str, url: str = "", assessment=None, key: str = ""
) -> list[Notification]:
    """One notification per recipient, each emailed (those with an address) by the worker."""
    return store_and_send(
        [
            Notification(
                recipient=user, kind=kind, subject=subject[:300], body=body, url=url, assessment=assessment, key=key
            )
            for user in recipients
        ]
    )


def store_and_send(notifications: list[Notification]) -> list[Notification]:
    """Save the notifications (their recipients loaded) and queue their emails, together."""
    if not notifications:
        return []
    mark_for_email(notifications)
    with transaction.atomic():
        created = Notification.objects.bulk_create(notifications, batch_size=BATCH)
        queue_emails(created)
    return created


def mark_for_email(notifications: Iterable[Notification]) -> None:
    """Set the email state of unsaved notifications: queued, or not needed without an address."""
    now = timezone.now()
    for notification in notifications:
        if notification.recipient.email:
            notification.email_status, notification.email_next_attempt_at = Status.QUEUED, now
        else:
            notification.email_status, notification.email_next_attempt_at = Status.NOT_NEEDED, None


def queue_emails(notifications: Sequence[Notification]) -> int:
    """Enqueue the sending of the saved, queued ones: a task per EMAILS_PER_TASK; returns how many.

    In the caller's transaction: the database backend keeps the queue in the same database,
    so rows rolled back leave no task, and tasks never run before their rows exist.
    """
    return _enqueue([n.pk for n in notifications if n.email_status == Status.QUEUED])


def _enqueue(pks: list[int], *, run_after: datetime.datetime | None = None) -> int:
    from notifications.tasks import send_notification_emails  # the task module calls send_queued below

    task = send_notification_emails if run_after is None else send_notification_emails.using(run_after=run_after)
    for start in range(0, len(pks), EMAILS_PER_TASK):
        task.enqueue(pks[start : start + EMAILS_PER_TASK])
    return len(pks)


def send_queued(pks: Sequence[int]) -> MailRun:
    """Send those of the notifications `pks` that are queued and due (what a task runs).

    Messages claimed by another worker, already sent, or scheduled later are left alone.
    """
    claimed = _claim(pks)
    if not claimed:
        return MailRun()
    sent = 0
    # (notification, error, whether the error is this message's own rather than the connection's)
    failures: list[tuple[Notification, Exception, bool]] = []
    connection = None
    try:
        for index, notification in enumerate(claimed):
            if not notification.recipient.email:  # removed since it was queued
                _finish(notification, status=Status.NOT_NEEDED)
                continue
            if connection is None:
                try:
                    connection = get_connection()
                    connection.open()
                except Exception as error:  # the server is unreachable: none of the rest can go
                    connection = None
                    for rest in claimed[index:]:
                        if rest.recipient.email:
                            failures.append((rest, error, False))
                        else:
                            _finish(rest, status=Status.NOT_NEEDED)
                    break
            try:
                if _message(notification, connection).send() != 1:
                    raise smtplib.SMTPException("the backend reported the message as not sent")
            except Exception as error:
                failures.append((notification, error, True))
                _close(connection)  # it may be broken; the next message opens a new one
                connection = None
            else:
                _finish(notification, status=Status.SENT, emailed_at=timezone.now())
                sent += 1
    finally:
        if connection is not None:
            _close(connection)
    retrying, failed = _record_failures(failures)
    return MailRun(sent, retrying, failed)


def send_due() -> MailRun:
    """Send every queued message whose time has come, without a worker (cron's fallback):
    those a killed worker left, and retries a busy queue has not reached yet."""
    pks = list(
        Notification.objects.filter(email_status=Status.QUEUED, email_next_attempt_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    run = MailRun()
    for start in range(0, len(pks), EMAILS_PER_TASK):
        run += send_queued(pks[start : start + EMAILS_PER_TASK])
    return run


def retry_failed(pks: Iterable[int] | None = None) -> int:
    """Queue failed messages again (all, or those of `pks`) with a fresh set of attempts."""
    failed = Notification.objects.filter(email_status=Status.FAILED)
    if pks is not None:
        failed = failed.filter(pk__in=list(pks))
    with transaction.atomic():
        pending = list(failed.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pending), BATCH):
            Notification.objects.filter(pk__in=pending[start : start + BATCH]).update(
                email_status=Status.QUEUED, email_attempts=0, email_next_attempt_at=timezone.now()
            )
        return _enqueue(pending)


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … times the base, capped."""
    seconds = settings.LPA_MAIL_RETRY_SECONDS * 2 ** min(attempts - 1, 30)
    return datetime.timedelta(seconds=min(seconds, settings.LPA_MAIL_RETRY_MAX_SECONDS))


def _claim(pks: Sequence[int]) -> list[Notification]:
    """Lock the due, queued ones no other worker holds, and lease them to this one."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.filter(pk__in=list(pks), email_status=Status.QUEUED, email_next_attempt_at__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .order_by("pk")
        )
        if claimed:
            Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(email_next_attempt_at=now + LEASE)
    return claimed


def _finish(notification: Notification, *, status: str, emailed_at: datetime.datetime | None = None) -> None:
    # One row at a time, as it goes: a worker killed mid-batch resends as little as possible.
    notification.email_status, notification.emailed_at, notification.email_next_attempt_at = status, emailed_at, None
    Notification.objects.filter(pk=notification.pk).update(
        email_status=status, emailed_at=emailed_at, email_next_attempt_at=None
    )


def _record_failures(failures: list[tuple[Notification, Exception, bool]]) -> tuple[int, int]:
    """Count the attempt, keep the error, and schedule the next attempt or give up.

    Only a message's own permanent refusal gives up early: a server refusing connections
    (even with a 5xx greeting or a login refused) is a passing outage until proven otherwise.
    """
    if not failures:
        return 0, 0
    now = timezone.now()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for notification, error, own in failures:
        attempts = notification.email_attempts + 1
        text = _describe(error)[:2000]
        if attempts >= settings.LPA_MAIL_MAX_ATTEMPTS or (own and _refused_for_good(error)):
            groups[(attempts, text, Status.FAILED, None)].append(notification.pk)
            logger.error("email of notification %s to %s failed for good: %s", notification.pk, notification.recipient.email, text)
        else:
            groups[(attempts, text, Status.QUEUED, now + retry_delay(attempts))].append(notification.pk)
            logger.warning("email of notification %s failed (attempt %s): %s", notification.pk, attempts, text)
    retrying = failed = 0
    with transaction.atomic():
        for (attempts, text, status, next_attempt), pks in groups.items():
            for start in range(0, len(pks), BATCH):
                Notification.objects.filter(pk__in=pks[start : start + BATCH]).update(
                    email_status=status, email_attempts=attempts, email_last_error=text, email_next_attempt_at=next_attempt
                )
            if status == Status.QUEUED:
                retrying += _enqueue(pks, run_after=next_attempt)
            else:
                failed += len(pks)
    return retrying, failed


def _describe(error: Exception) -> str:
    """The server's own words where it replied (`451 4.3.0 Try again later`), else the error."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {_text(reply)}" for to, (code, reply) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _refused_for_good(error: Exception) -> bool:
    """The server refused this message with a permanent (5xx) reply: trying again is useless."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _reply in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _message(notification: Notification, connection) -> EmailMessage:
    link = f"{settings.LPA_SITE_URL}{notification.url}" if notification.url else settings.LPA_SITE_URL
    return EmailMessage(
        subject=f"[LPA] {notification.subject}",
        body=f"{notification.body}\n\n{link}\n",
        to=[notification.recipient.email],
        connection=connection,
        # Tells mail servers and out-of-office replies that a program sent it (RFC 3834).
        headers={"Auto-Submitted": "auto-generated"},
    )


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.exception("closing the email connection failed")
