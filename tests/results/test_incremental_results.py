"""One saved answer updates the stored results from that indicator alone, and the rows stay
exactly what a full recomputation gives, whatever the history (results/scores.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from assessments import selfassessment
from assessments.framework import apply_correction
from assessments.models import Answer, Assessment
from assessments.signals import send_scores_changed
from results import scores
from results.models import OVERALL, Result
from results.scores import disagreements, refresh_results
from reviews.workflow import return_for_revision, save_verified_answer, verified_answer_for
from tests.assessments.factories import CategoryFactory, DimensionFactory, IndicatorFactory
from tests.factories import user_with_role
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

Status = Assessment.Status


def overall(assessment) -> Result:
    return Result.objects.get(assessment=assessment, dimension=OVERALL)


def watch_updates(monkeypatch) -> list[bool]:
    """What each update_results call returned (False: it fell back to scoring everything)."""
    seen = []
    real = scores.update_results

    def watching(*args):
        seen.append(real(*args))
        return seen[-1]

    monkeypatch.setattr(scores, "update_results", watching)
    return seen


# A history's framework: submitted_for_review's 1.1–1.5 (levels, checklist, figure,
# all-or-nothing, levels with N/A), a pilot 1.9, and a dimension 2 with a levels indicator,
# a checklist, and one for provincial administrative organizations only (the case is an อบต.).
ANSWERABLE = ("1.1", "1.2", "1.3", "1.4", "1.5", "1.9", "2.1", "2.2")


def history_case():
    case = submitted_for_review(submit=False)
    IndicatorFactory(category=case.indicator("1.1").category, code="1.9", is_pilot=True)
    category = CategoryFactory(dimension=DimensionFactory(round=case.round, number=2))
    IndicatorFactory(category=category, code="2.1", options=[0, 1, 2, 3, 4, 10], allows_not_applicable=True)
    IndicatorFactory(category=category, code="2.2", kind="checklist", options=[Decimal("0.25"), Decimal("1.5"), 3])
    IndicatorFactory(category=category, code="2.3", applies_to=["pao"])
    refresh_results([case.assessment])
    return case


def set_status(case, status: str) -> None:
    """Put the assessment where the next step may happen (the trail is not what is tested)."""
    Assessment.objects.filter(pk=case.assessment.pk).update(
        status=status, submitted_at=timezone.now(), submitted_by=case.sa.head
    )


def answer_data(case, code: str, choice: int) -> dict:
    """One of the answers an organization (or, with a reason, the team) may give to `code`."""
    indicator = case.indicator(code)
    options = list(indicator.options.all())
    if indicator.allows_not_applicable and choice % 5 == 0:
        return {"not_applicable": True, "na_reason": "ไม่มีภารกิจ"}
    if indicator.kind == "levels":
        return {"level": options[choice % len(options)].pk}
    if indicator.kind == "figure":
        return {"figure": str([0, 49, 50, 69.995, 70, 80, 100][choice % 7])}
    return {"ticked": [o.pk for position, o in enumerate(options) if choice >> position & 1]}


def answer(case, code: str, choice: int) -> None:
    """The organization saves `code` (whatever the status: see any_status)."""
    try:
        case.answer(code, answer_data(case, code, choice))
    except selfassessment.AnswerInvalid:  # N/A no longer allowed after a correction
        pass


def verify(case, code: str, choice: int) -> None:
    set_status(case, Status.IN_REVIEW)
    indicator = case.indicator(code)
    own = Answer.objects.filter(assessment=case.assessment, indicator=indicator).first()
    data = answer_data(case, code, choice)
    data.pop("na_reason", None)
    if data.pop("not_applicable", False):
        data = {"level": indicator.options.first().pk} if indicator.kind == "levels" else {"ticked": []}
    if own is not None and own.not_applicable:
        data["na_confirmed"] = choice % 2 == 0
    try:
        save_verified_answer(
            assessment=case.assessment,
            indicator=indicator,
            data={**data, "reason": "ตรวจตามหลักฐาน"},
            expected_version=verified_answer_for(case.assessment, indicator).version,
            by=case.team.members[0],
        )
    except selfassessment.AnswerInvalid:  # e.g. a confirmation no longer allowed
        pass


def return_indicator(case, code: str, choice: int) -> None:
    set_status(case, Status.SUBMITTED)
    return_for_revision(assessment=case.assessment, flags={case.indicator(code): "แนบหลักฐานเพิ่ม"}, by=case.team.lead)


def correct(case, code: str, choice: int) -> None:
    """A department official corrects `code`: its points, its pilot or its N/A flag."""
    indicator = case.indicator(code)
    change = choice % 3
    if change == 0:
        options = [
            {"label": o.label, "points": o.points + choice % 4, "threshold": o.threshold} for o in indicator.options.all()
        ]
        changes = {"options": options}
    elif change == 1:
        changes = {"is_pilot": not indicator.is_pilot}
    else:
        changes = {"allows_not_applicable": not indicator.allows_not_applicable}
    try:
        apply_correction(indicator=indicator, changes=changes, reason="แก้ตามหนังสือสั่งการ", by=case.department)
    except ValidationError:  # nothing changed (points + 0), or options the kind refuses
        pass


STEPS = {"answer": answer, "verify": verify, "return": return_indicator, "correct": correct}
step = st.tuples(
    st.sampled_from(["answer"] * 4 + ["verify"] * 3 + ["return", "correct"]),
    st.sampled_from(ANSWERABLE),
    st.integers(min_value=0, max_value=63),
)


@pytest.fixture
def case(monkeypatch):
    """A history's case; its organization may save answers in any status (a history mixes
    saves, reviews and returns; which of them the workflow allows is tested elsewhere)."""
    monkeypatch.setattr(selfassessment, "ensure_editable", lambda *args, **kwargs: None)
    return history_case()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_after_every_step_of_any_history_the_rows_equal_a_full_recomputation(case, monkeypatch, steps):
    updates = watch_updates(monkeypatch)
    savepoint = transaction.savepoint()
    try:
        for kind, code, choice in steps:
            if kind == "return" and code == "1.9":
                continue  # a pilot is not returned; nothing to learn
            STEPS[kind](case, code, choice)
            assert list(disagreements(case.round)) == [], (kind, code, choice)
        # Every save went the incremental way: the rows never had to be scored again.
        assert all(updates)
    finally:
        updates.clear()
        transaction.savepoint_rollback(savepoint)


def test_a_history_of_every_kind_of_step_is_updated_incrementally_and_exactly(case, monkeypatch):
    """A fixed history through every path the property test draws from, so it always runs."""
    updates = watch_updates(monkeypatch)
    history = [
        ("answer", "2.1", 5),  # N/A claimed
        ("answer", "2.2", 7),  # every criterion: 4.75
        ("answer", "1.9", 3),  # a pilot: no points anywhere
        ("verify", "2.1", 0),  # claim confirmed
        ("verify", "1.9", 2),  # a pilot's verified result: the verified percentages appear
        ("verify", "1.1", 1),
        ("correct", "2.2", 3),  # points + 3 each; the correction scores the assessment again
        ("return", "2.2", 0),
        ("answer", "2.2", 2),  # only 1.5 points now + 3
        ("verify", "2.1", 1),  # claim rejected
        ("correct", "2.1", 1),  # 2.1 becomes a pilot
        ("answer", "1.1", 0),
    ]
    for kind, code, choice in history:
        STEPS[kind](case, code, choice)
        assert list(disagreements(case.round)) == [], (kind, code, choice)
    assert updates and all(updates)
    row = overall(case.assessment)
    assert row.verified_percent is not None and row.indicator_points["parts"]


def test_the_first_verified_result_gives_every_row_its_verified_percentage(case, monkeypatch):
    updates = watch_updates(monkeypatch)
    assert set(Result.objects.filter(assessment=case.assessment).values_list("verified_percent", flat=True)) == {None}
    verify(case, "1.9", 5)  # a pilot: counts nowhere, yet the assessment now has a verified result
    assert updates == [True]
    rows = Result.objects.filter(assessment=case.assessment)
    assert None not in set(rows.values_list("verified_percent", flat=True))
    assert overall(case.assessment).verified_band
    assert list(disagreements(case.round)) == []


def test_rows_stored_before_the_parts_are_scored_again_once(case, monkeypatch):
    Result.objects.filter(assessment=case.assessment).update(indicator_points=None)
    updates = watch_updates(monkeypatch)
    answer(case, "1.1", 2)
    answer(case, "1.1", 3)
    assert updates == [False, True]
    assert list(disagreements(case.round)) == []


# The arithmetic at the rounding edges: a percentage is rounded half up once, from the sums.


@pytest.mark.parametrize(
    ("points", "full", "percent", "passed", "band"),
    [
        (13999, 20000, Decimal("70.00"), True, "ดี"),  # 69.995 → 70.00: passes
        (15999, 20000, Decimal("80.00"), True, "ดีมาก"),  # 79.995 → 80.00
        (17999, 20000, Decimal("90.00"), True, "ดีเด่น"),  # 89.995 → 90.00
        (19999, 20000, Decimal("100.00"), True, "ดีเด่น"),  # 99.995 → 100.00
        (13998, 20000, Decimal("69.99"), False, "ไม่ผ่านเกณฑ์"),  # 69.99 exactly
        (1, 200, Decimal("0.50"), False, "ไม่ผ่านเกณฑ์"),  # 0.5 exactly
        (1, 30000, Decimal("0.00"), False, "ไม่ผ่านเกณฑ์"),  # 0.00333… → 0.00
        (2, 30000, Decimal("0.01"), False, "ไม่ผ่านเกณฑ์"),  # 0.00666… → 0.01
        (Decimal("0.01"), 3, Decimal("0.33"), False, "ไม่ผ่านเกณฑ์"),  # 0.3333… → 0.33
        (2, 3, Decimal("66.67"), False, "ไม่ผ่านเกณฑ์"),  # 66.666… → 66.67
    ],
)
def test_an_updated_percentage_is_rounded_half_up_once_from_the_exact_sums(monkeypatch, points, full, percent, passed, band):
    from assessments.selfassessment import answer_for, save_answer
    from tests.assessments.factories import self_assessment

    sa = self_assessment()
    indicator = IndicatorFactory(category=sa.category, code="9.1", options=[0, points, full])
    updates = watch_updates(monkeypatch)
    for position in (1, 2):  # the first save stores the rows, the second updates them
        level = indicator.options.get(position=position)
        version = answer_for(sa.assessment, indicator).version
        save_answer(assessment=sa.assessment, indicator=indicator, data={"level": level.pk}, expected_version=version, by=sa.staff)
    assert updates == [False, True]
    row = overall(sa.assessment)
    assert (row.self_points, row.self_full_marks) == (points, full)
    assert (row.self_percent, row.self_passed, row.self_band) == (percent, passed, band)
    assert Result.objects.get(assessment=sa.assessment, dimension=1).self_percent == percent
    assert list(disagreements(sa.round)) == []


def test_many_small_changes_keep_the_exact_points_not_a_sum_of_rounded_figures(case, monkeypatch):
    updates = watch_updates(monkeypatch)
    # 2.2's criteria: 0.25, 1.5 and 3; its full marks 4.75. Ticking and unticking them in turn
    # must come back to the exact sums, with the percentage worked out from them.
    for choice in (1, 3, 2, 7, 5, 1):
        answer(case, "2.2", choice)
    row = Result.objects.get(assessment=case.assessment, dimension=2)
    assert row.self_points == Decimal("0.25")
    assert row.self_full_marks == Decimal("14.75")  # 2.1 (10) + 2.2 (4.75)
    assert row.self_percent == Decimal("1.69")  # 0.25 / 14.75 = 1.6949…
    assert all(updates)
    assert list(disagreements(case.round)) == []


# Cost: a fixed number of queries, whatever the number of indicators.


def receiver_queries(case, code: str) -> int:
    """Change the answer to `code` as save_answer does, and count the queries of the stored
    results' update alone (sent as save_answer sends it: the locked assessment, one indicator)."""
    indicator = case.indicator(code)
    levels = list(indicator.options.all())
    case.answer(code, {"level": levels[1].pk})  # warms the specs cache, as any earlier request would
    with transaction.atomic():
        locked = selfassessment.lock(case.assessment)
        Answer.objects.filter(assessment=locked, indicator=indicator).update(level=levels[4])
        with CaptureQueriesContext(connection) as captured:
            send_scores_changed([locked], sender=Answer, indicators=[indicator.pk])
    return len(captured)


