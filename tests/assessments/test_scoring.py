"""The scoring engine on hand-built specs: no database."""

from decimal import Decimal

import pytest

from assessments.scoring import (
    ALL_OR_NOTHING,
    CHECKLIST,
    COUNTED,
    FAIL_LABEL,
    FIGURE,
    LEVELS,
    NOT_APPLICABLE,
    NOT_FOR_ORGANIZATION,
    PASS_LABEL,
    PILOT,
    Answer,
    BandSpec,
    IndicatorSpec,
    OptionSpec,
    band_for,
    format_percent,
    indicator_points,
    mean_percent,
    percent_of,
    score_assessment,
    share_percent,
)

D = Decimal
ALL = frozenset({"pao", "city", "town", "subdistrict", "sao", "pattaya"})
BANDS = (BandSpec("ดีเด่น", D(90)), BandSpec("ดีมาก", D(80)), BandSpec("ดี", D(70)))


def levels(code: str, dimension: int = 1, top: int = 5, **fields) -> IndicatorSpec:
    options = tuple(OptionSpec(points, D(points)) for points in range(top + 1))
    return IndicatorSpec(code=code, dimension=dimension, kind=LEVELS, applies_to=fields.pop("applies_to", ALL),
                         options=options, **fields)


def score(indicators, answers, org_type="subdistrict", **kwargs):
    return score_assessment(
        indicators=indicators, answers=answers, org_type=org_type, pass_mark=D(70), bands=BANDS, **kwargs
    )


# The department's worked example: one ทต. in 2561.
FULL_MARKS = {1: 140, 2: 215, 3: 250, 4: 345, 5: 65}
POINTS = {1: 110, 2: 180, 3: 200, 4: 270, 5: 54}


