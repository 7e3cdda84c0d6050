from collections import Counter
from decimal import Decimal

import pytest

from assessments.framework import specs_for_round
from assessments.models import Indicator, Round
from assessments.scoring import score_assessment
from assessments.workbook import build_framework_workbook
from demo.framework import DEMO_FRAMEWORK, load_demo_framework
from tests.assessments.test_workbook import cells, save

pytestmark = pytest.mark.django_db

REAL_DIMENSIONS = [
    "ด้านการบริหารจัดการ",
    "ด้านการบริหารงานบุคคลและกิจการสภา",
    "ด้านการบริหารงานการเงินและการคลัง",
    "ด้านการบริการสาธารณะ",
    "ด้านธรรมาภิบาล",
]


def test_demo_framework_is_a_realistic_year():
    round = load_demo_framework()
    assert (round.year, round.fiscal_year, round.phase) == (2569, 2568, Round.Phase.SETUP)
    assert list(round.dimensions.values_list("name", flat=True)) == REAL_DIMENSIONS
    indicators = list(round.indicators.prefetch_related("options"))
    assert 40 <= len(indicators) <= 60
    assert set(Counter(i.kind for i in indicators)) == set(Indicator.Kind.values)
    assert any(i.is_pilot for i in indicators)
    assert any(i.allows_not_applicable for i in indicators)
    assert all(i.evidence_required for i in indicators)
    pao_only = [i for i in indicators if i.applies_to == ["pao"]]
    assert any(i.kind == Indicator.Kind.ALL_OR_NOTHING for i in pao_only)  # fuel, tobacco and hotel levies
    plan = round.indicators.get(code="1.1.1")
    assert plan.options.count() == 4 and plan.full_points == Decimal(5)
    provincial = round.dimensions.get(number=1).categories.get(name="นโยบายของจังหวัด")
    assert provincial.open_to_provinces
    assert {i.province.name_th for i in provincial.indicators.all()} == {"กระบี่"}


def test_demo_framework_full_marks_differ_by_type():
    round = load_demo_framework()
    specs = specs_for_round(round)

    def full_marks(org_type, province=None):
        return score_assessment(
            indicators=specs, answers={}, org_type=org_type, pass_mark=round.pass_mark, bands=[], province=province
        ).full_marks

    assert full_marks("pao") != full_marks("sao")
    assert full_marks("sao", "81") == full_marks("sao") + 10  # กระบี่'s two indicators


def test_loading_twice_leaves_the_round_alone():
    round = load_demo_framework()
    round.indicators.filter(code="1.1.1").update(title="แก้ไขแล้ว")
    assert load_demo_framework() == round
    assert round.indicators.get(code="1.1.1").title == "แก้ไขแล้ว"


def test_demo_workbook_round_trips():
    round = load_demo_framework()
    assert cells(save(build_framework_workbook(round))) == cells(DEMO_FRAMEWORK.read_bytes())
