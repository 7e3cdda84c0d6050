"""Saving answers: each kind, bad input in Thai, who may edit, and two people saving at once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Role
from assessments.models import Answer, Indicator
from assessments.selfassessment import AnswerInvalid, AssessmentLocked, StaleAnswer, can_edit, edit_problem, save_answer
from organizations.models import Organization
from tests.assessments.factories import self_assessment
from tests.factories import OrganizationFactory, province, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def sa():
    return self_assessment()


def save(sa, indicator, data, *, version=0, by=None):
    return save_answer(
        assessment=sa.assessment, indicator=indicator, data=data, expected_version=version, by=by or sa.staff
    )


def test_staff_saves_a_level_and_the_version_goes_up(sa):
    indicator = sa.indicator()
    level = indicator.options.get(position=4)
    answer = save(sa, indicator, {"level": level.pk, "note": "  ตามคำสั่งที่ 12/2568 "})
    assert (answer.level, answer.version, answer.note, answer.updated_by) == (level, 1, "ตามคำสั่งที่ 12/2568", sa.staff)
    assert answer.is_answered and answer.updated_at and answer.answered_at
    again = save(sa, indicator, {"level": indicator.options.get(position=6)}, version=1, by=sa.head)
    assert again.pk == answer.pk and again.version == 2 and again.level.points == Decimal(5)
    assert Answer.objects.count() == 1


def test_checklist_keeps_the_ticked_criteria_and_an_empty_tick_list_is_an_answer(sa):
    indicator = sa.indicator(kind=Indicator.Kind.CHECKLIST, options=[2, 2, 1])
    first, _second, third = indicator.options.all()
    answer = save(sa, indicator, {"ticked": [first.pk, str(third.pk), third.pk]})
    assert set(answer.ticked.all()) == {first, third}
    answer = save(sa, indicator, {"ticked": []}, version=1)
    assert list(answer.ticked.all()) == [] and answer.is_answered


def test_a_checklist_saved_with_only_a_note_is_not_answered(sa):
    indicator = sa.indicator(kind=Indicator.Kind.ALL_OR_NOTHING, all_or_nothing_points=5, options=[0, 0])
    answer = save(sa, indicator, {"note": "กำลังรวบรวมเอกสาร"})
    assert not answer.is_answered and answer.note == "กำลังรวบรวมเอกสาร"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("85", Decimal(85)), ("1,250.50", Decimal("1250.5")), (" 72.5 ", Decimal("72.5")), ("๙๐", Decimal(90))],
)
def test_figure_accepts_numbers_as_people_type_them(sa, typed, stored):
    indicator = sa.indicator(kind=Indicator.Kind.FIGURE, options=[(1, 30), (5, 80)], unit="ร้อยละ")
    answer = save(sa, indicator, {"figure": typed})
    answer.refresh_from_db()
    assert answer.figure == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("แปดสิบ", "กรอกค่าเป็นตัวเลข"),
        ("NaN", "กรอกค่าเป็นตัวเลข"),
        ("-3", "ต้องไม่ติดลบ"),
        ("1.23456", "ทศนิยมได้ไม่เกิน 4 ตำแหน่ง"),
        ("1e20", "มากเกินไป"),
    ],
)
def test_bad_figures_are_refused_in_thai(sa, typed, message):
    indicator = sa.indicator(kind=Indicator.Kind.FIGURE, options=[(1, 30), (5, 80)])
    with pytest.raises(AnswerInvalid) as error:
        save(sa, indicator, {"figure": typed})
    assert message in error.value.message_dict["figure"][0]
    assert not Answer.objects.exists()


def test_a_level_of_another_indicator_is_refused(sa):
    indicator, other = sa.indicator(), sa.indicator()
    with pytest.raises(AnswerInvalid) as error:
        save(sa, indicator, {"level": other.options.first().pk})
    assert error.value.message_dict == {"level": ["ระดับที่เลือกไม่ใช่ระดับของตัวชี้วัดนี้"]}


def test_ticked_criteria_of_another_indicator_are_refused(sa):
    indicator = sa.indicator(kind=Indicator.Kind.CHECKLIST, options=[1, 1])
    other = sa.indicator(kind=Indicator.Kind.CHECKLIST, options=[1, 1])
    with pytest.raises(AnswerInvalid) as error:
        save(sa, indicator, {"ticked": [indicator.options.first().pk, other.options.first().pk]})
    assert error.value.message_dict == {"ticked": ["รายการที่เลือกไม่ใช่รายการของตัวชี้วัดนี้"]}


def test_values_of_another_kind_are_refused(sa):
    indicator = sa.indicator()  # levels
    with pytest.raises(AnswerInvalid) as error:
        save(sa, indicator, {"figure": "12", "ticked": [indicator.options.first().pk]})
    assert set(error.value.message_dict) == {"figure", "ticked"}


def test_not_applicable_needs_the_indicator_to_allow_it_and_a_reason(sa):
    strict = sa.indicator()
    with pytest.raises(AnswerInvalid) as error:
        save(sa, strict, {"not_applicable": True, "na_reason": "ไม่มีตลาด"})
    assert error.value.message_dict == {"not_applicable": ["ตัวชี้วัดนี้แจ้งไม่มีภารกิจไม่ได้"]}
    lenient = sa.indicator(allows_not_applicable=True)
    with pytest.raises(AnswerInvalid) as error:
        save(sa, lenient, {"not_applicable": True, "na_reason": "   "})
    assert error.value.message_dict == {"na_reason": ["ระบุเหตุผลที่ไม่มีภารกิจ"]}


def test_not_applicable_drops_the_values_left_in_the_form(sa):
    indicator = sa.indicator(allows_not_applicable=True)
    answer = save(sa, indicator, {"level": indicator.options.last().pk})
    answer = save(
        sa,
        indicator,
        {"not_applicable": True, "na_reason": "ไม่มีสถานีขนส่งในพื้นที่", "level": indicator.options.last().pk},
        version=1,
    )
    answer.refresh_from_db()
    assert answer.not_applicable and answer.level is None and answer.is_answered


def test_not_applicable_ignores_a_figure_left_in_the_box_even_an_unreadable_one(sa):
    indicator = sa.indicator(kind=Indicator.Kind.FIGURE, options=[(5, 80)], allows_not_applicable=True)
    answer = save(sa, indicator, {"figure": "85 ครับ", "not_applicable": True, "na_reason": "ไม่มีตลาด"})
    answer.refresh_from_db()
    assert answer.not_applicable and answer.figure is None


def test_the_database_refuses_not_applicable_without_a_reason(sa):
    indicator = sa.indicator(allows_not_applicable=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(assessment=sa.assessment, indicator=indicator, not_applicable=True)


def test_second_save_from_a_stale_form_gets_the_current_answer_and_overwrites_nothing(sa):
    indicator = sa.indicator()
    colleague = user_with_role(Role.Kind.ORG_STAFF, organization=sa.organization)
    # Both opened the form at version 0; the colleague saves first.
    save(sa, indicator, {"level": indicator.options.get(position=3).pk}, by=colleague)
    with pytest.raises(StaleAnswer) as stale:
        save(sa, indicator, {"level": indicator.options.get(position=6).pk}, version=0)
    assert stale.value.current.level.position == 3 and stale.value.current.version == 1
    assert "มีผู้บันทึกคำตอบของตัวชี้วัดนี้ไปก่อนแล้ว" in stale.value.message
    assert str(colleague) in stale.value.message
    assert Answer.objects.get().level.position == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_saves_at_the_same_moment_one_wins_and_the_other_is_told():
    sa = self_assessment()
    indicator = sa.indicator()
    colleague = user_with_role(Role.Kind.ORG_STAFF, organization=sa.organization)
    barrier, outcomes = threading.Barrier(2), []

    def attempt(user, position):
        barrier.wait()
        try:
            save(sa, indicator, {"level": indicator.options.get(position=position).pk}, by=user)
            outcomes.append("saved")
        except StaleAnswer:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=args) for args in ((sa.staff, 2), (colleague, 5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]
    assert Answer.objects.get().version == 1


def test_people_outside_the_organization_may_not_save(sa):
    indicator = sa.indicator()
    other_head = user_with_role(Role.Kind.ORG_HEAD, organization=OrganizationFactory())
    for outsider in (other_head, user_with_role(Role.Kind.PROVINCIAL_ADMIN), user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)):
        assert not can_edit(sa.assessment, indicator, user=outsider, today=timezone.localdate())
        with pytest.raises(PermissionDenied):
            save(sa, indicator, {"level": indicator.options.first().pk}, by=outsider)


def test_a_deactivated_staff_member_may_not_save(sa):
    indicator = sa.indicator()
    sa.staff.is_active = False
    sa.staff.save()
    with pytest.raises(PermissionDenied):
        save(sa, indicator, {"level": indicator.options.first().pk})


def test_indicators_for_another_type_or_province_are_not_editable(sa):
    for_pao = sa.indicator(applies_to=[Organization.Type.PAO])
    sa.category.open_to_provinces = True
    sa.category.save()
    chonburi = sa.indicator(province=province("20"))
    krabi = sa.indicator(province=province("81"))
    today = timezone.localdate()
    assert edit_problem(sa.assessment, for_pao, user=sa.staff, today=today) == "ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้"
    assert not can_edit(sa.assessment, chonburi, user=sa.staff, today=today)
    assert can_edit(sa.assessment, krabi, user=sa.staff, today=today)
    with pytest.raises(AssessmentLocked):
        save(sa, for_pao, {"level": for_pao.options.first().pk})


def test_an_indicator_of_another_round_is_not_editable(sa):
    other = self_assessment().indicator()
    assert edit_problem(sa.assessment, other, user=sa.staff, today=timezone.localdate()) == "ตัวชี้วัดนี้ไม่ใช้กับ อปท. นี้"


def test_unknown_fields_are_a_programming_error(sa):
    with pytest.raises(ValueError):
        save(sa, sa.indicator(), {"levle": 1})
