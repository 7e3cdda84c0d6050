"""Reminders before the self-assessment deadline (run daily by cron: send_deadline_reminders).

Organizations of running rounds that have not sent their self-assessment (draft), or not
sent it back after a return (returned), are reminded N days before their deadline
(Assessment.deadline(): the round's closing day, a later extension, or the revision due
date after a return) and on the day itself. Staff and head each get one in-app
notification and one email (queued with it; the worker sends it, notifications/sending.py). The key "deadline:<date>:<days>" makes each reminder happen
once per recipient and assessment however often cron runs (the database's unique
constraint enforces it); a new deadline (an extension) has a new key, so it is reminded
again.

A fixed number of queries per run whatever the number of organizations (7,849 a year),
besides one queued task per 500 emails (the worker sends them).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessments.models import Assessment, Extension
from core.templatetags.thai_dates import thai_date
from notifications.models import Notification
from notifications.sending import BATCH, mark_for_email, queue_emails

DEFAULT_DAYS = (7, 3, 1)
# Statuses in which the organization still has to send (or send back) its self-assessment.
WAITING = (Assessment.Status.DRAFT, Assessment.Status.RETURNED)


@dataclass(frozen=True)
class ReminderRun:
    assessments: int  # assessments reminded
    notifications: int  # in-app notifications created (or, in a dry run, that would be)
    emails: int  # emails queued (the worker sends them)


def reminder_key(deadline: datetime.date, days: int) -> str:
    return f"deadline:{deadline.isoformat()}:{days}"


def waiting_assessments() -> Iterable[Assessment]:
    """Running rounds' assessments not yet sent, each with `latest_extension` (a date or None)."""
    latest = Extension.objects.filter(assessment=OuterRef("pk")).order_by("-granted_at", "-pk").values("until")[:1]
    return (
        Assessment.objects.running()
        .filter(status__in=WAITING)
        .select_related("round", "organization")
        .annotate(latest_extension=Subquery(latest))
        .order_by("pk")
    )


def deadline_of(assessment: Assessment) -> datetime.date | None:
    """Assessment.deadline() from the annotated `latest_extension`, without a query of its own.

    Keep the two in step: tests compare them.
    """
    closes = assessment.round.self_assessment_closes
    extension = assessment.latest_extension
    if extension and (closes is None or extension > closes):
        closes = extension
    due = assessment.revision_due
    if assessment.status == Assessment.Status.RETURNED and due and (closes is None or due > closes):
        return due
    return closes


def due_reminders(*, today: datetime.date, days: Sequence[int]) -> list[Notification]:
    """The reminders to create today, not yet created (unsaved Notification objects)."""
    targets = {today + datetime.timedelta(days=n): n for n in sorted(set(days), reverse=True)}
    due = []
    for assessment in waiting_assessments():
        deadline = deadline_of(assessment)
        if deadline in targets:
            due.append((assessment, deadline, targets[deadline]))
    if not due:
        return []
    people = _people_of({assessment.organization_id for assessment, _, _ in due})
    keys = {reminder_key(deadline, n) for _, deadline, n in due}
    # Only keys of today's targets: a handful of values, whatever the number of organizations.
    sent = set(
        Notification.objects.filter(kind=Notification.Kind.REMINDER, key__in=keys).values_list(
            "recipient_id", "assessment_id", "key"
        )
    )
    now = timezone.now()
    reminders = []
    with translation.override(settings.LANGUAGE_CODE):
        for assessment, deadline, n in due:
            key = reminder_key(deadline, n)
            recipients = [
                user for user in people[assessment.organization_id] if (user.pk, assessment.pk, key) not in sent
            ]
            if not recipients:
                continue
            subject, body = reminder_text(assessment, deadline, n)
            reminders += [
                Notification(
                    recipient=user,
                    kind=Notification.Kind.REMINDER,
                    subject=subject[:300],
                    body=body,
                    url=assessment.get_absolute_url(),
                    assessment=assessment,
                    key=key,
                    created_at=now,
                )
                for user in recipients
            ]
    return reminders


def send_deadline_reminders(
    *, today: datetime.date, days: Sequence[int] = DEFAULT_DAYS, dry_run: bool = False
) -> ReminderRun:
    """Create today's reminders and queue their emails; with `dry_run`, only count them."""
    reminders = due_reminders(today=today, days=days)
    assessments = len({reminder.assessment_id for reminder in reminders})
    if dry_run or not reminders:
        return ReminderRun(assessments, len(reminders), 0)
    mark_for_email(reminders)
    with transaction.atomic():
        # Another run at the same moment may have created some: those are skipped, not doubled.
        Notification.objects.bulk_create(reminders, batch_size=BATCH, ignore_conflicts=True)
        # ignore_conflicts leaves the objects without primary keys: read back this run's rows
        # (they share one created_at, to the microsecond) to queue their emails.
        created = list(
            Notification.objects.filter(
                kind=Notification.Kind.REMINDER, created_at=reminders[0].created_at, key__in={r.key for r in reminders}
            ).only("pk", "assessment_id", "email_status")
        )
        emails = queue_emails(created)
    return ReminderRun(len({n.assessment_id for n in created}), len(created), emails)


def reminder_text(assessment: Assessment, deadline: datetime.date, days: int) -> tuple[str, str]:
    organization = assessment.organization
    context = {
        "organization": organization.full_name,
        "code": organization.code,
        "year": assessment.round.year,
        "date": thai_date(deadline, "long"),
        "days": days,
    }
    returned = assessment.status == Assessment.Status.RETURNED
    if days == 0:
        subject = (
            _("วันนี้เป็นวันสุดท้ายของการส่งผลการประเมินที่แก้ไขแล้ว ปี %(year)s")
            if returned
            else _("วันนี้เป็นวันสุดท้ายของการส่งผลการประเมินตนเอง ปี %(year)s")
        ) % context
    else:
        subject = (
            _("อีก %(days)s วันถึงกำหนดส่งผลการประเมินที่แก้ไขแล้ว ปี %(year)s")
            if returned
            else _("อีก %(days)s วันถึงกำหนดส่งผลการประเมินตนเอง ปี %(year)s")
        ) % context
    lines = [
        subject,
        _("%(organization)s (รหัส %(code)s)") % context,
        _("กำหนดส่ง: ภายในวันที่ %(date)s") % context,
        (
            _("จังหวัดส่งผลการประเมินกลับให้แก้ไข และยังไม่ได้ส่งผลที่แก้ไขแล้ว")
            if returned
            else _("ยังไม่ได้ส่งผลการประเมินตนเอง")
        ),
        _(
            "ผู้บริหาร อปท. ตรวจสอบและกดส่งผลการประเมินได้จากหน้าการประเมิน "
            "หากส่งไม่ทันกำหนด โปรดติดต่อสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด"
        ),
    ]
    return subject, "\n".join(lines)


def _people_of(organization_ids: set[int]) -> dict[int, list[User]]:
    """Active staff and heads of the organizations, in one query."""
    people: dict[int, list[User]] = defaultdict(list)
    roles = Role.objects.filter(
        kind__in=Role.ORGANIZATION_KINDS, organization_id__in=organization_ids, user__is_active=True
    ).select_related("user")
    seen = set()
    for role in roles.order_by("user_id"):
        if (role.organization_id, role.user_id) not in seen:
            seen.add((role.organization_id, role.user_id))
            people[role.organization_id].append(role.user)
    return people
