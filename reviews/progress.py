"""Progress of the provincial review: the province board and the assessor's queue.

`province_progress` builds the province board's figures (counts by status per team,
overdue items, who is working on what, what awaits approval) in a fixed number of queries,
whatever the number of organizations and teams. `queue_counts` and `QUEUE_GROUPS` order an
assessor's work: new submissions first.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from assessments.models import Assessment, AssessmentEvent, Round
from core.templatetags.thai_dates import thai_date
from organizations.models import Province
from reviews.models import Team, TeamMember, VerifiedAnswer
from reviews.teams import province_assessments
from reviews.workflow import assignment_of

Status = Assessment.Status

# Not yet verified: a visit date passed in one of these is overdue.
BEFORE_VERIFIED = (Status.DRAFT, Status.SUBMITTED, Status.RESUBMITTED, Status.RETURNED, Status.IN_REVIEW)
# Days a submission may wait for its team to start the review before the board flags it.
REVIEW_START_DAYS = 14
# The order statuses appear in on the board: the course of an assessment.
BOARD_STATUSES = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RESUBMITTED,
    Status.RETURNED,
    Status.IN_REVIEW,
    Status.VERIFIED,
    Status.APPROVED,
    Status.PUBLISHED,
    Status.APPEALED,
)


# The province board.


@dataclass
class TeamCounts:
    """One row of the board: a team (None: not assigned) and its assessments by status."""

    team: Team | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(status, 0) for status in BOARD_STATUSES]


@dataclass
class OverdueItem:
    assessment: Assessment
    reasons: list[str]


@dataclass
class WorkItem:
    """An assessment in review and when `member` saved its latest verified answer."""

    assessment: Assessment
    saved_at: datetime.datetime | None


@dataclass
class MemberWork:
    user: User
    teams: list[Team]
    items: list[WorkItem] = field(default_factory=list)


@dataclass
class ApprovalItem:
    """A verified assessment awaiting the office's approval, with its verified result."""

    assessment: Assessment
    verified_at: datetime.datetime | None
    percent: Decimal | None


@dataclass
class ProvinceProgress:
    round: Round
    province: Province
    teams: list[Team]
    rows: list[TeamCounts]
    totals: TeamCounts
    overdue: list[OverdueItem]
    working: list[MemberWork]
    unclaimed: list[Assessment]  # in review, nobody has saved a verified answer yet
    to_approve: list[ApprovalItem]

    @property
    def statuses(self) -> list[tuple[str, str]]:
        return [(status.value, status.label) for status in BOARD_STATUSES]


def province_progress(assessment_round: Round, province: Province, *, today: datetime.date | None = None) -> ProvinceProgress:
    """The province board's figures for `round`, in a fixed number of queries."""
    today = today or timezone.localdate()
    base = province_assessments(assessment_round, province)
    related = ("organization__district", "assignment__team")

    teams = list(
        Team.objects.filter(round=assessment_round, province=province).prefetch_related(
            Prefetch("members", queryset=TeamMember.objects.select_related("user"))
        )
    )
    by_team: dict[int | None, dict[str, int]] = defaultdict(dict)
    for team_id, status, n in base.order_by().values_list("assignment__team", "status").annotate(n=Count("pk")):
        by_team[team_id][status] = n
    rows = [TeamCounts(team, by_team.get(team.pk, {})) for team in teams]
    rows.append(TeamCounts(None, by_team.get(None, {})))
    totals: dict[str, int] = defaultdict(int)
    for counts in by_team.values():
        for status, n in counts.items():
            totals[status] += n

    cutoff = timezone.now() - datetime.timedelta(days=REVIEW_START_DAYS)
    overdue_rows = (
        base.filter(
            Q(status=Status.RETURNED, revision_due__lt=today)
            | Q(status__in=(Status.SUBMITTED, Status.RESUBMITTED), submitted_at__lt=cutoff)
            | Q(status__in=BEFORE_VERIFIED, assignment__visit_on__lt=today)
        )
        .select_related(*related)
        .order_by("organization__code")
    )
    overdue = [OverdueItem(assessment, _overdue_reasons(assessment, today=today, cutoff=cutoff)) for assessment in overdue_rows]

    latest = VerifiedAnswer.objects.filter(assessment=OuterRef("pk"), updated_by__isnull=False).order_by("-updated_at", "-pk")
    in_review = list(
        base.filter(status=Status.IN_REVIEW)
        .annotate(latest_by=Subquery(latest.values("updated_by")[:1]), latest_at=Subquery(latest.values("updated_at")[:1]))
        .select_related(*related)
        .order_by("organization__code")
    )
    working = _member_work(teams, in_review)
    unclaimed = [assessment for assessment in in_review if assessment.latest_by is None]

    verified = list(base.filter(status=Status.VERIFIED).select_related(*related).order_by("organization__code"))
    # The latest "verified" event of each carries the percentage the lead confirmed.
    events = {}
    for assessment_id, at, data in (
        AssessmentEvent.objects.filter(assessment__in=base.filter(status=Status.VERIFIED), kind=AssessmentEvent.Kind.VERIFIED)
        .order_by("assessment", "at", "pk")
        .values_list("assessment_id", "at", "data")
    ):
        events[assessment_id] = (at, data)
    to_approve = []
    for assessment in verified:
        at, data = events.get(assessment.pk, (None, {}))
        to_approve.append(ApprovalItem(assessment, at, _decimal((data or {}).get("percent"))))

    return ProvinceProgress(
        round=assessment_round,
        province=province,
        teams=teams,
        rows=rows,
        totals=TeamCounts(None, dict(totals)),
        overdue=overdue,
        working=working,
        unclaimed=unclaimed,
        to_approve=to_approve,
    )


