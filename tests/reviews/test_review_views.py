"""The review pages: who sees and does what (role × URL), scoring beside the organization's
answer with and without the page's script, reasons, N/A claims, two assessors at once,
evidence previews, the workflow's buttons, returns and reopening."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from assessments.models import Answer, Assessment, AssessmentEvent, Indicator, ReturnedIndicator
from assessments.selfassessment import save_answer, submit
from reviews import workflow
from reviews.models import VerifiedAnswer
from tests.assessments import factories as samples
from tests.assessments.factories import IndicatorFactory, SelfAssessment, self_assessment, upload
from tests.factories import province, user_with_role
from tests.reviews.factories import ReviewTeam, assigned_team, review_team

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"


@dataclass
class Review:
    """A submitted Krabi assessment with three indicators, assigned to a team of two."""

    sa: SelfAssessment
    team: ReviewTeam
    levels: Indicator  # answered level 4 (3 points of 5)
    checklist: Indicator  # answered: first two of three criteria (2 of 3)
    figure: Indicator  # claimed "not applicable"

    @property
    def assessment(self) -> Assessment:
        return self.sa.assessment

    @property
    def member(self) -> User:
        return self.team.members[0]

    @property
    def lead(self) -> User:
        return self.team.lead

    def refresh(self) -> Assessment:
        self.sa.assessment.refresh_from_db()
        return self.sa.assessment


def answer(sa, indicator, **data):
    return save_answer(assessment=sa.assessment, indicator=indicator, data=data, expected_version=0, by=sa.staff)


@pytest.fixture
def review() -> Review:
    sa = self_assessment(code="6810190")
    levels = sa.indicator(code="1.1", title="แผนพัฒนาท้องถิ่น")
    checklist = sa.indicator(code="1.2", kind=Indicator.Kind.CHECKLIST)
    figure = sa.indicator(
        code="1.3", kind=Indicator.Kind.FIGURE, unit="ร้อยละ", options=[(5, 80), (3, 50)], allows_not_applicable=True
    )
    answer(sa, levels, level=levels.options.get(position=4).pk, note="ดูแผนหน้า 12")
    first, second, _ = checklist.options.all()
    answer(sa, checklist, ticked=[first.pk, second.pk])
    answer(sa, figure, not_applicable=True, na_reason="ไม่มีถนนในความรับผิดชอบ")
    submit(sa.assessment, by=sa.head)
    return Review(sa=sa, team=assigned_team(sa.assessment, members=1), levels=levels, checklist=checklist, figure=figure)


def office():
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))


def department():
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


def detail_url(review):
    return reverse("reviews:review_detail", args=[review.assessment.pk])


def dimension_url(review, number=1):
    return reverse("reviews:review_dimension", args=[review.assessment.pk, number])


def editor_url(review, indicator):
    return reverse("reviews:review_editor", args=[review.assessment.pk, indicator.pk])


def editor(client, review, indicator, fetch=True) -> str:
    response = client.get(editor_url(review, indicator), **(FETCH if fetch else {}))
    assert response.status_code == 200
    return response.content.decode()


def save_url(review, indicator):
    return reverse("reviews:verified_answer_save", args=[review.assessment.pk, indicator.pk])


def post_verified(client, review, indicator, version=0, fetch=True, **fields):
    data = {f"v{indicator.pk}-version": version}
    data.update({f"v{indicator.pk}-{name}": value for name, value in fields.items()})
    return client.post(save_url(review, indicator), data, **(FETCH if fetch else {}))


def score_all(review, by=None):
    """Verified results equal to the organization's answers (confirming the N/A claim)."""
    by = by or review.member
    level = Answer.objects.get(indicator=review.levels).level_id
    ticked = list(Answer.objects.get(indicator=review.checklist).ticked.values_list("pk", flat=True))
    for indicator, data in (
        (review.levels, {"level": level}),
        (review.checklist, {"ticked": ticked}),
        (review.figure, {"na_confirmed": True}),
    ):
        workflow.save_verified_answer(
            assessment=review.assessment, indicator=indicator, data=data, expected_version=0, by=by
        )


# Who gets what.


