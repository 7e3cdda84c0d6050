from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from assessments.framework import copy_round, specs_for_round, update_indicator
from assessments.models import Indicator, IndicatorOption, ResultBand, Round
from assessments.scoring import Answer, score_assessment
from organizations.models import Organization
from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with
from tests.factories import province, user_with_role

pytestmark = pytest.mark.django_db


def framework_snapshot(round: Round) -> list:
    return [
        (
            i.category.dimension.number,
            i.category.dimension.name,
            i.category.number,
            i.category.open_to_provinces,
            i.code,
            i.title,
            i.kind,
            i.applies_to,
            i.is_pilot,
            i.allows_not_applicable,
            i.all_or_nothing_points,
            i.province_id,
            i.position,
            [(o.position, o.label, o.points, o.threshold) for o in i.options.all()],
        )
        for i in round.indicators.select_related("category__dimension").prefetch_related("options")
    ]


@pytest.fixture
def source():
    round, (planning, provincial) = framework_with(RoundFactory(year=2568, title="LPA 2568"), dimensions=2, open_last=True)
    IndicatorFactory(category=planning, code="1.1", kind=Indicator.Kind.CHECKLIST, options=[2, 1, 1, 1])
    IndicatorFactory(category=planning, code="1.2", kind=Indicator.Kind.FIGURE, options=[(5, 80), (3, 60)], unit="%")
    IndicatorFactory(
        category=planning,
        code="1.3",
        kind=Indicator.Kind.ALL_OR_NOTHING,
        all_or_nothing_points=Decimal(5),
        options=[0, 0, 0],
        applies_to=[Organization.Type.PAO],
    )
    IndicatorFactory(category=planning, code="1.4", is_pilot=True, allows_not_applicable=True)
    IndicatorFactory(category=provincial, code="2.1", province=province("81"))
    return round


def test_copy_round_copies_the_whole_framework_into_setup(source):
    official = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    Round.objects.filter(pk=source.pk).update(phase=Round.Phase.CLOSED)
    copy = copy_round(source, year=2569, by=official)
    assert (copy.year, copy.fiscal_year, copy.phase, copy.copied_from) == (2569, 2568, Round.Phase.SETUP, source)
    assert copy.title == "LPA 2569"
    assert framework_snapshot(copy) == framework_snapshot(source)
    assert list(copy.bands.values_list("label", "min_percent")) == list(source.bands.values_list("label", "min_percent"))


def test_copy_round_leaves_the_source_untouched(source):
    official = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    before = framework_snapshot(source)
    indicator_ids = set(source.indicators.values_list("pk", flat=True))
    copy = copy_round(source, year=2569, by=official)

    copied = copy.indicators.get(code="1.1")
    update_indicator(copied, changes={"title": "ปรับปรุงใหม่", "options": [{"label": "ข้อเดียว", "points": 9}]}, by=official)
    copy.bands.all().delete()

    assert framework_snapshot(source) == before
    assert set(source.indicators.values_list("pk", flat=True)) == indicator_ids
    assert ResultBand.objects.filter(round=source).count() == 3
    assert not set(copy.indicators.values_list("pk", flat=True)) & indicator_ids
    assert IndicatorOption.objects.filter(indicator__round=source).count() == 4 + 2 + 3 + 6 + 6


def test_copy_round_refuses_an_existing_year(source):
    with pytest.raises(ValidationError, match="มีรอบการประเมินปี 2568 อยู่แล้ว"):
        copy_round(source, year=2568, by=None)


def test_copy_round_is_for_the_department(source):
    with pytest.raises(PermissionDenied):
        copy_round(source, year=2569, by=user_with_role(Role.Kind.PROVINCIAL_ADMIN))


def test_specs_from_the_database_score_like_hand_built_ones(source):
    specs = {spec.code: spec for spec in specs_for_round(source)}
    assert list(specs) == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    checklist = source.indicators.get(code="1.1")
    figure = source.indicators.get(code="1.2")
    first_two = frozenset(checklist.options.values_list("pk", flat=True)[:2])
    answers = {"1.1": Answer(ticked=first_two), "1.2": Answer(figure=Decimal("75.5")), "2.1": Answer(level=None)}
    result = score_assessment(
        indicators=list(specs.values()),
        answers=answers,
        org_type=Organization.Type.SAO,
        pass_mark=source.pass_mark,
        bands=source.band_specs(),
        province="81",
    )
    # 1.1: 2 + 1 of 5; 1.2: 75.5% → 3 of 5; 1.3 is for อบจ.; 1.4 a pilot; 2.1 (กระบี่) 0 of 5.
    assert (result.points, result.full_marks) == (Decimal(6), Decimal(15))
    assert figure.full_points == specs["1.2"].full_points == Decimal(5)
    assert result.band == "ไม่ผ่านเกณฑ์"
