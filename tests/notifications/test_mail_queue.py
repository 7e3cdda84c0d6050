"""Notification emails through the background queue (notifications/sending.py and tasks.py).

A real SMTP server on 127.0.0.1 (tests/notifications/mailserver.py) and Django's SMTP
backend; the real worker (django-tasks-db's db_worker) in transaction=True tests, since it
closes connections that are not in autocommit, as a test's wrapping transaction would be.
Time passing for a backoff is the database's clock moved: the due times are set to now.
"""

import datetime
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.models import Assessment
from notifications import sending
from notifications.models import Notification
from tests.assessments.factories import open_round, self_assessment
from tests.factories import UserFactory
from tests.notifications.mailserver import FakeMailServer
from tests.processes import free_port
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TASK = "notifications.tasks.send_notification_emails"


@pytest.fixture
def smtp(settings):
    """Start a server with `smtp(refuse_first=…)`; Django's SMTP backend is pointed at it."""
    servers = []

    def start(**options) -> FakeMailServer:
        server = FakeMailServer(**options).start()
        servers.append(server)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
        settings.EMAIL_TIMEOUT = 5
        return server

    yield start
    for server in servers:
        server.stop()


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def time_passes() -> None:
    """Every scheduled retry comes due (its task and its message)."""
    now = timezone.now()
    Notification.objects.filter(email_status="queued").update(email_next_attempt_at=now)
    DBTaskResult.objects.filter(status="READY").update(run_after=now)


def tell(*users, subject: str = "หัวข้อ") -> list[Notification]:
    return sending.deliver(users, kind=Notification.Kind.ASSIGNED, subject=subject, body="ข้อความ")


def mail_tasks():
    return DBTaskResult.objects.filter(task_path=TASK)


def seconds_between(later: datetime.datetime, earlier: datetime.datetime) -> float:
    return (later - earlier).total_seconds()


# Queueing: the caller only stores rows and tasks.


def test_a_notification_to_email_is_queued_with_a_task_and_nothing_is_sent_yet(smtp):
    server = smtp()
    person, no_address = UserFactory(), UserFactory(email="")

    notified = tell(person, no_address)

    statuses = dict(Notification.objects.values_list("recipient", "email_status"))
    assert statuses == {person.pk: "queued", no_address.pk: "not_needed"}
    (task,) = mail_tasks()
    assert task.args_kwargs["args"] == [[n.pk for n in notified if n.recipient == person]]
    assert server.attempts == 0


def test_n_notifications_make_one_task_per_batch():
    person = UserFactory()
    count = 2 * sending.EMAILS_PER_TASK + 1

    notified = tell(*[person] * count)

    batches = [task.args_kwargs["args"][0] for task in mail_tasks().order_by("enqueued_at")]
    assert len(batches) == math.ceil(count / sending.EMAILS_PER_TASK) == 3
    assert sorted(pk for batch in batches for pk in batch) == sorted(n.pk for n in notified)
    assert max(len(batch) for batch in batches) == sending.EMAILS_PER_TASK


def test_rows_rolled_back_leave_no_task():
    with pytest.raises(RuntimeError), transaction.atomic():
        tell(UserFactory())
        raise RuntimeError("the rest failed")

    assert not Notification.objects.exists() and not mail_tasks().exists()


def test_deadline_reminders_are_queued_the_same_way():
    sa = self_assessment(open_round(closes_in_days=7))
    call_command("send_deadline_reminders", stdout=open(os.devnull, "w"))

    reminders = Notification.objects.filter(kind="reminder")
    assert {n.email_status for n in reminders} == {"queued"} and reminders.count() == 2
    (task,) = mail_tasks()
    assert sorted(task.args_kwargs["args"][0]) == sorted(n.pk for n in reminders)
    assert sending.send_due().sent == 2
    assert {n.recipient_id for n in reminders.filter(email_status="sent")} == {sa.staff.pk, sa.head.pk}


# The worker: retries with backoff, giving up, retrying by hand.


@pytest.mark.django_db(transaction=True)
def test_a_server_refusing_twice_gets_the_message_once_after_waits_of_one_then_two_minutes(smtp, settings):
    settings.LPA_MAIL_RETRY_SECONDS = 60
    server = smtp(refuse_first=2)
    person = UserFactory()
    (notification,) = tell(person, subject="ผลการประเมิน")

    waits = []
    for attempt in (1, 2):
        before = timezone.now()
        run_worker()
        notification.refresh_from_db()
        assert (server.attempts, notification.email_status, notification.email_attempts) == (attempt, "queued", attempt)
        assert "451" in notification.email_last_error
        waits.append(seconds_between(notification.email_next_attempt_at, before))
        (retry,) = mail_tasks().filter(status="READY")
        assert retry.run_after == notification.email_next_attempt_at and retry.args_kwargs["args"] == [[notification.pk]]
        run_worker()  # not due yet: nothing happens
        assert server.attempts == attempt
        time_passes()
    run_worker()

    assert 59 <= waits[0] <= 65 and 119 <= waits[1] <= 125
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts, notification.email_next_attempt_at) == ("sent", 2, None)
    assert notification.emailed_at is not None
    assert server.attempts == 3 and server.recipients() == [person.email]
    assert server.received[0].subject == "[LPA] ผลการประเมิน"
    assert not mail_tasks().filter(status="READY").exists()


def test_the_wait_doubles_up_to_its_cap(settings):
    settings.LPA_MAIL_RETRY_SECONDS, settings.LPA_MAIL_RETRY_MAX_SECONDS = 60, 600

    assert [sending.retry_delay(n).total_seconds() for n in range(1, 8)] == [60, 120, 240, 480, 600, 600, 600]


