"""The provincial review part of the national benchmark round.

demo/national_dataset.py plans every assessment's status; this module gives the statuses
past submission what the review would have left behind:
- review teams of four per province (about one team per 35 organizations; the lead of the
  first is the province's `assessor<code>` account), every assessment assigned to a team of
  its province by district, with a visit date;
- a timeline per assessment (submitted, maybe returned and resubmitted, review started,
  verified, approved, published, appealed), strictly increasing and before now;
- verified answers for assessments in review (part of their indicators) and later (all):
  most agree with the self-assessment, some are lower with a reviewer's reason, claimed
  "not applicable" is mostly confirmed; each one also a score_changed event, as the real
  workflow records it;
- appeals on one or two indicators of appealed assessments.
"""

import datetime
import math
import random
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count

from assessments import scoring
from assessments.models import Assessment, AssessmentEvent, Indicator, Round
from organizations.models import Organization
from reviews.models import Appeal, Assignment, Team, TeamMember, VerifiedAnswer

Status = Assessment.Status
Kind = AssessmentEvent.Kind
ORGS_PER_TEAM = 35
TEAM_SIZE = 4
AGREEMENT = 0.88  # share of verified answers equal to the self-assessment
NA_CONFIRMED = 0.8
# Statuses the review has reached, in order: everything from IN_REVIEW on has verified answers.
REVIEW_STEPS = (Status.IN_REVIEW, Status.VERIFIED, Status.APPROVED, Status.PUBLISHED, Status.APPEALED)
RETURNED_BEFORE_REVIEW = 0.2  # share of reviewed assessments that went through one return
DISAGREEMENT_REASONS = (
    "เอกสารหลักฐานไม่ครบตามเกณฑ์ที่กำหนด",
    "ค่าที่รายงานไม่ตรงกับทะเบียนที่ตรวจพบในวันลงพื้นที่",
    "ไม่พบหลักฐานการเผยแพร่ต่อประชาชน",
    "ดำเนินการไม่ครบทุกขั้นตอนตามที่ตัวชี้วัดกำหนด",
)
NA_REJECTED_REASON = "ตรวจพบว่ามีภารกิจนี้ในพื้นที่ จึงไม่ยืนยันการแจ้งไม่มีภารกิจ"
APPEAL_ARGUMENTS = (
    "ขอชี้แจงเพิ่มเติมพร้อมแนบรายงานการประชุมฉบับลงนามแล้ว",
    "ค่าที่รายงานเป็นข้อมูล ณ สิ้นปีงบประมาณ ตามทะเบียนที่แนบ",
)


def team_counts() -> dict[int, int]:
    """Province pk → how many teams its active organizations need."""
    rows = Organization.objects.filter(is_active=True).values("district__province").annotate(n=Count("pk"))
    return {row["district__province"]: max(1, math.ceil(row["n"] / ORGS_PER_TEAM)) for row in rows}


def team_usernames(province_code: str, teams: int) -> list[list[str]]:
    """The members of each team of a province, lead first."""
    return [
        [
            f"assessor{province_code}" if (team, member) == (1, 1) else f"assessor{province_code}-{team}-{member}"
            for member in range(1, TEAM_SIZE + 1)
        ]
        for team in range(1, teams + 1)
    ]


def plan_timeline(org, *, opened: datetime.datetime, now: datetime.datetime, rng: random.Random) -> None:
    """Give `org` (national_dataset._Org) its revision and the moments of its steps."""
    times: dict[str, datetime.datetime] = {}
    org.times = times
    if org.status == Status.DRAFT:
        return
    reviewed = org.status in REVIEW_STEPS
    returned = org.status in (Status.RETURNED, Status.RESUBMITTED) or (reviewed and rng.random() < RETURNED_BEFORE_REVIEW)
    steps = ["submitted"]
    if returned:
        steps.append("returned")
        if org.status != Status.RETURNED:
            steps.append("resubmitted")
    if reviewed:
        steps += ["review_started", *[s.value for s in REVIEW_STEPS[1 : REVIEW_STEPS.index(org.status) + 1]]]
    org.revision = 1 if returned else 0
    # Steps spread over the review season before now, in order. A round generated today was
    # "opened" moments ago: the season then reaches back 60 days.
    begin = min(opened, now - datetime.timedelta(days=60))
    span = (now - begin).total_seconds()
    moment = begin + datetime.timedelta(seconds=rng.uniform(0.2, 0.45) * span)
    room = (now - moment).total_seconds()
    for step in steps:
        times[step] = moment
        moment += datetime.timedelta(seconds=rng.uniform(0.3, 0.9) * room / (len(steps) + 1))
    org.verified_share = 0.0 if not reviewed else (rng.uniform(0.2, 0.95) if org.status == Status.IN_REVIEW else 1.0)


