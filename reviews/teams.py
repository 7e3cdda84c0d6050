"""Teams and assignments: who reviews which organization, and when they visit.

The provincial office (a province_admin of the province) forms a round's assessment teams
from the province's people: assessors and its own officials, one of them the lead. It
assigns the province's assessments to the teams, in bulk (by district, by type) or by hand,
moves them between teams, and plans a visit date for each. Every assignment, move and
removal is an AssessmentEvent "assigned" in the assessment's trail.

The province board's figures and the assessor's queue are reviews/progress.py's.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import scope_for
from accounts.models import Role, User
from assessments.models import Assessment, AssessmentEvent, Round
from notifications.sending import deliver
from organizations.models import District, Province
from reviews.models import Assignment, Team, TeamMember
from reviews.workflow import TransitionRefused, record

Status = Assessment.Status

# Who may sit on a team: the province's assessors and its provincial office's officials.
MEMBER_KINDS = (Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.PROVINCIAL_ADMIN)
# An assessment may leave its team only before the team has started on it.
UNASSIGNABLE_STATUSES = (Status.DRAFT, Status.SUBMITTED)


# Who may do it, and when.


def manages(user: User | None, province: Province) -> bool:
    """The provincial office of `province`: it forms teams and assigns organizations."""
    return user is not None and province.pk in scope_for(user).manages_province_ids


def _ensure_office(by: User, province: Province) -> None:
    if not manages(by, province):
        raise PermissionDenied(
            _("เฉพาะสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด%(province)sเท่านั้นที่จัดคณะผู้ประเมินได้")
            % {"province": province.name_th}
        )


def _ensure_round_running(assessment_round: Round) -> None:
    if assessment_round.phase in (Round.Phase.SETUP, Round.Phase.CLOSED):
        raise TransitionRefused(
            _("รอบการประเมินปี %(year)s อยู่ในระยะ “%(phase)s” จึงจัดคณะผู้ประเมินหรือมอบหมายงานไม่ได้")
            % {"year": assessment_round.year, "phase": assessment_round.get_phase_display()}
        )


# Teams.


def eligible_members(province: Province) -> QuerySet[User]:
    """Active people who may sit on the province's teams, by name."""
    holders = Role.objects.filter(kind__in=MEMBER_KINDS, province=province).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("first_name", "last_name", "username")


def _clean_team(
    *, assessment_round: Round, province: Province, name: str, members: Iterable[User], lead: User | None, team: Team | None
) -> tuple[str, list[User]]:
    """The team's name and members, or a ValidationError per field (Thai) saying what to fix."""
    name = (name or "").strip()
    members = list({user.pk: user for user in members}.values())
    errors: dict[str, list[str]] = defaultdict(list)
    if not name:
        errors["name"].append(_("ระบุชื่อคณะผู้ประเมิน"))
    else:
        same_name = Team.objects.filter(round=assessment_round, province=province, name=name)
        if team is not None:
            same_name = same_name.exclude(pk=team.pk)
        if same_name.exists():
            errors["name"].append(_("มีคณะชื่อ “%(name)s” ในรอบนี้แล้ว ตั้งชื่ออื่น") % {"name": name})
    if not members:
        errors["members"].append(_("เลือกผู้ประเมินในคณะอย่างน้อย 1 คน"))
    eligible = set(eligible_members(province).filter(pk__in=[user.pk for user in members]).values_list("pk", flat=True))
    outsiders = [str(user) for user in members if user.pk not in eligible]
    if outsiders:
        errors["members"].append(
            _("%(names)s ไม่ได้เป็นผู้ประเมินหรือเจ้าหน้าที่สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด%(province)s จึงอยู่ในคณะไม่ได้")
            % {"names": ", ".join(outsiders), "province": province.name_th}
        )
    if lead is None:
        errors["lead"].append(_("เลือกหัวหน้าคณะ"))
    elif lead.pk not in {user.pk for user in members}:
        errors["lead"].append(_("หัวหน้าคณะต้องเป็นหนึ่งในผู้ประเมินที่เลือกไว้ในคณะ"))
    if errors:
        raise ValidationError(dict(errors))
    return name, members


def create_team(
    *, assessment_round: Round, province: Province, name: str, members: Iterable[User], lead: User, by: User
) -> Team:
    """A new team of the round in the province, with its members and exactly one lead."""
    _ensure_office(by, province)
    _ensure_round_running(assessment_round)
    name, members = _clean_team(assessment_round=assessment_round, province=province, name=name, members=members, lead=lead, team=None)
    try:
        with transaction.atomic():
            team = Team.objects.create(round=assessment_round, province=province, name=name, created_by=by)
            TeamMember.objects.bulk_create(
                TeamMember(team=team, user=user, is_lead=user.pk == lead.pk, position=user.position)
                for user in members
            )
    except IntegrityError:
        # Someone else created a team of this name between the check and the insert.
        raise ValidationError({"name": [_("มีคณะชื่อ “%(name)s” ในรอบนี้แล้ว ตั้งชื่ออื่น") % {"name": name}]}) from None
    return team


