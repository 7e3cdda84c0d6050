"""prepare_training --reset: the practice day's work gone, the copy as it was prepared, real data refused."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Role, User
from assessments.evidence import add_evidence_file
from assessments.models import Assessment, AssessmentEvent, Evidence, Round
from assessments.selfassessment import answer_for
from feedback.models import Feedback
from feedback.workflow import send_feedback
from notifications.models import Notification
from reviews.models import Assignment, Team
from tests.assessments.factories import pdf_bytes
from tests.factories import user_with_role
from tests.training.conftest import DAY, prepare
from training.models import TrainingAccount, TrainingDay

pytestmark = pytest.mark.django_db


def practice_day(passwords: dict[str, str]) -> dict:
    """What people do on the day: answer with evidence, send feedback, change a password,
    the office adds a colleague. Returns what to look for afterwards."""
    staff = User.objects.get(username__startswith="t81-", username__endswith="-staff", roles__organization__type="sao")
    assessment = Assessment.objects.get(organization=staff.roles.get().organization)
    indicator = assessment.round.indicators.filter(is_pilot=False).order_by("pk").first()
    answer = answer_for(assessment, indicator)
    evidence = add_evidence_file(
        answer=answer,
        upload=SimpleUploadedFile("คำสั่ง.pdf", pdf_bytes(), content_type="application/pdf"),
        by=staff,
        today=DAY,
    )
    png = SimpleUploadedFile("จอ.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, content_type="image/png")
    feedback = send_feedback(author=staff, page="/", text="ลองส่ง", screenshot=png)
    staff.set_password("changed-on-the-day")
    staff.save()
    office = User.objects.get(username="t81-office")
    colleague = User.objects.create_user("new-colleague")
    Role.objects.create(user=colleague, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=office.roles.get().province, granted_by=office)
    return {"staff": staff.username, "evidence": evidence.file.path, "screenshot": feedback.screenshot.path}


def test_reset_puts_the_copy_back_as_prepared(tmp_path, django_capture_on_commit_callbacks):
    passwords = prepare(tmp_path)
    before = {
        "users": sorted(User.objects.values_list("username", flat=True)),
        "assessments": sorted(Assessment.objects.values_list("organization__code", flat=True)),
        "assignments": sorted(Assignment.objects.values_list("assessment__organization__code", "visit_on")),
        "events": AssessmentEvent.objects.count(),
    }
    done = practice_day(passwords)
    if connection.vendor == "postgresql":
        # As in production: the test suite's own permission to empty the audit trail is off.
        with connection.cursor() as cursor:
            cursor.execute("SET lpa.allow_audit_truncate = 'off'")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prepare_training", reset=True)

    assert sorted(User.objects.values_list("username", flat=True)) == before["users"]  # the colleague is gone
    for user in User.objects.all():
        assert user.check_password(passwords[user.username]), user.username  # the sheets stay valid
    assert sorted(Assessment.objects.values_list("organization__code", flat=True)) == before["assessments"]
    assert sorted(Assignment.objects.values_list("assessment__organization__code", "visit_on")) == before["assignments"]
    assert AssessmentEvent.objects.count() == before["events"]  # the assignments' only
    assert not Evidence.objects.exists() and not Feedback.objects.exists()
    assert not Assessment.objects.filter(answers__isnull=False).exists()
    assert Round.objects.get().phase == Round.Phase.SELF_ASSESSMENT
    assert Team.objects.count() == 1 and TrainingDay.objects.get().day == DAY
    assert TrainingAccount.objects.count() == len(passwords)
    # The uploads of the day are gone from the storage too.
    assert not Path(done["evidence"]).exists() and not Path(done["screenshot"]).exists()


def test_reset_refuses_when_real_data_came_in(tmp_path):
    prepare(tmp_path)
    real = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    Notification.objects.create(recipient=real, kind=Notification.Kind.REMINDER, subject="จริง", body="จริง")
    users = User.objects.count()
    with pytest.raises(CommandError, match="มีบัญชีผู้ใช้จริง 1 บัญชี"):
        call_command("prepare_training", reset=True)
    assert User.objects.count() == users and Notification.objects.filter(subject="จริง").exists()


def test_reset_refuses_a_database_never_prepared():
    with pytest.raises(CommandError, match="ยังไม่ได้เตรียมชุดฝึกอบรม"):
        call_command("prepare_training", reset=True)
