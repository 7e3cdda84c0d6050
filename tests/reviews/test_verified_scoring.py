"""The team's verified answers (reviews.workflow.save_verified_answer) and the verified score.

Beside each self-assessed answer the team gives its own result, with the same scoring kinds;
a reason whenever the two differ; a decision on every claimed "not applicable". Two
assessors saving the same indicator from the same version never overwrite each other.
"""

from decimal import Decimal

import pytest

from assessments.models import Assessment, AssessmentEvent, Indicator
from assessments.selfassessment import AnswerInvalid, self_assessed_score, submit
from reviews.models import VerifiedAnswer
from reviews.workflow import (
    StaleVerifiedAnswer,
    TransitionRefused,
    save_verified_answer,
    verification_problems,
    verified_answer_for,
    verified_score,
)
from tests.assessments.factories import CategoryFactory, DimensionFactory, IndicatorFactory
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

Kind = AssessmentEvent.Kind


@pytest.fixture
def case():
    return submitted_for_review()


def stored(case, code) -> VerifiedAnswer:
    return VerifiedAnswer.objects.get(assessment=case.assessment, indicator__code=code)


def refused_fields(case, code, data) -> dict[str, list[str]]:
    """Save `data` for `code`, expecting a refusal; nothing may be written."""
    events = AssessmentEvent.objects.filter(assessment=case.assessment).count()
    with pytest.raises(AnswerInvalid) as raised:
        case.score(code, data)
    assert not VerifiedAnswer.objects.filter(assessment=case.assessment, indicator__code=code).exists()
    assert AssessmentEvent.objects.filter(assessment=case.assessment).count() == events
    assert case.reload().status == Assessment.Status.SUBMITTED
    return raised.value.message_dict


# Each kind, its points, and the reason rule.


def test_levels_store_the_level_and_its_points_and_need_no_reason_when_they_agree(case):
    verified = case.score("1.1", {"level": case.option("1.1", 5).pk})
    assert (verified.level.position, verified.points, verified.reason, verified.version) == (5, Decimal(4), "", 1)


def test_a_level_other_than_the_organizations_needs_a_reason(case):
    assert refused_fields(case, "1.1", {"level": case.option("1.1", 3).pk}) == {
        "reason": ["ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล"]
    }
    verified = case.score("1.1", {"level": case.option("1.1", 3).pk, "reason": "  ภาพถ่ายไม่ครบทุกจุด  "})
    assert (verified.points, verified.reason) == (Decimal(2), "ภาพถ่ายไม่ครบทุกจุด")


def test_a_checklist_scores_the_sum_of_the_ticked_criteria(case):
    agreed = case.score("1.2", {"ticked": [case.option("1.2", 1).pk, case.option("1.2", 2).pk]})
    assert agreed.points == Decimal(4) and sorted(o.position for o in agreed.ticked.all()) == [1, 2]
    fewer = case.score("1.2", {"ticked": [case.option("1.2", 1).pk], "reason": "ข้อ 2 ไม่มีหลักฐาน"})
    assert fewer.points == Decimal(2) and fewer.version == 2


def test_a_checklist_with_nothing_ticked_scores_zero_but_must_be_answered(case):
    assert refused_fields(case, "1.2", {"reason": "ไม่ผ่าน"}) == {"ticked": ["ระบุผลการตรวจของตัวชี้วัดนี้"]}
    assert case.score("1.2", {"ticked": [], "reason": "ไม่ผ่านทุกข้อ"}).points == 0


def test_a_figure_scores_the_best_band_it_reaches(case):
    assert case.score("1.3", {"figure": "85.0"}).points == Decimal(5)  # 85 = the organization's 85: no reason
    assert case.score("1.3", {"figure": "75", "reason": "นับใหม่ได้ร้อยละ 75"}).points == Decimal(3)
    assert case.score("1.3", {"figure": "49.99", "reason": "ต่ำกว่าเกณฑ์"}).points == Decimal(0)
    assert stored(case, "1.3").figure == Decimal("49.99")


def test_all_or_nothing_scores_only_when_every_item_is_met(case):
    options = [case.option("1.4", p).pk for p in (1, 2, 3)]
    assert case.score("1.4", {"ticked": options}).points == Decimal(5)
    assert case.score("1.4", {"ticked": options[:2], "reason": "ยังไม่จัดเก็บภาษีโรงแรม"}).points == Decimal(0)


