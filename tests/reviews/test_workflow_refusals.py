"""The review state machine (reviews/workflow/) refuses the wrong moment.

Approve before verify, verify with indicators unscored, score after verification, return
after it, reopen without a reason or once published, appeal outside the window or twice,
anything in a closed round: TransitionRefused with a Thai message saying why, and nothing
changes (status, trail, answers, notifications).
"""

import datetime

import pytest
from django.utils import timezone

from assessments.models import Assessment, Round
from assessments.selfassessment import submit
from reviews.models import Appeal
from reviews.workflow import (
    TransitionRefused,
    answer_appeal,
    approve,
    open_appeal,
    publish_round,
    reopen,
    return_for_revision,
    start_review,
    verify,
)
from tests.reviews.factories import assert_refused, submitted_for_review

pytestmark = pytest.mark.django_db

Status = Assessment.Status


@pytest.fixture
def case():
    return submitted_for_review()


def text(error) -> str:
    return " ".join(error.messages)


def test_approving_before_verification_is_refused(case):
    start_review(assessment=case.assessment, by=case.team.lead)
    error = assert_refused(case, TransitionRefused, lambda: approve(assessment=case.assessment, by=case.office))
    assert text(error) == "รับรองผลไม่ได้ เพราะการประเมินอยู่ในสถานะ “อยู่ระหว่างตรวจประเมิน”"


def test_verifying_with_unscored_indicators_lists_them(case):
    case.score_as_claimed("1.1", "1.3", "1.4")
    error = assert_refused(case, TransitionRefused, lambda: verify(assessment=case.assessment, by=case.team.lead))
    assert text(error) == (
        "ยังยืนยันผลไม่ได้: มี 2 ตัวชี้วัดที่ยังตรวจไม่ครบ ได้แก่ 1.2 (ยังไม่ได้บันทึกผลการตรวจ), 1.5 (ยังไม่ได้บันทึกผลการตรวจ)"
    )


def test_verifying_before_the_review_started_is_refused(case):
    error = assert_refused(case, TransitionRefused, lambda: verify(assessment=case.assessment, by=case.team.lead))
    assert text(error) == "ยืนยันผลการตรวจไม่ได้ เพราะการประเมินอยู่ในสถานะ “ส่งผลการประเมินตนเองแล้ว”"


def test_an_indicator_revised_after_a_return_must_be_scored_again_before_verifying(case):
    # Scored before the return, then revised by the organization: the old result no longer
    # answers what was sent (here 3 ticked instead of 2, and no reason for the difference).
    case.score_as_claimed()
    return_for_revision(assessment=case.assessment, flags={case.indicator("1.2"): "แนบคำสั่ง"}, by=case.team.lead)
    case.answer("1.2", {"ticked": [case.option("1.2", p).pk for p in (1, 2, 3)]})
    submit(case.assessment, by=case.sa.head)
    start_review(assessment=case.assessment, by=case.team.lead)
    error = assert_refused(case, TransitionRefused, lambda: verify(assessment=case.assessment, by=case.team.lead))
    assert text(error) == "ยังยืนยันผลไม่ได้: มี 1 ตัวชี้วัดที่ยังตรวจไม่ครบ ได้แก่ 1.2 (อปท. ส่งผลที่แก้ไขแล้ว ยังไม่ได้ตรวจอีกครั้ง)"
    case.score("1.2", {"ticked": [case.option("1.2", p).pk for p in (1, 2, 3)]})
    verify(assessment=case.assessment, by=case.team.lead)
    assert case.reload().status == Status.VERIFIED


def test_scoring_after_verification_or_approval_is_refused(case):
    case.verified()
    error = assert_refused(
        case, TransitionRefused, lambda: case.score("1.1", {"level": case.option("1.1", 2).pk, "reason": "x"})
    )
    assert text(error) == "บันทึกผลการตรวจไม่ได้ เพราะการประเมินอยู่ในสถานะ “ตรวจประเมินแล้ว”"
    approve(assessment=case.assessment, by=case.office)
    error = assert_refused(
        case, TransitionRefused, lambda: case.score("1.1", {"level": case.option("1.1", 2).pk, "reason": "x"})
    )
    assert text(error) == "บันทึกผลการตรวจไม่ได้ เพราะการประเมินอยู่ในสถานะ “จังหวัดรับรองผลแล้ว”"