def write_teams(assessment_round: Round, orgs: list, *, teams: dict[int, list[list[int]]], admins: dict[int, int], rng) -> dict:
    """Teams, members and one assignment per assessment; sets org.team_members (lead first)."""
    team_rows, member_rows, keys = [], [], []
    for province, members in teams.items():
        for number, users in enumerate(members, start=1):
            team_rows.append(Team(round=assessment_round, province_id=province, name=f"คณะผู้ประเมินที่ {number}"))
            keys.append((province, number - 1))
    Team.objects.bulk_create(team_rows)
    team_pk = {key: team.pk for key, team in zip(keys, team_rows)}
    for (province, index), pk in team_pk.items():
        users = teams[province][index]
        member_rows += [TeamMember(team_id=pk, user_id=user, is_lead=i == 0) for i, user in enumerate(users)]
    TeamMember.objects.bulk_create(member_rows)
    by_province: dict[int, list] = {}
    for org in orgs:
        by_province.setdefault(org.province, []).append(org)
    assignments = []
    today = datetime.date.today()
    for province, members in by_province.items():
        # Neighbours together: organizations in district order, split in contiguous runs.
        members.sort(key=lambda o: (o.district, o.code))
        count = len(teams[province])
        per_team = math.ceil(len(members) / count)
        for position, org in enumerate(members):
            index = min(position // per_team, count - 1)
            org.team_members = teams[province][index]
            reviewed = org.status in REVIEW_STEPS
            visit = today + datetime.timedelta(days=rng.randint(-40, -1) if reviewed else rng.randint(1, 60))
            assignments.append(
                Assignment(
                    assessment_id=org.assessment,
                    team_id=team_pk[(province, index)],
                    visit_on=visit,
                    assigned_by_id=admins[province],
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    return {"review teams": len(team_rows), "team members": len(member_rows), "assignments": len(assignments)}


def verified_rows(
    org, pairs: Iterable[tuple], *, specs: dict[int, scoring.IndicatorSpec], rng: random.Random
) -> tuple[list[VerifiedAnswer], list[tuple[VerifiedAnswer, list[int]]], list[AssessmentEvent]]:
    """Verified answers (with their ticked option pks) and score_changed events for one org.

    `pairs`: (answer, indicator info, self-assessed value dict) of the org's saved answers.
    """
    if not org.verified_share:
        return [], [], []
    pairs = list(pairs)
    if org.verified_share < 1.0:
        pairs = rng.sample(pairs, round(len(pairs) * org.verified_share))
    start = org.times["review_started"]
    end = org.times.get("verified") or start + datetime.timedelta(days=3)
    rows, ticked, events = [], [], []
    for answer, indicator, value in pairs:
        values, reason = _verdict(indicator, value, rng)
        spec = specs[indicator.pk]
        confirmed = bool(values.get("na_confirmed"))
        points = scoring.indicator_points(
            spec,
            scoring.Answer(
                level=values.get("level_id"),
                ticked=frozenset(values.get("ticked", ())),
                figure=values.get("figure"),
                not_applicable=confirmed,
                na_confirmed=confirmed,
            ),
        )
        at = start + (end - start) * rng.random()
        by = rng.choice(org.team_members)
        row = VerifiedAnswer(
            assessment_id=org.assessment,
            indicator_id=indicator.pk,
            level_id=values.get("level_id"),
            figure=values.get("figure"),
            na_confirmed=values.get("na_confirmed"),
            reason=reason,
            points=points,
            version=1,
            updated_by_id=by,
            updated_at=at,
        )
        rows.append(row)
        ticked.append((row, values.get("ticked", [])))
        events.append(
            AssessmentEvent(
                assessment_id=org.assessment,
                kind=Kind.SCORE_CHANGED,
                at=at,
                by_id=by,
                revision=org.revision,
                indicator_id=indicator.pk,
                note=reason,
                data={"indicator": indicator.code, "from": None, "to": format(points.normalize(), "f")},
            )
        )
    org.verified_points = {row.indicator_id: row.points for row in rows}
    return rows, ticked, events


def _verdict(indicator, value: dict, rng: random.Random) -> tuple[dict, str]:
    """The team's result for one self-assessed `value`, and its reason ("" when they agree)."""
    if value.get("not_applicable"):
        if rng.random() < NA_CONFIRMED:
            return {"na_confirmed": True}, ""
        lowest = _lowest(indicator)
        return {**lowest, "na_confirmed": False}, NA_REJECTED_REASON
    if rng.random() < AGREEMENT:
        return dict(value), ""
    reason = rng.choice(DISAGREEMENT_REASONS)
    if indicator.kind == Indicator.Kind.LEVELS:
        ranked = sorted(indicator.options, key=lambda o: o.points)
        index = next(i for i, o in enumerate(ranked) if o.pk == value["level_id"])
        if index == 0:
            return dict(value), ""
        return {"level_id": ranked[index - 1].pk}, reason
    if indicator.kind == Indicator.Kind.FIGURE:
        figure = (value["figure"] * Decimal("0.8")).quantize(Decimal("0.01"))
        return {"figure": figure}, reason
    if not value.get("ticked"):
        return dict(value), ""
    kept = list(value["ticked"])
    kept.remove(rng.choice(kept))
    return {"ticked": kept}, reason


def _lowest(indicator) -> dict:
    if indicator.kind == Indicator.Kind.LEVELS:
        return {"level_id": min(indicator.options, key=lambda o: o.points).pk}
    if indicator.kind == Indicator.Kind.FIGURE:
        return {"figure": Decimal(0)}
    return {"ticked": []}


def review_events(org, *, head: int, admin: int, department: int) -> list[AssessmentEvent]:
    """The status events after submission: review started, verified, approved, published, appealed."""
    lead = org.team_members[0] if getattr(org, "team_members", None) else admin
    who = {
        "review_started": lead,
        Status.VERIFIED: lead,
        Status.APPROVED: admin,
        Status.PUBLISHED: department,
        Status.APPEALED: head,
    }
    kinds = {
        "review_started": Kind.REVIEW_STARTED,
        Status.VERIFIED: Kind.VERIFIED,
        Status.APPROVED: Kind.APPROVED,
        Status.PUBLISHED: Kind.PUBLISHED,
        Status.APPEALED: Kind.APPEAL_OPENED,
    }
    before = Status.RESUBMITTED if "resubmitted" in org.times else Status.SUBMITTED
    events = []
    for step, to in (
        ("review_started", Status.IN_REVIEW),
        (Status.VERIFIED, Status.VERIFIED),
        (Status.APPROVED, Status.APPROVED),
        (Status.PUBLISHED, Status.PUBLISHED),
        (Status.APPEALED, Status.APPEALED),
    ):
        if step not in org.times:
            break
        events.append(
            AssessmentEvent(
                assessment_id=org.assessment,
                kind=kinds[step],
                at=org.times[step],
                by_id=who[step],
                revision=org.revision,
                from_status=before,
                to_status=to,
            )
        )
        before = to
    return events


def appeals_for(org, *, head: int, rng: random.Random) -> list[Appeal]:
    if org.status != Status.APPEALED or not getattr(org, "verified_points", None):
        return []
    chosen = rng.sample(sorted(org.verified_points), min(len(org.verified_points), rng.randint(1, 2)))
    return [
        Appeal(
            assessment_id=org.assessment,
            indicator_id=indicator,
            argument=rng.choice(APPEAL_ARGUMENTS),
            opened_by_id=head,
            opened_at=org.times[Status.APPEALED],
            points_before=org.verified_points[indicator],
        )
        for indicator in chosen
    ]
