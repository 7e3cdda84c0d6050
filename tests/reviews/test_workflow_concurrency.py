"""Two people moving the same assessment at once (reviews/workflow/, PostgreSQL).

Every transition locks the assessment row (SELECT … FOR UPDATE) before it reads the status,
so two transitions run one after the other and the second sees what the first did. SQLite
has no row locks (it locks the whole database on write), so these tests need PostgreSQL.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment, AssessmentEvent
from assessments.selfassessment import submit
from reviews.models import Appeal, VerifiedAnswer
from reviews.workflow import (
    StaleVerifiedAnswer,
    TransitionRefused,
    answer_appeal,
    approve,
    open_appeal,
    publish_round,
    reopen,
    return_for_revision,
    save_verified_answer,
    start_review,
    verify,
)
from tests.reviews.factories import submitted_for_review

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
pytestmark = postgresql_only

Status = Assessment.Status


def locks_then_writes(action, *tables: str) -> None:
    """`action` locks rows of `tables` (the assessment's by default) before it changes them.

    An UPDATE that only counts the assessment's version up (selfassessment.lock: its pages'
    cache key) takes the row's lock without reading it, so it locks as SELECT … FOR UPDATE does.
    """
    with CaptureQueriesContext(connection) as queries:
        action()
    statements = [query["sql"] for query in queries.captured_queries]
    for table in tables or ("assessments_assessment",):
        bump = f'UPDATE "{table}" SET "version" = ("{table}"."version" + 1) WHERE'
        locked = [
            i
            for i, sql in enumerate(statements)
            if sql.startswith(bump)
            or sql.startswith("SELECT")
            and "FOR UPDATE" in sql
            and (f'FOR UPDATE OF "{table}"' in sql or sql.split(" WHERE ")[0].endswith(f'FROM "{table}"'))
        ]
        written = [i for i, sql in enumerate(statements) if sql.startswith(f'UPDATE "{table}"') and not sql.startswith(bump)]
        assert locked, f"no SELECT … FOR UPDATE of {table}"
        assert written and locked[0] < written[0], f"{table} changed without its lock"


@pytest.mark.django_db
def test_every_transition_locks_the_assessment_row_before_changing_it():
    case = submitted_for_review()
    lead, member, office, department = case.team.lead, case.team.members[0], case.office, case.department
    one = case.indicator("1.1")
    locks_then_writes(lambda: start_review(assessment=case.assessment, by=member))
    locks_then_writes(lambda: return_for_revision(assessment=case.assessment, flags={one: "ขาดภาพถ่าย"}, by=member))
    case.answer("1.1", {"level": case.option("1.1", 6).pk})
    submit(case.assessment, by=case.sa.head)
    locks_then_writes(
        lambda: save_verified_answer(
            assessment=case.assessment,
            indicator=one,
            data={"level": case.option("1.1", 6).pk},
            expected_version=0,
            by=member,
        )
    )
    case.score_as_claimed("1.2", "1.3", "1.4", "1.5")
    locks_then_writes(lambda: verify(assessment=case.assessment, by=lead))
    locks_then_writes(lambda: reopen(assessment=case.assessment, by=office, reason="ตรวจซ้ำ"))
    verify(assessment=case.assessment, by=lead)
    locks_then_writes(lambda: approve(assessment=case.assessment, by=office))
    locks_then_writes(
        lambda: publish_round(assessment_round=case.round, by=department), "assessments_round", "assessments_assessment"
    )
    locks_then_writes(lambda: open_appeal(assessment=case.assessment, arguments={one: "ขอทบทวน"}, by=case.sa.head))
    appeal = Appeal.objects.get()
    locks_then_writes(
        lambda: answer_appeal(appeal=appeal, decision="rejected", response="ยืนผล", by=lead),
        "reviews_appeal",
        "assessments_assessment",
    )


def _race(first, second) -> str:
    """Run `first` in a transaction that keeps its lock while `second` starts in another
    connection; returns what happened to `second` once `first` has committed."""
    outcome: list[str] = []
    ready = threading.Event()

    def other():
        ready.set()
        try:
            second()
            outcome.append("done")
        except TransitionRefused as error:
            outcome.append(" ".join(error.messages))
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    with transaction.atomic():
        first()
        thread.start()
        ready.wait()
        thread.join(timeout=1)
        # Still waiting for the row: it cannot read the status before this commits.
        assert thread.is_alive()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return outcome[0]


@pytest.mark.django_db(transaction=True)
def test_verify_and_return_at_the_same_moment_the_return_waits_and_is_refused():
    case = submitted_for_review()
    case.score_as_claimed()
    outcome = _race(
        lambda: verify(assessment=case.assessment, by=case.team.lead),
        lambda: return_for_revision(
            assessment=Assessment.objects.get(pk=case.assessment.pk),
            flags={case.indicator("1.2"): "ขาด"},
            by=case.team.members[0],
        ),
    )
    assert outcome == "ส่งกลับให้แก้ไขไม่ได้ เพราะการประเมินอยู่ในสถานะ “ตรวจประเมินแล้ว”"
    assessment = case.reload()
    assert (assessment.status, assessment.revision) == (Status.VERIFIED, 0)
    assert not AssessmentEvent.objects.filter(assessment=assessment, kind="returned").exists()


@pytest.mark.django_db(transaction=True)
def test_return_and_verify_at_the_same_moment_the_verification_waits_and_is_refused():
    case = submitted_for_review()
    case.score_as_claimed()
    outcome = _race(
        lambda: return_for_revision(
            assessment=case.assessment, flags={case.indicator("1.2"): "ขาด"}, by=case.team.members[0]
        ),
        lambda: verify(assessment=Assessment.objects.get(pk=case.assessment.pk), by=case.team.lead),
    )
    assert outcome == "ยืนยันผลการตรวจไม่ได้ เพราะการประเมินอยู่ในสถานะ “ส่งกลับให้แก้ไข”"
    assessment = case.reload()
    assert (assessment.status, assessment.revision) == (Status.RETURNED, 1)
    assert not AssessmentEvent.objects.filter(assessment=assessment, kind="verified").exists()


@pytest.mark.django_db(transaction=True)
def test_two_assessors_saving_one_indicator_at_the_same_moment_one_wins_and_the_other_is_told():
    case = submitted_for_review()
    indicator = case.indicator("1.1")
    barrier, outcomes = threading.Barrier(2), []

    def attempt(user, position):
        barrier.wait()
        try:
            save_verified_answer(
                assessment=case.assessment,
                indicator=indicator,
                data={"level": case.option("1.1", position).pk, "reason": "ตรวจแล้ว"},
                expected_version=0,
                by=user,
            )
            outcomes.append("saved")
        except StaleVerifiedAnswer:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=args) for args in ((case.team.members[0], 2), (case.team.members[1], 4))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]
    verified = VerifiedAnswer.objects.get()
    assert verified.version == 1
    # One review started, one score recorded: the loser wrote nothing.
    assert AssessmentEvent.objects.filter(assessment=case.assessment, kind="review_started").count() == 1
    assert AssessmentEvent.objects.filter(assessment=case.assessment, kind="score_changed").count() == 1