def test_one_changed_indicator_costs_four_queries_with_5_or_120_indicators(monkeypatch):
    # The rows (1), the indicator's answer and verified answer (1), an UPDATE of its
    # dimension's row and of the overall row (2).
    small = submitted_for_review(submit=False, assign=False)
    big = submitted_for_review(submit=False, assign=False)
    category = big.indicator("1.1").category
    for number in range(6, 121):
        IndicatorFactory(category=category, code=f"1.{number}")
    refresh_results([small.assessment, big.assessment])
    assert (small.round.indicators.count(), big.round.indicators.count()) == (5, 120)
    updates = watch_updates(monkeypatch)
    counts = [receiver_queries(case, "1.1") for case in (small, big)]
    assert counts == [4, 4]
    assert all(updates)
    for case in (small, big):
        assert list(disagreements(case.round)) == []


def test_the_receiver_loads_an_assessment_given_by_pk_in_one_more_query(case):
    case.answer("1.1", {"level": case.option("1.1", 2).pk})
    indicator = case.indicator("1.1")
    Answer.objects.filter(assessment=case.assessment, indicator=indicator).update(level=case.option("1.1", 4))
    with CaptureQueriesContext(connection) as captured:
        send_scores_changed([case.assessment.pk], sender=Answer, indicators=[indicator.pk])
    assert len(captured) == 5
    assert list(disagreements(case.round)) == []


