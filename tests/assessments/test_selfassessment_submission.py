"""Submission by the head, what blocks it, and the province's return → revise → resubmit trips."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from assessments.evidence import add_evidence_link, remove_evidence
from assessments.models import Assessment, AssessmentEvent, Indicator, ReturnedIndicator
from assessments.selfassessment import (
    EVIDENCE_MISSING,
    UNANSWERED,
    AssessmentLocked,
    SubmissionRefused,
    answer_for,
    can_edit,
    edit_problem,
    missing_items,
    save_answer,
    submit,
)
from reviews.workflow import return_for_revision
from tests.assessments.factories import open_round, self_assessment
from tests.factories import OrganizationFactory, province, user_with_role
from tests.reviews.factories import assigned_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def sa():
    """Three indicators: levels (1.1), checklist asking for evidence (1.2), N/A allowed (1.3)."""
    sa = self_assessment()
    sa.indicator(code="1.1")
    sa.indicator(code="1.2", kind=Indicator.Kind.CHECKLIST, options=[2, 2, 1], evidence_required="คำสั่งแต่งตั้งคณะกรรมการ")
    sa.indicator(code="1.3", allows_not_applicable=True, evidence_required="ภาพถ่าย")
    return sa


@pytest.fixture
def krabi_assessor(sa):
    """An assessor of กระบี่ on the team assigned to the assessment."""
    return assigned_team(sa.assessment).members[0]


def indicator(sa, code):
    return sa.round.indicators.get(code=code)


def answer(sa, code, data, *, by=None):
    ind = indicator(sa, code)
    current = answer_for(sa.assessment, ind)
    return save_answer(assessment=sa.assessment, indicator=ind, data=data, expected_version=current.version, by=by or sa.staff)


def complete(sa):
    answer(sa, "1.1", {"level": indicator(sa, "1.1").options.last().pk})
    answer(sa, "1.2", {"ticked": [indicator(sa, "1.2").options.first().pk]})
    add_evidence_link(
        answer=answer_for(sa.assessment, indicator(sa, "1.2")),
        url="https://www.example-sao.go.th/order-12-2568",
        title="คำสั่งที่ 12/2568",
        by=sa.staff,
    )
    answer(sa, "1.3", {"not_applicable": True, "na_reason": "ไม่มีสถานีขนส่งในพื้นที่"})


def submitted(sa):
    complete(sa)
    submit(sa.assessment, by=sa.head)
    return sa


def test_missing_items_list_unanswered_indicators_and_missing_evidence(sa):
    assert [(item.indicator.code, item.problem) for item in missing_items(sa.assessment)] == [
        ("1.1", UNANSWERED),
        ("1.2", UNANSWERED),
        ("1.2", EVIDENCE_MISSING),
        ("1.3", UNANSWERED),
        ("1.3", EVIDENCE_MISSING),
    ]
    answer(sa, "1.2", {"ticked": []})
    answer(sa, "1.3", {"not_applicable": True, "na_reason": "ไม่มีภารกิจนี้"})
    # Not applicable needs no evidence; answering does not replace it.
    assert [(item.indicator.code, item.problem, item.message) for item in missing_items(sa.assessment)] == [
        ("1.1", UNANSWERED, "ยังไม่ได้ตอบ"),
        ("1.2", EVIDENCE_MISSING, "ยังไม่ได้แนบหลักฐาน"),
    ]


def test_indicators_of_other_types_and_provinces_are_never_missing(sa):
    complete(sa)
    sa.indicator(code="1.9", applies_to=["pao"])
    sa.category.open_to_provinces = True
    sa.category.save()
    sa.indicator(code="2.2", province=province("20"))
    assert missing_items(sa.assessment) == []


def test_removed_evidence_no_longer_counts(sa):
    complete(sa)
    evidence = answer_for(sa.assessment, indicator(sa, "1.2")).evidence.get()
    remove_evidence(evidence, by=sa.staff)
    assert [(i.indicator.code, i.problem) for i in missing_items(sa.assessment)] == [("1.2", EVIDENCE_MISSING)]


def test_submission_is_refused_while_items_are_missing(sa):
    answer(sa, "1.1", {"level": indicator(sa, "1.1").options.last().pk})
    with pytest.raises(SubmissionRefused) as error:
        submit(sa.assessment, by=sa.head)
    assert error.value.messages == ["ยังส่งไม่ได้: มี 4 รายการที่ยังไม่ครบ"]
    assert [item.indicator.code for item in error.value.missing] == ["1.2", "1.2", "1.3", "1.3"]
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.DRAFT and not sa.assessment.events.exists()


def test_only_the_head_of_the_organization_submits(sa):
    complete(sa)
    other_head = user_with_role(Role.Kind.ORG_HEAD, organization=OrganizationFactory())
    for user in (sa.staff, other_head, user_with_role(Role.Kind.PROVINCIAL_ADMIN)):
        with pytest.raises(PermissionDenied):
            submit(sa.assessment, by=user)
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.DRAFT


def test_head_of_another_organization_who_is_staff_here_may_not_submit(sa):
    complete(sa)
    both = user_with_role(Role.Kind.ORG_HEAD, organization=OrganizationFactory())
    Role.objects.create(user=both, kind=Role.Kind.ORG_STAFF, organization=sa.organization)
    with pytest.raises(PermissionDenied):
        submit(sa.assessment, by=both)


def test_submission_stamps_locks_and_records(sa):
    complete(sa)
    event = submit(sa.assessment, by=sa.head)
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.SUBMITTED
    assert sa.assessment.submitted_by == sa.head and sa.assessment.submitted_at == event.at
    assert (event.kind, event.by, event.revision) == (AssessmentEvent.Kind.SUBMITTED, sa.head, 0)
    level = indicator(sa, "1.1")
    assert edit_problem(sa.assessment, level, user=sa.staff, today=timezone.localdate()).startswith("ส่งผลการประเมินแล้ว")
    with pytest.raises(AssessmentLocked):
        answer(sa, "1.1", {"level": level.options.first().pk})
    with pytest.raises(AssessmentLocked):
        add_evidence_link(answer=answer_for(sa.assessment, level), url="https://example.go.th", title="", by=sa.staff)
    with pytest.raises(SubmissionRefused):
        submit(sa.assessment, by=sa.head)


def test_return_opens_only_the_flagged_indicators_with_the_reason(sa, krabi_assessor):
    submitted(sa)
    flagged = indicator(sa, "1.2")
    return_for_revision(assessment=sa.assessment, flags={flagged: " คำสั่งไม่มีลายมือชื่อ "}, by=krabi_assessor)
    sa.assessment.refresh_from_db()
    assert (sa.assessment.status, sa.assessment.revision) == (Assessment.Status.RETURNED, 1)
    today = timezone.localdate()
    assert can_edit(sa.assessment, flagged, user=sa.staff, today=today)
    assert edit_problem(sa.assessment, indicator(sa, "1.1"), user=sa.staff, today=today) == (
        "ตัวชี้วัดนี้ไม่ได้ถูกส่งกลับให้แก้ไข จึงแก้ไขไม่ได้"
    )
    loaded = Indicator.objects.for_assessment(sa.assessment).with_answers(sa.assessment).get(pk=flagged.pk)
    assert [flag.reason for flag in loaded.open_flags] == ["คำสั่งไม่มีลายมือชื่อ"]
    answer(sa, "1.2", {"ticked": [o.pk for o in flagged.options.all()]})


def test_revise_and_resubmit_keeps_every_round_trip(sa, krabi_assessor):
    submitted(sa)
    first, second = indicator(sa, "1.1"), indicator(sa, "1.2")
    return_for_revision(assessment=sa.assessment, flags={first: "ระดับสูงเกินหลักฐาน"}, by=krabi_assessor)
    answer(sa, "1.1", {"level": first.options.get(position=3).pk})
    submit(sa.assessment, by=sa.head)
    sa.assessment.refresh_from_db()
    assert (sa.assessment.status, sa.assessment.revision) == (Assessment.Status.RESUBMITTED, 1)
    assert ReturnedIndicator.objects.get(indicator=first).resolved_at == sa.assessment.submitted_at
    assert not can_edit(sa.assessment, first, user=sa.staff, today=timezone.localdate())

    return_for_revision(assessment=sa.assessment, flags={second: "แนบคำสั่งฉบับจริง"}, by=krabi_assessor)
    sa.assessment.refresh_from_db()
    assert sa.assessment.revision == 2
    # The first flag was resolved: only the new one is open.
    assert not can_edit(sa.assessment, first, user=sa.staff, today=timezone.localdate())
    assert can_edit(sa.assessment, second, user=sa.staff, today=timezone.localdate())
    submit(sa.assessment, by=sa.head)

    history = [(e.kind, e.revision) for e in sa.assessment.events.milestones()]
    assert history == [
        ("submitted", 0),
        ("returned", 1),
        ("resubmitted", 1),
        ("returned", 2),
        ("resubmitted", 2),
    ]
    returned = sa.assessment.events.filter(kind=AssessmentEvent.Kind.RETURNED).first()
    assert returned.data["indicators"] == {"1.1": "ระดับสูงเกินหลักฐาน"} and returned.by == krabi_assessor
    assert (returned.from_status, returned.to_status) == ("submitted", "returned")
    assert list(sa.assessment.returned_indicators.values_list("indicator__code", "revision")) == [("1.1", 1), ("1.2", 2)]


def test_a_return_after_the_window_gives_its_own_due_date_to_revise():
    sa = self_assessment(open_round(opens_in_days=-60, closes_in_days=-1))
    level = sa.indicator(code="1.1")
    other = sa.indicator(code="1.2")
    sa.assessment.status, sa.assessment.submitted_at, sa.assessment.submitted_by = (
        Assessment.Status.SUBMITTED,
        datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        sa.head,
    )
    sa.assessment.save()
    today = timezone.localdate()
    return_for_revision(
        assessment=sa.assessment,
        flags={level: "ไม่มีหลักฐาน"},
        by=user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")),
        due=today + datetime.timedelta(days=3),
    )
    assert sa.assessment.deadline() == today + datetime.timedelta(days=3)
    assert can_edit(sa.assessment, level, user=sa.staff, today=today)
    assert not can_edit(sa.assessment, other, user=sa.staff, today=today)
    assert "พ้นกำหนด" in edit_problem(sa.assessment, level, user=sa.staff, today=today + datetime.timedelta(days=4))


def test_a_return_due_date_cannot_be_in_the_past(sa, krabi_assessor):
    submitted(sa)
    with pytest.raises(ValidationError) as error:
        return_for_revision(
            assessment=sa.assessment,
            flags={indicator(sa, "1.1"): "ตรวจสอบใหม่"},
            by=krabi_assessor,
            due=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert error.value.message_dict == {"due": ["กำหนดส่งผลที่แก้ไขต้องไม่ก่อนวันนี้"]}
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.SUBMITTED


def test_only_the_assigned_team_or_the_provincial_office_returns_and_only_a_sent_assessment(sa, krabi_assessor):
    flags = {indicator(sa, "1.1"): "ตรวจสอบใหม่"}
    with pytest.raises(ValidationError) as error:
        return_for_revision(assessment=sa.assessment, flags=flags, by=krabi_assessor)
    assert "ส่งกลับให้แก้ไขไม่ได้ เพราะการประเมินอยู่ในสถานะ" in error.value.messages[0]
    submitted(sa)
    chonburi = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))
    unassigned = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    department = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    for outsider in (chonburi, unassigned, department, sa.head):
        with pytest.raises(PermissionDenied):
            return_for_revision(assessment=sa.assessment, flags=flags, by=outsider)


def test_each_flag_needs_a_reason_and_an_indicator_of_this_organization(sa, krabi_assessor):
    submitted(sa)
    for_pao = sa.indicator(code="1.9", applies_to=["pao"])
    with pytest.raises(ValidationError) as error:
        return_for_revision(
            assessment=sa.assessment, flags={indicator(sa, "1.1"): " ", for_pao: "ผิด"}, by=krabi_assessor
        )
    assert error.value.messages == ["ระบุเหตุผลที่ส่งตัวชี้วัด 1.1 กลับให้แก้ไข", "ตัวชี้วัด 1.9 ไม่ใช้กับ อปท. นี้"]
    with pytest.raises(ValidationError):
        return_for_revision(assessment=sa.assessment, flags={}, by=krabi_assessor)
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.SUBMITTED and sa.assessment.revision == 0
