"""Deadline reminders (assessments/reminders.py and the send_deadline_reminders command)."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from assessments.models import Assessment, Extension, Round
from assessments.reminders import deadline_of, send_deadline_reminders, waiting_assessments
from core.templatetags.thai_dates import thai_date
from notifications.models import Notification
from notifications.sending import send_due
from tests.assessments.factories import open_round, self_assessment
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_deadline_reminders", *args, stdout=out)
    return out.getvalue()


def reminded() -> set[tuple[str, int, str]]:
    return set(Notification.objects.filter(kind="reminder").values_list("recipient__username", "assessment_id", "key"))


def mark_submitted(assessment: Assessment, by) -> None:
    """Skip answering: the status is what the reminders look at."""
    from django.utils import timezone

    Assessment.objects.filter(pk=assessment.pk).update(status="submitted", submitted_at=timezone.now(), submitted_by=by)


def mark_returned(assessment: Assessment, by, due: datetime.date) -> None:
    from django.utils import timezone

    Assessment.objects.filter(pk=assessment.pk).update(
        status="returned", submitted_at=timezone.now(), submitted_by=by, revision=1, revision_due=due
    )


@pytest.fixture
def round_in_a_week():
    return open_round(closes_in_days=7)


def test_staff_and_head_of_an_organization_that_has_not_sent_are_reminded_a_week_before(round_in_a_week):
    sa = self_assessment(round_in_a_week)
    key = f"deadline:{days(7).isoformat()}:7"

    output = run()
    assert mail.outbox == []  # queued for the worker
    send_due()

    assert reminded() == {(sa.staff.username, sa.assessment.pk, key), (sa.head.username, sa.assessment.pk, key)}
    assert "เตือนแล้ว 2 รายการ ถึง อปท. 1 แห่ง เข้าคิวส่งอีเมล 2 ฉบับ" in output
    notification = Notification.objects.filter(kind="reminder").first()
    assert notification.subject == f"อีก 7 วันถึงกำหนดส่งผลการประเมินตนเอง ปี {round_in_a_week.year}"
    assert thai_date(days(7), "long") in notification.body
    assert notification.url == sa.assessment.get_absolute_url()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([sa.staff.email, sa.head.email])
    assert mail.outbox[0].subject.startswith("[LPA] อีก 7 วันถึงกำหนดส่ง")


def test_running_twice_reminds_once(round_in_a_week):
    self_assessment(round_in_a_week)

    run()
    output = run()
    send_due()

    assert Notification.objects.filter(kind="reminder").count() == 2
    assert len(mail.outbox) == 2
    assert "เตือนแล้ว 0 รายการ" in output


def test_an_organization_that_has_submitted_is_not_reminded(round_in_a_week):
    sa = self_assessment(round_in_a_week)
    mark_submitted(sa.assessment, sa.head)

    run()

    assert reminded() == set()


@pytest.mark.parametrize("closes_in", [6, 5, 2, 8])
def test_days_not_on_the_list_bring_no_reminder(closes_in):
    self_assessment(open_round(closes_in_days=closes_in))

    run("--days", "7,3,1,0")

    assert reminded() == set()


def test_the_last_day_is_reminded_with_zero():
    sa = self_assessment(open_round(closes_in_days=0))

    run("--days", "7,3,1,0")

    assert {key for _user, _a, key in reminded()} == {f"deadline:{TODAY.isoformat()}:0"}
    assert Notification.objects.filter(recipient=sa.head).get().subject.startswith("วันนี้เป็นวันสุดท้าย")


def test_the_default_days_are_seven_three_and_one():
    for closes_in in (7, 3, 1, 0):
        self_assessment(open_round(closes_in_days=closes_in))

    run()

    assert {key.rsplit(":", 1)[1] for _user, _a, key in reminded()} == {"7", "3", "1"}


def test_an_extension_moves_the_reminder_to_the_new_deadline(round_in_a_week):
    sa = self_assessment(round_in_a_week)
    office = user_with_role(Role.Kind.PROVINCIAL_ADMIN)
    Extension.objects.create(assessment=sa.assessment, until=days(10), reason="น้ำท่วมสำนักงาน", granted_by=office)

    run("--days", "7")
    assert reminded() == set()

    run("--days", "10")
    assert {key for _u, _a, key in reminded()} == {f"deadline:{days(10).isoformat()}:10"}


def test_a_returned_assessment_is_reminded_of_its_revision_due_date():
    sa = self_assessment(open_round(closes_in_days=-5))
    mark_returned(sa.assessment, sa.head, due=days(3))

    run()

    notification = Notification.objects.filter(recipient=sa.head).get()
    assert notification.key == f"deadline:{days(3).isoformat()}:3"
    assert notification.subject == f"อีก 3 วันถึงกำหนดส่งผลการประเมินที่แก้ไขแล้ว ปี {sa.round.year}"


@pytest.mark.parametrize("phase", [Round.Phase.SETUP, Round.Phase.CLOSED])
def test_rounds_not_running_bring_no_reminder(round_in_a_week, phase):
    self_assessment(round_in_a_week)
    Round.objects.filter(pk=round_in_a_week.pk).update(phase=phase)

    run()

    assert reminded() == set()


def test_inactive_people_and_other_organizations_people_are_not_reminded(round_in_a_week):
    sa = self_assessment(round_in_a_week)
    sa.staff.is_active = False
    sa.staff.save(update_fields=["is_active"])
    user_with_role(Role.Kind.ORG_STAFF)  # another organization, no assessment
    user_with_role(Role.Kind.PROVINCIAL_ADMIN)

    run()

    assert {user for user, _a, _k in reminded()} == {sa.head.username}


def test_dry_run_counts_without_saving_or_sending(round_in_a_week):
    self_assessment(round_in_a_week)
    self_assessment(round_in_a_week)

    output = run("--dry-run")

    assert "จะเตือน 4 รายการ ถึง อปท. 2 แห่ง" in output
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_someone_reminded_before_is_skipped_while_a_new_colleague_is_reminded(round_in_a_week):
    sa = self_assessment(round_in_a_week)
    run()
    newcomer = user_with_role(Role.Kind.ORG_STAFF, organization=sa.organization)

    run()

    assert Notification.objects.filter(kind="reminder").count() == 3
    assert Notification.objects.filter(recipient=newcomer).count() == 1


def test_today_can_be_given_for_a_missed_run(round_in_a_week):
    self_assessment(round_in_a_week)

    run("--today", days(4).isoformat(), "--days", "3")

    assert {key for _u, _a, key in reminded()} == {f"deadline:{days(7).isoformat()}:3"}


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--days", "7,x"], "--days"), (["--days", "-1"], "--days"), (["--today", "25/12/2569"], "--today")],
)
def test_bad_options_are_refused_with_a_message(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_deadline_without_queries_matches_the_assessments_own(round_in_a_week):
    office = user_with_role(Role.Kind.PROVINCIAL_ADMIN)
    plain = self_assessment(round_in_a_week)
    extended = self_assessment(round_in_a_week)
    Extension.objects.create(assessment=extended.assessment, until=days(20), reason="ขยาย", granted_by=office)
    corrected = self_assessment(round_in_a_week)
    Extension.objects.create(assessment=corrected.assessment, until=days(20), reason="ขยาย", granted_by=office)
    # The latest grant wins, even when it is earlier than the first.
    Extension.objects.create(assessment=corrected.assessment, until=days(12), reason="แก้วันที่", granted_by=office)
    earlier = self_assessment(round_in_a_week)
    Extension.objects.create(assessment=earlier.assessment, until=days(2), reason="ไม่ขยายจริง", granted_by=office)
    returned_late = self_assessment(round_in_a_week)
    mark_returned(returned_late.assessment, returned_late.head, due=days(30))
    returned_early = self_assessment(round_in_a_week)
    mark_returned(returned_early.assessment, returned_early.head, due=days(1))

    rows = {assessment.pk: deadline_of(assessment) for assessment in waiting_assessments()}

    expected = [
        (plain, days(7)),
        (extended, days(20)),
        (corrected, days(12)),
        (earlier, days(7)),
        (returned_late, days(30)),
        (returned_early, days(7)),
    ]
    for sa, deadline in expected:
        assessment = Assessment.objects.get(pk=sa.assessment.pk)
        assert assessment.deadline() == deadline
        assert rows[assessment.pk] == deadline


def test_a_run_takes_the_same_queries_for_two_or_six_organizations(round_in_a_week):
    def queries_for(count: int) -> int:
        Notification.objects.all().delete()
        round = open_round(closes_in_days=3)
        for _ in range(count):
            self_assessment(round)
        with CaptureQueriesContext(connection) as queries:
            result = send_deadline_reminders(today=TODAY, days=[3])
        assert result.notifications == 2 * count
        # Earlier rounds' organizations have been reminded already: only this round's now.
        round.phase = Round.Phase.CLOSED
        round.save(update_fields=["phase"])
        return len(queries)

    assert queries_for(2) == queries_for(6)
