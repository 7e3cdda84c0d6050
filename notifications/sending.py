"""Who hears of what: notifications for the review workflow's events, in the app and by email.

announce(event) is called by reviews.workflow.record after the transaction commits, so a
refused or rolled-back transition tells nobody. Each recipient gets one Notification row
(their list, with the unread count in the navigation bar) and one email through Django's
email backend (the console in development). A failed email is logged and leaves the row
with emailed_at empty; the in-app notification stands.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessments.models import Assessment, AssessmentEvent
from notifications.models import Notification

logger = logging.getLogger(__name__)

Kind = AssessmentEvent.Kind


def organization_people(assessment: Assessment) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, roles__kind__in=Role.ORGANIZATION_KINDS, roles__organization_id=assessment.organization_id
    ).distinct()


def team_people(assessment: Assessment) -> QuerySet[User]:
    return User.objects.filter(is_active=True, team_memberships__team__assignments__assessment=assessment).distinct()


def province_office(assessment: Assessment) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        roles__kind=Role.Kind.PROVINCIAL_ADMIN,
        roles__province_id=assessment.organization.district.province_id,
    ).distinct()


def reviewers(assessment: Assessment) -> QuerySet[User]:
    """The assigned team, or the provincial office while no team is assigned."""
    team = team_people(assessment)
    return team if team.exists() else province_office(assessment)


def _subject_and_body(event: AssessmentEvent) -> tuple[str, str]:
    assessment = event.assessment
    organization = assessment.organization
    context = {"organization": organization.full_name, "code": organization.code, "year": assessment.round.year}
    subject = {
        Kind.SUBMITTED: _("%(organization)s ส่งผลการประเมินตนเองปี %(year)s"),
        Kind.RESUBMITTED: _("%(organization)s ส่งผลการประเมินที่แก้ไขแล้ว ปี %(year)s"),
        Kind.RETURNED: _("ผลการประเมินปี %(year)s ถูกส่งกลับให้แก้ไข"),
        Kind.VERIFIED: _("ผลการตรวจประเมิน %(organization)s ปี %(year)s รอการรับรอง"),
        Kind.APPROVED: _("จังหวัดรับรองผลการประเมินปี %(year)s ของ %(organization)s แล้ว"),
        Kind.REOPENED: _("เปิดการตรวจประเมิน %(organization)s ปี %(year)s อีกครั้ง"),
        Kind.PUBLISHED: _("ประกาศผลการประเมินปี %(year)s ของ %(organization)s แล้ว"),
        Kind.APPEAL_OPENED: _("%(organization)s อุทธรณ์ผลการประเมินปี %(year)s"),
        Kind.APPEAL_ANSWERED: _("ผลการพิจารณาอุทธรณ์ปี %(year)s ของ %(organization)s"),
        Kind.ASSIGNED: _("มอบหมายให้ตรวจประเมิน %(organization)s ปี %(year)s"),
    }[event.kind] % context
    lines = [subject, f"{organization.full_name} (รหัส {organization.code})", f"{_('โดย')} {event.by}"]
    if event.kind == Kind.RETURNED:
        lines.append(_("ตัวชี้วัดที่ต้องแก้ไข:"))
        lines += [f"- {code}: {reason}" for code, reason in event.data.get("indicators", {}).items()]
        if event.data.get("due"):
            from datetime import date

            from lpa.templatetags.thai_dates import thai_date

            lines.append(_("กำหนดส่งผลที่แก้ไข: %(date)s") % {"date": thai_date(date.fromisoformat(event.data["due"]), "long")})
    elif event.kind == Kind.APPEAL_OPENED:
        lines += [f"- {code}: {argument}" for code, argument in event.data.get("indicators", {}).items()]
    elif event.kind == Kind.APPEAL_ANSWERED:
        lines.append(
            _("ตัวชี้วัด %(code)s: คะแนน %(before)s → %(after)s")
            % {"code": event.data.get("indicator"), "before": event.data.get("from"), "after": event.data.get("to")}
        )
    if event.note:
        lines.append(_("เหตุผล/คำชี้แจง: %(note)s") % {"note": event.note})
    return subject, "\n".join(lines)


RECIPIENTS = {
    Kind.SUBMITTED: reviewers,
    Kind.RESUBMITTED: reviewers,
    Kind.RETURNED: organization_people,
    Kind.VERIFIED: province_office,
    Kind.APPROVED: lambda a: organization_people(a) | team_people(a),
    Kind.REOPENED: lambda a: team_people(a) | province_office(a),
    Kind.PUBLISHED: organization_people,
    Kind.APPEAL_OPENED: lambda a: team_people(a) | province_office(a),
    Kind.APPEAL_ANSWERED: organization_people,
    Kind.ASSIGNED: team_people,
}


def announce(event: AssessmentEvent) -> list[Notification]:
    """Notify whoever the event concerns (nothing for events nobody needs to hear of)."""
    find = RECIPIENTS.get(event.kind)
    if find is None:
        return []
    assessment = event.assessment
    recipients = [user for user in find(assessment).distinct() if user.pk != event.by_id]
    if not recipients:
        return []
    subject, body = _subject_and_body(event)
    return deliver(recipients, kind=event.kind, subject=subject, body=body, assessment=assessment)


def deliver(
    recipients: Iterable[User], *, kind: str, subject: str, body: str, assessment: Assessment | None, key: str = ""
) -> list[Notification]:
    """One notification per recipient, then one email each (those with an address)."""
    url = _url_for(kind, assessment)
    notifications = Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, subject=subject[:300], body=body, url=url, assessment=assessment, key=key)
        for user in recipients
    )
    for notification in notifications:
        send_email(notification)
    return notifications


def send_email(notification: Notification) -> bool:
    recipient = notification.recipient
    if not recipient.email:
        return False
    link = f"{settings.LPA_SITE_URL}{notification.url}" if notification.url else settings.LPA_SITE_URL
    try:
        send_mail(
            f"[LPA] {notification.subject}",
            f"{notification.body}\n\n{link}\n",
            None,
            [recipient.email],
        )
    except Exception:  # an SMTP outage must not undo a committed transition
        logger.exception("notification email to %s failed", recipient.email)
        return False
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    notification.emailed_at = timezone.now()
    return True


def _url_for(kind: str, assessment: Assessment | None) -> str:
    if assessment is None:
        return ""
    from django.urls import NoReverseMatch, reverse

    reviewer_kinds = {Kind.SUBMITTED, Kind.RESUBMITTED, Kind.VERIFIED, Kind.REOPENED, Kind.APPEAL_OPENED, Kind.ASSIGNED}
    if kind in reviewer_kinds:
        try:
            return reverse("reviews:review_detail", args=[assessment.pk])
        except NoReverseMatch:
            pass
    return assessment.get_absolute_url()