def worked_example() -> tuple[list[IndicatorSpec], dict[str, Answer]]:
    """5-point levels indicators adding up to the year's full marks, answered to the points."""
    indicators, answers = [], {}
    for dimension, full in FULL_MARKS.items():
        remaining = POINTS[dimension]
        for n in range(full // 5):
            spec = levels(f"{dimension}.{n + 1}", dimension)
            indicators.append(spec)
            answers[spec.code] = Answer(level=min(5, remaining))
            remaining -= min(5, remaining)
    return indicators, answers


def test_worked_example_dimension_one_is_110_of_140():
    indicators, answers = worked_example()
    result = score(indicators, answers)
    first = result.dimension(1)
    assert (first.points, first.full_marks) == (D(110), D(140))
    assert format_percent(first.percent) == "78.57"


def test_worked_example_overall_is_total_points_over_total_full_marks():
    indicators, answers = worked_example()
    result = score(indicators, answers)
    assert [d.full_marks for d in result.dimensions] == [D(140), D(215), D(250), D(345), D(65)]
    assert (result.points, result.full_marks) == (D(814), D(1015))
    assert format_percent(result.percent) == "80.20"
    assert result.passed is True
    assert result.band == "ดีมาก"


def test_worked_example_overall_is_not_the_mean_of_dimension_percentages():
    indicators, answers = worked_example()
    result = score(indicators, answers)
    mean = sum(d.percent for d in result.dimensions) / 5
    assert format_percent(mean) == "80.73"
    assert format_percent(result.percent) != format_percent(mean)


def test_levels_scores_the_chosen_level():
    spec = levels("L")
    assert indicator_points(spec, Answer(level=3)) == D(3)
    assert indicator_points(spec, Answer()) == D(0)
    assert spec.full_points == D(5)


def test_level_that_no_longer_exists_scores_nothing():
    assert indicator_points(levels("L"), Answer(level=99)) == D(0)


def test_checklist_sums_the_ticked_criteria():
    # The development plan: four criteria worth 2, 1, 1, 1.
    spec = IndicatorSpec("P", 1, CHECKLIST, ALL, options=tuple(OptionSpec(k, D(p)) for k, p in enumerate([2, 1, 1, 1])))
    assert spec.full_points == D(5)
    assert indicator_points(spec, Answer(ticked=frozenset({0, 3}))) == D(3)
    assert indicator_points(spec, Answer(ticked=frozenset({0, 1, 2, 3}))) == D(5)


def figure(*bands) -> IndicatorSpec:
    return IndicatorSpec("F", 1, FIGURE, ALL, options=tuple(OptionSpec(k, D(p), D(t)) for k, (t, p) in enumerate(bands)))


@pytest.mark.parametrize(
    ("value", "points"),
    [("100", 5), ("80", 5), ("79.99", 3), ("60", 3), ("59.99", 0), ("0", 0)],
)
def test_figure_band_starts_at_its_threshold(value, points):
    # ≥ 80% → 5, ≥ 60% → 3, else 0
    spec = figure(("80", 5), ("60", 3))
    assert indicator_points(spec, Answer(figure=D(value))) == D(points)


def test_figure_takes_the_best_band_reached_whatever_the_order():
    assert indicator_points(figure(("60", 3), ("80", 5)), Answer(figure=D(90))) == D(5)


def test_figure_without_a_value_scores_nothing():
    assert indicator_points(figure(("30", 5)), Answer()) == D(0)
    assert figure(("30", 5)).full_points == D(5)


def test_band_by_count_of_national_strategies():
    spec = figure(("6", 5), ("4", 3), ("2", 1))
    assert [indicator_points(spec, Answer(figure=D(n))) for n in range(7)] == [D(p) for p in (0, 0, 1, 1, 3, 3, 5)]


def test_all_or_nothing_needs_every_item():
    # An อบจ. scores 5 only if the fuel, tobacco and hotel levies are all collected.
    spec = IndicatorSpec("A", 3, ALL_OR_NOTHING, frozenset({"pao"}),
                         options=tuple(OptionSpec(k) for k in range(3)), all_or_nothing_points=D(5))
    assert spec.full_points == D(5)
    assert indicator_points(spec, Answer(ticked=frozenset({0, 1}))) == D(0)
    assert indicator_points(spec, Answer(ticked=frozenset({0, 1, 2}))) == D(5)


def test_pilot_is_shown_but_not_counted():
    result = score([levels("A"), levels("P", is_pilot=True)], {"A": Answer(level=4), "P": Answer(level=5)})
    assert (result.points, result.full_marks) == (D(4), D(5))
    pilot = result.indicators[1]
    assert (pilot.status, pilot.points) == (PILOT, D(5))


def test_confirmed_not_applicable_leaves_points_and_full_marks():
    specs = [levels("A"), levels("N", allows_not_applicable=True)]
    result = score(specs, {"A": Answer(level=4), "N": Answer(not_applicable=True, na_confirmed=True)})
    assert (result.points, result.full_marks) == (D(4), D(5))
    assert result.indicators[1].status == NOT_APPLICABLE


def test_unconfirmed_not_applicable_scores_zero_of_full_marks():
    specs = [levels("A"), levels("N", allows_not_applicable=True)]
    result = score(specs, {"A": Answer(level=4), "N": Answer(not_applicable=True)})
    assert (result.points, result.full_marks) == (D(4), D(10))
    assert result.indicators[1].status == COUNTED


def test_self_assessed_score_leaves_out_the_organizations_own_not_applicable_claims():
    # The organization's view: its claim takes the indicator out of points and full marks
    # without anyone's confirmation (4 of 5 = 80.00, not 4 of 10 = 40.00).
    specs = [levels("A"), levels("N", allows_not_applicable=True)]
    result = score(specs, {"A": Answer(level=4), "N": Answer(not_applicable=True)}, self_assessed=True)
    assert (result.points, result.full_marks, result.percent) == (D(4), D(5), D("80.00"))
    assert result.indicators[1].status == NOT_APPLICABLE


def test_a_claim_on_an_indicator_without_not_applicable_counts_even_in_the_self_score():
    result = score([levels("A"), levels("B")], {"A": Answer(level=4), "B": Answer(not_applicable=True)}, self_assessed=True)
    assert (result.points, result.full_marks) == (D(4), D(10))


def test_not_applicable_on_an_indicator_that_does_not_allow_it_counts_zero():
    result = score([levels("A")], {"A": Answer(not_applicable=True, na_confirmed=True)})
    assert (result.points, result.full_marks) == (D(0), D(5))


def test_indicator_for_another_type_is_left_out():
    specs = [levels("A"), levels("PAO", applies_to=frozenset({"pao"}))]
    result = score(specs, {"A": Answer(level=5), "PAO": Answer(level=0)}, org_type="sao")
    assert (result.points, result.full_marks) == (D(5), D(5))
    assert result.indicators[1].status == NOT_FOR_ORGANIZATION


def test_provincial_indicator_counts_only_in_its_province():
    specs = [levels("A"), levels("K1", province="81")]
    answers = {"A": Answer(level=5), "K1": Answer(level=0)}
    assert score(specs, answers, province="81").full_marks == D(10)
    assert score(specs, answers, province="20").full_marks == D(5)


def test_nothing_to_score_has_no_percentage_and_neither_passes_nor_fails():
    result = score([levels("N", allows_not_applicable=True)], {"N": Answer(not_applicable=True, na_confirmed=True)})
    assert result.percent is None and result.passed is None and result.band is None
    assert result.dimension(1).percent is None
    assert format_percent(result.percent) == "–"


def test_dimensions_with_only_pilots_or_other_types_are_not_reported():
    specs = [levels("A", 1), levels("P", 2, is_pilot=True), levels("X", 3, applies_to=frozenset({"pao"}))]
    assert [d.number for d in score(specs, {}).dimensions] == [1]


@pytest.mark.parametrize(
    ("percent", "band"),
    [("100", "ดีเด่น"), ("90", "ดีเด่น"), ("89.99", "ดีมาก"), ("80", "ดีมาก"), ("70", "ดี"), ("69.99", FAIL_LABEL)],
)
def test_band_is_the_highest_reached(percent, band):
    assert band_for(D(percent), pass_mark=D(70), bands=BANDS) == band


def checklist_of(full: int, met: int, dimension: int = 1) -> tuple[IndicatorSpec, Answer]:
    """One checklist of `full` one-point criteria, `met` of them ticked."""
    spec = IndicatorSpec(f"C{dimension}", dimension, CHECKLIST, ALL, options=tuple(OptionSpec(k, D(1)) for k in range(full)))
    return spec, Answer(ticked=frozenset(range(met)))


@pytest.mark.parametrize(
    ("full", "met", "reported", "passed", "band"),
    [
        # 13,999 / 20,000 = 69.995 exactly: reported 70.00, and passes on that figure.
        (20000, 13999, "70.00", True, "ดี"),
        # 17,999 / 20,000 = 89.995 exactly: reported 90.00, and ดีเด่น.
        (20000, 17999, "90.00", True, "ดีเด่น"),
        # 13,998.9 would be 69.9945: 139,989 / 200,000 reported 69.99 (rounded once, not 69.995 → 70.00).
        (200000, 139989, "69.99", False, FAIL_LABEL),
        # 75 / 109 = 68.8073…: 68.81; 2 / 3 = 66.666…: 66.67.
        (109, 75, "68.81", False, FAIL_LABEL),
        (3, 2, "66.67", False, FAIL_LABEL),
    ],
)
def test_percentage_is_reported_to_two_places_once_and_judged_on_that_figure(full, met, reported, passed, band):
    spec, answer = checklist_of(full, met)
    result = score([spec], {spec.code: answer})
    assert str(result.percent) == reported
    assert str(result.dimension(1).percent) == reported
    assert format_percent(result.percent) == reported
    assert (result.passed, result.band) == (passed, band)


def test_percentage_rounds_half_up_from_the_exact_fraction_not_from_a_rounded_one():
    # 68.944954… (7,515 / 10,900) is 68.94: rounding a 4-place 68.9450 again would give 68.95.
    assert percent_of(D(7515), D(10900)) == D("68.94")
    assert percent_of(D("0.5"), D(200)) == D("0.25")
    assert percent_of(D(1), D(8000)) == D("0.01")  # 0.0125
    assert percent_of(D(1), D(0)) is None


def test_passing_below_every_band_is_just_a_pass():
    assert band_for(D(72), pass_mark=D(60), bands=(BandSpec("ดี", D(75)),)) == PASS_LABEL


def test_spec_rejects_negative_points_and_figure_bands_without_thresholds():
    with pytest.raises(ValueError):
        IndicatorSpec("X", 1, LEVELS, ALL, options=(OptionSpec(1, D(-1)),))
    with pytest.raises(ValueError):
        IndicatorSpec("X", 1, FIGURE, ALL, options=(OptionSpec(1, D(5)),))


def test_mean_of_percentages_is_rounded_once_from_the_exact_mean():
    # 70.00 and 70.01: the exact mean 70.005 is reported 70.01 (a float mean would be 70.00499…).
    assert mean_percent(D("140.01"), 2) == D("70.01")
    assert mean_percent(140.01, 2) == D("70.01")  # SQLite's SUM, a float
    assert mean_percent(D("200.00"), 3) == D("66.67")
    assert mean_percent(None, 0) is None and mean_percent(D(0), 0) is None


def test_pass_rate_is_rounded_once():
    assert share_percent(7754, 7849) == D("98.79")  # 98.7896…
    assert share_percent(1, 8) == D("12.50")
    assert share_percent(0, 0) is None
