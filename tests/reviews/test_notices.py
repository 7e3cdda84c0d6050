"""Who is told of what when the review moves, in the app and by email (reviews/notices.py).

Events are made by the workflow itself; notifications go out only when its transaction
commits, so the tests run the on-commit callbacks (django_capture_on_commit_callbacks).
Their emails are queued for the worker; these tests send them with sending.send_due(),
the worker's own code (tests/notifications/test_mail_queue.py runs the real worker).
"""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import AssessmentEvent
from assessments.selfassessment import submit
from core.templatetags.thai_dates import thai_date
from notifications import sending
from notifications.models import Notification
from reviews import notices, workflow
from reviews.workflow import TransitionRefused
from tests.factories import province, user_with_role
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db


class BrokenBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("mail server down")


class UnreachableBackend(BaseEmailBackend):
    """A mail server that cannot be reached at all."""

    def open(self):
        raise ConnectionRefusedError("no route to mail server")

    def send_messages(self, messages):  # pragma: no cover - open() fails first
        raise AssertionError("sent without a connection")


def told(kind: str) -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def names(*users) -> set:
    return {user.username for user in users}


@pytest.fixture
def case():
    """Submitted and assigned to a team (lead + two members); nothing announced yet: the
    factory's transactions never commit inside a test."""
    return submitted_for_review()


@pytest.fixture
def bystanders(case):
    """People who must never be told about this assessment."""
    return [
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=case.assessment.organization.district.province),
        user_with_role(Role.Kind.ORG_STAFF),
        user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
    ]


def team_of(case) -> list:
    return [case.team.lead, *case.team.members]


def verified(case, run):
    case.score_as_claimed()
    with run(execute=True):
        workflow.verify(assessment=case.assessment, by=case.team.lead)


def published(case, run):
    verified(case, run)
    workflow.approve(assessment=case.assessment, by=case.office)
    with run(execute=True):
        workflow.publish_round(assessment_round=case.round, by=case.department)


# Who hears of what.


def test_submission_tells_the_assigned_team_and_nobody_else(case, bystanders):
    event = case.assessment.events.get(kind=AssessmentEvent.Kind.SUBMITTED)

    notices.announce(event)

    assert told("submitted") == names(*team_of(case))