def update_team(team: Team, *, name: str, members: Iterable[User], lead: User, by: User) -> Team:
    """Rename the team and set its members and lead (members left out leave the team)."""
    _ensure_office(by, team.province)
    _ensure_round_running(team.round)
    try:
        with transaction.atomic():
            locked = Team.objects.select_for_update().get(pk=team.pk)
            name, members = _clean_team(
                assessment_round=team.round, province=team.province, name=name, members=members, lead=lead, team=locked
            )
            locked.name = name
            locked.save(update_fields=["name"])
            keep = {user.pk for user in members}
            locked.members.exclude(user_id__in=keep).delete()
            # One lead per team is a constraint: step the old lead down before the new one steps up.
            locked.members.filter(is_lead=True).exclude(user=lead).update(is_lead=False)
            present = set(locked.members.values_list("user_id", flat=True))
            TeamMember.objects.bulk_create(
                TeamMember(team=locked, user=user, is_lead=user.pk == lead.pk, position=user.position)
                for user in members
                if user.pk not in present
            )
            locked.members.filter(user=lead, is_lead=False).update(is_lead=True)
    except IntegrityError:
        raise ValidationError({"name": [_("มีคณะชื่อ “%(name)s” ในรอบนี้แล้ว ตั้งชื่ออื่น") % {"name": name}]}) from None
    team.name = locked.name
    return team


# Choosing assessments: the province's, narrowed by district, by type or by hand.


def province_assessments(assessment_round: Round, province: Province) -> QuerySet[Assessment]:
    """The round's assessments of the province's organizations."""
    return Assessment.objects.filter(round=assessment_round, organization__district__province=province)


def by_district(assessments: QuerySet[Assessment], districts: Iterable[District]) -> QuerySet[Assessment]:
    return assessments.filter(organization__district__in=list(districts))


def by_type(assessments: QuerySet[Assessment], org_types: Iterable[str]) -> QuerySet[Assessment]:
    """By the type the organization had for the round (an upgraded อบต. stays an อบต. here)."""
    return assessments.filter(org_type__in=list(org_types))


def by_hand(assessments: QuerySet[Assessment], pks: Iterable[int]) -> QuerySet[Assessment]:
    return assessments.filter(pk__in=list(pks))


