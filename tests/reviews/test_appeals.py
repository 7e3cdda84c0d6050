"""Verified results and appeals: who sees the results when, the head's appeal (window, once
only, new evidence), its answer (accepted changes the verified points, rejected keeps them,
the last answer publishes again) and the province's list of appeals."""

import datetime
import html
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from assessments.models import Assessment, AssessmentEvent, Evidence, Indicator, Round
from assessments.selfassessment import AssessmentLocked, save_answer, submit
from reviews import workflow
from reviews.models import Appeal, VerifiedAnswer
from reviews.workflow import add_appeal_evidence_file
from tests.assessments.factories import PE_HEADER, open_round, pdf_bytes, self_assessment, upload
from tests.factories import province, user_with_role
from tests.reviews.factories import ReviewTeam, assigned_team, review_team

pytestmark = pytest.mark.django_db

Status = Assessment.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.LPA_EVIDENCE_ROOT


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@dataclass
class Published:
    """A กระบี่ อบต.'s assessment taken through review to publication, and everyone around it."""

    assessment: Assessment
    staff: User
    head: User
    team: ReviewTeam
    office: User
    department: User
    levels: Indicator  # self 5, verified 3 (with a reason)
    checklist: Indicator  # self all three ticked, verified the same
    figure: Indicator  # self 85 → 5 points, verified the same
    extra: list[Indicator]

    @property
    def lead(self) -> User:
        return self.team.lead

    def reload(self) -> Assessment:
        return Assessment.objects.select_related("round", "organization__district__province").get(pk=self.assessment.pk)


def build_published(
    *, extra_indicators: int = 0, publish: bool = True, appeal_days: tuple[int, int] = (-1, 14)
) -> Published:
    round = open_round(appeal_opens=TODAY + appeal_days[0] * DAY, appeal_closes=TODAY + appeal_days[1] * DAY)
    sa = self_assessment(round)
    levels = sa.indicator(code="1.1", title="แผนพัฒนาท้องถิ่น")
    checklist = sa.indicator(
        code="1.2", title="การประชาคม", kind=Indicator.Kind.CHECKLIST, options=[2, 2, 1], position=2
    )
    figure = sa.indicator(
        code="1.3",
        title="การแก้ไขเรื่องร้องเรียน",
        kind=Indicator.Kind.FIGURE,
        options=[(3, 50), (5, 80)],
        position=3,
        unit="ร้อยละ",
    )
    extra = [sa.indicator(code=f"1.{n}", position=n) for n in range(4, 4 + extra_indicators)]
    own = {
        levels: {"level": levels.options.get(position=6).pk},
        checklist: {"ticked": list(checklist.options.values_list("pk", flat=True))},
        figure: {"figure": "85"},
        **{indicator: {"level": indicator.options.get(position=6).pk} for indicator in extra},
    }
    for indicator, data in own.items():
        save_answer(assessment=sa.assessment, indicator=indicator, data=data, expected_version=0, by=sa.staff)
    submit(sa.assessment, by=sa.head)
    team = assigned_team(sa.assessment, members=1)
    verified = {
        levels: {"level": levels.options.get(position=4).pk, "reason": "ไม่พบรายงานการประชาคม"},
        **{
            indicator: {key: value for key, value in data.items()}
            for indicator, data in own.items()
            if indicator != levels
        },
    }
    for indicator, data in verified.items():
        workflow.save_verified_answer(
            assessment=sa.assessment, indicator=indicator, data=data, expected_version=0, by=team.lead
        )
    workflow.verify(assessment=sa.assessment, by=team.lead)
    office = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
    department = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    workflow.approve(assessment=sa.assessment, by=office)
    if publish:
        workflow.publish_round(assessment_round=round, by=department)
    sa.assessment.refresh_from_db()
    return Published(sa.assessment, sa.staff, sa.head, team, office, department, levels, checklist, figure, extra)


@pytest.fixture
def published() -> Published:
    return build_published()


def results_url(p: Published) -> str:
    return reverse("reviews:results", args=[p.assessment.pk])


def appeal_url(p: Published) -> str:
    return reverse("reviews:appeal_open", args=[p.assessment.pk])


