"""The review state machine (reviews/workflow/): the whole course, and who may do what.

draft → submitted → in review → returned → resubmitted → in review → verified → approved
→ published → appealed → published, each step by its role, each an AssessmentEvent, each
notification sent only once the transaction commits. The wrong person gets
PermissionDenied and changes nothing; the wrong moment is test_workflow_refusals.py.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Role
from assessments.models import Assessment, AssessmentEvent, Round
from assessments.selfassessment import submit
from notifications.models import Notification
from reviews.models import Appeal, TeamMember
from reviews.workflow import (
    answer_appeal,
    approve,
    is_team_member,
    open_appeal,
    publish_round,
    reopen,
    return_for_revision,
    save_verified_answer,
    start_review,
    verify,
)
from tests.factories import province, user_with_role
from tests.reviews.factories import assert_refused, review_team, submitted_for_review

pytestmark = pytest.mark.django_db

Status = Assessment.Status
Kind = AssessmentEvent.Kind


@pytest.fixture
def case():
    return submitted_for_review()


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    """Run one transition: nobody hears of it before commit; returns (result, notifications sent)."""

    def run(action):
        last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = action()
        assert not Notification.objects.filter(pk__gt=last).exists()
        for callback in callbacks:
            callback()
        return result, list(Notification.objects.filter(pk__gt=last).order_by("pk"))

    return run


def trail(case) -> list[AssessmentEvent]:
    return list(AssessmentEvent.objects.filter(assessment=case.assessment).order_by("at", "pk"))


def recipients(notifications) -> set:
    return {n.recipient for n in notifications}


# The whole course.


def test_the_whole_course_from_draft_to_published_after_an_appeal(step):
    case = submitted_for_review(submit=False)
    assessment, head, staff = case.assessment, case.sa.head, case.sa.staff
    member, other, lead = case.team.members[0], case.team.members[1], case.team.lead
    org_people, team = {head, staff}, {lead, member, other}

    # draft → submitted: the head; the team hears of it.
    _, sent = step(lambda: submit(assessment, by=head))
    assert recipients(sent) == team and {n.kind for n in sent} == {"submitted"}

    # submitted → in review: a team member takes it up (nobody needs telling).
    event, sent = step(lambda: start_review(assessment=assessment, by=member))
    assert (event.kind, event.by, event.from_status, event.to_status) == (
        Kind.REVIEW_STARTED,
        member,
        "submitted",
        "in_review",
    )
    assert sent == [] and assessment.status == Status.IN_REVIEW

    # in review → returned: with a reason per indicator and a due date; the organization hears the reasons.
    due = timezone.localdate() + datetime.timedelta(days=10)
    _, sent = step(
        lambda: return_for_revision(
            assessment=assessment, flags={case.indicator("1.2"): "ไม่พบคำสั่งแต่งตั้ง"}, by=member, due=due
        )
    )
    event = trail(case)[-1]
    assert (event.kind, event.by, event.from_status, event.to_status, event.revision) == (
        Kind.RETURNED,
        member,
        "in_review",
        "returned",
        1,
    )
    assert event.data == {"indicators": {"1.2": "ไม่พบคำสั่งแต่งตั้ง"}, "due": due.isoformat()}
    assert (assessment.status, assessment.revision, assessment.revision_due) == (Status.RETURNED, 1, due)
    assert recipients(sent) == org_people and all("ไม่พบคำสั่งแต่งตั้ง" in n.body for n in sent)

    # returned → resubmitted: staff revise the flagged indicator, the head sends it again.
    case.answer("1.2", {"ticked": [case.option("1.2", p).pk for p in (1, 2, 3)]})
    event, sent = step(lambda: submit(assessment, by=head))
    assert (event.kind, event.from_status, event.to_status, event.revision) == (
        Kind.RESUBMITTED,
        "returned",
        "resubmitted",
        1,
    )
    assert recipients(sent) == team

    # resubmitted → in review: saving the first verified answer takes it up again.
    _, sent = step(lambda: case.score("1.1", {"level": case.option("1.1", 5).pk}, by=other))
    started, scored = trail(case)[-2:]
    assert (started.kind, started.by, started.from_status, started.to_status, started.revision) == (
        Kind.REVIEW_STARTED,
        other,
        "resubmitted",
        "in_review",
        1,
    )
    assert (scored.kind, scored.indicator, scored.data) == (
        Kind.SCORE_CHANGED,
        case.indicator("1.1"),
        {"indicator": "1.1", "from": None, "to": "4"},
    )
    assert sent == []
    case.score_as_claimed("1.3", "1.4", "1.5")
    case.score("1.2", {"ticked": [case.option("1.2", p).pk for p in (1, 2, 3)]})

    # in review → verified: the lead; the provincial office hears it awaits approval.
    event, sent = step(lambda: verify(assessment=assessment, by=lead))
    # 4 + 5 + 5 + 5 of 20 (1.5 confirmed not applicable: out of both).
    assert (event.kind, event.by, event.from_status, event.to_status, event.revision) == (
        Kind.VERIFIED,
        lead,
        "in_review",
        "verified",
        1,
    )
    assert event.data == {"points": "19", "percent": "95.00"}
    assert recipients(sent) == {case.office}

    # verified → approved: the provincial office; the organization and the team hear of it.
    event, sent = step(lambda: approve(assessment=assessment, by=case.office))
    assert (event.kind, event.by, event.from_status, event.to_status) == (
        Kind.APPROVED,
        case.office,
        "verified",
        "approved",
    )
    assert recipients(sent) == org_people | team

    # approved → published: the department, for the whole round; the organization hears of it.
    count, sent = step(lambda: publish_round(assessment_round=case.round, by=case.department))
    event = trail(case)[-1]
    assert count == 1 and Round.objects.get(pk=case.round.pk).phase == Round.Phase.APPEAL
    assert (event.kind, event.by, event.from_status, event.to_status) == (
        Kind.PUBLISHED,
        case.department,
        "approved",
        "published",
    )
    assert recipients(sent) == org_people

    # published → appealed: the head disputes one indicator; the team and the office hear of it.
    (appeal,), sent = step(
        lambda: open_appeal(assessment=assessment, arguments={case.indicator("1.1"): "มีภาพถ่ายครบทุกจุด"}, by=head)
    )
    event = trail(case)[-1]
    assert (event.kind, event.by, event.from_status, event.to_status) == (
        Kind.APPEAL_OPENED,
        head,
        "published",
        "appealed",
    )
    assert event.data == {"indicators": {"1.1": "มีภาพถ่ายครบทุกจุด"}}
    assert appeal.points_before == 4
    assert recipients(sent) == team | {case.office}

    # appealed → published: the lead accepts; the score changes and the result is published again.
    _, sent = step(
        lambda: answer_appeal(
            appeal=appeal,
            decision=Appeal.Decision.ACCEPTED,
            response="หลักฐานครบ",
            by=lead,
            data={"level": case.option("1.1", 6).pk},
        )
    )
    changed, answered, republished = trail(case)[-3:]
    assert (changed.kind, changed.note, changed.data) == (
        Kind.SCORE_CHANGED,
        "หลักฐานครบ",
        {"indicator": "1.1", "from": "4", "to": "5", "appeal": True},
    )
    assert (answered.kind, answered.by, answered.note, answered.data) == (
        Kind.APPEAL_ANSWERED,
        lead,
        "หลักฐานครบ",
        {"indicator": "1.1", "decision": "accepted", "from": "4", "to": "5"},
    )
    assert (republished.kind, republished.from_status, republished.to_status, republished.data) == (
        Kind.PUBLISHED,
        "appealed",
        "published",
        {"after_appeal": True},
    )
    assert {n.kind for n in sent} == {"appeal_answered", "published"} and recipients(sent) == org_people
    assert case.reload().status == Status.PUBLISHED

    assert [e.kind for e in trail(case) if e.kind != Kind.SCORE_CHANGED] == [
        "submitted",
        "review_started",
        "returned",
        "resubmitted",
        "review_started",
        "verified",
        "approved",
        "published",
        "appeal_opened",
        "appeal_answered",
        "published",
    ]


def test_reopening_an_approved_assessment_puts_it_back_in_review_with_the_reason(case, step):
    case.approved()
    event, sent = step(lambda: reopen(assessment=case.assessment, by=case.office, reason=" คะแนนตัวชี้วัด 1.3 คำนวณผิด "))
    assert (event.kind, event.by, event.from_status, event.to_status, event.note) == (
        Kind.REOPENED,
        case.office,
        "approved",
        "in_review",
        "คะแนนตัวชี้วัด 1.3 คำนวณผิด",
    )
    assert recipients(sent) == {case.team.lead, *case.team.members, case.sa.staff, case.sa.head}
    # The team scores again and the lead verifies again.
    case.score("1.3", {"figure": "75", "reason": "ตรวจนับใหม่ได้ร้อยละ 75"})
    verify(assessment=case.assessment, by=case.team.lead)
    assert case.reload().status == Status.VERIFIED


def test_the_department_may_reopen_a_verified_assessment(case):
    case.verified()
    reopen(assessment=case.assessment, by=case.department, reason="ตรวจสอบซ้ำตามข้อร้องเรียน")
    assert case.assessment.status == Status.IN_REVIEW


def test_the_provincial_office_may_return_an_assessment_no_team_has_taken_up(step):
    case = submitted_for_review(assign=False)
    _, sent = step(
        lambda: return_for_revision(
            assessment=case.assessment, flags={case.indicator("1.3"): "แนบรายงาน"}, by=case.office
        )
    )
    assert case.reload().status == Status.RETURNED
    assert case.reload().revision_due == timezone.localdate() + datetime.timedelta(days=7)
    assert recipients(sent) == {case.sa.head, case.sa.staff}


def test_starting_a_review_twice_records_it_once(case):
    assert start_review(assessment=case.assessment, by=case.team.members[0]) is not None
    assert start_review(assessment=case.assessment, by=case.team.lead) is None
    assert [e.kind for e in trail(case)].count(Kind.REVIEW_STARTED) == 1


def test_the_caller_object_follows_the_transition(case):
    stale_copy = Assessment.objects.get(pk=case.assessment.pk)
    start_review(assessment=stale_copy, by=case.team.lead)
    assert stale_copy.status == Status.IN_REVIEW


# The wrong person: PermissionDenied, nothing changes.


def test_an_assessor_not_on_the_assigned_team_may_do_nothing_of_the_review(case):
    outsider = review_team(case.round, name="คณะที่ 2").lead  # a Krabi team lead, of another team
    indicator = case.indicator("1.1")
    assert_refused(
        case, PermissionDenied, lambda outsider=outsider: start_review(assessment=case.assessment, by=outsider)
    )
    assert_refused(
        case,
        PermissionDenied,
        lambda outsider=outsider: return_for_revision(
            assessment=case.assessment, flags={indicator: "ขาด"}, by=outsider
        ),
    )
    assert_refused(
        case,
        PermissionDenied,
        lambda: save_verified_answer(
            assessment=case.assessment,
            indicator=indicator,
            data={"level": case.option("1.1", 5).pk},
            expected_version=0,
            by=outsider,
        ),
    )
    case.score_as_claimed()
    assert_refused(case, PermissionDenied, lambda outsider=outsider: verify(assessment=case.assessment, by=outsider))


def test_an_assessor_of_another_province_may_do_nothing_of_the_review(case):
    chonburi = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))
    assert_refused(case, PermissionDenied, lambda: start_review(assessment=case.assessment, by=chonburi))
    assert_refused(case, PermissionDenied, lambda: case.score("1.1", {"level": case.option("1.1", 5).pk}, by=chonburi))


def test_a_member_moved_to_another_province_no_longer_scores_through_the_old_team(case):
    member = case.team.members[0]
    assert is_team_member(member, case.assessment)
    member.roles.update(province=province("20"))
    member = type(member).objects.get(pk=member.pk)  # a new request: the scope is read again
    assert TeamMember.objects.filter(user=member, team=case.team.team).exists()
    assert not is_team_member(member, case.assessment)
    assert_refused(case, PermissionDenied, lambda: case.score("1.1", {"level": case.option("1.1", 5).pk}, by=member))


def test_a_deactivated_member_may_not_score(case):
    member = case.team.members[0]
    member.is_active = False
    member.save()
    assert_refused(case, PermissionDenied, lambda: start_review(assessment=case.assessment, by=member))


def test_only_the_lead_verifies(case):
    case.score_as_claimed()
    error = assert_refused(case, PermissionDenied, lambda: verify(assessment=case.assessment, by=case.team.members[0]))
    assert "หัวหน้าคณะผู้ประเมิน" in str(error)
    for outsider in (case.office, case.department, case.sa.head):
        assert_refused(
            case, PermissionDenied, lambda outsider=outsider: verify(assessment=case.assessment, by=outsider)
        )


def test_assessors_do_not_approve(case):
    case.verified()
    for assessor in (case.team.lead, case.team.members[0]):
        error = assert_refused(
            case, PermissionDenied, lambda assessor=assessor: approve(assessment=case.assessment, by=assessor)
        )
        assert "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด" in str(error)


def test_the_office_of_another_province_and_the_department_do_not_approve(case):
    case.verified()
    chonburi_office = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20"))
    assert_refused(case, PermissionDenied, lambda: approve(assessment=case.assessment, by=chonburi_office))
    assert_refused(case, PermissionDenied, lambda: approve(assessment=case.assessment, by=case.department))


def test_the_organization_does_nothing_of_the_reviewers(case):
    indicator = case.indicator("1.1")
    for person in (case.sa.head, case.sa.staff):
        assert_refused(
            case, PermissionDenied, lambda person=person: start_review(assessment=case.assessment, by=person)
        )
        assert_refused(
            case,
            PermissionDenied,
            lambda person=person: case.score("1.1", {"level": case.option("1.1", 5).pk}, by=person),
        )
        assert_refused(
            case,
            PermissionDenied,
            lambda person=person: return_for_revision(assessment=case.assessment, flags={indicator: "x"}, by=person),
        )
    case.score_as_claimed()
    for person in (case.sa.head, case.sa.staff):
        assert_refused(case, PermissionDenied, lambda person=person: verify(assessment=case.assessment, by=person))
    verify(assessment=case.assessment, by=case.team.lead)
    for person in (case.sa.head, case.sa.staff):
        assert_refused(case, PermissionDenied, lambda person=person: approve(assessment=case.assessment, by=person))
        assert_refused(
            case, PermissionDenied, lambda person=person: reopen(assessment=case.assessment, by=person, reason="ขอแก้")
        )
        assert_refused(case, PermissionDenied, lambda person=person: publish_round(assessment_round=case.round, by=person))


def test_the_office_does_not_score_or_verify(case):
    assert_refused(case, PermissionDenied, lambda: start_review(assessment=case.assessment, by=case.office))
    error = assert_refused(
        case, PermissionDenied, lambda: case.score("1.1", {"level": case.option("1.1", 5).pk}, by=case.office)
    )
    assert "คณะผู้ประเมินที่ได้รับมอบหมาย" in str(error)
    assert_refused(
        case, PermissionDenied, lambda: case.score("1.1", {"level": case.option("1.1", 5).pk}, by=case.department)
    )


def test_only_the_department_publishes(case):
    case.approved()
    for person in (case.office, case.team.lead, case.sa.head):
        error = assert_refused(case, PermissionDenied, lambda person=person: publish_round(assessment_round=case.round, by=person))
        assert "กรมส่งเสริมการปกครองท้องถิ่น" in str(error)
    system_admin = user_with_role(Role.Kind.SYSTEM_ADMIN)
    assert publish_round(assessment_round=case.round, by=system_admin) == 1


def test_assessors_and_other_offices_do_not_reopen(case):
    case.approved()
    chonburi_office = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20"))
    for person in (case.team.lead, case.team.members[0], chonburi_office):
        assert_refused(
            case, PermissionDenied, lambda person=person: reopen(assessment=case.assessment, by=person, reason="ขอแก้")
        )


def test_only_the_head_appeals(case):
    case.published()
    for person in (case.sa.staff, case.team.lead, case.office):
        assert_refused(
            case,
            PermissionDenied,
            lambda person=person: open_appeal(
                assessment=case.assessment, arguments={case.indicator("1.1"): "ไม่เห็นด้วย"}, by=person
            ),
        )


def test_only_the_lead_or_the_office_answers_an_appeal(case):
    (appeal,) = case.appealed()
    chonburi_office = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20"))
    for person in (case.team.members[0], case.sa.head, case.department, chonburi_office):
        assert_refused(
            case,
            PermissionDenied,
            lambda person=person: answer_appeal(
                appeal=appeal, decision=Appeal.Decision.REJECTED, response="ยืนผล", by=person
            ),
        )
    answer_appeal(appeal=appeal, decision=Appeal.Decision.REJECTED, response="ยืนผลเดิม", by=case.office)
    assert case.reload().status == Status.PUBLISHED


def test_the_verified_event_keeps_the_percentage_to_two_places():
    case = submitted_for_review(submit=False)
    case.sa.indicator(code="1.6", position=6, options=[0, 1, 2])
    case.answer("1.6", {"level": case.option("1.6", 2).pk})
    submit(case.assessment, by=case.sa.head)
    case.score_as_claimed()
    case.score("1.6", {"level": case.option("1.6", 2).pk})
    event = verify(assessment=case.assessment, by=case.team.lead)
    # 4 + 4 + 5 + 5 + 1 = 19 of 5 + 5 + 5 + 5 + 2 = 22 (1.5 confirmed N/A): 86.3636…%.
    assert event.data == {"points": "19", "percent": "86.36"}
