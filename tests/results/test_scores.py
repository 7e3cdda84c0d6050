"""Stored results equal the scoring engine's, however they were reached."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.selfassessment import self_assessed_score
from results import scores
from results.models import OVERALL, Result
from results.scores import recompute_round, refresh_results
from reviews.workflow import verified_score
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

# Every column a recomputation decides, the points of each indicator included.
FIELDS = ("dimension", *scores.COMPARED_FIELDS)


def stored(assessment) -> list[tuple]:
    return list(Result.objects.filter(assessment=assessment).order_by("dimension").values_list(*FIELDS))


def assert_matches_engine(assessment) -> None:
    own, checked = self_assessed_score(assessment), verified_score(assessment)
    overall = Result.objects.get(assessment=assessment, dimension=OVERALL)
    assert (overall.self_points, overall.self_full_marks) == (own.points, own.full_marks)
    assert overall.self_percent == own.percent
    assert (overall.self_band, overall.self_passed) == (own.band or "", own.passed)
    assert (overall.verified_points, overall.verified_full_marks) == (checked.points, checked.full_marks)
    if assessment.verified_answers.exists():
        assert overall.verified_percent == checked.percent
        assert (overall.verified_band, overall.verified_passed) == (checked.band or "", checked.passed)
    else:  # not reviewed yet: no verified percentage, band or pass to show
        assert (overall.verified_percent, overall.verified_band, overall.verified_passed) == (None, "", None)
    for dimension in own.dimensions:
        row = Result.objects.get(assessment=assessment, dimension=dimension.number)
        assert (row.self_points, row.self_full_marks) == (dimension.points, dimension.full_marks)


def test_refresh_stores_the_engines_self_assessed_and_verified_scores():
    case = submitted_for_review()
    case.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    # The team disagrees on 1.1: level 2 instead of 5.
    case.score("1.1", {"level": case.option("1.1", 2).pk, "reason": "หลักฐานไม่ครบ"})
    refresh_results([case.assessment.pk])
    assert_matches_engine(case.reload())
    overall = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    # Five indicators apply, all answered and verified; the N/A (1.5) the organization claimed
    # and the team confirmed is out of both full marks.
    assert (overall.indicators, overall.answered_indicators, overall.verified_indicators) == (5, 5, 5)
    assert overall.verified_full_marks == overall.self_full_marks == 20
    assert overall.verified_points < overall.self_points


def test_self_assessed_score_leaves_out_the_claimed_not_applicable_and_the_verified_only_when_confirmed():
    case = submitted_for_review()
    overall = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    # Claimed on 1.5: the organization's view is 18 of 20 (90.00 ดีเด่น), not 18 of 25 (72.00).
    assert (overall.self_points, overall.self_full_marks, overall.self_percent) == (18, 20, Decimal("90.00"))
    assert overall.self_band == "ดีเด่น"
    case.score_as_claimed("1.1", "1.2", "1.3", "1.4")
    case.score("1.5", {"na_confirmed": False, "level": case.option("1.5", 1).pk, "reason": "มีท่าเรือในพื้นที่"})
    overall = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    # The team rejected the claim: the verified score counts 1.5 with 0 of 5.
    assert (overall.verified_points, overall.verified_full_marks, overall.verified_percent) == (18, 25, Decimal("72.00"))
    assert (overall.self_points, overall.self_full_marks) == (18, 20)
    assert_matches_engine(case.reload())


def pilot_case():
    """A ReviewCase whose round has a pilot in dimension 1 and a dimension 2 of pilots only."""
    from tests.assessments.factories import CategoryFactory, DimensionFactory, IndicatorFactory

    case = submitted_for_review(submit=False, assign=False)
    category = case.indicator("1.1").category
    IndicatorFactory(category=category, code="1.9", kind="levels", is_pilot=True)
    pilots_only = CategoryFactory(dimension=DimensionFactory(round=case.round, number=2))
    IndicatorFactory(category=pilots_only, code="2.1", kind="levels", is_pilot=True)
    case.answer("1.9", {"level": case.option("1.9", 5).pk})
    case.answer("2.1", {"level": case.option("2.1", 5).pk})
    refresh_results([case.assessment])
    return case


def test_pilot_indicators_are_not_counted_among_the_indicators_that_count():
    case = pilot_case()
    overall = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    dimension = Result.objects.get(assessment=case.assessment, dimension=1)
    assert (overall.indicators, overall.answered_indicators) == (5, 5)
    assert (dimension.indicators, dimension.answered_indicators) == (5, 5)
    assert (overall.self_points, overall.self_full_marks) == (18, 20)


def test_a_dimension_of_pilots_only_has_no_stored_row():
    case = pilot_case()
    assert [row[0] for row in stored(case.assessment)] == [OVERALL, 1]


def test_an_assessment_with_nothing_answered_has_zero_rows_with_its_full_marks():
    case = submitted_for_review(submit=False)
    empty = submitted_for_review(case.round, submit=False, assign=False)
    Result.objects.all().delete()
    empty.assessment.answers.all().delete()
    refresh_results([empty.assessment])
    overall = Result.objects.get(assessment=empty.assessment, dimension=OVERALL)
    assert overall.self_points == 0 and overall.self_full_marks > 0 and overall.self_percent == 0
    assert overall.answered_indicators == 0 and overall.verified_percent is None
    assert overall.verified_passed is None and overall.verified_band == ""


def test_recomputing_a_round_from_scratch_gives_the_same_rows():
    first = submitted_for_review()
    second = submitted_for_review(first.round)
    first.score_as_claimed()
    second.score("1.1", {"level": second.option("1.1", 1).pk, "reason": "ไม่พบแผน"})
    refresh_results([first.assessment, second.assessment])
    before = {pk: stored(pk) for pk in (first.assessment.pk, second.assessment.pk)}
    Result.objects.all().delete()
    assert recompute_round(first.round) == 2
    assert {pk: stored(pk) for pk in before} == before


def test_refresh_takes_the_same_number_of_queries_for_two_or_six_assessments():
    cases = [submitted_for_review()]
    cases += [submitted_for_review(cases[0].round) for _ in range(5)]

    def queries(pks):
        with CaptureQueriesContext(connection) as captured:
            refresh_results(pks)
        return len(captured)

    assert queries([c.assessment.pk for c in cases[:2]]) == queries([c.assessment.pk for c in cases])


def test_opening_a_round_stores_a_zero_result_for_every_organization():
    from accounts.models import Role
    from assessments.models import Assessment
    from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with
    from tests.factories import OrganizationFactory, user_with_role

    round, (category,) = framework_with(RoundFactory(year=2575))
    IndicatorFactory(category=category, code="1.1")
    OrganizationFactory.create_batch(3)
    round.open(by=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    overall = Result.objects.overall().filter(assessment__round=round)
    assert overall.count() == Assessment.objects.filter(round=round).count() == 3
    assert {(r.self_points, r.self_full_marks, r.indicators) for r in overall} == {(0, Decimal(5), 1)}


def test_every_saved_answer_moves_the_stored_result_in_the_same_transaction():
    case = submitted_for_review(submit=False)
    before = Result.objects.get(assessment=case.assessment, dimension=OVERALL).self_points
    case.answer("1.1", {"level": case.option("1.1", 2).pk})
    after = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    assert after.self_points == before - 3  # level 5 → level 2
    assert_matches_engine(case.reload())


def test_a_correction_refreshes_the_affected_results():
    from accounts.models import Role
    from assessments.framework import apply_correction
    from tests.factories import user_with_role

    case = submitted_for_review()
    indicator = case.indicator("1.1")
    options = [{"label": option.label, "points": option.points * 2} for option in indicator.options.all()]
    apply_correction(
        indicator=indicator, changes={"options": options}, reason="คะแนนตามหนังสือสั่งการ", by=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    )
    assert_matches_engine(case.reload())
    assert Result.objects.get(assessment=case.assessment, dimension=OVERALL).self_full_marks == self_assessed_score(
        case.reload()
    ).full_marks


def test_verified_answers_and_accepted_appeals_move_the_stored_result():
    from reviews.workflow import answer_appeal, approve, open_appeal, publish_round, verify

    case = submitted_for_review()
    case.score("1.1", {"level": case.option("1.1", 1).pk, "reason": "ไม่พบแผนฉบับลงนาม"})
    assert Result.objects.get(assessment=case.assessment, dimension=OVERALL).verified_indicators == 1
    case.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    assert_matches_engine(case.reload())
    before = Result.objects.get(assessment=case.assessment, dimension=OVERALL).verified_points
    verify(assessment=case.assessment, by=case.team.lead)
    approve(assessment=case.assessment, by=case.office)
    publish_round(assessment_round=case.round, by=case.department)
    (appeal,) = open_appeal(assessment=case.assessment, arguments={case.indicator("1.1"): "มีแผนฉบับลงนาม"}, by=case.sa.head)
    assert Result.objects.get(assessment=case.assessment, dimension=OVERALL).verified_points == before
    answer_appeal(
        appeal=appeal,
        decision="accepted",
        response="แผนลงนามครบตามเอกสารที่แนบ",
        data={"level": case.option("1.1", 5).pk},
        by=case.team.lead,
    )
    after = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    assert after.verified_points > before
    assert_matches_engine(case.reload())


# The refresh runs on assessments.signals.scores_changed, inside the change's own transaction:
# a refresh that fails takes the change back with it, so stored results never disagree.


def broken_refresh(monkeypatch) -> None:
    def broken(*args):
        raise RuntimeError("results store down")

    monkeypatch.setattr(scores, "refresh_results", broken)
    monkeypatch.setattr(scores, "update_results", broken)


def test_a_failed_refresh_rolls_back_the_answer_that_caused_it(monkeypatch):
    case = submitted_for_review(submit=False, assign=False)
    answer = case.assessment.answers.get(indicator=case.indicator("1.1"))
    results_before = stored(case.assessment)
    broken_refresh(monkeypatch)

    with pytest.raises(RuntimeError):
        case.answer("1.1", {"level": case.option("1.1", 2).pk})

    after = case.assessment.answers.get(pk=answer.pk)
    assert (after.level_id, after.version) == (answer.level_id, answer.version)
    assert stored(case.assessment) == results_before


def test_a_failed_refresh_rolls_back_the_verified_answer_that_caused_it(monkeypatch):
    case = submitted_for_review()
    results_before = stored(case.assessment)
    broken_refresh(monkeypatch)

    with pytest.raises(RuntimeError):
        case.score("1.1", {"level": case.option("1.1", 2).pk, "reason": "หลักฐานไม่ครบ"})

    assert not case.assessment.verified_answers.exists()
    assert stored(case.assessment) == results_before


def test_the_refresh_runs_with_the_change_not_after_its_commit(monkeypatch):
    case = submitted_for_review(submit=False, assign=False)
    seen = []
    real = scores.update_results

    def watching(*args):
        seen.append(connection.in_atomic_block)
        return real(*args)

    monkeypatch.setattr(scores, "update_results", watching)
    case.answer("1.1", {"level": case.option("1.1", 2).pk})

    assert seen == [True]
    assert_matches_engine(case.assessment)


def test_recompute_command_with_all_rebuilds_closed_rounds_too():
    from django.core.management import call_command

    from assessments.models import Round

    case = submitted_for_review()
    Round.objects.filter(pk=case.round.pk).update(phase=Round.Phase.CLOSED)
    # A row as an earlier version stored it: 18 of 25 claimed, 72.0000.
    Result.objects.filter(assessment=case.assessment, dimension=OVERALL).update(
        self_full_marks=25, self_percent=Decimal("72.00"), self_band="ดี"
    )
    call_command("recompute_results")  # running rounds only: the closed one is left
    assert Result.objects.get(assessment=case.assessment, dimension=OVERALL).self_percent == Decimal("72.00")
    call_command("recompute_results", "--all")
    overall = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    assert (overall.self_full_marks, overall.self_percent, overall.self_band) == (20, Decimal("90.00"), "ดีเด่น")


def test_the_migration_reports_stored_percentages_from_their_own_points_once():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("results.migrations.0002_report_stored_percentages_once")
    case = submitted_for_review()
    case.verified()
    # As stored before: 7,515 of 10,900 = 68.944954…, kept as 68.9450 and shown 68.95; and a
    # 69.995 judged a fail on its exact value.
    Result.objects.filter(assessment=case.assessment, dimension=OVERALL).update(
        self_points=Decimal("7515"), self_full_marks=Decimal("10900"), self_percent=Decimal("68.95"),
        verified_points=Decimal("139.99"), verified_full_marks=Decimal("200"), verified_percent=Decimal("69.99"),
        verified_passed=False, verified_band="ไม่ผ่านเกณฑ์",
    )
    migration.forward(apps, None)
    overall = Result.objects.get(assessment=case.assessment, dimension=OVERALL)
    assert (overall.self_percent, overall.self_passed, overall.self_band) == (Decimal("68.94"), False, "ไม่ผ่านเกณฑ์")
    assert (overall.verified_percent, overall.verified_passed, overall.verified_band) == (Decimal("70.00"), True, "ดี")