def appeal_post(rows: dict) -> dict:
    """Form data from {indicator: argument or (argument, [files])}."""
    data = {}
    for indicator, value in rows.items():
        argument, files = value if isinstance(value, tuple) else (value, [])
        prefix = f"i{indicator.pk}"
        data[f"{prefix}-chosen"] = "on"
        data[f"{prefix}-argument"] = argument
        if files:
            data[f"{prefix}-files"] = files
    return data


def rows_for(p: Published, by_code: dict) -> dict:
    """{indicator code: value} → {indicator: value}."""
    indicators = {i.code: i for i in (p.levels, p.checklist, p.figure, *p.extra)}
    return {indicators[code]: value for code, value in by_code.items()}


def open_one(p: Published, argument: str = "มีรายงานการประชาคมครบ 4 ครั้ง แนบมาแล้ว") -> Appeal:
    (appeal,) = workflow.open_appeal(assessment=p.assessment, arguments={p.levels: argument}, by=p.head)
    return appeal


# Results: who sees what, when.


def test_organization_sees_verified_results_with_reasons_once_published(client, published):
    client.force_login(published.staff)
    response = client.get(results_url(published))
    assert response.status_code == 200
    text = response.content.decode()
    # 3 + 5 + 5 of 15 verified (self: 15 of 15).
    assert "13 จาก 15 คะแนน" in text
    assert "86.67" in text and "ดีมาก" in text and "ผ่านเกณฑ์" in text
    assert "ไม่พบรายงานการประชาคม" in text
    assert "ระดับ 4: ข้อ 4" in text  # the verified level beside the organization's own
    assert "ระดับ 6: ข้อ 6" in text


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.VERIFIED, Status.APPROVED])
def test_organization_is_told_results_are_not_published_and_sees_no_score(client, status):
    p = build_published(publish=False)
    unsent = {"submitted_at": None, "submitted_by": None} if status == Status.DRAFT else {}
    Assessment.objects.filter(pk=p.assessment.pk).update(status=status, **unsent)
    client.force_login(p.head)
    response = client.get(results_url(p))
    assert response.status_code == 200
    text = response.content.decode()
    assert "ยังไม่ประกาศผลการประเมิน" in text
    assert "ไม่พบรายงานการประชาคม" not in text
    assert "86.67" not in text and "จาก 15 คะแนน" not in text
    assert "data-result" not in text


def test_reviewers_see_results_before_publication_with_a_warning(client):
    p = build_published(publish=False)
    for user in (p.lead, p.team.members[0], p.office, p.department):
        client.force_login(user)
        response = client.get(results_url(p))
        assert response.status_code == 200, user
        text = response.content.decode()
        assert "86.67" in text and "ยังไม่ประกาศผล อปท. ยังไม่เห็นหน้านี้" in text


def test_results_page_shows_unscored_indicators_as_not_checked_during_review(client):
    round = open_round()
    sa = self_assessment(round)
    indicator = sa.indicator(code="1.1")
    save_answer(
        assessment=sa.assessment,
        indicator=indicator,
        data={"level": indicator.options.last().pk},
        expected_version=0,
        by=sa.staff,
    )
    submit(sa.assessment, by=sa.head)
    team = assigned_team(sa.assessment)
    client.force_login(team.lead)
    response = client.get(reverse("reviews:results", args=[sa.assessment.pk]))
    assert response.status_code == 200
    assert "ยังไม่ได้ตรวจ" in response.content.decode()
    assert "ผลการตรวจยังไม่ได้รับการยืนยัน" in response.content.decode()


@pytest.mark.parametrize(
    "who",
    ["assessor_of_another_team", "assessor_of_another_province", "office_of_another_province", "other_organization"],
)
def test_outsiders_get_404_on_results(client, published, who):
    from tests.factories import OrganizationFactory, district

    user = {
        "assessor_of_another_team": lambda: user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
        "assessor_of_another_province": lambda: user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
        "office_of_another_province": lambda: user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        "other_organization": lambda: user_with_role(
            Role.Kind.ORG_HEAD, organization=OrganizationFactory(district=district("8101"))
        ),
    }[who]()
    client.force_login(user)
    assert client.get(results_url(published)).status_code == 404


