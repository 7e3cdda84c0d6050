"""Who hears of what when an assessment moves through its review, in the app and by email.

announce(event) is called after the transaction of a transition commits (reviews.workflow's
record(), and the self-assessment's submission through assessments.signals.event_committed,
connected in ReviewsConfig.ready()), so a refused or rolled-back transition tells nobody.
Each recipient gets one Notification (notifications/sending.py stores and emails it).

The actor is never told of their own action. Texts are written in the site's language
(Thai), whatever language the actor's request was in: the recipients did not choose it.

announce_many(events) does the work for any number of events in a fixed number of
queries (publishing a round moves thousands of assessments at once); announce(event) is
the one-event case.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import F, prefetch_related_objects
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessments.models import Assessment, AssessmentEvent
from core.templatetags.thai_dates import thai_date, thai_datetime
from notifications.models import Notification
from notifications.sending import store_and_send
from organizations.models import Organization
from reviews.models import TeamMember

logger = logging.getLogger(__name__)

Kind = AssessmentEvent.Kind
# Which page a recipient's link opens: the organization's own pages, or the review pages.
ORGANIZATION, REVIEW = "organization", "review"
# Recipient groups: the organization's staff and head; the assigned team; the provincial
# office (admins) of the organization's province; "reviewers": the team, or the office
# while no team is assigned.
ORG, TEAM, OFFICE, REVIEWERS = "organization", "team", "office", "reviewers"

RECIPIENTS: dict[str, tuple[str, ...]] = {
    Kind.SUBMITTED: (REVIEWERS,),
    Kind.RESUBMITTED: (REVIEWERS,),
    Kind.RETURNED: (ORG,),
    Kind.VERIFIED: (OFFICE,),
    Kind.APPROVED: (ORG, TEAM),
    # The organization heard of the approval, so it hears the approval was taken back.
    Kind.REOPENED: (TEAM, OFFICE, ORG),
    Kind.PUBLISHED: (ORG,),
    Kind.APPEAL_OPENED: (TEAM, OFFICE),
    Kind.APPEAL_ANSWERED: (ORG,),
    Kind.ASSIGNED: (TEAM,),
}
# Events whose link goes to the organization's results rather than its overview.
RESULT_KINDS = frozenset({Kind.PUBLISHED, Kind.APPEAL_ANSWERED})


class People:
    """The active people of the groups above for many assessments, in three queries."""

    def __init__(self, assessments: Sequence[Assessment], groups: set[str]) -> None:
        self.by_organization: dict[int, list[User]] = defaultdict(list)
        self.by_assessment: dict[int, list[User]] = defaultdict(list)
        self.by_province: dict[int, list[User]] = defaultdict(list)
        if ORG in groups:
            roles = Role.objects.filter(
                kind__in=Role.ORGANIZATION_KINDS,
                organization_id__in={a.organization_id for a in assessments},
                user__is_active=True,
            ).select_related("user")
            for role in roles.order_by("user_id"):
                _add(self.by_organization[role.organization_id], role.user)
        if groups & {TEAM, REVIEWERS}:
            members = TeamMember.objects.filter(
                team__assignments__assessment__in=[a.pk for a in assessments], user__is_active=True
            ).annotate(assessment_pk=F("team__assignments__assessment"))
            for member in members.select_related("user").order_by("user_id"):
                _add(self.by_assessment[member.assessment_pk], member.user)
        if groups & {OFFICE, REVIEWERS}:
            roles = Role.objects.filter(
                kind=Role.Kind.PROVINCIAL_ADMIN,
                province_id__in={a.organization.district.province_id for a in assessments},
                user__is_active=True,
            ).select_related("user")
            for role in roles.order_by("user_id"):
                _add(self.by_province[role.province_id], role.user)

    def of(self, group: str, assessment: Assessment) -> list[User]:
        if group == ORG:
            return self.by_organization[assessment.organization_id]
        if group == TEAM:
            return self.by_assessment[assessment.pk]
        office = self.by_province[assessment.organization.district.province_id]
        if group == OFFICE:
            return office
        return self.by_assessment[assessment.pk] or office


def _add(users: list[User], user: User) -> None:
    if all(other.pk != user.pk for other in users):
        users.append(user)


def announce(event: AssessmentEvent) -> list[Notification]:
    """Notify whoever the event concerns (nobody for events no one needs to hear of).

    Runs after the transition committed: a failure here is logged, never raised, so the
    person who made the change still gets their page.
    """
    try:
        return announce_many([event])
    except Exception:
        logger.exception("notifications for event %s (%s) failed", event.pk, event.kind)
        return []


def announce_many(events: Iterable[AssessmentEvent]) -> list[Notification]:
    """The notifications of many events, stored and emailed in a fixed number of queries."""
    events = [event for event in events if event.kind in RECIPIENTS]
    if not events:
        return []
    assessments = _assessments_of(events)
    people = People(list(assessments.values()), {group for event in events for group in RECIPIENTS[event.kind]})
    prefetch_related_objects([event for event in events if not AssessmentEvent.by.is_cached(event)], "by")
    notifications = []
    with translation.override(settings.LANGUAGE_CODE):
        for event in events:
            assessment = assessments[event.assessment_id]
            recipients = recipients_of(event, assessment, people)
            if not recipients:
                continue
            subject, body = subject_and_body(event, assessment)
            for user, audience in recipients:
                notifications.append(
                    Notification(
                        recipient=user,
                        kind=event.kind,
                        subject=subject[:300],
                        body=body,
                        url=url_for(event.kind, assessment, audience),
                        assessment=assessment,
                    )
                )
    return store_and_send(notifications)


def recipients_of(event: AssessmentEvent, assessment: Assessment, people: People) -> list[tuple[User, str]]:
    """(user, audience) for each person to tell; someone both in the organization's and the
    review's groups gets the review link."""
    found: dict[int, tuple[User, str]] = {}
    for group in RECIPIENTS[event.kind]:
        audience = ORGANIZATION if group == ORG else REVIEW
        for user in people.of(group, assessment):
            if user.pk != event.by_id and (user.pk not in found or audience == REVIEW):
                found[user.pk] = (user, audience)
    return list(found.values())