def test_invalid_values_are_refused_per_field_in_thai(case):
    other = case.option("1.2", 1).pk  # a criterion of another indicator
    assert refused_fields(case, "1.1", {"level": other, "reason": "x"}) == {"level": ["ระดับที่เลือกไม่ใช่ระดับของตัวชี้วัดนี้"]}
    assert refused_fields(case, "1.1", {"level": case.option("1.1", 2).pk, "ticked": [other], "reason": "x"}) == {
        "ticked": ["ตัวชี้วัดนี้ไม่ได้ให้เลือกรายการ"]
    }
    assert refused_fields(case, "1.1", {"reason": "x"}) == {"level": ["ระบุผลการตรวจของตัวชี้วัดนี้"]}
    assert refused_fields(case, "1.2", {"ticked": [case.option("1.1", 1).pk], "reason": "x"}) == {
        "ticked": ["รายการที่เลือกไม่ใช่รายการของตัวชี้วัดนี้"]
    }
    assert refused_fields(case, "1.3", {"figure": "แปดสิบ", "reason": "x"}) == {
        "figure": ["กรอกค่าเป็นตัวเลข เช่น 85 หรือ 72.5"]
    }
    assert refused_fields(case, "1.3", {"figure": "-5", "reason": "x"}) == {"figure": ["ค่าตัวเลขต้องไม่ติดลบ"]}
    assert refused_fields(case, "1.3", {"figure": "", "reason": "x"}) == {"figure": ["ระบุผลการตรวจของตัวชี้วัดนี้"]}


def test_unknown_fields_are_a_programming_error(case):
    with pytest.raises(ValueError):
        case.score("1.1", {"levle": 1})


def test_an_indicator_that_does_not_apply_is_refused(case):
    for_pao = case.sa.indicator(code="9.1", applies_to=["pao"])
    with pytest.raises(TransitionRefused) as raised:
        save_verified_answer(
            assessment=case.assessment,
            indicator=for_pao,
            data={"level": for_pao.options.first().pk, "reason": "x"},
            expected_version=0,
            by=case.team.lead,
        )
    assert raised.value.messages == ["ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้"]
    assert case.reload().status == Assessment.Status.SUBMITTED


# A claimed "not applicable".


def test_a_claimed_not_applicable_must_be_confirmed_or_rejected(case):
    assert refused_fields(case, "1.5", {}) == {"na_confirmed": ["อปท. แจ้งว่าไม่มีภารกิจ: เลือกว่ายืนยันหรือไม่ยืนยัน"]}
    assert refused_fields(case, "1.5", {"na_confirmed": "ไม่แน่ใจ"}) == {
        "na_confirmed": ["อปท. แจ้งว่าไม่มีภารกิจ: เลือกว่ายืนยันหรือไม่ยืนยัน"]
    }


def test_a_confirmed_not_applicable_needs_no_reason_and_leaves_points_and_full_marks(case):
    confirmed = case.score("1.5", {"na_confirmed": True, "level": case.option("1.5", 6).pk})
    assert (confirmed.na_confirmed, confirmed.level, confirmed.points, confirmed.reason) == (True, None, 0, "")
    case.score_as_claimed("1.1", "1.2", "1.3", "1.4")
    score = verified_score(case.assessment)
    # 4 + 4 + 5 + 5 = 18 of 20: 1.5 is out of both points and full marks.
    assert (score.points, score.full_marks) == (Decimal(18), Decimal(20))
    assert {r.code: r.status for r in score.indicators}["1.5"] == "not_applicable"


def test_a_rejected_not_applicable_needs_a_value_and_a_reason(case):
    assert refused_fields(case, "1.5", {"na_confirmed": False, "reason": "มีท่าเรือ"}) == {
        "level": ["ระบุผลการตรวจของตัวชี้วัดนี้"]
    }
    assert refused_fields(case, "1.5", {"na_confirmed": False, "level": case.option("1.5", 4).pk}) == {
        "reason": ["ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล"]
    }
    rejected = case.score("1.5", {"na_confirmed": False, "level": case.option("1.5", 4).pk, "reason": "มีท่าเรือประมง"})
    assert (rejected.na_confirmed, rejected.points) == (False, Decimal(3))
    case.score_as_claimed("1.1", "1.2", "1.3", "1.4")
    score = verified_score(case.assessment)
    assert (score.points, score.full_marks) == (Decimal(21), Decimal(25))


