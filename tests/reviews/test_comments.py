"""Comments per indicator between the organization and its review team: who posts what,
internal notes the organization never sees (on either side's pages), and the posting view
with and without the pages' scripts."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from assessments.models import Round
from assessments.selfassessment import save_answer, submit
from reviews.comments import CommentRefused, comments_for, post_comment
from reviews.models import Comment
from tests.assessments.factories import self_assessment
from tests.factories import province, user_with_role
from tests.reviews.factories import assigned_team, review_team

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
SECRET = "บันทึกภายใน: อปท. นี้เคยส่งหลักฐานย้อนหลัง"


@pytest.fixture
def sa():
    sa = self_assessment(code="6810170")
    sa.levels = sa.indicator(code="1.1")
    save_answer(
        assessment=sa.assessment, indicator=sa.levels, data={"level": sa.levels.options.last().pk}, expected_version=0, by=sa.staff
    )
    submit(sa.assessment, by=sa.head)
    sa.team = assigned_team(sa.assessment, members=1)
    return sa


def office():
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))


def comment_url(sa):
    return reverse("reviews:comment_add", args=[sa.assessment.pk, sa.levels.pk])


def org_page(sa):
    return reverse("assessments:assessment_dimension", args=[sa.assessment.pk, 1])


def org_editor(sa):
    """The indicator's editor on the organization's side, where its thread is (opened on demand)."""
    return reverse("assessments:indicator_editor", args=[sa.assessment.pk, sa.levels.pk])


def review_page(sa):
    return reverse("reviews:review_dimension", args=[sa.assessment.pk, 1])


def post(client, sa, body, fetch=True, internal=False):
    data = {f"c{sa.levels.pk}-body": body}
    if internal:
        data[f"c{sa.levels.pk}-internal"] = "on"
    return client.post(comment_url(sa), data, **(FETCH if fetch else {}))


# The rules.


def test_the_organization_and_the_team_talk_and_the_team_keeps_internal_notes(sa):
    asked = post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.staff, body="  ส่งเอกสารเพิ่มได้ไหม  ")
    answered = post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.team.lead, body="ได้ ภายในวันศุกร์")
    note = post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.team.members[0], body=SECRET, internal=True)
    by_office = post_comment(assessment=sa.assessment, indicator=sa.levels, by=office(), body="รับทราบ", internal=True)
    assert asked.body == "ส่งเอกสารเพิ่มได้ไหม" and not asked.internal
    assert comments_for(sa.assessment, user=sa.head) == {sa.levels.pk: [asked, answered]}
    assert comments_for(sa.assessment, user=sa.team.lead) == {sa.levels.pk: [asked, answered, note, by_office]}
    assert comments_for(sa.assessment, user=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))[sa.levels.pk][-1] == by_office


def test_the_organization_may_not_post_internal_notes(sa):
    with pytest.raises(PermissionDenied):
        post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.staff, body="x", internal=True)
    assert not Comment.objects.exists()


def test_outsiders_and_the_department_may_not_post(sa):
    for user in (
        user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),  # not on the team
        review_team(sa.assessment.round, name="คณะที่ 2").lead,
        user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        user_with_role(Role.Kind.ORG_STAFF),
    ):
        with pytest.raises(PermissionDenied):
            post_comment(assessment=sa.assessment, indicator=sa.levels, by=user, body="x")
    assert not Comment.objects.exists()


def test_outsiders_read_no_thread(sa):
    post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.staff, body="คำถาม")
    for user in (
        user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
        user_with_role(Role.Kind.ORG_STAFF),
    ):
        assert comments_for(sa.assessment, user=user) == {}


def test_an_empty_comment_is_refused_in_thai(sa):
    with pytest.raises(CommentRefused) as refused:
        post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.staff, body=" \n ")
    assert refused.value.message_dict == {"body": ["พิมพ์ข้อความก่อนส่งความเห็น"]}


def test_nothing_is_posted_to_a_closed_round(sa):
    Round.objects.filter(pk=sa.assessment.round_id).update(phase=Round.Phase.CLOSED)
    sa.assessment.round.refresh_from_db()
    with pytest.raises(CommentRefused) as refused:
        post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.team.lead, body="x")
    assert "ปิดแล้ว" in refused.value.message_dict["body"][0]


# The organization's side.


def test_organization_posts_from_its_page_without_script_and_comes_back_to_the_thread(client, sa):
    client.force_login(sa.staff)
    html = client.get(org_editor(sa)).content.decode()
    assert f'action="{comment_url(sa)}"' in html and f'name="c{sa.levels.pk}-internal"' not in html
    response = post(client, sa, "ขอส่งภาพถ่ายเพิ่มเติม", fetch=False)
    assert response.status_code == 302 and response["Location"] == f"{org_page(sa)}#thread-{sa.levels.pk}"
    assert "ส่งความเห็นแล้ว" in client.get(org_page(sa)).content.decode()
    assert "ขอส่งภาพถ่ายเพิ่มเติม" in client.get(org_editor(sa)).content.decode()


def test_organization_posting_with_script_gets_the_thread_back(client, sa):
    client.force_login(sa.head)
    response = post(client, sa, "ขอบคุณครับ", internal=True)  # a forged tick is ignored
    html = response.content.decode()
    assert response.status_code == 200 and response["X-LPA-Block"] == str(sa.levels.pk)
    assert html.lstrip().startswith("<section") and f'id="thread-{sa.levels.pk}"' in html
    assert "ขอบคุณครับ" in html and "ส่งความเห็นแล้ว" in html
    assert not Comment.objects.get().internal


def test_an_empty_comment_keeps_the_page_and_says_why(client, sa):
    client.force_login(sa.staff)
    response = post(client, sa, "")
    assert response.status_code == 422 and "พิมพ์ข้อความก่อนส่งความเห็น" in response.content.decode()
    response = post(client, sa, "", fetch=False)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and "พิมพ์ข้อความก่อนส่งความเห็น" in html
    assert 'aria-invalid="true"' in html


def test_the_organization_never_sees_internal_notes(client, sa):
    post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.team.lead, body="โปรดส่งรายงานการประชุม")
    post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.team.lead, body=SECRET, internal=True)
    for user in (sa.staff, sa.head):
        client.force_login(user)
        page = client.get(org_page(sa)).content.decode() + client.get(org_editor(sa)).content.decode()
        assert "โปรดส่งรายงานการประชุม" in page and SECRET not in page
        # Nor in the thread it gets back after posting, nor through the review pages.
        thread = post(client, sa, "ส่งแล้วครับ").content.decode()
        assert "โปรดส่งรายงานการประชุม" in thread and SECRET not in thread
        assert client.get(review_page(sa)).status_code == 404
        overview = client.get(sa.assessment.get_absolute_url()).content.decode()
        assert SECRET not in overview


# The team's side.


def test_the_team_sees_internal_notes_marked_and_posts_them(client, sa):
    post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.staff, body="ส่งเอกสารเพิ่มได้ไหม")
    client.force_login(sa.team.members[0])
    assert "ความเห็น 1" in client.get(review_page(sa)).content.decode()  # counted in the compact block
    editor = reverse("reviews:review_editor", args=[sa.assessment.pk, sa.levels.pk])
    html = client.get(editor, HTTP_X_REQUESTED_WITH="fetch").content.decode()
    assert "ส่งเอกสารเพิ่มได้ไหม" in html and f'name="c{sa.levels.pk}-internal"' in html
    response = post(client, sa, SECRET, internal=True)
    html = response.content.decode()
    assert response.status_code == 200 and SECRET in html and "บันทึกภายใน: อปท. ไม่เห็น" in html
    assert Comment.objects.get(body=SECRET).internal
    response = post(client, sa, "รอเอกสารถึงวันศุกร์", fetch=False)
    # Without the script: back to the indicator's editor page, at the thread.
    assert response["Location"] == f"{editor}#thread-{sa.levels.pk}"
    assert "รอเอกสารถึงวันศุกร์" in client.get(response["Location"]).content.decode()
    client.force_login(sa.team.lead)
    assert SECRET in client.get(editor).content.decode()


def test_posting_outsiders_get_404_and_the_department_403(client, sa):
    for user, status in [
        (user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")), 404),  # not on the team
        (user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")), 404),
        (user_with_role(Role.Kind.ORG_STAFF), 404),
        (user_with_role(Role.Kind.DEPARTMENT_OFFICIAL), 403),
    ]:
        client.force_login(user)
        assert post(client, sa, "x").status_code == status, user
    assert not Comment.objects.exists()
    client.force_login(sa.staff)
    assert client.get(comment_url(sa)).status_code == 405


def test_an_assessor_not_on_the_team_does_not_see_the_thread_on_the_organizations_page(client, sa):
    post_comment(assessment=sa.assessment, indicator=sa.levels, by=sa.staff, body="คำถามของ อปท.")
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")))
    response = client.get(org_page(sa))
    # An assessor reads only the organizations assigned to their team: not the page at all.
    assert response.status_code == 404 and "คำถามของ อปท." not in response.content.decode()
