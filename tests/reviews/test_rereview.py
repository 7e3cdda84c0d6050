"""The review after a resubmission: what the organization revised is marked as changed since
the team's last look (and what changed: answer, note, evidence), counted as to re-check, listed
first on the overview; its verified form starts from the new answer; and a reason is needed
only when the verified result scores differently from the organization's answer."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from assessments.evidence import add_evidence_link
from assessments.models import Answer, ReturnedIndicator
from assessments.selfassessment import submit
from reviews import workflow
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    """Scored as claimed, returned with 1.1 and 1.3 flagged; the organization changes 1.1's
    level (5 → 4) and note, adds evidence to 1.3 only, and resubmits."""
    case = submitted_for_review()
    case.score_as_claimed()
    workflow.return_for_revision(
        assessment=case.assessment,
        flags={case.indicator("1.1"): "ระดับ 5 ต้องมีรายงานผล", case.indicator("1.3"): "แนบสรุปผลการสำรวจ"},
        by=case.team.members[0],
    )
    case.assessment.refresh_from_db()
    case.answer("1.1", {"level": case.option("1.1", 4).pk, "note": "ปรับเป็นระดับ 4 ตามหลักฐานที่มี"})
    answer_13 = Answer.objects.get(assessment=case.assessment, indicator=case.indicator("1.3"))
    add_evidence_link(answer=answer_13, url="https://example.go.th/survey", title="สรุปผลการสำรวจ", by=case.sa.staff)
    submit(case.assessment, by=case.sa.head)
    return case


def overview(client, case, user=None):
    client.force_login(user or case.team.members[0])
    return client.get(reverse("reviews:review_detail", args=[case.assessment.pk])).content.decode()


def dimension_page(client, case, user=None):
    client.force_login(user or case.team.members[0])
    return client.get(reverse("reviews:review_dimension", args=[case.assessment.pk, 1])).content.decode()


def block(html: str, case, code: str) -> str:
    """The indicator's block (article) of the dimension page."""
    pk = case.indicator(code).pk
    match = re.search(rf'<article[^>]*id="ind-{pk}".*?</article>', html, re.S)
    assert match, code
    return match.group(0)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_what_changed_is_read_from_the_answer_kept_when_flagged(case):
    flags = {flag.indicator.code: flag for flag in ReturnedIndicator.objects.filter(assessment=case.assessment)}
    answers = {
        answer.indicator.code: answer
        for answer in Answer.objects.filter(assessment=case.assessment).select_related("indicator")
    }
    assert flags["1.1"].changes(answers["1.1"]) == [ReturnedIndicator.ANSWER, ReturnedIndicator.NOTE]
    assert flags["1.3"].changes(answers["1.3"]) == [ReturnedIndicator.EVIDENCE]
    # Returns from before snapshots were kept cannot tell.
    assert ReturnedIndicator(answer_before={}).changes(answers["1.1"]) is None


def test_revised_indicators_await_a_new_check_until_the_team_saves_again(case):
    revised = workflow.revised_since_review(case.assessment)
    assert set(revised) == {case.indicator("1.1").pk, case.indicator("1.3").pk}
    case.score("1.1", {"level": case.option("1.1", 4).pk})
    assert set(workflow.revised_since_review(case.assessment)) == {case.indicator("1.3").pk}


def test_overview_lists_the_revised_indicators_first_with_what_changed(client, case):
    html = overview(client, case)
    words = text(html)
    assert "ตรวจแล้ว 3 จาก 5 ตัวชี้วัด" in words
    assert "รอตรวจอีกครั้ง 2 ตัวชี้วัด" in words
    section = re.search(r'<section[^>]*aria-labelledby="recheck-heading".*?</section>', html, re.S)
    assert section, "no list of revised indicators"
    # First: before the scores per dimension and the actions.
    assert html.index("recheck-heading") < html.index("dimensions-heading")
    listed = text(section.group(0))
    assert "1.1" in listed and "คำตอบ, หมายเหตุ" in listed and "ระดับ 5 ต้องมีรายงานผล" in listed
    assert "1.3" in listed and "หลักฐาน" in listed
    assert "1.2" not in listed
    url = reverse("reviews:review_dimension", args=[case.assessment.pk, 1])
    assert f'{url}#ind-{case.indicator("1.1").pk}' in section.group(0)


def test_the_dimension_counts_revised_indicators_as_to_recheck(client, case):
    html = overview(client, case)
    row = re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)
    assert "3 / 5" in text(row) and "รอตรวจอีกครั้ง 2" in text(row)
    assert "ตรวจแล้ว 3 จาก 5 ตัวชี้วัด" in text(dimension_page(client, case))