def appeal_everything(p: Published) -> None:
    """Appeals on every indicator, each with a new file: nothing the page shows comes one by one."""
    indicators = [p.levels, p.checklist, p.figure, *p.extra]
    evidence = {
        indicator: [
            add_appeal_evidence_file(
                assessment=p.assessment,
                indicator=indicator,
                upload=upload(f"{indicator.code}.pdf", pdf_bytes(indicator.code)),
                by=p.head,
            )
        ]
        for indicator in indicators
    }
    workflow.open_appeal(
        assessment=p.assessment, arguments=dict.fromkeys(indicators, "เหตุผล"), evidence=evidence, by=p.head
    )


@pytest.mark.parametrize("reader", ["head", "lead", "office"])
def test_results_page_query_count_is_pinned_and_does_not_grow_with_indicators(client, reader):
    counts = []
    for extra in (0, 12):
        p = build_published(extra_indicators=extra)
        appeal_everything(p)
        client.force_login(getattr(p, reader))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(results_url(p))
        assert response.status_code == 200
        assert response.content.decode().count("data-appeal>") == 3 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # Session, user, roles, the assessment (and the review check), the indicators with answers,
    # verified answers and appeals (11), both scores (7: the round's specs come from the
    # per-process cache the saves warmed), the lead check, the unread count.
    # The head is known from the roles already loaded (User.scope): no query of its own.
    assert counts[1] == {"head": 22, "lead": 24, "office": 24}[reader], counts


# Opening an appeal.


def test_head_appeals_one_indicator_with_new_evidence(client, published, evidence_folder):
    client.force_login(published.head)
    response = client.get(results_url(published))
    assert reverse("reviews:appeal_open", args=[published.assessment.pk]) in response.content.decode()
    page = client.get(appeal_url(published))
    assert page.status_code == 200
    assert "อุทธรณ์ตัวชี้วัด 1.1" in page.content.decode()
    data = appeal_post(rows_for(published, {"1.1": ("มีรายงานครบ", [upload("รายงานประชาคม.pdf", pdf_bytes())])}))
    response = client.post(appeal_url(published), data)
    assert response.status_code == 302
    assert response["Location"] == results_url(published)
    appeal = Appeal.objects.get()
    assert (appeal.indicator, appeal.argument, appeal.points_before) == (published.levels, "มีรายงานครบ", Decimal(3))
    (evidence,) = appeal.evidence.all()
    assert evidence.original_name == "รายงานประชาคม.pdf" and evidence.answer.indicator == published.levels
    assert len(stored_files(evidence_folder)) == 1
    assert published.reload().status == Status.APPEALED
    event = AssessmentEvent.objects.filter(kind=AssessmentEvent.Kind.EVIDENCE_ADDED).get()
    assert event.data["appeal"] is True
    assert AssessmentEvent.objects.filter(kind=AssessmentEvent.Kind.APPEAL_OPENED).count() == 1
    # The results page shows the appeal, waiting, with its file.
    text = client.get(results_url(published)).content.decode()
    assert "มีรายงานครบ" in text and "รอจังหวัดพิจารณา" in text
    assert reverse("assessments:evidence_download", args=[evidence.pk]) in text


def test_appeal_without_any_indicator_chosen_is_refused_in_thai(client, published):
    client.force_login(published.head)
    response = client.post(appeal_url(published), {})
    assert response.status_code == 200
    assert "เลือกตัวชี้วัดที่ต้องการอุทธรณ์อย่างน้อย 1 ตัวชี้วัด" in response.content.decode()
    assert not Appeal.objects.exists()