def unassigned(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.filter(assignment__isnull=True)


# Assigning.


def _lock_assessments(pks: list[int]) -> list[Assessment]:
    return list(
        Assessment.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("round", "organization__district")
        .order_by("organization__code")
    )


def assign(
    *, team: Team, assessments: Iterable[Assessment], by: User, visit_on: datetime.date | None = None
) -> list[Assignment]:
    """Assign `assessments` to `team`, or move them to it from another team.

    Only assessments of the team's round and province; anything else refuses the whole
    request. Each new assignment or move is recorded ("assigned", with the team's name and
    the previous team's). `visit_on`, when given, is the planned visit date of all of them;
    a moved assessment drops the old team's date. Returns the assignments made or moved.
    """
    _ensure_office(by, team.province)
    _ensure_round_running(team.round)
    pks = sorted({assessment.pk for assessment in assessments})
    if not pks:
        raise ValidationError(_("เลือก อปท. ที่จะมอบหมายให้คณะอย่างน้อย 1 แห่ง"))
    with transaction.atomic():
        locked = _lock_assessments(pks)
        outside = [
            a for a in locked if a.round_id != team.round_id or a.organization.district.province_id != team.province_id
        ]
        if outside:
            raise ValidationError(
                _("มอบหมายไม่ได้: %(codes)s ไม่ใช่ อปท. ของจังหวัด%(province)sในรอบปี %(year)s")
                % {
                    "codes": ", ".join(a.organization.code for a in outside[:10]),
                    "province": team.province.name_th,
                    "year": team.round.year,
                }
            )
        current = {
            row.assessment_id: row
            for row in Assignment.objects.select_for_update(of=("self",))
            .filter(assessment_id__in=pks)
            .select_related("team")
        }
        now = timezone.now()
        new, moved, redated = [], [], []
        for assessment in locked:
            row = current.get(assessment.pk)
            if row is None:
                row = Assignment(assessment=assessment, team=team, visit_on=visit_on, assigned_by=by, assigned_at=now)
                new.append((assessment, row, None))
            elif row.team_id != team.pk:
                previous = row.team.name
                row.team, row.visit_on, row.assigned_by, row.assigned_at = team, visit_on, by, now
                moved.append((assessment, row, previous))
            elif visit_on is not None and row.visit_on != visit_on:
                row.visit_on = visit_on
                redated.append(row)
        Assignment.objects.bulk_create([row for _a, row, _p in new])
        Assignment.objects.bulk_update([row for _a, row, _p in moved], ["team", "visit_on", "assigned_by", "assigned_at"])
        Assignment.objects.bulk_update(redated, ["visit_on"])
        changed = new + moved
        # One notice per assessment is right for one; for a batch the team gets a single summary.
        one_by_one = len(changed) == 1
        for assessment, row, previous in changed:
            record(
                assessment,
                AssessmentEvent.Kind.ASSIGNED,
                by=by,
                at=now,
                data={
                    "team": team.name,
                    "previous_team": previous,
                    "visit_on": row.visit_on.isoformat() if row.visit_on else None,
                },
                notify=one_by_one,
            )
        if len(changed) > 1:
            organizations = [assessment.organization for assessment, _row, _p in changed]
            transaction.on_commit(lambda: _announce_batch(team, organizations, by=by))
    return [row for _a, row, _p in changed]


def _announce_batch(team: Team, organizations: list, *, by: User) -> None:
    recipients = [member.user for member in team.members.select_related("user") if member.user_id != by.pk]
    if not recipients:
        return
    names = ", ".join(f"{organization} ({organization.code})" for organization in organizations[:20])
    if len(organizations) > 20:
        names += _(" และอีก %(n)s แห่ง") % {"n": len(organizations) - 20}
    deliver(
        recipients,
        kind=AssessmentEvent.Kind.ASSIGNED,
        subject=_("มอบหมายให้%(team)s ตรวจประเมิน %(n)s อปท. ปี %(year)s")
        % {"team": team.name, "n": len(organizations), "year": team.round.year},
        body=_("%(team)s ได้รับมอบหมายให้ตรวจประเมิน: %(names)s") % {"team": team.name, "names": names},
        assessment=None,
    )


def unassign(*, team: Team, assessments: Iterable[Assessment], by: User) -> int:
    """Take assessments off `team` before its review has started; returns how many.

    Refused as a whole if any of them is not on the team or its review has begun (a team
    at work keeps its assessment; move it to another team instead).
    """
    _ensure_office(by, team.province)
    _ensure_round_running(team.round)
    pks = sorted({assessment.pk for assessment in assessments})
    if not pks:
        raise ValidationError(_("เลือก อปท. ที่จะนำออกจากคณะอย่างน้อย 1 แห่ง"))
    with transaction.atomic():
        locked = _lock_assessments(pks)
        rows = {
            row.assessment_id: row
            for row in Assignment.objects.select_for_update(of=("self",)).filter(assessment_id__in=pks, team=team)
        }
        errors = []
        for assessment in locked:
            if assessment.pk not in rows:
                errors.append(_("%(code)s ไม่ได้อยู่ในความรับผิดชอบของคณะนี้") % {"code": assessment.organization.code})
            elif assessment.status not in UNASSIGNABLE_STATUSES:
                errors.append(
                    _("%(code)s อยู่ในสถานะ “%(status)s” คณะได้เริ่มตรวจแล้ว นำออกไม่ได้ (ย้ายไปคณะอื่นได้)")
                    % {"code": assessment.organization.code, "status": assessment.get_status_display()}
                )
        if errors:
            raise ValidationError(errors)
        Assignment.objects.filter(pk__in=[row.pk for row in rows.values()]).delete()
        now = timezone.now()
        for assessment in locked:
            record(
                assessment,
                AssessmentEvent.Kind.ASSIGNED,
                by=by,
                at=now,
                data={"team": None, "previous_team": team.name, "visit_on": None},
                notify=False,
            )
    return len(locked)


def set_visit_dates(*, team: Team, dates: Mapping[Assessment, datetime.date | None], by: User) -> int:
    """Plan (or clear, with None) the visit date of each of the team's assessments; returns how many changed."""
    _ensure_office(by, team.province)
    _ensure_round_running(team.round)
    wanted = {assessment.pk: day for assessment, day in dates.items()}
    with transaction.atomic():
        rows = {
            row.assessment_id: row
            for row in Assignment.objects.select_for_update(of=("self",))
            .filter(team=team, assessment_id__in=list(wanted))
            .select_related("assessment__organization")
        }
        missing = [assessment for assessment in dates if assessment.pk not in rows]
        if missing:
            raise ValidationError(
                _("กำหนดวันลงพื้นที่ไม่ได้: %(codes)s ไม่ได้อยู่ในความรับผิดชอบของคณะนี้")
                % {"codes": ", ".join(a.organization.code for a in missing[:10])}
            )
        changed = []
        for pk, day in wanted.items():
            row = rows[pk]
            if row.visit_on != day:
                row.visit_on = day
                changed.append(row)
        Assignment.objects.bulk_update(changed, ["visit_on"])
    return len(changed)
