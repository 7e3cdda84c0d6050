"""The self-assessment window (Bangkok days) and extensions granted by the provincial office."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from assessments.models import AssessmentEvent, Round
from assessments.selfassessment import (
    AssessmentLocked,
    SubmissionRefused,
    can_edit,
    days_left,
    edit_problem,
    grant_extension,
    save_answer,
    submit,
)
from tests.assessments.factories import open_round, self_assessment
from tests.factories import province, user_with_role

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def closed():
    """The window closed yesterday."""
    return self_assessment(open_round(opens_in_days=-60, closes_in_days=-1))


@pytest.fixture
def krabi_admin():
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))


def answer_everything(sa, by=None):
    for indicator in sa.round.indicators.all():
        save_answer(
            assessment=sa.assessment,
            indicator=indicator,
            data={"level": indicator.options.last().pk},
            expected_version=0,
            by=by or sa.staff,
        )


def test_bangkok_day_changes_at_midnight_thai_time_not_utc():
    # 17:30 UTC on 31 March is 00:30 on 1 April in Bangkok.
    assert timezone.localdate(datetime.datetime(2026, 3, 31, 16, 59, tzinfo=UTC)) == datetime.date(2026, 3, 31)
    assert timezone.localdate(datetime.datetime(2026, 3, 31, 17, 30, tzinfo=UTC)) == datetime.date(2026, 4, 1)


def test_the_closing_day_is_open_until_its_end_and_closed_the_day_after():
    sa = self_assessment()
    indicator = sa.indicator()
    closes = sa.round.self_assessment_closes
    assert can_edit(sa.assessment, indicator, user=sa.staff, today=closes)
    problem = edit_problem(sa.assessment, indicator, user=sa.staff, today=closes + datetime.timedelta(days=1))
    assert problem.startswith("พ้นกำหนดการประเมินตนเองแล้ว (สิ้นวันที่")
    assert str(closes.year + 543) in problem  # Buddhist Era


def test_nothing_changes_before_the_window_opens():
    sa = self_assessment(open_round(opens_in_days=2, closes_in_days=30))
    indicator = sa.indicator()
    with pytest.raises(AssessmentLocked) as error:
        save_answer(assessment=sa.assessment, indicator=indicator, data={}, expected_version=0, by=sa.staff)
    assert "ยังไม่ถึงวันเปิดการประเมินตนเอง" in error.value.messages[0]


def test_a_closed_round_refuses_changes():
    sa = self_assessment(open_round(phase=Round.Phase.CLOSED))
    assert "ไม่ได้เปิดให้ประเมินตนเอง" in edit_problem(sa.assessment, sa.indicator(), user=sa.staff, today=timezone.localdate())


def test_after_the_deadline_nothing_is_saved_or_submitted(closed):
    indicator = closed.indicator()
    with pytest.raises(AssessmentLocked):
        save_answer(
            assessment=closed.assessment,
            indicator=indicator,
            data={"level": indicator.options.last().pk},
            expected_version=0,
            by=closed.staff,
        )
    with pytest.raises(SubmissionRefused) as error:
        submit(closed.assessment, by=closed.head)
    assert "พ้นกำหนด" in error.value.messages[0]


def test_an_extension_reopens_saving_and_submitting_for_that_organization_only(closed, krabi_admin):
    closed.indicator()
    neighbour = self_assessment(closed.round)
    extension = grant_extension(
        assessment=closed.assessment,
        until=timezone.localdate() + datetime.timedelta(days=3),
        reason="น้ำท่วมสำนักงาน เอกสารเสียหาย",
        by=krabi_admin,
    )
    assert closed.assessment.deadline() == extension.until
    assert days_left(closed.assessment) == 3
    answer_everything(closed)
    submit(closed.assessment, by=closed.head)
    assert not can_edit(neighbour.assessment, neighbour.round.indicators.first(), user=neighbour.staff, today=timezone.localdate())
    event = closed.assessment.events.get(kind=AssessmentEvent.Kind.EXTENSION_GRANTED)
    assert event.by == krabi_admin and event.note == "น้ำท่วมสำนักงาน เอกสารเสียหาย"
    assert event.data["until"] == extension.until.isoformat()


def test_an_extension_ends_at_the_end_of_its_day(closed, krabi_admin):
    indicator = closed.indicator()
    until = timezone.localdate() + datetime.timedelta(days=1)
    grant_extension(assessment=closed.assessment, until=until, reason="ขอเวลาเพิ่ม", by=krabi_admin)
    assert can_edit(closed.assessment, indicator, user=closed.staff, today=until)
    assert not can_edit(closed.assessment, indicator, user=closed.staff, today=until + datetime.timedelta(days=1))


def test_the_latest_extension_decides_so_a_mistake_can_be_corrected(closed, krabi_admin):
    today = timezone.localdate()
    grant_extension(assessment=closed.assessment, until=today + datetime.timedelta(days=30), reason="พิมพ์ผิด", by=krabi_admin)
    grant_extension(assessment=closed.assessment, until=today + datetime.timedelta(days=3), reason="แก้เป็น 3 วัน", by=krabi_admin)
    assert closed.assessment.deadline() == today + datetime.timedelta(days=3)
    assert closed.assessment.extensions.count() == 2


def test_only_the_provincial_office_of_that_province_grants_extensions(closed):
    until = timezone.localdate() + datetime.timedelta(days=3)
    for user in (
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
        closed.head,
    ):
        with pytest.raises(PermissionDenied):
            grant_extension(assessment=closed.assessment, until=until, reason="ขอเวลา", by=user)
    assert not closed.assessment.extensions.exists()


def test_an_extension_needs_a_reason_and_a_date_after_the_close(closed, krabi_admin):
    with pytest.raises(ValidationError) as error:
        grant_extension(assessment=closed.assessment, until=timezone.localdate(), reason="  ", by=krabi_admin)
    assert error.value.message_dict["reason"] == ["ระบุเหตุผลของการขยายเวลา"]
    with pytest.raises(ValidationError) as error:
        grant_extension(
            assessment=closed.assessment, until=timezone.localdate() - datetime.timedelta(days=1), reason="x", by=krabi_admin
        )
    assert error.value.message_dict["until"] == ["วันที่ขยายถึงต้องไม่ก่อนวันนี้"]
    still_open = self_assessment()
    with pytest.raises(ValidationError) as error:
        grant_extension(
            assessment=still_open.assessment, until=still_open.round.self_assessment_closes, reason="x", by=krabi_admin
        )
    assert "ต้องหลังวันปิดการประเมินตนเอง" in error.value.message_dict["until"][0]


def test_a_submitted_assessment_needs_no_extension(krabi_admin):
    sa = self_assessment()
    sa.indicator()
    answer_everything(sa)
    submit(sa.assessment, by=sa.head)
    with pytest.raises(ValidationError) as error:
        grant_extension(
            assessment=sa.assessment,
            until=sa.round.self_assessment_closes + datetime.timedelta(days=5),
            reason="x",
            by=krabi_admin,
        )
    assert "ไม่ต้องขยายเวลา" in error.value.messages[0]