# recompute_results --check


def test_check_reports_a_tampered_row_and_fails_without_changing_it(case, capsys):
    call_command("recompute_results", "--year", str(case.round.year), "--check")
    assert "0 rows disagree" in capsys.readouterr().out
    Result.objects.filter(assessment=case.assessment, dimension=1).update(self_points=Decimal("1.00"))
    with pytest.raises(SystemExit) as exit:
        call_command("recompute_results", "--year", str(case.round.year), "--check")
    assert exit.value.code == 1
    out = capsys.readouterr().out
    assert f"assessment {case.assessment.pk} dimension 1: self_points stored 1.00, recomputed" in out
    assert Result.objects.get(assessment=case.assessment, dimension=1).self_points == Decimal("1.00")
    call_command("recompute_results", "--year", str(case.round.year))
    assert "1 rows disagreed" in capsys.readouterr().out
    call_command("recompute_results", "--year", str(case.round.year), "--check")
    assert list(disagreements(case.round)) == []


def test_check_fails_on_a_missing_row(case, capsys):
    Result.objects.filter(assessment=case.assessment, dimension=2).delete()
    with pytest.raises(SystemExit):
        call_command("recompute_results", "--all", "--check")
    assert "dimension 2: missing" in capsys.readouterr().out


def test_adding_an_indicator_as_a_correction_refreshes_the_results():
    from assessments.framework import add_indicator

    case = submitted_for_review(submit=False)
    before = overall(case.assessment).self_full_marks
    add_indicator(
        category=case.indicator("1.1").category,
        fields={"code": "1.7", "title": "ตัวชี้วัดเพิ่ม", "kind": "levels", "applies_to": ["sao", "pao", "city", "town", "subdistrict", "pattaya"]},
        options=[{"label": "ไม่มี", "points": 0}, {"label": "มี", "points": 5}],
        by=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
        reason="ตัวชี้วัดตามนโยบาย",
    )
    assert overall(case.assessment).self_full_marks == before + 5
    assert list(disagreements(case.round)) == []