@pytest.mark.django_db(transaction=True)
def test_a_server_that_keeps_refusing_fails_the_message_which_the_admin_lists_and_the_command_resends(
    smtp, settings, client
):
    settings.LPA_MAIL_MAX_ATTEMPTS = 3
    server = smtp(refuse_first=None)
    person = UserFactory()
    (notification,) = tell(person, subject="ประกาศผล")

    for _attempt in range(3):
        run_worker()
        time_passes()

    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts, notification.email_next_attempt_at) == ("failed", 3, None)
    assert server.attempts == 3 and server.received == []
    assert not mail_tasks().filter(status="READY").exists()  # given up: nothing more is scheduled

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.go.th", "x"))
    page = client.get(reverse("admin:notifications_notification_changelist"), {"email_status__exact": "failed"})
    html = page.content.decode()
    assert page.status_code == 200 and "ประกาศผล" in html and "451 4.3.0 Try again later" in html

    server.refuse_first = 0  # the mail server is fixed
    call_command("retry_failed_mail", stdout=open(os.devnull, "w"))
    run_worker()

    notification.refresh_from_db()
    assert notification.email_status == "sent" and server.recipients() == [person.email]


def test_a_message_refused_for_good_fails_at_once(smtp):
    server = smtp(refuse_first=None, refusal="550 5.1.1 No such mailbox")
    (notification,) = tell(UserFactory())

    assert sending.send_due() == sending.MailRun(failed=1)

    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("failed", 1)
    assert "550" in notification.email_last_error and server.attempts == 1


def test_an_unreachable_server_is_a_passing_outage_for_every_message(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    tell(UserFactory(), UserFactory())

    assert sending.send_due() == sending.MailRun(retrying=2)
    assert set(Notification.objects.values_list("email_status", "email_attempts")) == {("queued", 1)}


def test_an_address_removed_while_queued_is_not_needed_any_more(smtp):
    server = smtp()
    person = UserFactory()
    (notification,) = tell(person)
    person.email = ""
    person.save(update_fields=["email"])

    assert sending.send_due() == sending.MailRun()

    notification.refresh_from_db()
    assert (notification.email_status, notification.email_next_attempt_at) == ("not_needed", None)
    assert server.attempts == 0

def test_the_admin_action_queues_failed_ones_again(client):
    notification = tell(UserFactory())[0]
    Notification.objects.filter(pk=notification.pk).update(email_status="failed", email_attempts=8)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.go.th", "x"))

    client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry_email", "_selected_action": [notification.pk]},
    )

    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("queued", 0)
    assert mail_tasks().filter(status="READY").count() == 2  # the first one, and the retry


def test_the_admin_action_is_refused_to_staff_without_the_permission(client):
    notification = tell(UserFactory())[0]
    Notification.objects.filter(pk=notification.pk).update(email_status="failed")
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(viewer)

    client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "retry_email", "_selected_action": [notification.pk]},
    )

    assert Notification.objects.get(pk=notification.pk).email_status == "failed"


def test_a_worker_killed_mid_batch_leaves_its_messages_to_send_queued_mail_once_the_lease_ends(smtp):
    server = smtp()
    tell(UserFactory(), UserFactory())
    claimed = sending._claim(list(Notification.objects.values_list("pk", flat=True)))  # …and then the worker died
    assert len(claimed) == 2

    assert sending.send_due() == sending.MailRun()  # leased: another sender keeps off
    Notification.objects.update(email_next_attempt_at=timezone.now())  # the lease ends
    call_command("send_queued_mail", stdout=open(os.devnull, "w"))

    assert len(server.recipients()) == 2
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


# Publishing a round: the request only queues.


@pytest.fixture
def approved_round():
    first = submitted_for_review()
    cases = [first] + [submitted_for_review(first.round) for _ in range(2)]
    for case in cases:
        case.approved()
    return cases


@pytest.mark.django_db(transaction=True)
def test_publishing_returns_with_nothing_at_the_mail_server_until_the_worker_runs(smtp, client, approved_round):
    server = smtp()
    run_worker()  # the mail of the round's earlier steps
    server.received.clear()
    before = set(mail_tasks().values_list("pk", flat=True))
    department = approved_round[0].department
    client.force_login(department)
    today = timezone.localdate()
    closes = today + datetime.timedelta(days=9)

    response = client.post(
        reverse("reviews:round_publish", args=[approved_round[0].round.year]),
        {"appeal_opens": be(today), "appeal_closes": be(closes)},
    )

    assert response.status_code == 302
    assert Assessment.objects.filter(status="published").count() == 3
    published = Notification.objects.filter(kind="published")
    assert published.count() == 6 and {n.email_status for n in published} == {"queued"}  # staff and head of each
    assert server.received == [] and mail_tasks().exclude(pk__in=before).filter(status="READY").count() == 1

    run_worker()

    expected = sorted(email for case in approved_round for email in (case.sa.staff.email, case.sa.head.email))
    assert server.recipients() == expected
    assert set(published.values_list("email_status", flat=True)) == {"sent"}


def be(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


# Two workers.


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(smtp):
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in this process's memory; CI runs this on PostgreSQL")
    server = smtp()
    people = UserFactory.create_batch(30)
    notified = tell(*[person for person in people for _ in range(20)])  # 600: two tasks
    sending._enqueue([n.pk for n in notified])  # and the same messages queued twice over
    assert mail_tasks().count() == 4
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "DEBUG": "1",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err

    assert len(server.received) == 600 == server.attempts
    assert server.recipients() == sorted(person.email for person in people for _ in range(20))
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}
