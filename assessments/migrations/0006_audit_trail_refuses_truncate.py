"""The audit trail refuses TRUNCATE too (PostgreSQL; SQLite has no TRUNCATE).

0004 refuses UPDATE and DELETE row by row; TRUNCATE empties a table without touching a row,
so a `manage.py flush` or a `TRUNCATE ... CASCADE` from a referencing table erased the whole
history unchecked. A statement-level trigger refuses it, cascades included.

The test suite empties every table between transactional tests and browser tests: it sets
`lpa.allow_audit_truncate = on` on its own connections (tests/conftest.py). Nothing else sets it.
"""

from django.db import migrations

TABLE = "assessments_assessmentevent"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION lpa_assessment_event_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('lpa.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'assessment events are append-only: TRUNCATE is refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessment_event_no_truncate BEFORE TRUNCATE ON {TABLE}
FOR EACH STATEMENT EXECUTE FUNCTION lpa_assessment_event_no_truncate();
"""
POSTGRESQL_REVERSE = f"""
DROP TRIGGER IF EXISTS assessment_event_no_truncate ON {TABLE};
DROP FUNCTION IF EXISTS lpa_assessment_event_no_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_returned_indicator_answer_before")]

    operations = [migrations.RunPython(forward, backward)]