def _overdue_reasons(assessment: Assessment, *, today: datetime.date, cutoff: datetime.datetime) -> list[str]:
    reasons = []
    if assessment.status == Status.RETURNED and assessment.revision_due and assessment.revision_due < today:
        reasons.append(
            _("พ้นกำหนดส่งผลที่แก้ไข (%(date)s) %(days)s วัน")
            % {"date": thai_date(assessment.revision_due), "days": (today - assessment.revision_due).days}
        )
    if assessment.status in (Status.SUBMITTED, Status.RESUBMITTED) and assessment.submitted_at and assessment.submitted_at < cutoff:
        days = (today - timezone.localdate(assessment.submitted_at)).days
        reasons.append(_("ส่งมาแล้ว %(days)s วัน ยังไม่เริ่มตรวจ") % {"days": days})
    assignment = assignment_of(assessment)
    if assignment and assignment.visit_on and assignment.visit_on < today and assessment.status in BEFORE_VERIFIED:
        reasons.append(
            _("เลยวันลงพื้นที่ (%(date)s) แล้วยังไม่ได้ตรวจประเมินให้แล้วเสร็จ") % {"date": thai_date(assignment.visit_on)}
        )
    return reasons


def _member_work(teams: list[Team], in_review: list[Assessment]) -> list[MemberWork]:
    """Per team member, the assessments in review whose latest verified answer they saved."""
    people: dict[int, MemberWork] = {}
    for team in teams:
        for member in team.members.all():
            work = people.setdefault(member.user_id, MemberWork(member.user, []))
            work.teams.append(team)
    savers = {assessment.latest_by for assessment in in_review if assessment.latest_by is not None}
    # Someone who has since left every team still shows with what they last worked on.
    missing = savers - set(people)
    if missing:
        for user in User.objects.filter(pk__in=missing):
            people[user.pk] = MemberWork(user, [])
    for assessment in in_review:
        if assessment.latest_by is not None:
            people[assessment.latest_by].items.append(WorkItem(assessment, assessment.latest_at))
    return sorted(people.values(), key=lambda work: (-len(work.items), str(work.user)))


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


# The assessor's queue.


@dataclass(frozen=True)
class QueueGroup:
    key: str
    label: str  # lazy: translated when shown
    statuses: tuple[str, ...]


# What an assessor does first comes first: new submissions, then work under way.
QUEUE_GROUPS = (
    QueueGroup("to_review", gettext_lazy("รอตรวจ"), (Status.SUBMITTED, Status.RESUBMITTED)),
    QueueGroup("in_review", gettext_lazy("กำลังตรวจ"), (Status.IN_REVIEW,)),
    QueueGroup("returned", gettext_lazy("ส่งกลับให้แก้ไข รอ อปท. ส่งคืน"), (Status.RETURNED,)),
    QueueGroup("verified", gettext_lazy("ตรวจแล้ว รอจังหวัดรับรอง"), (Status.VERIFIED,)),
    QueueGroup("appealed", gettext_lazy("อุทธรณ์ รอพิจารณา"), (Status.APPEALED,)),
    QueueGroup("done", gettext_lazy("รับรองหรือประกาศผลแล้ว"), (Status.APPROVED, Status.PUBLISHED)),
    QueueGroup("draft", gettext_lazy("ยังไม่ส่งผลการประเมินตนเอง"), (Status.DRAFT,)),
)


def assigned_to(user: User) -> QuerySet[Assessment]:
    """The assessments of running rounds assigned to the teams `user` is on."""
    return Assessment.objects.filter(assignment__team__members__user=user).running()


def queue_counts(user: User) -> dict[str, int]:
    """How many of the user's assigned assessments are in each queue group (one query)."""
    by_status = dict(assigned_to(user).order_by().values_list("status").annotate(n=Count("pk")))
    return {group.key: sum(by_status.get(status, 0) for status in group.statuses) for group in QUEUE_GROUPS}
