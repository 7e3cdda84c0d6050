"""Approval in bulk, publication of a round and appeals (reviews/workflow/)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Answer, Assessment, AssessmentEvent, Evidence, Round
from reviews.models import Appeal, VerifiedAnswer
from reviews.workflow import (
    TransitionRefused,
    answer_appeal,
    approve,
    approve_many,
    open_appeal,
    publish_round,
    reopen,
    start_review,
    verified_score,
    verify,
)
from tests.factories import district
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

Status = Assessment.Status
Kind = AssessmentEvent.Kind


def status(case) -> str:
    return case.reload().status


def kinds(case) -> list[str]:
    return list(
        AssessmentEvent.objects.filter(assessment=case.assessment).order_by("pk").values_list("kind", flat=True)
    )


# Approval, one or many.


def test_approve_many_approves_what_it_may_and_says_why_not_for_the_rest():
    ready = submitted_for_review()
    round = ready.round
    also_ready, in_review = submitted_for_review(round), submitted_for_review(round)
    elsewhere = submitted_for_review(round, district=district("2001"))  # ชลบุรี
    for case in (ready, also_ready, elsewhere):
        case.verified()
    start_review(assessment=in_review.assessment, by=in_review.team.lead)

    approved, refused = approve_many(
        assessments=[ready.assessment, in_review.assessment, elsewhere.assessment, also_ready.assessment],
        by=ready.office,
    )

    assert approved == [ready.assessment, also_ready.assessment]
    assert refused == {
        in_review.assessment: "รับรองผลไม่ได้ เพราะการประเมินอยู่ในสถานะ “อยู่ระหว่างตรวจประเมิน”",
        elsewhere.assessment: "เฉพาะสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดของ อปท. นี้เท่านั้นที่รับรองผลได้",
    }
    assert [status(c) for c in (ready, also_ready, in_review, elsewhere)] == [
        Status.APPROVED,
        Status.APPROVED,
        Status.IN_REVIEW,
        Status.VERIFIED,
    ]
    assert kinds(ready)[-1] == Kind.APPROVED and Kind.APPROVED not in kinds(in_review)


def test_approve_many_keeps_earlier_approvals_when_a_later_one_fails_in_the_database(monkeypatch):
    # Each approval is its own transaction: an unexpected error on the second (here a
    # database error while recording it) leaves the first approved.
    first = submitted_for_review()
    second = submitted_for_review(first.round)
    first.verified()
    second.verified()
    # Patched where move() looks it up: the workflow package's trail module.
    from reviews.workflow import trail

    real = trail.record

    def failing(assessment, kind, **kwargs):
        if assessment.pk == second.assessment.pk and kind == Kind.APPROVED:
            raise RuntimeError("database went away")
        return real(assessment, kind, **kwargs)

    monkeypatch.setattr(trail, "record", failing)
    with pytest.raises(RuntimeError):
        approve_many(assessments=[first.assessment, second.assessment], by=first.office)
    assert (status(first), status(second)) == (Status.APPROVED, Status.VERIFIED)


def test_approving_the_same_assessment_twice_refuses_the_second():
    case = submitted_for_review()
    case.verified()
    approve(assessment=case.assessment, by=case.office)
    with pytest.raises(TransitionRefused) as raised:
        approve(assessment=case.assessment, by=case.office)
    assert raised.value.messages == ["รับรองผลไม่ได้ เพราะการประเมินอยู่ในสถานะ “จังหวัดรับรองผลแล้ว”"]
    assert kinds(case).count(Kind.APPROVED) == 1


# Publication.


def test_publishing_moves_the_round_to_appeals_and_publishes_only_approved_results():
    first = submitted_for_review()
    round = first.round
    second, verified_only, untouched = (submitted_for_review(round) for _ in range(3))
    for case in (first, second, verified_only):
        case.verified()
    for case in (first, second):
        approve(assessment=case.assessment, by=case.office)

    assert publish_round(assessment_round=round, by=first.department) == 2

    assert round.phase == Round.Phase.APPEAL and Round.objects.get(pk=round.pk).phase == Round.Phase.APPEAL
    assert [status(c) for c in (first, second, verified_only, untouched)] == [
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.VERIFIED,
        Status.SUBMITTED,
    ]
    event = AssessmentEvent.objects.get(assessment=first.assessment, kind=Kind.PUBLISHED)
    assert (event.by, event.from_status, event.to_status) == (first.department, "approved", "published")


def test_publishing_again_publishes_later_approvals_only():
    early = submitted_for_review()
    late = submitted_for_review(early.round)
    early.verified()
    late.verified()
    approve(assessment=early.assessment, by=early.office)
    assert publish_round(assessment_round=early.round, by=early.department) == 1
    approve(assessment=late.assessment, by=late.office)  # still allowed in the appeal phase
    assert publish_round(assessment_round=early.round, by=early.department) == 1
    assert (status(early), status(late)) == (Status.PUBLISHED, Status.PUBLISHED)
    assert kinds(early).count(Kind.PUBLISHED) == 1
    assert publish_round(assessment_round=early.round, by=early.department) == 0


def test_publishing_with_nothing_approved_changes_nothing():
    case = submitted_for_review()
    case.verified()
    assert publish_round(assessment_round=case.round, by=case.department) == 0
    assert Round.objects.get(pk=case.round.pk).phase == Round.Phase.SELF_ASSESSMENT
    assert status(case) == Status.VERIFIED


def test_a_round_closed_after_the_page_was_opened_is_not_published():
    case = submitted_for_review()
    case.verified()
    approve(assessment=case.assessment, by=case.office)
    stale_round = Round.objects.get(pk=case.round.pk)  # read while running
    Round.objects.filter(pk=case.round.pk).update(phase=Round.Phase.CLOSED)
    with pytest.raises(TransitionRefused):
        publish_round(assessment_round=stale_round, by=case.department)
    assert status(case) == Status.APPROVED


# Appeals.


@pytest.fixture
def published():
    case = submitted_for_review()
    case.verified()
    approve(assessment=case.assessment, by=case.office)
    publish_round(assessment_round=case.round, by=case.department)
    return case


def appeal_on(case, *codes, evidence=None):
    return open_appeal(
        assessment=case.assessment,
        arguments={case.indicator(code): f"หลักฐาน {code} ครบ" for code in codes},
        evidence=evidence,
        by=case.sa.head,
    )


def test_an_appeal_records_the_points_before_and_the_arguments(published):
    first, second = appeal_on(published, "1.1", "1.3")
    assert [(a.indicator.code, a.points_before, a.argument, a.decision) for a in (first, second)] == [
        ("1.1", Decimal(4), "หลักฐาน 1.1 ครบ", ""),
        ("1.3", Decimal(5), "หลักฐาน 1.3 ครบ", ""),
    ]
    assert status(published) == Status.APPEALED


def test_an_accepted_appeal_changes_the_verified_answer_and_the_score(published):
    (appeal,) = appeal_on(published, "1.1")
    before = verified_score(published.assessment).points
    answered = answer_appeal(
        appeal=appeal,
        decision=Appeal.Decision.ACCEPTED,
        response="ภาพถ่ายครบตามที่ส่งเพิ่ม",
        by=published.team.lead,
        data={"level": published.option("1.1", 6).pk},
    )
    verified = VerifiedAnswer.objects.get(assessment=published.assessment, indicator__code="1.1")
    assert (verified.level.position, verified.points, verified.reason, verified.version) == (
        6,
        5,
        "ภาพถ่ายครบตามที่ส่งเพิ่ม",
        2,
    )
    assert (answered.decision, answered.points_after, answered.answered_by) == (
        "accepted",
        Decimal(5),
        published.team.lead,
    )
    assert verified_score(published.assessment).points == before + 1
    assert kinds(published)[-3:] == [Kind.SCORE_CHANGED, Kind.APPEAL_ANSWERED, Kind.PUBLISHED]
    assert status(published) == Status.PUBLISHED


def test_a_rejected_appeal_keeps_the_points(published):
    (appeal,) = appeal_on(published, "1.3")
    answered = answer_appeal(
        appeal=appeal, decision=Appeal.Decision.REJECTED, response="หลักฐานไม่ใหม่", by=published.office
    )
    assert (answered.decision, answered.points_before, answered.points_after) == ("rejected", Decimal(5), Decimal(5))
    assert VerifiedAnswer.objects.get(assessment=published.assessment, indicator__code="1.3").version == 1
    assert Kind.SCORE_CHANGED not in kinds(published)[-3:]
    event = AssessmentEvent.objects.get(assessment=published.assessment, kind=Kind.APPEAL_ANSWERED)
    assert event.data == {"indicator": "1.3", "decision": "rejected", "from": "5", "to": "5"}


def test_the_assessment_is_published_again_only_when_the_last_appeal_is_answered(published):
    first, second = appeal_on(published, "1.1", "1.3")
    answer_appeal(appeal=first, decision=Appeal.Decision.REJECTED, response="ยืนผลเดิม", by=published.team.lead)
    assert status(published) == Status.APPEALED
    assert kinds(published)[-1] == Kind.APPEAL_ANSWERED
    answer_appeal(
        appeal=second,
        decision=Appeal.Decision.ACCEPTED,
        response="นับใหม่",
        by=published.office,
        data={"figure": "72", "reason": "ignored: the response is the reason"},
    )
    assert status(published) == Status.PUBLISHED
    republished = AssessmentEvent.objects.filter(assessment=published.assessment, kind=Kind.PUBLISHED).last()
    assert (republished.from_status, republished.to_status, republished.by, republished.data) == (
        "appealed",
        "published",
        published.office,
        {"after_appeal": True},
    )
    assert VerifiedAnswer.objects.get(assessment=published.assessment, indicator__code="1.3").reason == "นับใหม่"


def test_an_accepted_appeal_without_a_new_result_is_refused_and_keeps_it_open(published):
    from assessments.selfassessment import AnswerInvalid

    (appeal,) = appeal_on(published, "1.1")
    with pytest.raises(AnswerInvalid) as raised:
        answer_appeal(appeal=appeal, decision=Appeal.Decision.ACCEPTED, response="รับ", by=published.team.lead)
    assert raised.value.message_dict == {"level": ["ระบุผลการตรวจของตัวชี้วัดนี้"]}
    appeal.refresh_from_db()
    assert not appeal.is_answered and status(published) == Status.APPEALED


def test_an_appeal_links_the_new_evidence_of_its_indicator(published):
    answer = Answer.objects.get(assessment=published.assessment, indicator__code="1.1")
    new = Evidence.objects.create(answer=answer, url="https://example.go.th/photos", uploaded_by=published.sa.head)
    (appeal,) = appeal_on(published, "1.1", evidence={published.indicator("1.1"): [new]})
    assert list(appeal.evidence.all()) == [new]


def test_evidence_of_another_indicator_or_organization_or_removed_is_refused(published):
    other = submitted_for_review(published.round)
    foreign = Evidence.objects.create(
        answer=Answer.objects.get(assessment=other.assessment, indicator__code="1.1"),
        url="https://x.go.th/a",
        uploaded_by=other.sa.head,
    )
    wrong_indicator = Evidence.objects.create(
        answer=Answer.objects.get(assessment=published.assessment, indicator__code="1.3"),
        url="https://x.go.th/b",
        uploaded_by=published.sa.head,
    )
    removed = Evidence.objects.create(
        answer=Answer.objects.get(assessment=published.assessment, indicator__code="1.1"),
        url="https://x.go.th/c",
        uploaded_by=published.sa.head,
        deleted_by=published.sa.head,
        deleted_at=timezone.now(),
    )
    one = published.indicator("1.1")
    for item in (foreign, wrong_indicator, removed):
        with pytest.raises(TransitionRefused) as raised:
            appeal_on(published, "1.1", evidence={one: [item]})
        assert raised.value.messages == ["หลักฐานที่เลือกไม่ใช่หลักฐานของตัวชี้วัด 1.1 ของ อปท. นี้"]
    with pytest.raises(TransitionRefused) as raised:
        appeal_on(published, "1.1", evidence={published.indicator("1.3"): [wrong_indicator]})
    assert raised.value.messages == ["แนบหลักฐานได้เฉพาะตัวชี้วัดที่อุทธรณ์ (1.3)"]
    assert not Appeal.objects.exists() and status(published) == Status.PUBLISHED


def test_unknown_answer_fields_in_an_appeal_answer_are_a_programming_error(published):
    (appeal,) = appeal_on(published, "1.1")
    with pytest.raises(ValueError):
        answer_appeal(appeal=appeal, decision="accepted", response="x", by=published.office, data={"levle": 1})


def test_a_reopened_then_reapproved_assessment_is_published_with_the_next_publication():
    case = submitted_for_review()
    case.verified()
    approve(assessment=case.assessment, by=case.office)
    reopen(assessment=case.assessment, by=case.department, reason="ตรวจสอบซ้ำ")
    assert publish_round(assessment_round=case.round, by=case.department) == 0
    verify(assessment=case.assessment, by=case.team.lead)
    approve(assessment=case.assessment, by=case.office)
    assert publish_round(assessment_round=case.round, by=case.department) == 1
    assert kinds(case)[-6:] == [
        Kind.VERIFIED,
        Kind.APPROVED,
        Kind.REOPENED,
        Kind.VERIFIED,
        Kind.APPROVED,
        Kind.PUBLISHED,
    ]


def test_publishing_takes_the_same_number_of_queries_for_one_or_many(django_capture_on_commit_callbacks):
    def approved_round(size):
        cases = [submitted_for_review()]
        cases += [submitted_for_review(cases[0].round) for _ in range(size - 1)]
        for case in cases:
            case.verified()
            approve(assessment=case.assessment, by=case.office)
        return cases

    counts = []
    for size in (1, 3):
        cases = approved_round(size)
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            assert publish_round(assessment_round=cases[0].round, by=cases[0].department) == size
        counts.append(len(queries))
        assert len(callbacks) == 1  # one batch of notifications, however many were published
        assert all(status(case) == Status.PUBLISHED for case in cases)
        assert AssessmentEvent.objects.filter(assessment__round=cases[0].round, kind=Kind.PUBLISHED).count() == size
    assert counts[0] == counts[1]