@pytest.mark.parametrize("sent, confirmed", [("true", True), ("on", True), ("1", True), ("false", False), ("0", False)])
def test_the_not_applicable_decision_is_read_from_form_text(case, sent, confirmed):
    data = {"na_confirmed": sent}
    if not confirmed:
        data |= {"level": str(case.option("1.5", 2).pk), "reason": "มีภารกิจ"}
    assert case.score("1.5", data).na_confirmed is confirmed


def test_a_not_applicable_the_indicator_no_longer_allows_cannot_be_confirmed(case):
    # A framework correction withdrew the option after the organization claimed it.
    Indicator.objects.filter(pk=case.indicator("1.5").pk).update(allows_not_applicable=False)
    assert refused_fields(case, "1.5", {"na_confirmed": True}) == {
        "na_confirmed": ["ตัวชี้วัดนี้ไม่มีตัวเลือกไม่มีภารกิจแล้ว: ไม่ยืนยันและระบุผลการตรวจ"]
    }
    assert case.score("1.5", {"na_confirmed": False, "level": case.option("1.5", 1).pk, "reason": "มีภารกิจ"}).points == 0


def test_confirming_na_is_ignored_where_the_organization_claimed_none(case):
    verified = case.score("1.1", {"na_confirmed": True, "level": case.option("1.1", 5).pk})
    assert (verified.na_confirmed, verified.points) == (None, Decimal(4))


# Two assessors, the trail, and the review starting.


def test_the_second_of_two_assessors_saving_from_the_same_version_gets_the_first_result(case):
    first, second = case.team.members
    indicator = case.indicator("1.1")
    save_verified_answer(
        assessment=case.assessment,
        indicator=indicator,
        data={"level": case.option("1.1", 3).pk, "reason": "ขาดภาพถ่าย"},
        expected_version=0,
        by=first,
    )
    events = AssessmentEvent.objects.filter(assessment=case.assessment).count()
    with pytest.raises(StaleVerifiedAnswer) as stale:
        save_verified_answer(
            assessment=case.assessment,
            indicator=indicator,
            data={"level": case.option("1.1", 6).pk, "reason": "ครบ"},
            expected_version=0,
            by=second,
        )
    current = stale.value.current
    assert (current.level.position, current.reason, current.version, current.updated_by) == (3, "ขาดภาพถ่าย", 1, first)
    assert str(first) in stale.value.message and "ระบบจึงไม่บันทึกทับ" in stale.value.message
    assert (stored(case, "1.1").level.position, stored(case, "1.1").version) == (3, 1)
    assert AssessmentEvent.objects.filter(assessment=case.assessment).count() == events
    # Saving again from what they now see works.
    save_verified_answer(
        assessment=case.assessment,
        indicator=indicator,
        data={"level": case.option("1.1", 6).pk, "reason": "ครบ"},
        expected_version=1,
        by=second,
    )
    assert stored(case, "1.1").level.position == 6


def test_a_stale_save_on_a_submitted_assessment_does_not_start_the_review(case):
    VerifiedAnswer.objects.create(
        assessment=case.assessment, indicator=case.indicator("1.1"), version=3, updated_by=case.team.lead
    )
    with pytest.raises(StaleVerifiedAnswer):
        save_verified_answer(
            assessment=case.assessment,
            indicator=case.indicator("1.1"),
            data={"level": case.option("1.1", 5).pk},
            expected_version=0,
            by=case.team.lead,
        )
    assert case.reload().status == Assessment.Status.SUBMITTED
    assert not AssessmentEvent.objects.filter(assessment=case.assessment, kind=Kind.REVIEW_STARTED).exists()


def test_the_first_verified_answer_starts_the_review(case):
    member = case.team.members[1]
    case.score("1.1", {"level": case.option("1.1", 5).pk}, by=member)
    assert case.reload().status == Assessment.Status.IN_REVIEW
    started, scored = AssessmentEvent.objects.filter(
        assessment=case.assessment, kind__in=[Kind.REVIEW_STARTED, Kind.SCORE_CHANGED]
    )
    assert (started.kind, started.by, started.from_status, started.to_status) == (
        Kind.REVIEW_STARTED,
        member,
        "submitted",
        "in_review",
    )
    assert scored.kind == Kind.SCORE_CHANGED
    case.score("1.2", {"ticked": [case.option("1.2", 1).pk, case.option("1.2", 2).pk]})
    assert AssessmentEvent.objects.filter(assessment=case.assessment, kind=Kind.REVIEW_STARTED).count() == 1