def test_a_revised_indicator_says_to_recheck_and_its_form_starts_from_the_new_answer(client, case):
    html = dimension_page(client, case)
    revised, untouched = block(html, case, "1.1"), block(html, case, "1.2")
    assert "แก้ไขแล้ว รอตรวจอีกครั้ง" in revised and ">ตรวจแล้ว<" not in revised
    assert "อปท. แก้ไข: คำตอบ, หมายเหตุ" in text(revised)
    assert ">ตรวจแล้ว<" in untouched and "รอตรวจอีกครั้ง" not in untouched
    new, old = case.option("1.1", 4).pk, case.option("1.1", 5).pk
    assert re.search(rf'<input[^>]*value="{new}"[^>]*checked', revised)
    assert not re.search(rf'<input[^>]*value="{old}"[^>]*checked', revised)
    assert "อปท. แก้ไข: หลักฐาน" in text(block(html, case, "1.3"))


def test_a_revised_indicator_shows_the_answer_and_note_as_they_were(client, case):
    revised = text(block(dimension_page(client, case), case, "1.1"))
    old = case.option("1.1", 5)
    assert f"ก่อนแก้ไข: ระดับ 5: {old.label}" in revised
    assert "หมายเหตุเดิม: (ไม่มี)" in revised


def test_saving_the_new_answer_needs_no_reason_and_ends_the_recheck(client, case):
    client.force_login(case.team.members[0])
    indicator = case.indicator("1.1")
    version = workflow.verified_answer_for(case.assessment, indicator).version
    response = client.post(
        reverse("reviews:verified_answer_save", args=[case.assessment.pk, indicator.pk]),
        {f"v{indicator.pk}-version": version, f"v{indicator.pk}-level": case.option("1.1", 4).pk},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 200, response.content.decode()
    data = response.json()
    assert (data["state"], data["state_label"]) == ("checked", "ตรวจแล้ว")
    # The page's counters follow: the other revised indicator still waits.
    assert data["recheck"] == 1 and "รอตรวจอีกครั้ง 1 ตัวชี้วัด" in data["totals"]
    assert "ตรวจแล้ว 4 จาก 5 ตัวชี้วัด" in text(overview(client, case))


def test_a_resubmission_without_changes_says_so(client):
    case = submitted_for_review()
    case.score_as_claimed()
    workflow.return_for_revision(assessment=case.assessment, flags={case.indicator("1.2"): "ตรวจสอบอีกครั้ง"}, by=case.team.lead)
    case.assessment.refresh_from_db()
    submit(case.assessment, by=case.sa.head)
    assert "ไม่ได้แก้ไขคำตอบ หมายเหตุ หรือหลักฐาน" in text(block(dimension_page(client, case), case, "1.2"))


# The reason rule compares points.


def test_a_different_value_that_scores_the_same_needs_no_reason():
    case = submitted_for_review()
    # The organization's 85 and the team's 90 both reach the top band (80 and over): 5 points.
    verified = case.score("1.3", {"figure": "90"})
    assert (verified.points, verified.reason) == (Decimal(5), "")


def test_a_value_that_scores_differently_still_needs_a_reason():
    case = submitted_for_review()
    with pytest.raises(Exception) as refused:
        case.score("1.3", {"figure": "75"})
    assert refused.value.message_dict == {"reason": ["ผลการตรวจต่างจากผลการประเมินตนเอง: ระบุเหตุผล"]}


def test_the_earlier_checklist_and_figure_are_said_in_words(client):
    case = submitted_for_review()
    case.score_as_claimed()
    workflow.return_for_revision(
        assessment=case.assessment,
        flags={case.indicator("1.2"): "ข้อ 2 ไม่มีหลักฐาน", case.indicator("1.3"): "นับใหม่"},
        by=case.team.lead,
    )
    case.assessment.refresh_from_db()
    case.answer("1.2", {"ticked": [case.option("1.2", 1).pk]})
    case.answer("1.3", {"figure": "1250.5"})
    submit(case.assessment, by=case.sa.head)
    html = dimension_page(client, case)
    first, second = case.option("1.2", 1).label, case.option("1.2", 2).label
    assert f"ก่อนแก้ไข: ผ่าน 2 ข้อ: {first}, {second}" in text(block(html, case, "1.2"))
    assert "ก่อนแก้ไข: 85 ร้อยละ" in text(block(html, case, "1.3"))


def folded(article: str) -> bool:
    """Closed, its editor left to be fetched (or opened as a page): no form in the page."""
    editor = re.search(r'<details class="indicator-editor" data-editor-url="[^"]+"( open data-editor-loaded)?>', article)
    return bool(editor) and not editor.group(1) and "<form" not in article


def test_indicators_to_recheck_open_the_rest_fold_and_the_outline_marks_each(client, case):
    html = dimension_page(client, case)

    assert not folded(block(html, case, "1.1")) and not folded(block(html, case, "1.3"))
    assert folded(block(html, case, "1.2"))
    outline = html[html.index('class="list-unstyled small mb-0 dimension-outline"') :]
    for code, state in (("1.1", "recheck"), ("1.2", "checked"), ("1.3", "recheck")):
        link = re.search(rf'<a href="#ind-{case.indicator(code).pk}"[^>]*><span class="outline-state outline-(\w+)"', outline)
        assert link and link.group(1) == state, code
    assert "ตรวจแล้ว <span data-complete-count>" in html
