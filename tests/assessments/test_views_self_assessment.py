"""The self-assessment pages: overview, answering with and without the page's script,
stale saves, submission, read-only after submission, revision, extension, print."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import Answer, Assessment, AssessmentEvent, Extension, Indicator
from assessments.selfassessment import save_answer, submit
from reviews.workflow import return_for_revision
from tests.assessments.factories import IndicatorFactory, open_round, self_assessment
from tests.factories import province, user_with_role
from tests.reviews.factories import assigned_team

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def sa():
    return self_assessment(code="6810198")


def dimension_url(sa, number=1):
    return reverse("assessments:assessment_dimension", args=[sa.assessment.pk, number])


def save_url(sa, indicator):
    return reverse("assessments:answer_save", args=[sa.assessment.pk, indicator.pk])


def editor_url(sa, indicator):
    return reverse("assessments:indicator_editor", args=[sa.assessment.pk, indicator.pk])


def editors(client, sa, *indicators):
    """The editors the page's script fetches into the blocks it opens, one after another."""
    return "".join(client.get(editor_url(sa, indicator), **FETCH).content.decode() for indicator in indicators)


def post_answer(client, sa, indicator, version=0, fetch=False, **fields):
    data = {f"i{indicator.pk}-version": version}
    data.update({f"i{indicator.pk}-{name}": value for name, value in fields.items()})
    return client.post(save_url(sa, indicator), data, **(FETCH if fetch else {}))


