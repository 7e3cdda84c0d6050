"""Invariants of the scoring engine, over generated frameworks and answers (hypothesis)."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    ALL_OR_NOTHING,
    CHECKLIST,
    FIGURE,
    KINDS,
    LEVELS,
    Answer,
    BandSpec,
    IndicatorSpec,
    OptionSpec,
    indicator_points,
    score_assessment,
)

TYPES = ("pao", "city", "town", "subdistrict", "sao", "pattaya")
BANDS = (BandSpec("ดีเด่น", Decimal(90)), BandSpec("ดีมาก", Decimal(80)), BandSpec("ดี", Decimal(70)))
points = st.decimals(min_value=0, max_value=100, places=2)
figures = st.decimals(min_value=-10, max_value=200, places=2)


@st.composite
def indicator_specs(draw, code: str, **fixed) -> IndicatorSpec:
    kind = draw(st.sampled_from(KINDS))
    count = draw(st.integers(min_value=1, max_value=5))
    thresholds = draw(st.lists(figures, min_size=count, max_size=count, unique=True))
    options = tuple(
        OptionSpec(key, draw(points), thresholds[key] if kind == FIGURE else None) for key in range(count)
    )
    values = {
        "code": code,
        "dimension": draw(st.integers(min_value=1, max_value=5)),
        "kind": kind,
        "applies_to": frozenset(draw(st.lists(st.sampled_from(TYPES), min_size=1, unique=True))),
        "options": options,
        "all_or_nothing_points": draw(points) if kind == ALL_OR_NOTHING else Decimal(0),
        "is_pilot": draw(st.booleans()),
        "allows_not_applicable": draw(st.booleans()),
    }
    return IndicatorSpec(**(values | fixed))


@st.composite
def answers_for(draw, spec: IndicatorSpec) -> Answer:
    keys = [option.key for option in spec.options]
    return Answer(
        level=draw(st.sampled_from([None, *keys, 99])) if spec.kind == LEVELS else None,
        ticked=frozenset(draw(st.lists(st.sampled_from(keys)))) if spec.kind in (CHECKLIST, ALL_OR_NOTHING) else frozenset(),
        figure=draw(st.none() | figures) if spec.kind == FIGURE else None,
        not_applicable=draw(st.booleans()),
        na_confirmed=draw(st.booleans()),
    )


@st.composite
def assessments(draw, min_size: int = 0):
    """A framework, answers to it, and an organization type."""
    count = draw(st.integers(min_value=min_size, max_value=12))
    specs = [draw(indicator_specs(f"I{n}")) for n in range(count)]
    # Some indicators left unanswered.
    answers = {spec.code: draw(answers_for(spec)) for spec in specs if draw(st.booleans())}
    return specs, answers, draw(st.sampled_from(TYPES))


def score(specs, answers, org_type):
    return score_assessment(indicators=specs, answers=answers, org_type=org_type, pass_mark=Decimal(70), bands=BANDS)


def totals(result):
    """What a score says: overall and per dimension."""
    return (
        result.points,
        result.full_marks,
        result.percent,
        result.passed,
        result.band,
        [(d.number, d.points, d.full_marks, d.percent) for d in result.dimensions],
    )


@given(assessments())
def test_percentages_are_between_0_and_100(case):
    result = score(*case)
    for percent in [result.percent, *(d.percent for d in result.dimensions)]:
        assert percent is None or Decimal(0) <= percent <= Decimal(100)
    assert Decimal(0) <= result.points <= result.full_marks


@given(st.data(), assessments())
def test_a_pilot_never_changes_a_score(data, case):
    specs, answers, org_type = case
    pilot = data.draw(indicator_specs("PILOT", is_pilot=True))
    answers = answers | {"PILOT": data.draw(answers_for(pilot))}
    position = data.draw(st.integers(min_value=0, max_value=len(specs)))
    with_pilot = [*specs[:position], pilot, *specs[position:]]
    assert totals(score(with_pilot, answers, org_type)) == totals(score(specs, answers, org_type))


@given(st.data(), assessments())
def test_confirmed_not_applicable_changes_points_and_full_marks_together(data, case):
    specs, answers, org_type = case
    spec = data.draw(
        indicator_specs("NA", is_pilot=False, allows_not_applicable=True, applies_to=frozenset({org_type}))
    )
    answer = data.draw(answers_for(spec))
    answer = Answer(level=answer.level, ticked=answer.ticked, figure=answer.figure)  # really answered
    answered = score([*specs, spec], answers | {"NA": answer}, org_type)
    not_applicable = score([*specs, spec], answers | {"NA": Answer(not_applicable=True, na_confirmed=True)}, org_type)
    assert answered.points - not_applicable.points == indicator_points(spec, answer)
    assert answered.full_marks - not_applicable.full_marks == spec.full_points
    # Overall, the same as if the indicator were not in the framework at all.
    without = score(specs, answers, org_type)
    assert (not_applicable.points, not_applicable.full_marks, not_applicable.percent) == (
        without.points,
        without.full_marks,
        without.percent,
    )


@given(st.data(), assessments())
def test_an_indicator_for_other_types_never_changes_a_score(data, case):
    specs, answers, org_type = case
    others = [t for t in TYPES if t != org_type]
    extra = data.draw(
        indicator_specs("OTHER", applies_to=frozenset(data.draw(st.lists(st.sampled_from(others), min_size=1, unique=True))))
    )
    answers = answers | {"OTHER": data.draw(answers_for(extra))}
    assert totals(score([*specs, extra], answers, org_type)) == totals(score(specs, answers, org_type))


@given(assessments(min_size=1))
def test_overall_is_total_points_over_total_full_marks(case):
    result = score(*case)
    assert result.points == sum((d.points for d in result.dimensions), Decimal(0))
    assert result.full_marks == sum((d.full_marks for d in result.dimensions), Decimal(0))
    if result.full_marks:
        # Reported to 2 places, half up, from the exact fraction: within half a hundredth of it,
        # and the pass judged on that figure.
        exact = Fraction(result.points) * 100 / Fraction(result.full_marks)
        assert result.percent == result.percent.quantize(Decimal("0.01"))
        assert -Fraction(1, 200) < Fraction(result.percent) - exact <= Fraction(1, 200)
        assert result.passed == (result.percent >= 70)