def _assessments_of(events: list[AssessmentEvent]) -> dict[int, Assessment]:
    """The events' assessments with their round and organization (reusing loaded ones)."""
    loaded = {}
    for event in events:
        if AssessmentEvent.assessment.is_cached(event):
            assessment = event.assessment
            if _has_places(assessment):
                loaded[assessment.pk] = assessment
    missing = {event.assessment_id for event in events} - set(loaded)
    if missing:
        loaded.update(Assessment.objects.select_related("round", "organization__district").in_bulk(missing))
    return loaded


def _has_places(assessment: Assessment) -> bool:
    return (
        Assessment.round.is_cached(assessment)
        and Assessment.organization.is_cached(assessment)
        and Organization.district.is_cached(assessment.organization)
    )


def subject_and_body(event: AssessmentEvent, assessment: Assessment) -> tuple[str, str]:
    """The message of an event, in the active language."""
    organization = assessment.organization
    context = {"organization": organization.full_name, "code": organization.code, "year": assessment.round.year}
    data = event.data or {}
    subjects = {
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
    }
    if event.kind == Kind.PUBLISHED and data.get("after_appeal"):
        subject = _("พิจารณาอุทธรณ์ครบแล้ว: ประกาศผลการประเมินปี %(year)s ของ %(organization)s อีกครั้ง") % context
    else:
        subject = subjects[event.kind] % context
    lines = [
        subject,
        _("%(organization)s (รหัส %(code)s)") % context,
        _("โดย %(who)s เมื่อ %(when)s") % {"who": event.by, "when": thai_datetime(event.at)},
    ]
    if event.kind == Kind.RETURNED:
        lines.append(_("ตัวชี้วัดที่ต้องแก้ไข:"))
        lines += [f"- {code}: {reason}" for code, reason in data.get("indicators", {}).items()]
        if data.get("due"):
            due = datetime.date.fromisoformat(data["due"])
            lines.append(_("กำหนดส่งผลที่แก้ไข: ภายในวันที่ %(date)s") % {"date": thai_date(due, "long")})
    elif event.kind == Kind.VERIFIED and data.get("percent") is not None:
        lines.append(_("คะแนนที่ตรวจได้: ร้อยละ %(percent)s") % {"percent": data["percent"]})
    elif event.kind == Kind.APPEAL_OPENED:
        lines.append(_("ตัวชี้วัดที่อุทธรณ์:"))
        lines += [f"- {code}: {argument}" for code, argument in data.get("indicators", {}).items()]
    elif event.kind == Kind.APPEAL_ANSWERED:
        decisions = {"accepted": _("รับอุทธรณ์ (แก้ไขผลการตรวจ)"), "rejected": _("ยืนผลการตรวจเดิม")}
        lines.append(
            _("ตัวชี้วัด %(code)s: %(decision)s คะแนน %(before)s → %(after)s")
            % {
                "code": data.get("indicator", ""),
                "decision": decisions.get(data.get("decision"), ""),
                "before": data.get("from"),
                "after": data.get("to"),
            }
        )
    if event.note:
        lines.append(_("เหตุผล/คำชี้แจง: %(note)s") % {"note": event.note})
    return subject, "\n".join(lines)


def announce_committed(sender: object, *, event: AssessmentEvent, **kwargs) -> None:
    """Receiver of assessments.signals.event_committed (a submission has committed)."""
    announce(event)


def url_for(kind: str, assessment: Assessment | None, audience: str) -> str:
    """The page a notification opens: the review page for reviewers, the organization's own
    overview (or its results once published) for the organization."""
    if assessment is None:
        return ""
    if audience == REVIEW:
        return reverse("reviews:review_detail", args=[assessment.pk])
    if kind in RESULT_KINDS:
        return reverse("reviews:results", args=[assessment.pk])
    return assessment.get_absolute_url()
