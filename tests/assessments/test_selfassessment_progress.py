"""Loading a dimension's indicators with answers in fixed queries, progress, and the self-assessed score."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.access import scope_for
from accounts.models import Role
from assessments.evidence import add_evidence_link
from assessments.models import Assessment, Indicator
from assessments.selfassessment import answer_for, edit_problems, progress, save_answer, self_assessed_score, submit
from organizations.models import Organization
from reviews.workflow import return_for_revision
from tests.assessments.factories import CategoryFactory, DimensionFactory, IndicatorFactory, self_assessment
from tests.factories import province, user_with_role

pytestmark = pytest.mark.django_db


def save(sa, indicator, data):
    return save_answer(assessment=sa.assessment, indicator=indicator, data=data, expected_version=0, by=sa.staff)


def add_answered_indicators(sa, count):
    """`count` checklist indicators, each answered with two ticks and two links."""
    for _ in range(count):
        indicator = sa.indicator(kind=Indicator.Kind.CHECKLIST, options=[1, 1, 1], evidence_required="รายงาน")
        save(sa, indicator, {"ticked": list(indicator.options.values_list("pk", flat=True)[:2])})
        for n in range(2):
            add_evidence_link(
                answer=answer_for(sa.assessment, indicator), url=f"https://example.go.th/{indicator.pk}/{n}", title="", by=sa.staff
            )


def load_dimension(assessment_pk, dimension):
    # A fresh assessment, as a view would get it: the loader must not lean on anything preloaded.
    assessment = Assessment.objects.get(pk=assessment_pk)
    with CaptureQueriesContext(connection) as queries:
        indicators = list(
            Indicator.objects.for_assessment(assessment).filter(category__dimension=dimension).with_answers(assessment)
        )
        # Everything a dimension page shows of each indicator.
        shown = []
        for indicator in indicators:
            answer = indicator.answer_rows[0] if indicator.answer_rows else None
            if answer:
                shown += [option.label for option in answer.ticked.all()]
                shown += [evidence.display_name for evidence in answer.current_evidence]
            shown += [option.label for option in indicator.options.all()]
            shown += [indicator.category.dimension.name, indicator.evidence_count, indicator.open_flags]
    return indicators, len(queries)


def test_a_dimension_loads_in_the_same_number_of_queries_for_2_or_12_indicators():
    sa = self_assessment()
    dimension = sa.category.dimension
    add_answered_indicators(sa, 2)
    indicators, few = load_dimension(sa.assessment.pk, dimension)
    assert len(indicators) == 2 and [i.evidence_count for i in indicators] == [2, 2]
    add_answered_indicators(sa, 10)
    indicators, many = load_dimension(sa.assessment.pk, dimension)
    assert len(indicators) == 12
    assert few == many == 6


def test_the_loader_counts_only_current_evidence_and_this_assessments_answers():
    sa = self_assessment()
    neighbour = self_assessment(sa.round)
    indicator = sa.indicator(evidence_required="ภาพถ่าย")
    save(sa, indicator, {"level": indicator.options.last().pk})
    add_evidence_link(answer=answer_for(sa.assessment, indicator), url="https://a.go.th/1", title="", by=sa.staff)
    loaded = Indicator.objects.for_assessment(neighbour.assessment).with_answers(neighbour.assessment).get()
    assert loaded.answer_rows == [] and loaded.evidence_count == 0
    loaded = Indicator.objects.for_assessment(sa.assessment).with_answers(sa.assessment).get()
    assert loaded.answer_rows[0].level == indicator.options.last() and loaded.evidence_count == 1


def test_the_loader_keeps_to_the_organizations_type():
    sa = self_assessment()  # an อบต.
    sa.indicator(code="sao", applies_to=[Organization.Type.SAO, Organization.Type.SUBDISTRICT_MUNICIPALITY])
    sa.indicator(code="pao", applies_to=[Organization.Type.PAO])
    sa.indicator(code="pattaya", applies_to=[Organization.Type.PATTAYA])
    codes = Indicator.objects.for_assessment(sa.assessment).values_list("code", flat=True)
    assert list(codes) == ["sao"]


def test_progress_per_dimension():
    sa = self_assessment()
    first = sa.indicator()
    sa.indicator(evidence_required="คำสั่ง")
    second_dimension = CategoryFactory(dimension=DimensionFactory(round=sa.round, number=2))
    other = IndicatorFactory(category=second_dimension)
    save(sa, first, {"level": first.options.last().pk})
    save(sa, other, {"level": other.options.first().pk})
    rows = [(row.dimension.number, row.indicators, row.answered, row.missing, row.percent) for row in progress(sa.assessment)]
    assert rows == [(1, 2, 1, 1, 50), (2, 1, 1, 0, 100)]


def test_self_assessed_score_follows_the_scoring_engine():
    sa = self_assessment()
    levels = sa.indicator(code="1")
    checklist = sa.indicator(code="2", kind=Indicator.Kind.CHECKLIST, options=[2, 2, 1])
    figure = sa.indicator(code="3", kind=Indicator.Kind.FIGURE, options=[(1, 30), (5, 80)], unit="ร้อยละ")
    claimed_na = sa.indicator(code="4", allows_not_applicable=True)
    sa.indicator(code="5")  # unanswered: 0 of 5
    pilot = sa.indicator(code="6", is_pilot=True)
    sa.indicator(code="7", applies_to=[Organization.Type.PAO])  # not for an อบต.
    save(sa, levels, {"level": levels.options.get(position=5).pk})  # 4 points
    save(sa, checklist, {"ticked": list(checklist.options.values_list("pk", flat=True)[:2])})  # 2 + 2
    save(sa, figure, {"figure": "85"})  # ≥ 80 → 5
    save(sa, claimed_na, {"not_applicable": True, "na_reason": "ไม่มีภารกิจ"})  # the organization's view: out
    save(sa, pilot, {"level": pilot.options.last().pk})  # assessed, not counted

    score = self_assessed_score(sa.assessment)
    assert (score.points, score.full_marks) == (Decimal(13), Decimal(20))
    assert score.percent == Decimal("65.00") and score.passed is False and score.band == "ไม่ผ่านเกณฑ์"
    by_code = {result.code: result for result in score.indicators}
    assert by_code["4"].status == "not_applicable" and by_code["4"].points == 0
    assert by_code["6"].status == "pilot" and by_code["6"].points == 5
    assert by_code["7"].status == "not_for_organization"


def test_editability_of_a_whole_dimension_is_decided_in_fixed_queries():
    sa = self_assessment()
    indicators = [sa.indicator() for _ in range(8)]
    for indicator in indicators:
        save(sa, indicator, {"level": indicator.options.last().pk})
    submit(sa.assessment, by=sa.head)
    return_for_revision(
        assessment=sa.assessment,
        flags={indicators[2]: "แนบหลักฐานเพิ่ม"},
        by=user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")),
    )
    assessment = Assessment.objects.select_related("round", "organization__district").get(pk=sa.assessment.pk)
    loaded = list(Indicator.objects.for_assessment(assessment).with_answers(assessment))
    scope_for(sa.staff)  # read once per request, as a view does
    with CaptureQueriesContext(connection) as queries:
        problems = edit_problems(assessment, loaded, user=sa.staff, today=timezone.localdate())
    assert len(queries) == 1  # the latest extension, once for all
    assert [pk for pk, problem in problems.items() if problem is None] == [indicators[2].pk]
