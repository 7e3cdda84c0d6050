import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from assessments.models import Assessment, Indicator, Round
from organizations.models import Organization, OrganizationTypeChange
from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with
from tests.factories import OrganizationFactory, district, province, user_with_role

pytestmark = pytest.mark.django_db


def opened_round(**fields) -> Round:
    round, (category,) = framework_with(RoundFactory(**fields))
    IndicatorFactory(category=category)
    return round


def test_fiscal_year_defaults_to_the_year_before():
    round = Round(year=2569)
    round.full_clean()
    assert round.fiscal_year == 2568


def test_new_round_has_the_default_bands_and_pass_mark():
    round = RoundFactory(year=2569)
    assert round.pass_mark == Decimal(70)
    assert [(b.label, b.min_percent) for b in round.bands.all()] == [
        ("ดีเด่น", Decimal(90)),
        ("ดีมาก", Decimal(80)),
        ("ดี", Decimal(70)),
    ]
    assert round.band_specs()[0].label == "ดีเด่น"


def test_christian_year_is_refused_in_thai():
    with pytest.raises(ValidationError) as error:
        Round(year=2026).full_clean()
    assert "ปีพุทธศักราช" in str(error.value)


def test_review_may_not_start_before_self_assessment_ends():
    round = Round(
        year=2569,
        self_assessment_opens=datetime.date(2026, 1, 1),
        self_assessment_closes=datetime.date(2026, 3, 31),
        review_opens=datetime.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError) as error:
        round.full_clean()
    assert error.value.message_dict["review_opens"] == ["วันเริ่มการตรวจประเมินต้องไม่ก่อนวันปิดการประเมินตนเอง"]


def test_window_closing_before_it_opens_is_refused_in_thai():
    round = Round(
        year=2569, appeal_opens=datetime.date(2026, 10, 1), appeal_closes=datetime.date(2026, 9, 15)
    )
    with pytest.raises(ValidationError) as error:
        round.full_clean()
    assert "วันปิดรับอุทธรณ์ต้องไม่ก่อนวันเปิดรับอุทธรณ์" in str(error.value)


def test_blank_dates_are_allowed_in_setup():
    Round(year=2569).full_clean()


def test_database_refuses_pass_mark_above_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.create(year=2569, fiscal_year=2568, pass_mark=Decimal(101))


def test_open_creates_one_assessment_per_active_organization():
    organizations = [OrganizationFactory() for _ in range(3)]
    OrganizationFactory(is_active=False)
    round = opened_round()
    official = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)

    assert round.open(by=official) == 3

    assert round.phase == Round.Phase.SELF_ASSESSMENT
    assert round.opened_by == official
    assert sorted(round.assessments.values_list("organization_id", flat=True)) == sorted(o.pk for o in organizations)
    assert set(round.assessments.values_list("status", flat=True)) == {Assessment.Status.DRAFT}


def test_open_keeps_the_type_the_organization_had_for_the_round():
    # Upgraded from อบต. to เทศบาลตำบล on 1 Oct 2024 (2567).
    upgraded = OrganizationFactory(type=Organization.Type.SUBDISTRICT_MUNICIPALITY, district=district("8104"))
    OrganizationTypeChange.objects.create(
        organization=upgraded,
        from_type=Organization.Type.SAO,
        to_type=Organization.Type.SUBDISTRICT_MUNICIPALITY,
        effective_date=datetime.date(2024, 10, 1),
    )
    official = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    earlier = opened_round(year=2567, self_assessment_opens=datetime.date(2024, 1, 15))
    later = opened_round(year=2568, self_assessment_opens=datetime.date(2025, 1, 15))

    earlier.open(by=official)
    later.open(by=official)

    assert earlier.assessments.get(organization=upgraded).org_type == Organization.Type.SAO
    assert later.assessments.get(organization=upgraded).org_type == Organization.Type.SUBDISTRICT_MUNICIPALITY
    assert upgraded.type_on(datetime.date(2024, 1, 15)) == Organization.Type.SAO  # the same rule as the model's


