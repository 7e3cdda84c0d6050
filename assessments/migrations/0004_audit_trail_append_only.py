"""The audit trail is append-only in the database itself, not only in the code.

PostgreSQL refuses UPDATE and DELETE of an AssessmentEvent row; SQLite (development)
refuses UPDATE. One update stays allowed: setting indicator_id to NULL and nothing else,
which is what the foreign key's SET_NULL does when a correction removes an indicator (the
event's data keeps its code). TRUNCATE is not a row change: 0005 refuses it.
"""

from django.db import migrations

TABLE = "assessments_assessmentevent"
SAME_OTHER_COLUMNS = " AND ".join(
    f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"
    for column in ("id", "assessment_id", "kind", "at", "by_id", "revision", "from_status", "to_status", "note")
)

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION lpa_assessment_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.indicator_id IS NULL AND {SAME_OTHER_COLUMNS}
       AND NEW.data::text = OLD.data::text THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'assessment events are append-only: UPDATE and DELETE are refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessment_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION lpa_assessment_event_append_only();
"""
POSTGRESQL_REVERSE = f"""
DROP TRIGGER IF EXISTS assessment_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS lpa_assessment_event_append_only();
"""

SQLITE = f"""
CREATE TRIGGER assessment_event_append_only BEFORE UPDATE ON {TABLE}
WHEN NOT (NEW.indicator_id IS NULL AND {SAME_OTHER_COLUMNS.replace("IS NOT DISTINCT FROM", "IS")}
          AND NEW.data IS OLD.data)
BEGIN
    SELECT RAISE(ABORT, 'assessment events are append-only (UPDATE refused)');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS assessment_event_append_only;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_audit_trail_and_review_statuses")]

    operations = [migrations.RunPython(forward, backward)]