def test_role_by_url_matrix_for_the_review_pages(client, review):
    pages = {
        "detail": detail_url(review),
        "dimension": dimension_url(review),
        "editor": editor_url(review, review.levels),
        "return": reverse("reviews:review_return", args=[review.assessment.pk]),
        "reopen": reverse("reviews:review_reopen", args=[review.assessment.pk]),
    }
    expected = {
        "member": (review.member, {"detail": 200, "dimension": 200, "editor": 200, "return": 200, "reopen": 403}),
        "lead": (review.lead, {"detail": 200, "dimension": 200, "editor": 200, "return": 200, "reopen": 403}),
        "office": (office(), {"detail": 200, "dimension": 200, "editor": 200, "return": 200, "reopen": 200}),
        "department": (department(), {"detail": 200, "dimension": 200, "editor": 200, "return": 403, "reopen": 200}),
        "assessor of the province, not on the team": (
            user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
            dict.fromkeys(pages, 404),
        ),
        "member of another team of the province": (
            review_team(review.assessment.round, name="คณะที่ 2").lead,
            dict.fromkeys(pages, 404),
        ),
        "assessor of another province": (
            user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
            dict.fromkeys(pages, 404),
        ),
        "office of another province": (
            user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
            dict.fromkeys(pages, 404),
        ),
        "organization staff": (review.sa.staff, dict.fromkeys(pages, 404)),
        "organization head": (review.sa.head, dict.fromkeys(pages, 404)),
    }
    for label, (user, statuses) in expected.items():
        client.force_login(user)
        for page, url in pages.items():
            assert client.get(url).status_code == statuses[page], (label, page)