def test_open_without_window_uses_today_for_the_type():
    organization = OrganizationFactory(type=Organization.Type.TOWN_MUNICIPALITY)
    round = opened_round(self_assessment_opens=None, self_assessment_closes=None)
    round.open(by=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    assert round.assessments.get(organization=organization).org_type == Organization.Type.TOWN_MUNICIPALITY


def test_open_twice_is_refused():
    OrganizationFactory()
    round = opened_round()
    official = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    round.open(by=official)
    with pytest.raises(ValidationError, match="เปิดไปแล้ว"):
        round.open(by=official)
    assert Assessment.objects.count() == 1


def test_round_without_counted_indicators_cannot_open():
    round, (category,) = framework_with()
    IndicatorFactory(category=category, is_pilot=True)
    with pytest.raises(ValidationError, match="ยังไม่มีตัวชี้วัดที่นับคะแนน"):
        round.open(by=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    round.refresh_from_db()
    assert round.phase == Round.Phase.SETUP


def test_one_assessment_per_organization_and_round():
    round = opened_round()
    organization = OrganizationFactory()
    Assessment.objects.create(round=round, organization=organization, org_type=organization.type)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(round=round, organization=organization, org_type=organization.type)


def test_indicator_codes_are_unique_within_a_round_only():
    round, (category,) = framework_with()
    IndicatorFactory(category=category, code="1.1")
    other_round, (other_category,) = framework_with()
    IndicatorFactory(category=other_category, code="1.1")
    duplicate = Indicator(category=category, code="1.1", title="ซ้ำ", kind=Indicator.Kind.LEVELS)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "รหัสตัวชี้วัดนี้มีอยู่แล้ว" in str(error.value)


def test_indicator_must_apply_to_some_known_type():
    round, (category,) = framework_with()
    for applies_to in ([], ["bangkok"]):
        indicator = Indicator(category=category, code="X", title="x", kind=Indicator.Kind.LEVELS, applies_to=applies_to)
        with pytest.raises(ValidationError) as error:
            indicator.full_clean()
        assert "applies_to" in error.value.message_dict


def test_database_refuses_an_indicator_for_no_type():
    indicator = IndicatorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(applies_to=[])


def test_provincial_indicator_only_in_a_category_open_to_provinces():
    round, (closed, open_) = framework_with(dimensions=2, open_last=True)
    indicator = Indicator(category=closed, code="P1", title="x", kind=Indicator.Kind.LEVELS, province=province("81"))
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "province" in error.value.message_dict
    indicator.category = open_
    indicator.full_clean()


def test_all_or_nothing_needs_its_points():
    round, (category,) = framework_with()
    indicator = Indicator(category=category, code="A", title="x", kind=Indicator.Kind.ALL_OR_NOTHING)
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "all_or_nothing_points" in error.value.message_dict


def test_full_points_by_kind():
    assert IndicatorFactory().full_points == Decimal(5)
    assert IndicatorFactory(kind=Indicator.Kind.CHECKLIST, options=[2, 1, 1, 1]).full_points == Decimal(5)
    assert IndicatorFactory(kind=Indicator.Kind.FIGURE, options=[(5, 80), (3, 60)]).full_points == Decimal(5)
    aon = IndicatorFactory(kind=Indicator.Kind.ALL_OR_NOTHING, all_or_nothing_points=Decimal(5), options=[0, 0, 0])
    assert aon.full_points == Decimal(5)


# The stage a round shows comes from its dates (and set-up/closed), never from how far
# its furthest organization has gone: publishing two organizations leaves the rest
# self-assessing under a round that still says so.
STAGE_DATES = dict(
    self_assessment_opens=datetime.date(2026, 11, 1),
    self_assessment_closes=datetime.date(2027, 2, 5),
    review_opens=datetime.date(2027, 2, 15),
    review_closes=datetime.date(2027, 4, 30),
    appeal_opens=datetime.date(2027, 5, 10),
    appeal_closes=datetime.date(2027, 5, 31),
)


@pytest.mark.parametrize(
    "today, key, label",
    [
        (datetime.date(2026, 10, 31), "before", "รอเปิดประเมินตนเอง"),
        (datetime.date(2026, 11, 1), "self_assessment", "ประเมินตนเอง"),
        (datetime.date(2027, 2, 5), "self_assessment", "ประเมินตนเอง"),
        (datetime.date(2027, 2, 6), "waiting", "รอตรวจประเมิน"),
        (datetime.date(2027, 2, 15), "review", "ตรวจประเมิน"),
        (datetime.date(2027, 5, 1), "waiting", "รออุทธรณ์ผลการประเมิน"),
        (datetime.date(2027, 5, 20), "appeal", "อุทธรณ์ผลการประเมิน"),
        (datetime.date(2027, 6, 1), "ended", "สิ้นสุดช่วงอุทธรณ์ผลการประเมิน รอปิดรอบ"),
    ],
)
def test_stage_of_a_running_round_comes_from_its_dates(today, key, label):
    assessment_round = Round(year=2570, phase=Round.Phase.APPEAL, **STAGE_DATES)
    stage = assessment_round.stage(today)
    assert (stage.key, str(stage.label)) == (key, label)


def test_stage_in_setup_and_closed_follows_the_phase_whatever_the_dates():
    today = datetime.date(2026, 12, 1)
    assert Round(year=2570, phase=Round.Phase.SETUP, **STAGE_DATES).stage(today).key == "setup"
    assert Round(year=2570, phase=Round.Phase.CLOSED, **STAGE_DATES).stage(today).key == "closed"


def test_stage_without_dates_falls_back_to_the_phase():
    stage = Round(year=2570, phase=Round.Phase.SELF_ASSESSMENT).stage(datetime.date(2026, 12, 1))
    assert (stage.key, str(stage.label)) == ("self_assessment", "ประเมินตนเอง")


def test_publishing_does_not_relabel_a_round_still_in_self_assessment(client):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    assessment_round = RoundFactory(
        year=2570,
        phase=Round.Phase.APPEAL,
        self_assessment_opens=today - 10 * day,
        self_assessment_closes=today + 10 * day,
        review_opens=today + 20 * day,
        review_closes=today + 30 * day,
    )
    client.force_login(user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    page = client.get(assessment_round.get_absolute_url()).content.decode()
    assert ">ประเมินตนเอง</span>" in page
    assert ">อุทธรณ์ผลการประเมิน</span>" not in page
