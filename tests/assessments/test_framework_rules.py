"""Editing rules: free in set-up, corrections only once open, nothing once closed."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from assessments.framework import (
    FrameworkLocked,
    add_indicator,
    apply_correction,
    recompute_scores,
    remove_indicator,
    update_heading,
    update_indicator,
    update_round,
)
from assessments.models import AssessmentEvent, FrameworkCorrection, Indicator, Round
from organizations.models import Organization
from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with
from tests.factories import OrganizationFactory, district, province, user_with_role

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = (
    "รอบการประเมินปี {year} เปิดแล้ว การแก้ไขที่กระทบคะแนนต้องทำเป็นการแก้ไขกรอบการประเมิน"
    "โดยเจ้าหน้าที่กรมส่งเสริมการปกครองท้องถิ่น พร้อมระบุเหตุผล"
)
NEW_LEVELS = [{"label": f"ระดับ {n}", "points": n} for n in range(0, 11, 2)]  # 0–10


@pytest.fixture
def official():
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


@pytest.fixture
def krabi_admin():
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))


@pytest.fixture
def world(official):
    """A round with one national indicator (for every type) and one for อบจ. only, opened for
    an อบต. and an อบจ. in กระบี่ and an อบต. in ชลบุรี."""
    round, (category,) = framework_with(RoundFactory(year=2569))
    indicator = IndicatorFactory(category=category, code="1.1")
    pao_only = IndicatorFactory(category=category, code="1.2", applies_to=[Organization.Type.PAO])
    sao = OrganizationFactory(type=Organization.Type.SAO)
    pao = OrganizationFactory(type=Organization.Type.PAO)
    chonburi_sao = OrganizationFactory(type=Organization.Type.SAO, district=district("2001"))
    return {
        "round": round,
        "category": category,
        "indicator": indicator,
        "pao_only": pao_only,
        "organizations": {"sao": sao, "pao": pao, "chonburi_sao": chonburi_sao},
    }


def open_(round: Round, by) -> Round:
    round.open(by=by)
    return round


def assessment_ids(round: Round, *keys: str, world: dict) -> list[int]:
    organizations = [world["organizations"][key] for key in keys]
    return sorted(round.assessments.filter(organization__in=organizations).values_list("pk", flat=True))


# Set-up: free.


def test_setup_framework_is_freely_editable(world, official):
    indicator = world["indicator"]
    result = update_indicator(
        indicator, changes={"is_pilot": True, "options": NEW_LEVELS, "title": "ใหม่"}, by=official
    )
    assert result is None
    indicator.refresh_from_db()
    assert indicator.is_pilot and indicator.title == "ใหม่" and indicator.full_points == Decimal(10)
    assert not FrameworkCorrection.objects.exists()


def test_invalid_change_is_refused_with_field_errors(world, official):
    with pytest.raises(ValidationError) as error:
        update_indicator(world["indicator"], changes={"applies_to": []}, by=official)
    assert "applies_to" in error.value.message_dict


def test_figure_bands_need_thresholds(world, official):
    with pytest.raises(ValidationError, match="เกณฑ์ขั้นต่ำ"):
        update_indicator(world["indicator"], changes={"kind": Indicator.Kind.FIGURE}, by=official)


# Open: score changes only as corrections.


def test_score_change_after_opening_is_refused_with_the_thai_message(world, official):
    round = open_(world["round"], official)
    with pytest.raises(FrameworkLocked) as error:
        update_indicator(world["indicator"], changes={"options": NEW_LEVELS}, by=official)
    assert error.value.messages == [LOCKED_MESSAGE.format(year=2569)]
    assert world["indicator"].options.count() == 6
    assert round.phase == Round.Phase.SELF_ASSESSMENT


@pytest.mark.parametrize(
    "changes",
    [
        {"is_pilot": True},
        {"allows_not_applicable": True},
        {"applies_to": ["sao"]},
        {"kind": Indicator.Kind.CHECKLIST},
        {"options": [{"label": "ข้อ 1", "points": 0}, {"label": "ข้อ 2", "points": 7}]},
    ],
)
def test_every_scoring_change_is_refused_after_opening(world, official, changes):
    open_(world["round"], official)
    with pytest.raises(FrameworkLocked):
        update_indicator(world["indicator"], changes=changes, by=official)


def test_wording_may_change_after_opening(world, official):
    open_(world["round"], official)
    indicator = world["indicator"]
    relabelled = [{"label": f"ระดับที่ {n}", "points": n} for n in range(6)]
    update_indicator(
        indicator, changes={"title": "ชื่อใหม่", "evidence_required": "คำสั่ง", "options": relabelled}, by=official
    )
    indicator.refresh_from_db()
    assert indicator.title == "ชื่อใหม่"
    assert indicator.options.first().label == "ระดับที่ 0"
    assert not FrameworkCorrection.objects.exists()


def test_correction_by_department_official_is_recorded_with_reason(world, official):
    round = open_(world["round"], official)
    indicator = world["indicator"]

    correction = update_indicator(
        indicator, changes={"options": NEW_LEVELS}, by=official, reason="คะแนนเต็มตามหนังสือสั่งการ"
    )

    indicator.refresh_from_db()
    assert indicator.full_points == Decimal(10)
    assert correction == FrameworkCorrection.objects.get()
    assert (correction.round, correction.indicator, correction.made_by) == (round, indicator, official)
    assert correction.reason == "คะแนนเต็มตามหนังสือสั่งการ"
    assert correction.indicator_code == "1.1"
    options = correction.changes["options"]
    assert options["before"][5]["points"] == "5.00" and options["after"][5]["points"] == "10.00"
    assert correction.affected_assessments == 3
    # Each affected assessment's audit trail shows it.
    events = AssessmentEvent.objects.filter(kind=AssessmentEvent.Kind.CORRECTION)
    assert events.count() == 3
    assert {(e.note, e.by, e.indicator, e.data["correction"]) for e in events} == {
        ("คะแนนเต็มตามหนังสือสั่งการ", official, indicator, correction.pk)
    }


def test_removing_an_indicator_by_correction_keeps_its_trail(world, official):
    open_(world["round"], official)
    indicator = world["indicator"]
    remove_indicator(indicator, by=official, reason="ตัวชี้วัดซ้ำกับข้อ 1.2")
    events = AssessmentEvent.objects.filter(kind=AssessmentEvent.Kind.CORRECTION)
    assert events.count() == 3
    # The indicator is gone (SET_NULL, which the append-only trigger allows); its code stays.
    assert {(e.indicator, e.data["indicator"]) for e in events} == {(None, "1.1")}


def test_correction_without_reason_is_refused(world, official):
    open_(world["round"], official)
    with pytest.raises(ValidationError) as error:
        apply_correction(indicator=world["indicator"], changes={"is_pilot": True}, reason="  ", by=official)
    assert "ต้องระบุเหตุผล" in str(error.value)
    assert not FrameworkCorrection.objects.exists()


def test_correction_by_provincial_admin_is_refused(world, official, krabi_admin):
    open_(world["round"], official)
    with pytest.raises(PermissionDenied):
        apply_correction(indicator=world["indicator"], changes={"is_pilot": True}, reason="ขอแก้", by=krabi_admin)
    with pytest.raises(PermissionDenied):
        update_indicator(world["indicator"], changes={"is_pilot": True}, reason="ขอแก้", by=krabi_admin)
    world["indicator"].refresh_from_db()
    assert not world["indicator"].is_pilot
    assert not FrameworkCorrection.objects.exists()


def test_system_admin_may_correct(world, official):
    open_(world["round"], official)
    admin = user_with_role(Role.Kind.SYSTEM_ADMIN)
    apply_correction(indicator=world["indicator"], changes={"is_pilot": True}, reason="นำร่อง", by=admin)
    assert FrameworkCorrection.objects.get().made_by == admin


def test_recompute_scores_finds_the_assessments_an_indicator_applies_to(world, official):
    round = open_(world["round"], official)
    assert recompute_scores(round, [world["indicator"]]) == assessment_ids(round, "sao", "pao", "chonburi_sao", world=world)
    assert recompute_scores(round, [world["pao_only"]]) == assessment_ids(round, "pao", world=world)


def test_recompute_scores_of_a_provincial_indicator_stays_in_its_province(world, official):
    round = world["round"]
    world["category"].open_to_provinces = True
    world["category"].save()
    krabi = IndicatorFactory(category=world["category"], code="9.1", province=province("81"), applies_to=["sao"])
    open_(round, official)
    assert recompute_scores(round, [krabi]) == assessment_ids(round, "sao", world=world)


def test_correction_of_applicability_recomputes_old_and_new_types(world, official):
    open_(world["round"], official)
    correction = apply_correction(
        indicator=world["pao_only"], changes={"applies_to": ["sao"]}, reason="ใช้กับ อบต. แทน", by=official
    )
    assert correction.affected_assessments == 3  # the อบจ. it left and both อบต. it now covers
    assert correction.changes == {"applies_to": {"before": ["pao"], "after": ["sao"]}}


def test_adding_an_indicator_after_opening_needs_a_correction(world, official):
    round = open_(world["round"], official)
    fields = {"code": "1.3", "title": "ใหม่", "kind": Indicator.Kind.LEVELS, "applies_to": ["pao"]}
    options = [{"label": "มี", "points": 5}]
    with pytest.raises(FrameworkLocked):
        add_indicator(category=world["category"], fields=fields, options=options, by=official)
    indicator = add_indicator(category=world["category"], fields=fields, options=options, by=official, reason="เพิ่ม")
    correction = FrameworkCorrection.objects.get()
    assert correction.indicator == indicator and correction.changes["indicator"]["before"] is None
    assert correction.affected_assessments == len(assessment_ids(round, "pao", world=world))


def test_removing_an_indicator_after_opening_keeps_a_snapshot(world, official):
    open_(world["round"], official)
    with pytest.raises(FrameworkLocked):
        remove_indicator(world["pao_only"], by=official)
    correction = remove_indicator(world["pao_only"], by=official, reason="ยกเลิกตัวชี้วัด")
    correction.refresh_from_db()
    assert not Indicator.objects.filter(code="1.2").exists()
    assert correction.indicator is None and correction.indicator_code == "1.2"
    assert correction.changes["indicator"]["before"]["applies_to"] == ["pao"]


def test_pass_mark_change_after_opening_is_a_recorded_correction(world, official):
    round = open_(world["round"], official)
    with pytest.raises(FrameworkLocked):
        update_round(round, changes={"pass_mark": Decimal(60)}, by=official)
    correction = update_round(round, changes={"pass_mark": Decimal(60)}, by=official, reason="มติคณะกรรมการ")
    assert round.pass_mark == Decimal(60)
    assert correction.indicator is None
    assert correction.changes == {"pass_mark": {"before": "70.00", "after": "60.00"}}
    assert correction.affected_assessments == 3


def test_dates_may_change_after_opening_but_not_the_year(world, official):
    import datetime

    round = open_(world["round"], official)
    update_round(round, changes={"review_closes": datetime.date(2026, 9, 30)}, by=official)
    assert round.review_closes == datetime.date(2026, 9, 30)
    with pytest.raises(FrameworkLocked):
        update_round(round, changes={"year": 2570}, by=official, reason="พิมพ์ผิด")


def test_headings_may_be_renamed_but_not_restructured_after_opening(world, official):
    open_(world["round"], official)
    category = world["category"]
    update_heading(category, changes={"name": "การวางแผนพัฒนาท้องถิ่น"}, by=official)
    with pytest.raises(FrameworkLocked):
        update_heading(category, changes={"open_to_provinces": True}, by=official)


# Closed: nothing.


def test_closed_round_refuses_everything(world, official):
    round = open_(world["round"], official)
    Round.objects.filter(pk=round.pk).update(phase=Round.Phase.CLOSED)
    round.refresh_from_db()
    indicator = world["indicator"]
    attempts = [
        lambda: update_indicator(indicator, changes={"title": "แก้ถ้อยคำ"}, by=official),
        lambda: update_indicator(indicator, changes={"is_pilot": True}, by=official, reason="แก้"),
        lambda: apply_correction(indicator=indicator, changes={"is_pilot": True}, reason="แก้", by=official),
        lambda: remove_indicator(indicator, by=official, reason="แก้"),
        lambda: add_indicator(
            category=world["category"],
            fields={"code": "X", "title": "x", "kind": Indicator.Kind.LEVELS},
            options=[{"label": "x", "points": 1}],
            by=official,
            reason="แก้",
        ),
        lambda: update_round(round, changes={"title": "ใหม่"}, by=official),
        lambda: update_round(round, changes={"pass_mark": Decimal(50)}, by=official, reason="แก้"),
        lambda: update_heading(world["category"], changes={"name": "ใหม่"}, by=official),
    ]
    for attempt in attempts:
        with pytest.raises(FrameworkLocked, match="ปิดแล้ว"):
            attempt()
    indicator.refresh_from_db()
    assert (indicator.title, indicator.is_pilot) == ("ตัวชี้วัด 1.1", False)
    assert not FrameworkCorrection.objects.exists()


# Provinces and their own indicators.


def test_province_adds_its_own_indicator_to_an_open_category_in_setup(krabi_admin):
    round, (category,) = framework_with(open_last=True)
    indicator = add_indicator(
        category=category,
        fields={"code": "9.1", "title": "ส่งเสริมการท่องเที่ยว", "kind": Indicator.Kind.LEVELS, "province": province("81")},
        options=[{"label": "ไม่มี", "points": 0}, {"label": "มี", "points": 5}],
        by=krabi_admin,
    )
    assert indicator.province.code == "81" and indicator.full_points == Decimal(5)
    update_indicator(indicator, changes={"title": "ส่งเสริมการท่องเที่ยวเชิงนิเวศ"}, by=krabi_admin)


def test_province_may_not_touch_national_or_other_provinces_indicators(world, krabi_admin):
    with pytest.raises(PermissionDenied):
        update_indicator(world["indicator"], changes={"title": "x"}, by=krabi_admin)
    world["category"].open_to_provinces = True
    world["category"].save()
    with pytest.raises(PermissionDenied):
        add_indicator(
            category=world["category"],
            fields={"code": "9.1", "title": "x", "kind": Indicator.Kind.LEVELS, "province": province("20")},
            options=[{"label": "x", "points": 5}],
            by=krabi_admin,
        )


def test_province_may_not_add_to_a_closed_category(world, krabi_admin):
    with pytest.raises(ValidationError) as error:
        add_indicator(
            category=world["category"],
            fields={"code": "9.1", "title": "x", "kind": Indicator.Kind.LEVELS, "province": province("81")},
            options=[{"label": "x", "points": 5}],
            by=krabi_admin,
        )
    assert "province" in error.value.message_dict


def test_indicator_cannot_move_to_another_rounds_category(world, official):
    other_round, (other_category,) = framework_with()
    with pytest.raises(ValidationError) as error:
        update_indicator(world["indicator"], changes={"category": other_category}, by=official)
    assert "category" in error.value.message_dict
    assert world["round"].indicators.filter(code="1.1").exists()