def test_scoring_is_for_the_assigned_team_only(client, review):
    level = review.levels.options.get(position=4).pk
    for user, status in [
        (office(), 403),
        (department(), 403),
        (user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")), 404),
        (user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")), 404),
        (review.sa.head, 404),
    ]:
        client.force_login(user)
        assert post_verified(client, review, review.levels, level=level).status_code == status, user
    assert not VerifiedAnswer.objects.exists()
    client.force_login(review.member)
    assert client.get(save_url(review, review.levels)).status_code == 405


def test_workflow_buttons_refuse_the_wrong_people(client, review):
    pk = review.assessment.pk
    outsider = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    for name, user, status in [
        ("review_start", office(), 403),
        ("review_start", outsider, 404),
        ("review_start", review.sa.head, 404),
        ("review_verify", review.member, 403),  # not the lead
        ("review_verify", outsider, 404),
        ("review_approve", review.lead, 403),
        ("review_approve", department(), 403),
        ("review_approve", review.sa.head, 404),
    ]:
        client.force_login(user)
        url = reverse(f"reviews:{name}", args=[pk])
        assert client.post(url, {"confirmed": "1"}).status_code == status, (name, user)
        # Start is a button; verify and approve have a confirmation page, refused alike.
        assert client.get(url).status_code == (405 if name == "review_start" else status), name
    assert review.refresh().status == Assessment.Status.SUBMITTED


# The dimension page.


def test_dimension_page_shows_each_indicator_compactly_and_its_editor_on_demand(client, review):
    client.force_login(review.member)
    html = client.get(dimension_url(review)).content.decode()
    levels, checklist, figure = review.levels, review.checklist, review.figure
    # Compact: the answer in words, the points, the evidence count, the state; no forms.
    assert "ระดับ 4: ข้อ 4" in html and "ไม่มีถนนในความรับผิดชอบ" in html
    assert "หลักฐาน 0 รายการ" in html and "ยังไม่ได้ตรวจ" in html
    for indicator in (levels, checklist, figure):
        assert f'name="v{indicator.pk}-' not in html and f'name="c{indicator.pk}-' not in html
    assert "<form" not in html.split('id="dimension-totals"')[1].split("</main>")[0]
    # Each block opens its editor: fetched by the script, or as a page through the link.
    for indicator in (levels, checklist, figure):
        assert f'data-editor-url="{editor_url(review, indicator)}"' in html
        assert f'<a href="{editor_url(review, indicator)}">ตรวจ/แก้ไข' in html
    assert 'id="dimension-totals"' in html and "reviews/review.js" in html


def test_the_editor_shows_both_sides_with_the_input_each_kind_needs(client, review):
    client.force_login(review.member)
    levels, checklist, figure = review.levels, review.checklist, review.figure
    html = editor(client, review, levels)
    assert "<html" not in html and 'id="editor-%s"' % levels.pk in html
    assert f'type="radio" name="v{levels.pk}-level"' in html
    assert "ระดับ 4: ข้อ 4" in html and "ดูแผนหน้า 12" in html
    chosen = levels.options.get(position=4).pk
    assert re.search(rf'name="v{levels.pk}-level" value="{chosen}"[^>]*checked', html)
    # The rule on reasons is shown; no N/A question where nothing was claimed.
    assert "ต้องระบุเมื่อคะแนนที่ตรวจได้ต่างจากคะแนนประเมินตนเองของ อปท." in html
    assert f'name="v{levels.pk}-na_confirmed"' not in html
    assert f'action="{reverse("reviews:comment_add", args=[review.assessment.pk, levels.pk])}"' in html
    assert f'type="checkbox" name="v{checklist.pk}-ticked"' in editor(client, review, checklist)
    html = editor(client, review, figure)
    assert f'name="v{figure.pk}-figure"' in html and "ค่าที่ตรวจได้ (ร้อยละ)" in html
    # A claimed N/A asks the team to confirm or reject it, with the organization's reason.
    assert f'name="v{figure.pk}-na_confirmed"' in html and "ยืนยันว่าไม่มีภารกิจ" in html
    assert "ไม่มีถนนในความรับผิดชอบ" in html


def test_without_script_the_editor_is_a_page_that_leads_back_to_the_indicator(client, review):
    client.force_login(review.member)
    html = editor(client, review, review.levels, fetch=False)
    assert "<html" in html and "ตรวจตัวชี้วัด 1.1" in html
    assert f'name="v{review.levels.pk}-level"' in html
    assert f'href="{dimension_url(review)}#ind-{review.levels.pk}"' in html
    assert f'id="ind-{review.checklist.pk}"' not in html  # the one indicator only


def test_an_indicator_that_does_not_apply_has_no_editor(client, review):
    other = samples.self_assessment(code="6810191").indicator(code="9.9")
    client.force_login(review.member)
    assert client.get(editor_url(review, other)).status_code == 404
    assert client.get(reverse("reviews:review_editor", args=[review.assessment.pk, 2**40])).status_code == 404
    assert post_verified(client, review, other, level=other.options.first().pk).status_code == 404


def test_saving_with_script_answers_with_the_result_and_the_new_totals(client, review):
    client.force_login(review.member)
    level = review.levels.options.get(position=4).pk
    response = post_verified(client, review, review.levels, level=level)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["saved"] is True and data["indicator"] == review.levels.pk
    assert data["message"] == "บันทึกผลการตรวจตัวชี้วัด 1.1 แล้ว (3 คะแนน)"
    assert (data["version"], data["points"], data["state"], data["state_label"]) == (1, "3", "checked", "ตรวจแล้ว")
    assert data["lines"] == ["ระดับ 4: ข้อ 4"]
    # The dimension's verified totals: 3 of 5 so far (the other two count 0 of 3+5).
    assert (data["checked"], data["recheck"], data["indicators"]) == (1, 0, 3)
    assert "3 / 13" in data["totals"] and "ตรวจแล้ว 1 จาก 3 ตัวชี้วัด" in data["totals"]
    assert len(response.content) < 2000  # no block, no page
    verified = VerifiedAnswer.objects.get(indicator=review.levels)
    assert (verified.level_id, verified.points, verified.updated_by) == (level, 3, review.member)
    assert review.refresh().status == Assessment.Status.IN_REVIEW  # the first result starts the review


def test_a_different_result_needs_a_reason_beside_the_field(client, review):
    client.force_login(review.member)
    lower = review.levels.options.get(position=2).pk
    response = post_verified(client, review, review.levels, level=lower)
    assert response.status_code == 422
    data = response.json()
    assert data["saved"] is False and "ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล" in data["message"]
    html = data["editor"]
    field_id = f"id_v{review.levels.pk}-reason"
    assert f'id="{field_id}_errors"' in html and "ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล" in html
    assert re.search(rf'<textarea[^>]*aria-invalid="true"[^>]*id="{field_id}"', html)
    assert re.search(rf'value="{lower}"[^>]*checked', html)  # what was chosen stays
    assert not VerifiedAnswer.objects.exists()
    response = post_verified(client, review, review.levels, level=lower, reason="ไม่มีรายงานการประชุมประชาคม")
    assert response.status_code == 200
    assert VerifiedAnswer.objects.get().reason == "ไม่มีรายงานการประชุมประชาคม"
    assert response.json()["reason"] == "ไม่มีรายงานการประชุมประชาคม"


def test_a_claimed_not_applicable_must_be_confirmed_or_rejected(client, review):
    client.force_login(review.member)
    figure = review.figure
    response = post_verified(client, review, figure)
    assert response.status_code == 422
    assert "เลือกว่ายืนยันหรือไม่ยืนยัน" in response.json()["editor"]
    # Rejected: a value is needed, and the result differs from the claim, so a reason too.
    response = post_verified(client, review, figure, na_confirmed="reject", figure="85")
    assert response.status_code == 422 and "ระบุเหตุผล" in response.json()["message"]
    response = post_verified(client, review, figure, na_confirmed="reject", figure="85", reason="มีถนนสายหลัก 2 สาย")
    assert response.status_code == 200
    verified = VerifiedAnswer.objects.get(indicator=figure)
    assert (verified.na_confirmed, verified.figure, verified.points) == (False, 85, 5)
    assert "5 / 13" in response.json()["totals"]
    # Confirmed: agrees with the organization, no reason needed; out of points and full marks.
    response = post_verified(client, review, figure, version=1, na_confirmed="confirm")
    assert response.status_code == 200
    verified.refresh_from_db()
    assert verified.na_confirmed is True and verified.figure is None
    data = response.json()
    assert data["points_text"] == "ไม่นับ (ไม่มีภารกิจ)" and "0 / 8" in data["totals"]


def test_two_assessors_never_silently_overwrite_each_other(client, review):
    level = review.levels.options.get(position=4).pk
    other_level = review.levels.options.get(position=6)
    client.force_login(review.lead)
    # Both opened the form at version 0; the lead saves first.
    assert post_verified(client, review, review.levels, level=other_level.pk, reason="มีหลักฐานครบ").status_code == 200
    client.force_login(review.member)
    response = post_verified(client, review, review.levels, level=level)
    assert response.status_code == 409
    data = response.json()
    assert data["saved"] is False and data["level"] == "warning"
    assert "ระบบจึงไม่บันทึกทับ" in data["message"] and str(review.lead) in data["message"]
    # The other assessor's result is what the editor shows, with its version, to decide on.
    html = data["editor"]
    assert "ระดับ 6: ข้อ 6" in html and "มีหลักฐานครบ" in html
    assert f'name="v{review.levels.pk}-version" value="1"' in html
    assert VerifiedAnswer.objects.get().level == other_level


def test_saving_without_script_redirects_back_or_shows_the_editor_with_the_errors(client, review):
    client.force_login(review.member)
    level = review.levels.options.get(position=4).pk
    response = post_verified(client, review, review.levels, fetch=False, level=level)
    assert response.status_code == 302
    assert response["Location"] == f"{dimension_url(review)}#ind-{review.levels.pk}"
    html = client.get(response["Location"]).content.decode()
    assert "บันทึกผลการตรวจตัวชี้วัด 1.1 แล้ว (3 คะแนน)" in html and "ตรวจแล้ว 1 จาก 3 ตัวชี้วัด" in html
    response = post_verified(client, review, review.checklist, fetch=False, ticked=[], reason="")
    html = response.content.decode()
    assert response.status_code == 422 and "<html" in html and "ตรวจตัวชี้วัด 1.2" in html
    assert "ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล" in html
    assert f'id="ind-{review.checklist.pk}"' in html and f'id="ind-{review.figure.pk}"' not in html


def test_the_office_and_the_department_read_the_dimension_without_forms(client, review):
    score_all(review)
    for user in (office(), department()):
        client.force_login(user)
        html = client.get(dimension_url(review)).content.decode()
        assert "ดูได้อย่างเดียว" in html and "ดูหลักฐานและผลการตรวจ" in html
        html = editor(client, review, review.figure)
        assert f'name="v{review.figure.pk}-na_confirmed"' not in html
        assert "ยืนยันว่าไม่มีภารกิจ (ไม่นับตัวชี้วัดนี้)" in html  # the team's result in words
    client.force_login(office())
    assert f'name="c{review.levels.pk}-body"' in editor(client, review, review.levels)  # the office may comment
    client.force_login(department())
    assert f'name="c{review.levels.pk}-body"' not in editor(client, review, review.levels)  # the department reads


def test_no_scoring_once_verified(client, review):
    score_all(review)
    workflow.verify(assessment=review.assessment, by=review.lead)
    client.force_login(review.member)
    html = client.get(dimension_url(review)).content.decode()
    assert "ตรวจประเมินแล้ว" in html and "จึงบันทึกผลการตรวจไม่ได้" in html
    assert f'name="v{review.levels.pk}-level"' not in editor(client, review, review.levels)
    response = post_verified(client, review, review.levels, version=1, level=review.levels.options.first().pk, reason="x")
    assert response.status_code == 422
    data = response.json()
    assert "บันทึกผลการตรวจไม่ได้" in data["message"] and f'name="v{review.levels.pk}-level"' not in data["editor"]


def test_earlier_returns_are_flagged_on_the_indicator(client, review):
    workflow.return_for_revision(
        assessment=review.assessment, flags={review.levels: "แนบรายงานการประชุมประชาคม"}, by=review.member
    )
    review.refresh()
    submit(review.sa.assessment, by=review.sa.head)
    client.force_login(review.member)
    html = client.get(dimension_url(review)).content.decode()
    assert "ส่งกลับครั้งที่ 1:" in html and "แนบรายงานการประชุมประชาคม" in html and "อปท. ส่งแก้ไขแล้ว" in html


def test_evidence_is_counted_on_the_page_and_previewed_in_the_editor(client, review):
    answer_row = Answer.objects.get(indicator=review.levels)
    client.force_login(review.sa.staff)
    # Evidence is added while the organization may still change: attach it through the model.
    from assessments.evidence import add_evidence_file, add_evidence_link

    assessment = review.assessment
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT, submitted_at=None, submitted_by=None)
    assessment.refresh_from_db()
    answer_row.assessment = assessment
    pdf = add_evidence_file(answer=answer_row, upload=upload("คำสั่ง.pdf", samples.pdf_bytes()), by=review.sa.staff)
    png = add_evidence_file(answer=answer_row, upload=upload("ภาพ.png", samples.image_bytes(), "image/png"), by=review.sa.staff)
    xlsx = add_evidence_file(
        answer=answer_row,
        upload=upload("ทะเบียน.xlsx", samples.xlsx_bytes(), "application/octet-stream"),
        by=review.sa.staff,
    )
    link = add_evidence_link(answer=answer_row, url="https://krabi.go.th/plan", title="แผนบนเว็บ", by=review.sa.staff)
    submit(assessment, by=review.sa.head)
    client.force_login(review.member)
    assert "หลักฐาน 4 รายการ" in client.get(dimension_url(review)).content.decode()
    html = editor(client, review, review.levels)
    view = lambda e: reverse("assessments:evidence_view", args=[e.pk])  # noqa: E731
    assert re.search(rf'<iframe src="{view(pdf)}" title="คำสั่ง.pdf"', html)
    assert re.search(rf'<img src="{view(png)}" alt="ภาพ.png"', html)
    assert view(xlsx) not in html and reverse("assessments:evidence_download", args=[xlsx.pk]) in html
    assert f'href="{link.url}"' in html and "แผนบนเว็บ" in html


DIMENSION_PAGE_QUERIES = 16
# Session and user (2), roles (1), the assessment (1), the dimension (1), team membership (1),
# the indicators (evidence counted in the same query), their options, the organization's
# answers and their ticks (4), the team's results and their ticks (2), every return (1), the
# comments (1), the dimension list (1), the menu's unread notifications (1). No forms, so no
# question of whether the viewer may comment: the editors ask that when they open.


def test_dimension_page_query_count_does_not_grow_with_indicators(client, review, django_assert_num_queries):
    score_all(review)

    def add(n):
        for position in range(n):
            kind = [Indicator.Kind.LEVELS, Indicator.Kind.CHECKLIST, Indicator.Kind.FIGURE][position % 3]
            options = [(5, 80), (3, 50)] if kind == Indicator.Kind.FIGURE else None
            indicator = IndicatorFactory(category=review.sa.category, kind=kind, options=options)
            row = Answer.objects.create(assessment=review.assessment, indicator=indicator, note="x", updated_by=review.sa.staff)
            row.evidence.create(url=f"https://example.go.th/{indicator.code}", uploaded_by=review.sa.staff)
            verified = VerifiedAnswer.objects.create(assessment=review.assessment, indicator=indicator, reason="x", version=1)
            verified.ticked.set(indicator.options.all()[:1])
            review.assessment.comments.create(indicator=indicator, author=review.member, body="ถาม")

    client.force_login(review.member)
    with django_assert_num_queries(DIMENSION_PAGE_QUERIES):
        assert client.get(dimension_url(review)).status_code == 200  # 3 indicators
    add(117)
    with django_assert_num_queries(DIMENSION_PAGE_QUERIES):
        response = client.get(dimension_url(review))  # 120 indicators
    assert response.status_code == 200 and response.content.decode().count("data-indicator-block") == 120


# The overview and the workflow's buttons.


def test_overview_shows_team_visit_scores_and_progress(client, review):
    review.assessment.assignment.visit_on = datetime.date(2026, 7, 15)
    review.assessment.assignment.save()
    workflow.save_verified_answer(
        assessment=review.assessment,
        indicator=review.levels,
        data={"level": review.levels.options.get(position=6).pk, "reason": "ครบถ้วน"},
        expected_version=0,
        by=review.member,
    )
    client.force_login(review.member)
    html = client.get(detail_url(review)).content.decode()
    assert review.team.team.name in html and str(review.lead) in html and "หัวหน้าคณะ" in html
    assert "15 กรกฎาคม 2569" in html
    assert "1 / 3" in html  # verified / indicators in dimension 1
    # Self-assessed: 3 + 2 + 0 (unconfirmed N/A) of 5 + 3 + 5; verified so far: 5 of 13.
    assert "5 / 13" in html and "5 / 13" in html.split("ตรวจประเมิน", 2)[-1]
    assert reverse("reviews:history", args=[review.assessment.pk]) in html
    assert reverse("reviews:results", args=[review.assessment.pk]) in html
    assert dimension_url(review) in html


def buttons(client, review, user):
    client.force_login(user)
    html = client.get(detail_url(review)).content.decode()
    names = ("review_start", "review_return", "review_verify", "review_approve", "review_reopen")
    return {name for name in names if reverse(f"reviews:{name}", args=[review.assessment.pk]) in html}


def test_buttons_are_shown_only_to_who_may_use_them(client, review):
    the_office, the_department = office(), department()
    assert buttons(client, review, review.member) == {"review_start", "review_return"}
    assert buttons(client, review, the_office) == {"review_return"}
    assert buttons(client, review, the_department) == set()
    score_all(review)
    assert buttons(client, review, review.lead) == {"review_return", "review_verify"}
    assert buttons(client, review, review.member) == {"review_return"}
    workflow.verify(assessment=review.assessment, by=review.lead)
    assert buttons(client, review, review.lead) == set()
    assert buttons(client, review, the_office) == {"review_approve", "review_reopen"}
    assert buttons(client, review, the_department) == {"review_reopen"}
    workflow.approve(assessment=review.assessment, by=the_office)
    assert buttons(client, review, the_office) == {"review_reopen"}


def test_a_team_member_starts_the_review(client, review):
    client.force_login(review.member)
    response = client.post(reverse("reviews:review_start", args=[review.assessment.pk]), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(review)
    assert "เริ่มตรวจประเมินแล้ว" in response.content.decode()
    assert review.refresh().status == Assessment.Status.IN_REVIEW
    response = client.post(reverse("reviews:review_start", args=[review.assessment.pk]), follow=True)
    assert "อยู่ระหว่างตรวจประเมินอยู่แล้ว" in response.content.decode()


def test_verify_refused_lists_what_is_unscored(client, review):
    workflow.start_review(assessment=review.assessment, by=review.member)
    workflow.save_verified_answer(
        assessment=review.assessment,
        indicator=review.levels,
        data={"level": review.levels.options.get(position=4).pk},
        expected_version=0,
        by=review.member,
    )
    client.force_login(review.lead)
    response = client.post(reverse("reviews:review_verify", args=[review.assessment.pk]), {"confirmed": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ยังยืนยันผลไม่ได้" in html and "2 ตัวชี้วัด" in html
    assert f"#ind-{review.checklist.pk}" in html and f"#ind-{review.figure.pk}" in html
    assert f"#ind-{review.levels.pk}" not in html
    assert review.refresh().status == Assessment.Status.IN_REVIEW


def test_the_lead_verifies_and_the_office_approves(client, review):
    score_all(review)
    client.force_login(review.lead)
    response = client.post(reverse("reviews:review_verify", args=[review.assessment.pk]), {"confirmed": "1"}, follow=True)
    assert "ยืนยันผลการตรวจแล้ว" in response.content.decode()
    assert review.refresh().status == Assessment.Status.VERIFIED
    client.force_login(office())
    response = client.post(reverse("reviews:review_approve", args=[review.assessment.pk]), {"confirmed": "1"}, follow=True)
    assert "รับรองผลการประเมินของ" in response.content.decode()
    assert review.refresh().status == Assessment.Status.APPROVED


def test_approving_before_verification_is_refused_with_a_message(client, review):
    client.force_login(office())
    response = client.post(reverse("reviews:review_approve", args=[review.assessment.pk]), {"confirmed": "1"}, follow=True)
    assert response.status_code == 200
    assert "รับรองผลไม่ได้ เพราะการประเมินอยู่ในสถานะ" in response.content.decode()
    assert review.refresh().status == Assessment.Status.SUBMITTED


# Verify and approve ask for a confirmation first (a page, no script needed).


def confirm_page(client, user, name, review):
    client.force_login(user)
    return client.get(reverse(f"reviews:{name}", args=[review.assessment.pk]))


def test_verifying_is_confirmed_on_a_page_that_says_what_will_happen(client, review):
    score_all(review)
    url = reverse("reviews:review_verify", args=[review.assessment.pk])
    html = confirm_page(client, review.lead, "review_verify", review).content.decode()
    assert "ยืนยันผลการตรวจ 3 ตัวชี้วัด" in html and review.assessment.organization.full_name in html
    assert "ส่งให้สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดรับรองผล" in html
    assert re.search(rf'<form method="post" action="{url}">', html) and 'name="confirmed"' in html
    assert review.refresh().status == Assessment.Status.IN_REVIEW
    # A post without the confirmation shows the same page and changes nothing.
    response = client.post(url)
    assert response.status_code == 200 and "ยืนยันผลการตรวจ 3 ตัวชี้วัด" in response.content.decode()
    assert review.refresh().status == Assessment.Status.IN_REVIEW
    client.post(url, {"confirmed": "1"})
    assert review.refresh().status == Assessment.Status.VERIFIED


def test_the_verify_confirmation_lists_what_is_unscored_instead_of_a_button(client, review):
    workflow.save_verified_answer(
        assessment=review.assessment,
        indicator=review.levels,
        data={"level": review.levels.options.get(position=4).pk},
        expected_version=0,
        by=review.member,
    )
    html = confirm_page(client, review.lead, "review_verify", review).content.decode()
    assert "ยังยืนยันผลไม่ได้" in html and f"#ind-{review.checklist.pk}" in html
    assert 'name="confirmed"' not in html


def test_approving_is_confirmed_on_a_page_that_says_what_will_happen(client, review):
    score_all(review)
    workflow.verify(assessment=review.assessment, by=review.lead)
    the_office = office()
    url = reverse("reviews:review_approve", args=[review.assessment.pk])
    html = confirm_page(client, the_office, "review_approve", review).content.decode()
    assert "รับรองผลการประเมินของ 1 อปท. (3 ตัวชี้วัด)" in re.sub(r"\s+", " ", html)
    assert review.assessment.organization.full_name in html and 'name="confirmed"' in html
    assert client.post(url).status_code == 200
    assert review.refresh().status == Assessment.Status.VERIFIED
    client.post(url, {"confirmed": "1"})
    assert review.refresh().status == Assessment.Status.APPROVED


def test_the_review_page_links_to_the_confirmations_instead_of_acting(client, review):
    score_all(review)
    client.force_login(review.lead)
    html = client.get(detail_url(review)).content.decode()
    url = reverse("reviews:review_verify", args=[review.assessment.pk])
    assert f'href="{url}"' in html and f'action="{url}"' not in html


# Return for revision.


def return_url(review):
    return reverse("reviews:review_return", args=[review.assessment.pk])


def test_return_page_defaults_the_due_date_to_a_week_from_today(client, review):
    client.force_login(review.member)
    html = client.get(return_url(review)).content.decode()
    due = timezone.localdate() + datetime.timedelta(days=7)
    assert f'value="{due.day:02d}/{due.month:02d}/{due.year + 543}"' in html
    for indicator in (review.levels, review.checklist, review.figure):
        assert f'name="flag_{indicator.pk}"' in html and f'name="reason_{indicator.pk}"' in html
    assert f'<label class="form-label small" for="id_reason_{review.levels.pk}">' in html


def test_returning_with_reasons_sends_it_back(client, review):
    client.force_login(review.member)
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        return_url(review),
        {
            f"flag_{review.levels.pk}": "on",
            f"reason_{review.levels.pk}": "ไม่พบรายงานการประชุม",
            "due": f"{due.day:02d}/{due.month:02d}/{due.year + 543}",
        },
    )
    assert response.status_code == 302 and response["Location"] == detail_url(review)
    assessment = review.refresh()
    assert (assessment.status, assessment.revision, assessment.revision_due) == (Assessment.Status.RETURNED, 1, due)
    flag = ReturnedIndicator.objects.get()
    assert (flag.indicator, flag.reason, flag.flagged_by) == (review.levels, "ไม่พบรายงานการประชุม", review.member)


def test_return_errors_keep_what_was_typed(client, review):
    client.force_login(review.member)
    data = {
        f"flag_{review.levels.pk}": "on",
        f"reason_{review.levels.pk}": "",
        f"reason_{review.checklist.pk}": "ขาดภาพถ่าย",
        "due": "05/01/2500",
    }
    response = client.post(return_url(review), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "ระบุเหตุผลที่ส่งตัวชี้วัด 1.1 กลับให้แก้ไข" in html
    assert "มีเหตุผลแต่ยังไม่ได้เลือกตัวชี้วัด 1.2" in html
    assert "ขาดภาพถ่าย" in html and 'value="05/01/2500"' in html
    assert re.search(rf'name="flag_{review.levels.pk}"[^>]*checked|checked[^>]*name="flag_{review.levels.pk}"', html)
    # The form passes, the workflow refuses the past date: beside the field, still typed.
    data[f"reason_{review.levels.pk}"] = "ไม่พบรายงาน"
    del data[f"reason_{review.checklist.pk}"]
    html = client.post(return_url(review), data).content.decode()
    assert "กำหนดส่งผลที่แก้ไขต้องไม่ก่อนวันนี้" in html and "ไม่พบรายงาน" in html
    response = client.post(return_url(review), {"due": ""})
    assert "เลือกตัวชี้วัดที่ต้องการให้แก้ไขอย่างน้อย 1 ตัวชี้วัด" in response.content.decode()
    assert review.refresh().status == Assessment.Status.SUBMITTED


def test_the_office_may_return_too(client, review):
    client.force_login(office())
    response = client.post(return_url(review), {f"flag_{review.figure.pk}": "on", f"reason_{review.figure.pk}": "ขอหลักฐาน"})
    assert response.status_code == 302
    assert review.refresh().status == Assessment.Status.RETURNED


def test_a_returned_assessment_cannot_be_returned_again(client, review):
    workflow.return_for_revision(assessment=review.assessment, flags={review.levels: "x"}, by=review.member)
    client.force_login(review.member)
    html = client.get(return_url(review)).content.decode()
    assert "จึงส่งกลับให้แก้ไขไม่ได้" in html and 'name="due"' not in html


# Reopening.


def test_reopen_needs_a_reason_and_sends_it_back_to_review(client, review):
    score_all(review)
    workflow.verify(assessment=review.assessment, by=review.lead)
    url = reverse("reviews:review_reopen", args=[review.assessment.pk])
    the_office = office()
    client.force_login(the_office)
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "ระบุเหตุผลที่เปิดการตรวจประเมินอีกครั้ง" in response.content.decode()
    response = client.post(url, {"reason": "คะแนนด้านที่ 1 ไม่ตรงกับหลักฐาน"})
    assert response.status_code == 302
    assert review.refresh().status == Assessment.Status.IN_REVIEW
    event = AssessmentEvent.objects.get(kind=AssessmentEvent.Kind.REOPENED)
    assert (event.by, event.note) == (the_office, "คะแนนด้านที่ 1 ไม่ตรงกับหลักฐาน")


def test_reopen_before_verification_says_why_not(client, review):
    client.force_login(department())
    url = reverse("reviews:review_reopen", args=[review.assessment.pk])
    assert "จึงเปิดการตรวจประเมินอีกครั้งไม่ได้" in client.get(url).content.decode()
    response = client.post(url, {"reason": "ทดสอบ"})
    assert response.status_code == 200
    assert review.refresh().status == Assessment.Status.SUBMITTED


# From the organization's overview.


def test_assessment_overview_links_to_the_review_for_those_in_its_reach(client, review):
    url = review.assessment.get_absolute_url()
    link = detail_url(review)
    for user, shown in [
        (review.member, True),
        (office(), True),
        (department(), True),
        (user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")), False),
        (review.sa.staff, False),
    ]:
        client.force_login(user)
        html = client.get(url).content.decode()
        assert (f'href="{link}"' in html) is shown, user


def test_the_organization_gets_links_to_its_results_once_published(client, review):
    results = reverse("reviews:results", args=[review.assessment.pk])
    appeal = reverse("reviews:appeal_open", args=[review.assessment.pk])
    client.force_login(review.sa.head)
    html = client.get(review.assessment.get_absolute_url()).content.decode()
    assert results not in html and appeal not in html
    Assessment.objects.filter(pk=review.assessment.pk).update(status=Assessment.Status.PUBLISHED)
    html = client.get(review.assessment.get_absolute_url()).content.decode()
    assert results in html and appeal in html
    client.force_login(review.sa.staff)
    html = client.get(review.assessment.get_absolute_url()).content.decode()
    assert results in html and appeal not in html  # only the head appeals


def test_return_form_opens_each_reason_with_its_tick_and_keeps_the_button_in_reach(client, review):
    """Each indicator's reason box belongs to its tick (the page's script shows it only when
    ticked; without the script every box shows); the count and the button stay on screen."""
    client.force_login(review.member)
    html = client.get(return_url(review)).content.decode()
    for indicator in (review.levels, review.checklist, review.figure):
        assert re.search(rf'name="flag_{indicator.pk}"[^>]*aria-controls="reason-box-{indicator.pk}"', html)
        box = re.search(rf'<div[^>]*id="reason-box-{indicator.pk}"[^>]*>', html)
        assert box and "data-return-reason" in box.group(0) and "hidden" not in box.group(0)
    bar = re.search(r'<div[^>]*class="[^"]*sticky-bottom[^"]*"[^>]*>.*?</div>', html, re.S)
    assert bar and "ส่งกลับให้แก้ไข</button>" in bar.group(0) and "data-flag-count" in bar.group(0)
    assert "reviews/return.js" in html