def test_scoring_a_draft_or_a_returned_assessment_is_refused():
    case = submitted_for_review(submit=False)
    error = assert_refused(case, TransitionRefused, lambda: case.score("1.1", {"level": case.option("1.1", 5).pk}))
    assert text(error) == "บันทึกผลการตรวจไม่ได้ เพราะการประเมินอยู่ในสถานะ “กำลังประเมินตนเอง”"
    assert_refused(case, TransitionRefused, lambda: start_review(assessment=case.assessment, by=case.team.lead))
    submit(case.assessment, by=case.sa.head)
    return_for_revision(assessment=case.assessment, flags={case.indicator("1.3"): "แนบรายงาน"}, by=case.team.lead)
    error = assert_refused(case, TransitionRefused, lambda: case.score("1.1", {"level": case.option("1.1", 5).pk}))
    assert text(error) == "บันทึกผลการตรวจไม่ได้ เพราะการประเมินอยู่ในสถานะ “ส่งกลับให้แก้ไข”"
    error = assert_refused(case, TransitionRefused, lambda: start_review(assessment=case.assessment, by=case.team.lead))
    assert text(error) == "เริ่มตรวจประเมินไม่ได้ เพราะการประเมินอยู่ในสถานะ “ส่งกลับให้แก้ไข”"


def test_returning_after_verification_is_refused(case):
    case.verified()
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: return_for_revision(
            assessment=case.assessment, flags={case.indicator("1.1"): "ขาด"}, by=case.team.lead
        ),
    )
    assert text(error) == "ส่งกลับให้แก้ไขไม่ได้ เพราะการประเมินอยู่ในสถานะ “ตรวจประเมินแล้ว”"


def test_a_return_needs_an_indicator_a_reason_each_and_a_due_date_not_in_the_past(case):
    lead, one, two = case.team.lead, case.indicator("1.1"), case.indicator("1.2")
    error = assert_refused(
        case, TransitionRefused, lambda: return_for_revision(assessment=case.assessment, flags={}, by=lead)
    )
    assert text(error) == "เลือกตัวชี้วัดที่ต้องการให้แก้ไขอย่างน้อย 1 ตัวชี้วัด"
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: return_for_revision(assessment=case.assessment, flags={one: "ขาด", two: "  "}, by=lead),
    )
    assert error.messages == ["ระบุเหตุผลที่ส่งตัวชี้วัด 1.2 กลับให้แก้ไข"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: return_for_revision(assessment=case.assessment, flags={one: "ขาด"}, by=lead, due=yesterday),
    )
    assert error.message_dict == {"due": ["กำหนดส่งผลที่แก้ไขต้องไม่ก่อนวันนี้"]}


def test_returning_an_indicator_that_does_not_apply_is_refused(case):
    for_pao = case.sa.indicator(code="9.9", applies_to=["pao"])
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: return_for_revision(assessment=case.assessment, flags={for_pao: "ขาด"}, by=case.team.lead),
    )
    assert error.messages == ["ตัวชี้วัด 9.9 ไม่ใช้กับ อปท. นี้"]


def test_reopening_needs_a_reason(case):
    case.approved()
    error = assert_refused(
        case, TransitionRefused, lambda: reopen(assessment=case.assessment, by=case.office, reason="   ")
    )
    assert error.message_dict == {"reason": ["ระบุเหตุผลที่เปิดการตรวจประเมินอีกครั้ง"]}


def test_reopening_a_published_or_unverified_assessment_is_refused(case):
    start_review(assessment=case.assessment, by=case.team.lead)
    error = assert_refused(
        case, TransitionRefused, lambda: reopen(assessment=case.assessment, by=case.office, reason="แก้")
    )
    assert text(error) == "เปิดการตรวจประเมินอีกครั้งไม่ได้ เพราะการประเมินอยู่ในสถานะ “อยู่ระหว่างตรวจประเมิน”"
    case.score_as_claimed()
    verify(assessment=case.assessment, by=case.team.lead)
    approve(assessment=case.assessment, by=case.office)
    publish_round(assessment_round=case.round, by=case.department)
    error = assert_refused(
        case, TransitionRefused, lambda: reopen(assessment=case.assessment, by=case.department, reason="แก้")
    )
    assert text(error) == "เปิดการตรวจประเมินอีกครั้งไม่ได้ เพราะการประเมินอยู่ในสถานะ “ประกาศผลแล้ว”"


def test_appealing_before_publication_is_refused(case):
    case.approved()
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: open_appeal(assessment=case.assessment, arguments={case.indicator("1.1"): "ไม่เห็นด้วย"}, by=case.sa.head),
    )
    assert text(error) == "อุทธรณ์ผลการประเมินไม่ได้ เพราะการประเมินอยู่ในสถานะ “จังหวัดรับรองผลแล้ว”"


def test_appealing_outside_the_window_is_refused(case):
    case.published()
    today = timezone.localdate()
    case.round.appeal_opens, case.round.appeal_closes = (
        today + datetime.timedelta(days=1),
        today + datetime.timedelta(days=15),
    )
    case.round.save()
    arguments = {case.indicator("1.1"): "ไม่เห็นด้วย"}
    error = assert_refused(
        case, TransitionRefused, lambda: open_appeal(assessment=case.assessment, arguments=arguments, by=case.sa.head)
    )
    assert text(error).startswith("ยังไม่ถึงวันเปิดรับอุทธรณ์ (")
    later = today + datetime.timedelta(days=16)
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: open_appeal(assessment=case.assessment, arguments=arguments, by=case.sa.head, today=later),
    )
    assert text(error).startswith("พ้นกำหนดอุทธรณ์แล้ว (สิ้นวันที่ ")
    # The last day is still inside.
    last = today + datetime.timedelta(days=15)
    open_appeal(assessment=case.assessment, arguments=arguments, by=case.sa.head, today=last)
    assert case.reload().status == Status.APPEALED


