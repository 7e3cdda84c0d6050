"""The audit trail (AssessmentEvent) is append-only in the database itself: PostgreSQL refuses
UPDATE, DELETE and TRUNCATE of it (assessments/migrations 0004 and 0005)."""

import pytest
from django.db import DatabaseError, connection, transaction

from assessments.models import AssessmentEvent
from tests.assessments.factories import self_assessment

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE and the DELETE guard are PostgreSQL's (SQLite has no TRUNCATE)"
)


@pytest.fixture
def event(db) -> AssessmentEvent:
    sa = self_assessment()
    return AssessmentEvent.objects.create(assessment=sa.assessment, kind=AssessmentEvent.Kind.SUBMITTED, by=sa.head)


def run_as_the_application(*statements: str) -> None:
    """Run `statements` without the test suite's own permission to empty tables (tests/conftest.py)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lpa.allow_audit_truncate = 'off'")
        # The test's rows were written in this transaction: check their deferred foreign keys
        # now, or PostgreSQL refuses the TRUNCATE for its pending trigger events, not the guard.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)


@postgresql_only
@pytest.mark.parametrize(
    "statement",
    ["TRUNCATE assessments_assessmentevent", "TRUNCATE assessments_assessment CASCADE"],
    ids=["the table", "cascading from the assessments"],
)
def test_truncate_of_the_audit_trail_is_refused(event, statement):
    with pytest.raises(DatabaseError, match="append-only"):
        run_as_the_application(statement)
    assert AssessmentEvent.objects.filter(pk=event.pk).exists()


@postgresql_only
def test_update_and_delete_of_an_event_are_refused(event):
    for statement in (
        f"UPDATE assessments_assessmentevent SET note = 'แก้' WHERE id = {event.pk}",
        f"DELETE FROM assessments_assessmentevent WHERE id = {event.pk}",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            run_as_the_application(statement)


@postgresql_only
def test_other_tables_may_still_be_truncated(event):
    run_as_the_application("TRUNCATE notifications_notification")