def test_submission_without_a_team_tells_the_provincial_office(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_for_review(assign=False)
    user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20"))

    assert told("submitted") == names(case.office)
    notification = Notification.objects.get(kind="submitted")
    assert notification.url == reverse("reviews:review_detail", args=[case.assessment.pk])
    assert case.assessment.organization.full_name in notification.subject


def test_return_tells_staff_and_head_with_each_reason_and_the_due_date(
    case, bystanders, django_capture_on_commit_callbacks
):
    due = datetime.date.today() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(
            assessment=case.assessment,
            flags={case.indicator("1.1"): "ไม่พบคำสั่งแต่งตั้งคณะกรรมการ", case.indicator("1.3"): "ตัวเลขไม่ตรงกับรายงาน"},
            by=case.team.lead,
            due=due,
        )

    assert told("returned") == names(case.sa.staff, case.sa.head)
    body = Notification.objects.filter(kind="returned").first().body
    assert "- 1.1: ไม่พบคำสั่งแต่งตั้งคณะกรรมการ" in body
    assert "- 1.3: ตัวเลขไม่ตรงกับรายงาน" in body
    assert thai_date(due, "long") in body
    assert Notification.objects.filter(kind="returned").first().url == case.assessment.get_absolute_url()


def test_resubmission_tells_the_team(case, django_capture_on_commit_callbacks):
    workflow.return_for_revision(assessment=case.assessment, flags={case.indicator("1.1"): "แนบคำสั่ง"}, by=case.team.lead)
    case.answer("1.1", {"level": case.option("1.1", 4).pk})
    with django_capture_on_commit_callbacks(execute=True):
        submit(case.assessment, by=case.sa.head)

    assert told("resubmitted") == names(*team_of(case))


def test_verification_tells_the_provincial_office_with_the_score(
    case, bystanders, django_capture_on_commit_callbacks
):
    verified(case, django_capture_on_commit_callbacks)

    assert told("verified") == names(case.office)
    assert "ร้อยละ" in Notification.objects.get(kind="verified").body


def test_approval_tells_the_organization_and_the_team_each_with_their_own_page(
    case, bystanders, django_capture_on_commit_callbacks
):
    verified(case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(assessment=case.assessment, by=case.office)

    assert told("approved") == names(case.sa.staff, case.sa.head, *team_of(case))
    urls = dict(Notification.objects.filter(kind="approved").values_list("recipient__username", "url"))
    assert urls[case.sa.head.username] == case.assessment.get_absolute_url()
    assert urls[case.team.lead.username] == reverse("reviews:review_detail", args=[case.assessment.pk])


def test_publication_tells_the_organization_with_a_link_to_its_results(
    case, bystanders, django_capture_on_commit_callbacks
):
    published(case, django_capture_on_commit_callbacks)

    assert told("published") == names(case.sa.staff, case.sa.head)
    assert {n.url for n in Notification.objects.filter(kind="published")} == {
        reverse("reviews:results", args=[case.assessment.pk])
    }


def test_appeal_opened_tells_team_and_office_and_the_answer_tells_the_organization(
    case, bystanders, django_capture_on_commit_callbacks
):
    published(case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        (appeal,) = workflow.open_appeal(
            assessment=case.assessment, arguments={case.indicator("1.2"): "มีรายงานการประชุมครบ"}, by=case.sa.head
        )

    assert told("appeal_opened") == names(*team_of(case), case.office)
    assert "1.2: มีรายงานการประชุมครบ" in Notification.objects.filter(kind="appeal_opened").first().body

    with django_capture_on_commit_callbacks(execute=True):
        workflow.answer_appeal(appeal=appeal, decision="rejected", response="รายงานไม่ได้ลงนาม", by=case.team.lead)

    assert told("appeal_answered") == names(case.sa.staff, case.sa.head)
    body = Notification.objects.filter(kind="appeal_answered").first().body
    assert "ยืนผลการตรวจเดิม" in body and "รายงานไม่ได้ลงนาม" in body
    again = Notification.objects.filter(kind="published", subject__contains="อีกครั้ง")
    assert set(again.values_list("recipient__username", flat=True)) == names(case.sa.staff, case.sa.head)


def test_assignment_tells_the_team(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.record(
            case.assessment,
            AssessmentEvent.Kind.ASSIGNED,
            by=case.office,
            data={"team": case.team.team.name, "previous_team": None, "visit_on": "2026-07-01"},
        )

    assert told("assigned") == names(*team_of(case))


def test_reopening_tells_team_organization_and_other_office_admins_but_not_the_one_who_reopened(
    case, django_capture_on_commit_callbacks
):
    colleague = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=case.assessment.organization.district.province)
    verified(case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.reopen(assessment=case.assessment, by=case.office, reason="คะแนนด้านที่ 1 รวมผิด")

    assert told("reopened") == names(*team_of(case), colleague, case.sa.staff, case.sa.head)
    assert "คะแนนด้านที่ 1 รวมผิด" in Notification.objects.filter(kind="reopened").first().body


def test_an_office_admin_on_the_team_who_approves_is_not_told_of_it(case, django_capture_on_commit_callbacks):
    from reviews.models import TeamMember

    TeamMember.objects.create(team=case.team.team, user=case.office)
    verified(case, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(assessment=case.assessment, by=case.office)

    assert told("approved") == names(case.sa.staff, case.sa.head, *team_of(case))
    assert case.office.username not in told("approved")


def test_inactive_people_are_not_told(case, django_capture_on_commit_callbacks):
    case.sa.staff.is_active = False
    case.sa.staff.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(assessment=case.assessment, flags={case.indicator("1.1"): "แนบคำสั่ง"}, by=case.team.lead)

    assert told("returned") == names(case.sa.head)


# Only what commits.


def test_a_refused_transition_tells_nobody(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(TransitionRefused):
            workflow.verify(assessment=case.assessment, by=case.team.lead)  # nothing scored yet

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_transition_rolled_back_by_its_caller_tells_nobody(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                workflow.return_for_revision(
                    assessment=case.assessment, flags={case.indicator("1.1"): "แนบคำสั่ง"}, by=case.team.lead
                )
                raise RuntimeError("the rest of the request failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_a_failure_while_notifying_does_not_undo_or_break_the_transition(
    case, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(notifications):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(notices, "store_and_send", broken)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(assessment=case.assessment, flags={case.indicator("1.1"): "แนบคำสั่ง"}, by=case.team.lead)

    assert case.reload().status == "returned"
    assert "notifications for event" in caplog.text


# Email.


def test_each_recipient_gets_an_email_with_the_thai_subject_and_a_link(case, settings, django_capture_on_commit_callbacks):
    settings.LPA_SITE_URL = "https://lpa.example.go.th"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(assessment=case.assessment, flags={case.indicator("1.1"): "แนบคำสั่ง"}, by=case.team.lead)
    assert mail.outbox == []  # queued, not sent by the request
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"queued"}

    assert sending.send_due().sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted([case.sa.staff.email, case.sa.head.email])
    message = mail.outbox[0]
    assert message.subject == f"[LPA] ผลการประเมินปี {case.round.year} ถูกส่งกลับให้แก้ไข"
    assert f"https://lpa.example.go.th{case.assessment.get_absolute_url()}" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert all(n.emailed_at is not None and n.email_status == "sent" for n in Notification.objects.all())


def test_someone_without_an_email_address_is_told_in_the_app_only(case, django_capture_on_commit_callbacks):
    case.sa.staff.email = ""
    case.sa.staff.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(assessment=case.assessment, flags={case.indicator("1.1"): "แนบคำสั่ง"}, by=case.team.lead)
    sending.send_due()

    assert [message.to for message in mail.outbox] == [[case.sa.head.email]]
    staff = Notification.objects.get(recipient=case.sa.staff)
    assert (staff.email_status, staff.emailed_at, staff.email_next_attempt_at) == ("not_needed", None, None)


@pytest.mark.parametrize("backend", ["BrokenBackend", "UnreachableBackend"])
def test_a_failing_mail_server_keeps_the_in_app_notification_and_schedules_another_attempt(
    case, settings, caplog, django_capture_on_commit_callbacks, backend
):
    settings.EMAIL_BACKEND = f"tests.reviews.test_notices.{backend}"
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_for_revision(assessment=case.assessment, flags={case.indicator("1.1"): "แนบคำสั่ง"}, by=case.team.lead)
    assert sending.send_due().retrying == 2

    assert case.reload().status == "returned"
    assert told("returned") == names(case.sa.staff, case.sa.head)
    rows = Notification.objects.all()
    assert {(n.email_status, n.email_attempts, n.emailed_at) for n in rows} == {("queued", 1, None)}
    assert all(n.email_next_attempt_at > timezone.now() and "mail server" in n.email_last_error for n in rows)
    assert "failed" in caplog.text


def test_deliver_stores_and_sends_a_composed_message(case):
    (notification,) = sending.deliver(
        [case.sa.head],
        kind="returned",
        subject="หัวข้อ",
        body="ข้อความ",
        url=case.assessment.get_absolute_url(),
        assessment=case.assessment,
    )

    sending.send_due()
    notification.refresh_from_db()
    assert notification.recipient == case.sa.head and notification.emailed_at is not None
    assert notification.url == case.assessment.get_absolute_url()
    assert mail.outbox[0].subject == "[LPA] หัวข้อ"


# Scale: publishing a round announces thousands of events.


def published_events(count: int) -> list[AssessmentEvent]:
    """`count` assessments of a new round, published together (nothing announced yet)."""
    first = submitted_for_review()
    cases = [first] + [submitted_for_review(first.round) for _ in range(count - 1)]
    for case in cases:
        case.score_as_claimed()
        workflow.verify(assessment=case.assessment, by=case.team.lead)
        workflow.approve(assessment=case.assessment, by=case.office)
    workflow.publish_round(assessment_round=first.round, by=first.department)
    return list(AssessmentEvent.objects.filter(kind="published", assessment__round=first.round).select_related("by"))


def test_announcing_many_events_takes_the_same_queries_for_two_or_five_assessments():
    counts = []
    for size in (2, 5):
        events = published_events(size)
        with CaptureQueriesContext(connection) as queries:
            created = notices.announce_many(events)
        assert len(created) == 2 * size  # staff and head of each
        assert {n.email_status for n in created} == {"queued"}
        counts.append(len(queries))

    assert counts[0] == counts[1]