def test_overview_shows_progress_score_deadline_and_status(client, sa):
    levels = sa.indicator(code="1.1", evidence_required="")
    sa.indicator(code="1.2", kind=Indicator.Kind.CHECKLIST)
    save_answer(assessment=sa.assessment, indicator=levels, data={"level": levels.options.last().pk}, expected_version=0, by=sa.staff)
    client.force_login(sa.staff)
    response = client.get(sa.assessment.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 / 2" in html  # answered / applicable in dimension 1
    assert "5 จาก 8 คะแนน" in html  # levels 5 of 5, checklist 0 of 3
    assert "เหลืออีก 30 วัน" in html
    assert "กำลังประเมินตนเอง" in html
    assert dimension_url(sa) in html


def test_organization_member_home_lists_the_open_assessment_with_progress(client, sa):
    sa.indicator(code="1.1")
    client.force_login(sa.staff)
    html = client.get(reverse("home")).content.decode()
    assert 'id="my-assessments-heading"' in html
    assert sa.assessment.get_absolute_url() in html
    assert "ตอบแล้ว 0 จาก 1 ตัวชี้วัด" in html
    assert reverse("assessments:assessment_list") in html  # the menu item


def test_dimension_page_shows_the_input_each_scoring_kind_needs(client, sa):
    levels = sa.indicator(code="L", evidence_required="คำสั่ง")
    checklist = sa.indicator(code="C", kind=Indicator.Kind.CHECKLIST)
    figure = sa.indicator(code="F", kind=Indicator.Kind.FIGURE, unit="ร้อยละ", options=[(5, 80), (3, 50)], allows_not_applicable=True)
    client.force_login(sa.staff)
    page = client.get(dimension_url(sa)).content.decode()
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # the blocks open on demand
    html = editors(client, sa, levels, checklist, figure)
    assert f'type="radio" name="i{levels.pk}-level"' in html
    assert f'type="checkbox" name="i{checklist.pk}-ticked"' in html
    assert f'name="i{figure.pk}-figure"' in html and "ค่าที่ได้ (ร้อยละ)" in html
    assert f'name="i{figure.pk}-not_applicable"' in html
    assert f'name="i{levels.pk}-not_applicable"' not in html
    assert "<legend" in html and "คำสั่ง" in html


def test_saving_without_script_redirects_back_to_the_indicator(client, sa):
    indicator = sa.indicator(code="1.1")
    client.force_login(sa.staff)
    response = post_answer(client, sa, indicator, level=indicator.options.get(position=4).pk, note="ดูแผนปี 2568")
    assert response.status_code == 302
    assert response["Location"] == f"{dimension_url(sa)}#ind-{indicator.pk}"
    answer = Answer.objects.get(assessment=sa.assessment, indicator=indicator)
    assert (answer.level.position, answer.note, answer.version) == (4, "ดูแผนปี 2568", 1)


def test_saving_with_script_returns_version_points_state_and_totals(client, sa):
    indicator = sa.indicator(code="1.1", kind=Indicator.Kind.CHECKLIST, evidence_required="")
    sa.indicator(code="1.2")
    client.force_login(sa.staff)
    first = indicator.options.first()
    response = post_answer(client, sa, indicator, fetch=True, ticked=[first.pk])
    data = response.json()
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert data["message"] == "บันทึกคำตอบตัวชี้วัด 1.1 แล้ว"
    assert (data["version"], data["points"], data["state"], data["state_label"]) == (1, "1", "complete", "ครบแล้ว")
    assert (data["done"], data["answered"], data["count"]) == (1, 1, 2)
    assert "คะแนน 1 จาก 3" in data["summary"] and "<form" not in data["summary"]
    answer = Answer.objects.get(assessment=sa.assessment, indicator=indicator)
    assert list(answer.ticked.all()) == [first] and answer.is_answered


def test_saving_a_checklist_with_nothing_ticked_answers_it(client, sa):
    indicator = sa.indicator(code="1.1", kind=Indicator.Kind.CHECKLIST)
    client.force_login(sa.staff)
    post_answer(client, sa, indicator)
    assert Answer.objects.get(indicator=indicator).is_answered


def test_invalid_figure_gets_a_thai_message_beside_the_field(client, sa):
    indicator = sa.indicator(code="F", kind=Indicator.Kind.FIGURE, options=[(5, 80), (3, 50)])
    client.force_login(sa.staff)
    response = post_answer(client, sa, indicator, fetch=True, figure="แปดสิบ", note="บันทึกไว้")
    assert response.status_code == 422
    # The script puts each message beside its field; the form, and what was typed, stay.
    assert response.json()["errors"] == [
        {"name": f"i{indicator.pk}-figure", "id": f"id_i{indicator.pk}-figure", "messages": ["กรอกค่าเป็นตัวเลข เช่น 85 หรือ 72.5"]}
    ]
    assert not Answer.objects.filter(indicator=indicator).exists()
    # Without script: the indicator's editor page, the message tied to the field.
    html = post_answer(client, sa, indicator, figure="แปดสิบ", note="บันทึกไว้").content.decode()
    field_id = f"id_i{indicator.pk}-figure"
    assert f'id="{field_id}_errors"' in html and "กรอกค่าเป็นตัวเลข" in html
    assert re.search(rf'aria-describedby="{field_id}_errors"[^>]*id="{field_id}"|id="{field_id}"[^>]*aria-invalid="true"', html) or (
        f'aria-describedby="{field_id}_errors"' in html
    )
    assert 'value="แปดสิบ"' in html and "บันทึกไว้" in html  # what was typed stays


def test_invalid_input_without_script_rerenders_the_indicator_s_editor_page(client, sa):
    bad = sa.indicator(code="F", kind=Indicator.Kind.FIGURE, options=[(5, 80)])
    other = sa.indicator(code="1.2")
    client.force_login(sa.staff)
    response = post_answer(client, sa, bad, figure="-3")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ค่าตัวเลขต้องไม่ติดลบ" in html and 'value="-3"' in html and "<html" in html
    assert f'id="ind-{bad.pk}"' in html and f'id="ind-{other.pk}"' not in html
    assert f'href="{dimension_url(sa)}#ind-{bad.pk}"' in html  # the way back to the page


def test_not_applicable_needs_a_reason(client, sa):
    indicator = sa.indicator(code="1.1", allows_not_applicable=True)
    client.force_login(sa.staff)
    response = post_answer(client, sa, indicator, fetch=True, not_applicable="on")
    assert response.status_code == 422
    assert response.json()["errors"][0]["messages"] == ["ระบุเหตุผลที่ไม่มีภารกิจ"]
    response = post_answer(client, sa, indicator, fetch=True, not_applicable="on", na_reason="ไม่มีท่าเรือในพื้นที่")
    assert response.status_code == 200
    assert Answer.objects.get(indicator=indicator).not_applicable


def test_second_save_of_the_same_version_gets_409_and_the_current_answer(client, sa):
    indicator = sa.indicator(code="1.1")
    other_staff = user_with_role(Role.Kind.ORG_STAFF, organization=sa.organization, first_name="สมชาย")
    level2, level5 = indicator.options.get(position=2), indicator.options.get(position=5)
    client.force_login(other_staff)
    assert post_answer(client, sa, indicator, fetch=True, level=level5.pk).status_code == 200
    client.force_login(sa.staff)
    response = post_answer(client, sa, indicator, version=0, fetch=True, level=level2.pk)
    html = response.content.decode()
    assert response.status_code == 409
    assert "มีผู้บันทึกคำตอบของตัวชี้วัดนี้ไปก่อนแล้ว" in html
    assert re.search(rf'value="{level5.pk}"[^>]*checked', html)  # the current value is shown
    assert f'name="i{indicator.pk}-version" value="1"' in html  # and can be saved over knowingly
    assert Answer.objects.get(indicator=indicator).level == level5


def test_stale_save_without_script_shows_the_page_with_the_message(client, sa):
    indicator = sa.indicator(code="1.1")
    save_answer(assessment=sa.assessment, indicator=indicator, data={"level": indicator.options.last().pk}, expected_version=0, by=sa.head)
    client.force_login(sa.staff)
    response = post_answer(client, sa, indicator, version=0, level=indicator.options.first().pk)
    assert response.status_code == 200
    assert "มีผู้บันทึกคำตอบของตัวชี้วัดนี้ไปก่อนแล้ว" in response.content.decode()


def test_answer_save_is_post_only(client, sa):
    indicator = sa.indicator(code="1.1")
    client.force_login(sa.staff)
    assert client.get(save_url(sa, indicator)).status_code == 405


def test_indicator_of_another_type_is_not_found(client, sa):
    pao_only = sa.indicator(code="P", applies_to=["pao"])
    client.force_login(sa.staff)
    assert post_answer(client, sa, pao_only, level=pao_only.options.first().pk).status_code == 404


def test_provincial_reader_sees_the_dimension_without_forms_and_may_not_save(client, sa):
    indicator = sa.indicator(code="1.1")
    assessor = assigned_team(sa.assessment).lead  # reads the organizations assigned to their team
    client.force_login(assessor)
    html = client.get(dimension_url(sa)).content.decode() + editors(client, sa, indicator)
    assert "1.1" in html and 'data-block-form' not in html
    assert post_answer(client, sa, indicator, level=indicator.options.first().pk).status_code == 403


def test_staff_of_another_organization_gets_404(client, sa):
    indicator = sa.indicator(code="1.1")
    outsider = user_with_role(Role.Kind.ORG_STAFF)
    client.force_login(outsider)
    assert client.get(sa.assessment.get_absolute_url()).status_code == 404
    assert client.get(dimension_url(sa)).status_code == 404
    assert post_answer(client, sa, indicator, level=indicator.options.first().pk).status_code == 404


def test_submit_page_lists_what_is_missing_and_refuses(client, sa):
    indicator = sa.indicator(code="1.1", evidence_required="คำสั่งแต่งตั้ง")
    client.force_login(sa.head)
    html = client.get(reverse("assessments:assessment_submit", args=[sa.assessment.pk])).content.decode()
    assert "ยังไม่ได้ตอบ" in html and "ยังไม่ได้แนบหลักฐาน" in html
    assert "ยืนยันส่งผลการประเมินตนเอง" not in html
    response = client.post(reverse("assessments:assessment_submit", args=[sa.assessment.pk]))
    assert response.status_code == 200
    assert "ยังส่งไม่ได้" in response.content.decode()
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.DRAFT
    assert f"#ind-{indicator.pk}" in html


def test_only_the_head_submits(client, sa):
    indicator = sa.indicator(code="1.1", evidence_required="")
    save_answer(assessment=sa.assessment, indicator=indicator, data={"level": indicator.options.last().pk}, expected_version=0, by=sa.staff)
    url = reverse("assessments:assessment_submit", args=[sa.assessment.pk])
    client.force_login(sa.staff)
    assert "เฉพาะผู้บริหาร" in client.get(url).content.decode()
    assert client.post(url).status_code == 403
    client.force_login(sa.head)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == sa.assessment.get_absolute_url()
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.SUBMITTED


def test_after_submission_the_pages_are_read_only_and_saves_are_refused(client, sa):
    indicator = sa.indicator(code="1.1", evidence_required="")
    save_answer(assessment=sa.assessment, indicator=indicator, data={"level": indicator.options.last().pk}, expected_version=0, by=sa.staff)
    submit(sa.assessment, by=sa.head)
    client.force_login(sa.staff)
    html = client.get(dimension_url(sa)).content.decode() + editors(client, sa, indicator)
    assert save_url(sa, indicator) not in html and "ระดับ 6: ข้อ 6" in html
    assert "evidence_upload" not in html and f'name="i{indicator.pk}-files"' not in html
    # Comments with the team stay open after submission: then they matter most.
    assert reverse("reviews:comment_add", args=[sa.assessment.pk, indicator.pk]) in html
    response = post_answer(client, sa, indicator, version=1, fetch=True, level=indicator.options.first().pk)
    assert response.status_code == 422
    assert "ส่งผลการประเมินแล้ว" in response.json()["message"]  # the reason
    html = post_answer(client, sa, indicator, version=1, level=indicator.options.first().pk).content.decode()
    assert "ส่งผลการประเมินแล้ว" in html and f'action="{save_url(sa, indicator)}"' not in html  # without script: no form
    assert Answer.objects.get(indicator=indicator).version == 1


def test_after_a_return_only_flagged_indicators_open_with_the_reason(client, sa):
    flagged = sa.indicator(code="1.1", evidence_required="")
    kept = sa.indicator(code="1.2", evidence_required="")
    for indicator in (flagged, kept):
        save_answer(assessment=sa.assessment, indicator=indicator, data={"level": indicator.options.last().pk}, expected_version=0, by=sa.staff)
    submit(sa.assessment, by=sa.head)
    assessor = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
    return_for_revision(assessment=sa.assessment, flags={flagged: "แผนไม่มีลายมือชื่อ"}, by=assessor)
    client.force_login(sa.staff)
    html = client.get(dimension_url(sa)).content.decode()
    assert "แผนไม่มีลายมือชื่อ" in html
    assert reverse("assessments:answer_save", args=[sa.assessment.pk, flagged.pk]) in html
    assert reverse("assessments:answer_save", args=[sa.assessment.pk, kept.pk]) not in html
    overview = client.get(sa.assessment.get_absolute_url()).content.decode()
    assert "จังหวัดส่งกลับแก้ไขแล้ว 1 ครั้ง" in overview and "จังหวัดส่งกลับให้แก้ไข" in overview
    assert post_answer(client, sa, kept, version=1, fetch=True, level=kept.options.first().pk).status_code == 422
    assert post_answer(client, sa, flagged, version=1, fetch=True, level=flagged.options.first().pk).status_code == 200
    client.force_login(sa.head)
    client.post(reverse("assessments:assessment_submit", args=[sa.assessment.pk]))
    sa.assessment.refresh_from_db()
    assert sa.assessment.status == Assessment.Status.RESUBMITTED


def test_after_the_deadline_the_server_refuses_saves(client):
    sa = self_assessment(round=open_round(opens_in_days=-60, closes_in_days=-1), code="6810197")
    indicator = sa.indicator(code="1.1")
    client.force_login(sa.staff)
    response = post_answer(client, sa, indicator, fetch=True, level=indicator.options.first().pk)
    assert response.status_code == 422
    assert "พ้นกำหนดการประเมินตนเองแล้ว" in response.json()["message"]


def test_provincial_office_grants_an_extension_and_the_organization_may_save_again(client):
    sa = self_assessment(round=open_round(opens_in_days=-60, closes_in_days=-1), code="6810196")
    indicator = sa.indicator(code="1.1")
    admin = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
    client.force_login(admin)
    url = reverse("assessments:extension_grant", args=[sa.assessment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"until": "", "reason": ""})
    assert response.status_code == 200 and "aria-invalid" in response.content.decode()
    until = timezone.localdate() + datetime.timedelta(days=7)
    be = f"{until.day:02d}/{until.month:02d}/{until.year + 543}"
    response = client.post(url, {"until": be, "reason": "น้ำท่วมสำนักงาน"})
    assert response.status_code == 302
    assert Extension.objects.get(assessment=sa.assessment).until == until
    assert AssessmentEvent.objects.filter(assessment=sa.assessment, kind="extension_granted").exists()
    client.force_login(sa.staff)
    assert post_answer(client, sa, indicator, fetch=True, level=indicator.options.first().pk).status_code == 200


def test_only_the_provincial_office_of_the_province_opens_the_extension_page(client, sa):
    url = reverse("assessments:extension_grant", args=[sa.assessment.pk])
    for user, status in [
        (sa.head, 403),
        (assigned_team(sa.assessment).lead, 403),  # reads the assessment, grants nothing
        (user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")), 404),  # on no team
        (user_with_role(Role.Kind.DEPARTMENT_OFFICIAL), 403),
        (user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")), 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_print_view_and_pdf_of_the_summary(client, sa):
    sa.indicator(code="1.1")
    client.force_login(sa.staff)
    html = client.get(reverse("assessments:assessment_print", args=[sa.assessment.pk])).content.decode()
    assert "สรุปผลการประเมินตนเอง" in html and sa.organization.code in html
    response = client.get(reverse("assessments:assessment_pdf", args=[sa.assessment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_organization_detail_lists_its_assessments_for_the_province(client, sa):
    admin = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
    client.force_login(admin)
    html = client.get(sa.organization.get_absolute_url()).content.decode()
    assert sa.assessment.get_absolute_url() in html


def test_my_assessments_page_lists_the_organizations_assessments(client, sa):
    client.force_login(sa.head)
    html = client.get(reverse("assessments:assessment_list")).content.decode()
    assert sa.assessment.get_absolute_url() in html


def test_dimension_page_query_count_does_not_grow_with_indicators(client, sa, django_assert_num_queries):
    client.force_login(sa.staff)
    client.get(dimension_url(sa))
    # Rows are added here behind the workflow's back: the page cached above must go.
    cache.clear()

    def add(n):
        for position in range(n):
            kind = [Indicator.Kind.LEVELS, Indicator.Kind.CHECKLIST, Indicator.Kind.FIGURE][position % 3]
            options = [(5, 80), (3, 50)] if kind == Indicator.Kind.FIGURE else None
            indicator = IndicatorFactory(category=sa.category, kind=kind, options=options, evidence_required="หลักฐาน")
            answer = Answer.objects.create(assessment=sa.assessment, indicator=indicator, note="x", updated_by=sa.staff)
            answer.evidence.create(url=f"https://example.go.th/{indicator.code}", uploaded_by=sa.staff)

    add(3)
    with django_assert_num_queries(DIMENSION_PAGE_QUERIES):
        assert client.get(dimension_url(sa)).status_code == 200
    cache.clear()
    add(12)
    with django_assert_num_queries(DIMENSION_PAGE_QUERIES):
        assert client.get(dimension_url(sa)).status_code == 200


# Session and user (2), the user's roles (1), the assessment (1), the dimensions (1), the
# latest extension for the deadline (1), the indicators with their options (and which are
# ticked) and answers (3), the menu's unread notifications (1). Closed blocks need no
# evidence rows, no comments and no flags of a draft.
DIMENSION_PAGE_QUERIES = 10


def test_organization_home_stays_within_its_query_budget(client, sa, django_assert_max_num_queries):
    for _ in range(5):
        sa.indicator(evidence_required="หลักฐาน")
    client.force_login(sa.head)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200


def test_completion_on_the_home_page_agrees_with_progress(sa):
    from assessments.evidence import add_evidence_link
    from assessments.selfassessment import answer_for, completion, progress

    levels = sa.indicator(evidence_required="คำสั่ง")
    checklist = sa.indicator(kind=Indicator.Kind.CHECKLIST, evidence_required="")
    figure = sa.indicator(kind=Indicator.Kind.FIGURE, options=[(5, 80)], allows_not_applicable=True, evidence_required="x")
    sa.indicator(evidence_required="")  # not answered
    save_answer(assessment=sa.assessment, indicator=levels, data={"level": levels.options.first().pk}, expected_version=0, by=sa.staff)
    save_answer(assessment=sa.assessment, indicator=checklist, data={"ticked": []}, expected_version=0, by=sa.staff)
    save_answer(assessment=sa.assessment, indicator=figure, data={"not_applicable": True, "na_reason": "ไม่มี"}, expected_version=0, by=sa.staff)
    summary = completion(sa.assessment)
    (row,) = progress(sa.assessment)
    assert (summary.indicators, summary.answered, summary.indicators - summary.complete) == (4, 3, 2)
    assert (row.indicators, row.answered, row.missing) == (4, 3, 2)
    add_evidence_link(answer=answer_for(sa.assessment, levels), url="https://a.go.th/x", title="", by=sa.staff)
    assert completion(sa.assessment).complete == 3


def editor_open(html: str, indicator: Indicator) -> bool:
    """Whether the indicator's folded details (criteria, forms, evidence) start open."""
    block = html[html.index(f'id="ind-{indicator.pk}"') :]
    return re.search(r'<details class="indicator-editor"( open)?', block).group(1) is not None


def test_each_indicator_shows_answer_points_and_evidence_count_with_its_editors_folded(client, sa):
    answered = sa.indicator(code="1.1", evidence_required="")
    empty = sa.indicator(code="1.2", kind=Indicator.Kind.CHECKLIST)
    save_answer(assessment=sa.assessment, indicator=answered, data={"level": answered.options.last().pk}, expected_version=0, by=sa.staff)
    client.force_login(sa.staff)

    html = client.get(dimension_url(sa)).content.decode()

    assert "คะแนน 5 จาก 5" in html
    assert html.count("หลักฐาน 0 รายการ") == 2
    assert not editor_open(html, answered) and not editor_open(html, empty)
    # The outline lists every indicator with its state, once for wide screens and phones alike.
    assert html.count(f'href="#ind-{answered.pk}"') == 1 and html.count(f'href="#ind-{empty.pk}"') == 1
    assert "ครบแล้ว <span data-complete-count>1</span> จาก 2 ตัวชี้วัด" in html


def test_a_refused_save_and_a_sent_back_indicator_open_their_editors(client, sa):
    figure = sa.indicator(code="1.1", kind=Indicator.Kind.FIGURE, options=[(5, 80), (3, 50)], evidence_required="")
    other = sa.indicator(code="1.2", evidence_required="")
    client.force_login(sa.staff)

    html = post_answer(client, sa, figure, figure="ไม่ทราบ").content.decode()

    # Without script: the indicator's own editor page, open.
    assert editor_open(html, figure) and f'id="ind-{other.pk}"' not in html
    assert "กรอกค่าเป็นตัวเลข" in html

    save_answer(assessment=sa.assessment, indicator=figure, data={"figure": "10"}, expected_version=0, by=sa.staff)
    save_answer(assessment=sa.assessment, indicator=other, data={"level": other.options.last().pk}, expected_version=0, by=sa.staff)
    submit(sa.assessment, by=sa.head)
    office = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))
    return_for_revision(assessment=sa.assessment, flags={other: "แผนไม่มีลายมือชื่อ"}, by=office)

    html = client.get(dimension_url(sa)).content.decode()

    assert editor_open(html, other) and not editor_open(html, figure)
    assert "outline-returned" in html