def test_chosen_indicator_without_argument_is_refused_and_the_rest_is_kept(client, published):
    client.force_login(published.head)
    data = appeal_post(rows_for(published, {"1.1": "", "1.2": "ผ่านครบทุกข้อ"}))
    response = client.post(appeal_url(published), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "ระบุเหตุผลการอุทธรณ์ตัวชี้วัด 1.1" in text
    assert "ผ่านครบทุกข้อ" in text  # what was typed is kept
    assert 'aria-invalid="true"' in text
    assert not Appeal.objects.exists()


def test_argument_for_an_indicator_not_chosen_is_pointed_out(client, published):
    client.force_login(published.head)
    data = {f"i{published.levels.pk}-argument": "ไม่เห็นด้วย"}
    response = client.post(appeal_url(published), data)
    assert "แต่ไม่ได้เลือกอุทธรณ์" in response.content.decode()
    assert not Appeal.objects.exists()


def test_refused_file_refuses_the_whole_appeal_and_keeps_no_file(client, published, evidence_folder):
    client.force_login(published.head)
    files = [upload("ดี.pdf", pdf_bytes()), upload("โปรแกรม.pdf", PE_HEADER)]
    data = appeal_post(rows_for(published, {"1.1": ("มีรายงานครบ", files)}))
    response = client.post(appeal_url(published), data)
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert 'ไฟล์ "โปรแกรม.pdf" ไม่ใช่ประเภทที่รับ' in text
    assert "โปรดเลือกไฟล์อีกครั้ง" in text
    assert "มีรายงานครบ" in text
    assert not Appeal.objects.exists() and not Evidence.objects.exists()
    assert stored_files(evidence_folder) == []
    assert published.reload().status == Status.PUBLISHED


def test_a_refused_only_file_asks_for_the_files_again(client, published, evidence_folder):
    client.force_login(published.head)
    data = appeal_post(rows_for(published, {"1.1": ("มีรายงานครบ", [upload("ว่าง.pdf", b"")])}))
    text = html.unescape(client.post(appeal_url(published), data).content.decode())
    assert 'ไฟล์ "ว่าง.pdf" ว่างเปล่า' in text and "โปรดเลือกไฟล์อีกครั้ง" in text
    assert not Appeal.objects.exists() and stored_files(evidence_folder) == []


def test_second_appeal_is_refused_and_its_files_are_removed(client, published, evidence_folder):
    open_one(published)
    Assessment.objects.filter(pk=published.assessment.pk).update(status=Status.PUBLISHED)  # as after the answers
    client.force_login(published.head)
    data = appeal_post(rows_for(published, {"1.2": ("อีกข้อ", [upload("ใหม่.pdf", pdf_bytes("x"))])}))
    response = client.post(appeal_url(published), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "อุทธรณ์ได้ครั้งเดียว" in text
    assert "อีกข้อ" in text
    assert Appeal.objects.count() == 1
    assert stored_files(evidence_folder) == []


def test_appeal_evidence_goes_to_the_bucket_and_a_refused_appeal_leaves_none(client, published, s3_server, s3_bucket):
    client.force_login(published.head)
    refused = appeal_post(rows_for(published, {"1.1": ("มีรายงานครบ", [upload("ดี.pdf", pdf_bytes()), upload("โปรแกรม.pdf", PE_HEADER)])}))
    assert client.post(appeal_url(published), refused).status_code == 200
    assert s3_server.keys(s3_bucket) == []
    data = appeal_post(rows_for(published, {"1.1": ("มีรายงานครบ", [upload("รายงานประชาคม.pdf", pdf_bytes())])}))
    assert client.post(appeal_url(published), data).status_code == 302
    (evidence,) = Appeal.objects.get().evidence.all()
    assert s3_server.keys(s3_bucket) == [f"evidence/{evidence.file.name}"]
    response = client.get(reverse("assessments:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf_bytes()


def test_after_appealing_the_page_says_once_only_and_shows_no_form(client, published):
    open_one(published)
    client.force_login(published.head)
    response = client.get(appeal_url(published))
    assert "อุทธรณ์ได้ครั้งเดียว" in response.content.decode()
    assert "data-appeal-form" not in response.content.decode()


@pytest.mark.parametrize(
    "days,message",
    [((3, 10), "ยังไม่ถึงวันเปิดรับอุทธรณ์"), ((-20, -1), "พ้นกำหนดอุทธรณ์แล้ว")],
)
def test_appeal_outside_the_window_is_refused_and_typed_text_kept(client, days, message):
    p = build_published(appeal_days=days)
    client.force_login(p.head)
    page = client.get(appeal_url(p)).content.decode()
    assert message in page and "data-appeal-form" not in page
    results = client.get(results_url(p)).content.decode()
    assert message in results and reverse("reviews:appeal_open", args=[p.assessment.pk]) not in results
    # A form opened in time and sent too late.
    response = client.post(appeal_url(p), appeal_post(rows_for(p, {"1.1": "เหตุผลที่พิมพ์ไว้"})))
    text = response.content.decode()
    assert message in text and "เหตุผลที่พิมพ์ไว้" in text
    assert not Appeal.objects.exists()


def test_appeal_before_publication_is_refused(client):
    p = build_published(publish=False)
    Round.objects.filter(pk=p.assessment.round_id).update(phase=Round.Phase.APPEAL)
    client.force_login(p.head)
    page = client.get(appeal_url(p)).content.decode()
    assert "ยังไม่ประกาศผลการประเมิน" in page and "data-appeal-form" not in page
    response = client.post(appeal_url(p), appeal_post(rows_for(p, {"1.1": "เหตุผล"})))
    assert "ยังอุทธรณ์ไม่ได้ เพราะยังไม่ประกาศผลการประเมิน" in response.content.decode()
    assert not Appeal.objects.exists()


def test_staff_read_the_appeal_page_but_may_not_appeal(client, published):
    client.force_login(published.staff)
    page = client.get(appeal_url(published))
    assert page.status_code == 200
    assert "เฉพาะผู้บริหาร อปท. เท่านั้นที่อุทธรณ์ผลการประเมินได้" in page.content.decode()
    assert "data-appeal-form" not in page.content.decode()
    response = client.post(appeal_url(published), appeal_post(rows_for(published, {"1.1": "x"})))
    assert response.status_code == 403
    assert not Appeal.objects.exists()


def test_province_and_department_get_403_on_the_appeal_page(client, published):
    for user in (published.lead, published.office, published.department):
        client.force_login(user)
        assert client.get(appeal_url(published)).status_code == 403


def test_outsiders_get_404_on_the_appeal_page(client, published):
    for user in (
        user_with_role(Role.Kind.ORG_HEAD),
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
    ):
        client.force_login(user)
        assert client.get(appeal_url(published)).status_code == 404
        assert client.post(appeal_url(published), {}).status_code == 404


# Appeal evidence (reviews.workflow.add_appeal_evidence_file).


def test_appeal_evidence_only_by_the_head(published):
    with pytest.raises(PermissionDenied):
        add_appeal_evidence_file(
            assessment=published.assessment,
            indicator=published.levels,
            upload=upload("a.pdf", pdf_bytes()),
            by=published.staff,
        )


def test_appeal_evidence_only_while_published_and_in_the_window(published, evidence_folder):
    open_one(published)
    with pytest.raises(AssessmentLocked, match="สถานะปัจจุบัน"):
        add_appeal_evidence_file(
            assessment=published.reload(),
            indicator=published.levels,
            upload=upload("a.pdf", pdf_bytes()),
            by=published.head,
        )
    late = build_published(appeal_days=(-20, -1))
    with pytest.raises(AssessmentLocked, match="พ้นกำหนดอุทธรณ์แล้ว"):
        add_appeal_evidence_file(
            assessment=late.assessment, indicator=late.levels, upload=upload("a.pdf", pdf_bytes()), by=late.head
        )
    assert stored_files(evidence_folder) == []


def test_appeal_evidence_gets_the_same_content_checks(published, evidence_folder):
    from assessments.evidence import EvidenceRejected

    with pytest.raises(EvidenceRejected, match="ไม่ใช่ประเภทที่รับ"):
        add_appeal_evidence_file(
            assessment=published.assessment,
            indicator=published.levels,
            upload=upload("x.pdf", PE_HEADER),
            by=published.head,
        )
    with pytest.raises(EvidenceRejected, match="ว่างเปล่า"):
        add_appeal_evidence_file(
            assessment=published.assessment, indicator=published.levels, upload=upload("x.pdf", b""), by=published.head
        )
    assert stored_files(evidence_folder) == []


def test_self_assessment_evidence_is_still_refused_after_publication(published):
    from assessments.evidence import add_evidence_file
    from assessments.selfassessment import answer_for

    with pytest.raises(AssessmentLocked):
        add_evidence_file(
            answer=answer_for(published.assessment, published.levels),
            upload=upload("a.pdf", pdf_bytes()),
            by=published.head,
        )


# Answering.


def answer_url(appeal: Appeal) -> str:
    return reverse("reviews:appeal_answer", args=[appeal.pk])


def test_lead_accepts_the_appeal_the_points_change_and_it_is_published_again(client, published):
    appeal = open_one(published)
    client.force_login(published.lead)
    page = client.get(answer_url(appeal))
    assert page.status_code == 200
    text = page.content.decode()
    assert "มีรายงานการประชาคมครบ 4 ครั้ง" in text and "ไม่พบรายงานการประชาคม" in text
    assert "คะแนน 3 จาก 5" in text
    response = client.post(
        answer_url(appeal),
        {"decision": "accepted", "level": published.levels.options.get(position=6).pk, "response": "หลักฐานใหม่ครบถ้วน"},
    )
    assert response.status_code == 302 and response["Location"] == results_url(published)
    appeal.refresh_from_db()
    assert (appeal.decision, appeal.points_before, appeal.points_after) == ("accepted", Decimal(3), Decimal(5))
    verified = VerifiedAnswer.objects.get(assessment=published.assessment, indicator=published.levels)
    assert verified.points == Decimal(5) and verified.reason == "หลักฐานใหม่ครบถ้วน"
    assert published.reload().status == Status.PUBLISHED
    kinds = list(published.assessment.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-3:] == ["score_changed", "appeal_answered", "published"]
    changed = published.assessment.events.filter(kind="score_changed").last()
    assert changed.data == {"indicator": "1.1", "from": "3", "to": "5", "appeal": True}
    # The organization sees the answer and the new score.
    client.force_login(published.staff)
    text = client.get(results_url(published)).content.decode()
    assert "หลักฐานใหม่ครบถ้วน" in text and "15 จาก 15 คะแนน" in text
    assert "คะแนนก่อนอุทธรณ์ 3 · หลังพิจารณา 5" in text


def test_office_rejects_the_appeal_and_the_points_stay(client, published):
    appeal = open_one(published)
    client.force_login(published.office)
    response = client.post(answer_url(appeal), {"decision": "rejected", "response": "หลักฐานไม่ใช่ของปีงบประมาณนี้"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.decision, appeal.points_after) == ("rejected", Decimal(3))
    assert VerifiedAnswer.objects.get(assessment=published.assessment, indicator=published.levels).points == Decimal(3)
    assert not published.assessment.events.filter(kind="score_changed", data__appeal=True).exists()
    assert published.assessment.events.filter(kind="appeal_answered").count() == 1
    assert published.reload().status == Status.PUBLISHED


def test_only_the_last_answer_publishes_again(client, published):
    first, second = workflow.open_appeal(
        assessment=published.assessment,
        arguments={published.levels: "ข้อหนึ่ง", published.figure: "ข้อสอง"},
        by=published.head,
    )
    client.force_login(published.lead)
    client.post(answer_url(first), {"decision": "rejected", "response": "ยืนผลเดิม"})
    assert published.reload().status == Status.APPEALED
    client.post(answer_url(second), {"decision": "accepted", "figure": "49", "response": "ค่าจริงต่ำกว่า 50"})
    assert published.reload().status == Status.PUBLISHED
    assert VerifiedAnswer.objects.get(assessment=published.assessment, indicator=published.figure).points == Decimal(0)


def test_answer_without_decision_or_response_is_refused_in_thai(client, published):
    appeal = open_one(published)
    client.force_login(published.lead)
    response = client.post(answer_url(appeal), {"level": published.levels.options.first().pk})
    text = response.content.decode()
    assert response.status_code == 200
    assert "เลือกผลการพิจารณา" in text and "ระบุคำชี้แจงผลการพิจารณา" in text
    appeal.refresh_from_db()
    assert not appeal.is_answered


def test_accepted_answer_needs_a_value_of_the_indicator_kind(client, published):
    appeal = open_one(published)
    client.force_login(published.lead)
    response = client.post(answer_url(appeal), {"decision": "accepted", "level": "", "response": "รับ"})
    assert "ระบุผลการตรวจของตัวชี้วัดนี้" in response.content.decode()
    assert "รับ" in response.content.decode()
    appeal.refresh_from_db()
    assert not appeal.is_answered


def test_checklist_appeal_shows_the_criteria_and_accepts_a_new_tick_list(client, published):
    (appeal,) = workflow.open_appeal(
        assessment=published.assessment, arguments={published.checklist: "x"}, by=published.head
    )
    client.force_login(published.lead)
    page = client.get(answer_url(appeal)).content.decode()
    assert 'type="checkbox"' in page and "checked" in page  # starts from the current result
    first = published.checklist.options.get(position=1)
    client.post(answer_url(appeal), {"decision": "accepted", "ticked": [first.pk], "response": "ผ่านข้อเดียว"})
    assert VerifiedAnswer.objects.get(assessment=published.assessment, indicator=published.checklist).points == Decimal(
        2
    )


def test_answered_appeal_shows_read_only(client, published):
    appeal = open_one(published)
    workflow.answer_appeal(appeal=appeal, decision="rejected", response="ยืนผลเดิม", by=published.lead)
    client.force_login(published.lead)
    page = client.get(answer_url(appeal)).content.decode()
    assert "ยืนผลการตรวจเดิม" in page and "data-appeal-answer-form" not in page
    response = client.post(answer_url(appeal), {"decision": "accepted", "response": "เปลี่ยนใจ"}, follow=True)
    assert "อุทธรณ์นี้พิจารณาไปแล้ว" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.decision == "rejected"


def test_readers_get_403_on_the_answer_page(client, published):
    appeal = open_one(published)
    for user in (published.team.members[0], published.department, published.head, published.staff):
        client.force_login(user)
        assert client.get(answer_url(appeal)).status_code == 403, user
        assert client.post(answer_url(appeal), {"decision": "rejected", "response": "x"}).status_code == 403
    appeal.refresh_from_db()
    assert not appeal.is_answered


def test_outsiders_get_404_on_the_answer_page(client, published):
    appeal = open_one(published)
    for user in (
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),  # not on the team
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        user_with_role(Role.Kind.ORG_HEAD),
    ):
        client.force_login(user)
        assert client.get(answer_url(appeal)).status_code == 404
        assert client.post(answer_url(appeal), {"decision": "rejected", "response": "x"}).status_code == 404


# The province's list.


def list_url(p: Published, code: str = "81") -> str:
    return reverse("reviews:appeal_list", args=[p.assessment.round.year, code])


def test_office_lists_open_and_answered_appeals_of_its_province(client, published):
    first, second = workflow.open_appeal(
        assessment=published.assessment,
        arguments={published.levels: "ข้อหนึ่ง", published.figure: "ข้อสอง"},
        by=published.head,
    )
    workflow.answer_appeal(appeal=first, decision="rejected", response="ยืนผลเดิม", by=published.lead)
    client.force_login(published.office)
    response = client.get(list_url(published))
    text = response.content.decode()
    assert response.status_code == 200
    assert "รอพิจารณา (1)" in text and "พิจารณาแล้ว (1)" in text
    assert answer_url(second) in text and answer_url(first) not in text
    client.force_login(published.department)
    text = client.get(list_url(published)).content.decode()
    assert "รอพิจารณา (1)" in text and answer_url(second) not in text  # the department reads only


def test_appeal_list_query_count_is_fixed(client):
    counts = []
    for extra in (0, 3):
        p = build_published(extra_indicators=extra)
        workflow.open_appeal(
            assessment=p.assessment, arguments={i: "เหตุผล" for i in (p.levels, p.figure, *p.extra)}, by=p.head
        )
        client.force_login(p.office)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(list_url(p)).status_code == 200
        counts.append(len(queries))
    assert counts == [8, 8]  # the same however many appeals, organizations and indicators


def test_other_provinces_office_and_assessors_get_404_on_the_list(client, published):
    for user in (
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
        published.head,
    ):
        client.force_login(user)
        assert client.get(list_url(published)).status_code == 404
    client.force_login(published.office)
    assert client.get(list_url(published, "20")).status_code == 404


def test_accepting_an_appeal_on_a_rejected_not_applicable_confirms_it(client):
    round = open_round(appeal_opens=TODAY - DAY, appeal_closes=TODAY + 14 * DAY)
    sa = self_assessment(round)
    ordinary = sa.indicator(code="1.1")
    port = sa.indicator(code="1.2", title="ท่าเรือ", allows_not_applicable=True, position=2)
    full = {"level": ordinary.options.get(position=6).pk}
    save_answer(assessment=sa.assessment, indicator=ordinary, data=full, expected_version=0, by=sa.staff)
    save_answer(
        assessment=sa.assessment,
        indicator=port,
        data={"not_applicable": True, "na_reason": "ไม่มีท่าเรือในพื้นที่"},
        expected_version=0,
        by=sa.staff,
    )
    submit(sa.assessment, by=sa.head)
    team = assigned_team(sa.assessment)
    for indicator, data in (
        (ordinary, full),
        (port, {"na_confirmed": False, "level": port.options.get(position=1).pk, "reason": "มีท่าเทียบเรือประมง"}),
    ):
        workflow.save_verified_answer(
            assessment=sa.assessment, indicator=indicator, data=data, expected_version=0, by=team.lead
        )
    workflow.verify(assessment=sa.assessment, by=team.lead)
    workflow.approve(assessment=sa.assessment, by=user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    workflow.publish_round(assessment_round=round, by=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    client.force_login(sa.head)
    assert "5 จาก 10 คะแนน" in client.get(reverse("reviews:results", args=[sa.assessment.pk])).content.decode()
    (appeal,) = workflow.open_appeal(assessment=sa.assessment, arguments={port: "ท่าเทียบเรือเป็นของกรมเจ้าท่า"}, by=sa.head)
    client.force_login(team.lead)
    page = client.get(answer_url(appeal)).content.decode()
    assert "อปท. แจ้งว่าไม่มีภารกิจ" in page and "ยืนยันว่าไม่มีภารกิจ" in page
    response = client.post(
        answer_url(appeal), {"decision": "accepted", "na_confirmed": "yes", "response": "ไม่ใช่ภารกิจของ อปท."}
    )
    assert response.status_code == 302
    verified = VerifiedAnswer.objects.get(assessment=sa.assessment, indicator=port)
    assert verified.na_confirmed is True and verified.level is None
    client.force_login(sa.staff)
    text = client.get(reverse("reviews:results", args=[sa.assessment.pk])).content.decode()
    assert "5 จาก 5 คะแนน" in text  # out of both points and full marks
    assert "ยืนยันว่าไม่มีภารกิจ (ไม่นับตัวชี้วัดนี้)" in text


# The team's way to its appeals: the review page and the province's list.


def test_team_lead_and_members_list_the_appeals_of_their_teams_organizations(client, published):
    appeal = open_one(published)
    organization = published.assessment.organization.full_name
    client.force_login(published.lead)
    response = client.get(list_url(published))
    assert response.status_code == 200
    text = response.content.decode()
    assert organization in text and answer_url(appeal) in text  # the lead answers it
    client.force_login(published.team.members[0])
    text = client.get(list_url(published)).content.decode()
    assert organization in text and answer_url(appeal) not in text  # a member reads the results
    assert f"{results_url(published)}#ind-{published.levels.pk}" in text
    # Another team of the province sees only its own organizations: none here.
    other = review_team(published.assessment.round, name="คณะที่ 2")
    client.force_login(other.lead)
    text = client.get(list_url(published)).content.decode()
    assert organization not in text and "รอพิจารณา (0)" in text


def test_the_review_page_shows_the_assessments_appeals_with_a_way_to_each(client, published):
    appeal = open_one(published)
    review = reverse("reviews:review_detail", args=[published.assessment.pk])
    client.force_login(published.lead)
    text = client.get(review).content.decode()
    assert 'id="appeals-heading"' in text and "รอพิจารณา" in text
    assert answer_url(appeal) in text and list_url(published) in text
    client.force_login(published.team.members[0])
    text = client.get(review).content.decode()
    assert answer_url(appeal) not in text and f"{results_url(published)}#ind-{published.levels.pk}" in text
    workflow.answer_appeal(appeal=appeal, decision="rejected", response="ยืนผลเดิม", by=published.lead)
    client.force_login(published.lead)
    text = client.get(review).content.decode()
    assert "ยืนผลการตรวจเดิม" in text and answer_url(appeal) in text  # read-only once answered