def test_every_save_records_the_points_from_and_to_with_the_reason(case):
    case.score("1.1", {"level": case.option("1.1", 5).pk})
    case.score("1.1", {"level": case.option("1.1", 3).pk, "reason": "ภาพถ่ายไม่ครบ"}, by=case.team.lead)
    first, second = AssessmentEvent.objects.filter(assessment=case.assessment, kind=Kind.SCORE_CHANGED).order_by("pk")
    assert (first.indicator.code, first.data, first.note) == ("1.1", {"indicator": "1.1", "from": None, "to": "4"}, "")
    assert (second.by, second.data, second.note) == (
        case.team.lead,
        {"indicator": "1.1", "from": "4", "to": "2"},
        "ภาพถ่ายไม่ครบ",
    )
    assert (first.from_status, first.to_status) == ("", "")


def test_verification_problems_name_the_unscored_indicators_in_framework_order(case):
    case.score_as_claimed("1.3")
    assert [(p.indicator.code, p.message) for p in verification_problems(case.assessment)] == [
        ("1.1", "ยังไม่ได้บันทึกผลการตรวจ"),
        ("1.2", "ยังไม่ได้บันทึกผลการตรวจ"),
        ("1.4", "ยังไม่ได้บันทึกผลการตรวจ"),
        ("1.5", "ยังไม่ได้บันทึกผลการตรวจ"),
    ]
    case.score_as_claimed("1.1", "1.2", "1.4", "1.5")
    assert verification_problems(case.assessment) == []


def test_a_new_indicator_has_no_verified_answer_yet(case):
    fresh = verified_answer_for(case.assessment, case.indicator("1.1"))
    assert (fresh.pk, fresh.version, fresh.points) == (None, 0, 0)


# The verified score, by hand.


def test_the_verified_score_follows_the_team_and_differs_from_the_self_assessment_where_they_disagreed():
    case = submitted_for_review(submit=False)
    # A second dimension: 2.1 (levels 0, 5, 10); the organization chose 10, the team finds 5.
    dimension = DimensionFactory(round=case.round, number=2)
    IndicatorFactory(category=CategoryFactory(dimension=dimension), code="2.1", options=[0, 5, 10])
    case.answer("2.1", {"level": case.option("2.1", 3).pk})
    submit(case.assessment, by=case.sa.head)

    case.score("1.1", {"level": case.option("1.1", 3).pk, "reason": "ภาพถ่ายไม่ครบ"})  # level 3: 2 of 5 (self: 4)
    case.score_as_claimed("1.2")  # 2 + 2 = 4 of 5, agreed
    case.score("1.3", {"figure": "75", "reason": "นับใหม่ได้ร้อยละ 75"})  # ≥ 70: 3 of 5 (self: 85 → 5)
    case.score("1.4", {"ticked": [case.option("1.4", 1).pk, case.option("1.4", 2).pk], "reason": "ขาดข้อ 3"})  # 0 of 5
    case.score_as_claimed("1.5")  # confirmed N/A: out of points and full marks (as in the self score)
    case.score("2.1", {"level": case.option("2.1", 2).pk, "reason": "ไม่ครบตามเกณฑ์"}, by=case.team.lead)  # 5 of 10

    verified = verified_score(case.assessment)
    # Dimension 1: 2 + 4 + 3 + 0 = 9 of 20 = 45%. Dimension 2: 5 of 10 = 50%.
    # Overall: 14 of 30 = 46.666…%, not the mean of 45 and 50 (47.5). Below 70: fails.
    assert [(d.number, d.points, d.full_marks, d.percent) for d in verified.dimensions] == [
        (1, Decimal(9), Decimal(20), Decimal(45)),
        (2, Decimal(5), Decimal(10), Decimal(50)),
    ]
    assert (verified.points, verified.full_marks) == (Decimal(14), Decimal(30))
    assert verified.percent == Decimal("46.67")  # reported: 2 places, rounded once
    assert (verified.passed, verified.band) == (False, "ไม่ผ่านเกณฑ์")

    # Self-assessed: 4 + 4 + 5 + 5 of 20 (the organization's own N/A claim is out of its view),
    # and 10 of 10: 28 of 30 = 93.33%.
    own = self_assessed_score(case.assessment)
    assert (own.points, own.full_marks, own.percent) == (Decimal(28), Decimal(30), Decimal("93.33"))
    assert (own.passed, own.band) == (True, "ดีเด่น")


def test_unscored_indicators_count_zero_in_the_verified_score(case):
    case.score_as_claimed("1.1")
    score = verified_score(case.assessment)
    assert (score.points, score.full_marks) == (Decimal(4), Decimal(25))