def test_appealing_twice_is_refused(case):
    (appeal,) = case.appealed("1.1")
    answer_appeal(appeal=appeal, decision=Appeal.Decision.REJECTED, response="ยืนผลเดิม", by=case.team.lead)
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: open_appeal(assessment=case.assessment, arguments={case.indicator("1.3"): "อีกข้อ"}, by=case.sa.head),
    )
    assert text(error) == "อปท. นี้อุทธรณ์ผลการประเมินของรอบนี้ไปแล้ว (อุทธรณ์ได้ครั้งเดียว)"


def test_an_appeal_needs_an_indicator_and_an_argument_each(case):
    case.published()
    head = case.sa.head
    error = assert_refused(
        case, TransitionRefused, lambda: open_appeal(assessment=case.assessment, arguments={}, by=head)
    )
    assert text(error) == "เลือกตัวชี้วัดที่ต้องการอุทธรณ์อย่างน้อย 1 ตัวชี้วัด"
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: open_appeal(assessment=case.assessment, arguments={case.indicator("1.1"): " "}, by=head),
    )
    assert error.messages == ["ระบุเหตุผลการอุทธรณ์ตัวชี้วัด 1.1"]


def test_answering_an_answered_appeal_is_refused(case):
    first, _second = case.appealed("1.1", "1.3")
    answer_appeal(appeal=first, decision=Appeal.Decision.REJECTED, response="ยืนผลเดิม", by=case.team.lead)
    error = assert_refused(
        case,
        TransitionRefused,
        lambda: answer_appeal(appeal=first, decision=Appeal.Decision.REJECTED, response="อีกครั้ง", by=case.office),
    )
    assert text(error) == "อุทธรณ์นี้พิจารณาไปแล้ว"


def test_an_answer_needs_a_decision_and_a_response(case):
    (appeal,) = case.appealed()
    error = assert_refused(
        case, TransitionRefused, lambda: answer_appeal(appeal=appeal, decision="maybe", response=" ", by=case.office)
    )
    assert error.message_dict == {"decision": ["เลือกผลการพิจารณา"], "response": ["ระบุคำชี้แจงผลการพิจารณา"]}


@pytest.mark.parametrize(
    "phase, name",
    [(Round.Phase.CLOSED, "ปิดรอบการประเมิน"), (Round.Phase.SETUP, "จัดเตรียมกรอบการประเมิน")],
)
def test_nothing_moves_in_a_closed_round_or_one_in_set_up(phase, name):
    submitted = submitted_for_review()
    round = submitted.round
    scored, verified, approved_case, appealed_case = (submitted_for_review(round) for _ in range(4))
    scored.score_as_claimed()
    verified.verified()
    (appeal,) = appealed_case.appealed()
    approved_case.approved()
    Round.objects.filter(pk=round.pk).update(phase=phase)
    message = f"รอบการประเมินปี {round.year} {name} จึงเปลี่ยนแปลงไม่ได้"

    one = submitted.indicator("1.1")
    for action in (
        lambda: start_review(assessment=submitted.assessment, by=submitted.team.lead),
        lambda: submitted.score("1.1", {"level": submitted.option("1.1", 5).pk}),
        lambda: return_for_revision(assessment=submitted.assessment, flags={one: "ขาด"}, by=submitted.team.lead),
    ):
        assert text(assert_refused(submitted, TransitionRefused, action)) == message
    assert (
        text(
            assert_refused(scored, TransitionRefused, lambda: verify(assessment=scored.assessment, by=scored.team.lead))
        )
        == message
    )
    assert (
        text(
            assert_refused(
                verified, TransitionRefused, lambda: approve(assessment=verified.assessment, by=verified.office)
            )
        )
        == message
    )
    assert (
        text(
            assert_refused(
                approved_case,
                TransitionRefused,
                lambda: reopen(assessment=approved_case.assessment, by=approved_case.office, reason="แก้"),
            )
        )
        == message
    )
    assert (
        text(
            assert_refused(
                appealed_case,
                TransitionRefused,
                lambda: answer_appeal(
                    appeal=appeal, decision=Appeal.Decision.REJECTED, response="ยืนผล", by=appealed_case.office
                ),
            )
        )
        == message
    )
    error = assert_refused(
        approved_case, TransitionRefused, lambda: publish_round(assessment_round=round, by=approved_case.department)
    )
    assert "ยังไม่เปิดหรือปิดแล้ว จึงประกาศผลไม่ได้" in text(error)
