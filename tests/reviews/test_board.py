"""The assessor's queue, the province board, bulk approval, publishing, and the home page links."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import Assessment, AssessmentEvent, Round
from organizations.models import Organization
from reviews import progress
from reviews.models import Assignment, VerifiedAnswer
from tests.assessments.factories import AssessmentFactory, IndicatorFactory, framework_with, open_round
from tests.factories import OrganizationFactory, district, province, user_with_role
from tests.reviews.factories import review_team

pytestmark = pytest.mark.django_db

Status = Assessment.Status


@pytest.fixture
def round():
    return open_round()


@pytest.fixture
def office():
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81"))


@pytest.fixture
def department():
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


@pytest.fixture
def crew(round):
    """Team 1 of Krabi: a lead and two members."""
    return review_team(round, members=2)


def assessment_in(round: Round, *, code: str = "8101", status: str = Status.DRAFT, **fields) -> Assessment:
    organization = OrganizationFactory(district=district(code), type=Organization.Type.SAO)
    assessment = AssessmentFactory(round=round, organization=organization)
    if status != Status.DRAFT:
        head = user_with_role(Role.Kind.ORG_HEAD, organization=organization)
        values = {"status": status, "submitted_at": timezone.now(), "submitted_by": head, **fields}
        if status in (Status.RETURNED, Status.RESUBMITTED):
            values.setdefault("revision", 1)
        Assessment.objects.filter(pk=assessment.pk).update(**values)
        assessment.refresh_from_db()
    return assessment


def board_url(round: Round, code: str = "81") -> str:
    return reverse("reviews:province_board", args=[round.year, code])


def page(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# The queue.


def test_assessor_queue_lists_the_teams_assessments_new_submissions_first(client, round, crew):
    in_review = assessment_in(round, status=Status.IN_REVIEW)
    submitted = assessment_in(round, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=3))
    draft = assessment_in(round)
    not_ours = assessment_in(round, status=Status.SUBMITTED)
    crew.assign(in_review, submitted, draft, visit_on=datetime.date(2026, 7, 1))
    html = page(client, crew.members[0], reverse("reviews:queue")).content.decode()
    assert html.index(submitted.organization.code) < html.index(in_review.organization.code) < html.index(draft.organization.code)
    assert not_ours.organization.code not in html
    assert reverse("reviews:review_detail", args=[submitted.pk]) in html
    assert reverse("reviews:review_detail", args=[draft.pk]) not in html  # nothing to review before it is sent
    assert "1 ก.ค. 2569" in html
    assert ">3<" in html  # days since submission


def test_assessor_queue_filters_by_group(client, round, crew):
    in_review = assessment_in(round, status=Status.IN_REVIEW)
    submitted = assessment_in(round, status=Status.SUBMITTED)
    crew.assign(in_review, submitted)
    html = page(client, crew.lead, reverse("reviews:queue") + "?group=in_review").content.decode()
    assert in_review.organization.code in html
    assert submitted.organization.code not in html


def test_queue_leaves_out_rounds_that_are_closed(client, round, crew):
    assessment = assessment_in(round, status=Status.SUBMITTED)
    crew.assign(assessment)
    Round.objects.filter(pk=round.pk).update(phase=Round.Phase.CLOSED)
    html = page(client, crew.lead, reverse("reviews:queue")).content.decode()
    assert assessment.organization.code not in html
    assert "ยังไม่ได้รับมอบหมาย" in html


def test_assessor_of_the_province_on_no_team_sees_an_empty_queue(client, round, crew):
    crew.assign(assessment_in(round, status=Status.SUBMITTED))
    loner = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    response = page(client, loner, reverse("reviews:queue"))
    assert response.status_code == 200
    assert "ยังไม่ได้รับมอบหมาย" in response.content.decode()


def test_office_is_sent_from_the_queue_to_its_board(client, round, office):
    response = page(client, office, reverse("reviews:queue"))
    assert response.status_code == 302
    assert response["Location"] == board_url(round)


def test_department_queue_lists_every_provinces_board(client, round, department):
    assessment_in(round, status=Status.SUBMITTED)
    html = page(client, department, reverse("reviews:queue")).content.decode()
    assert board_url(round, "81") in html and board_url(round, "20") in html
    assert reverse("reviews:round_publish", args=[round.year]) in html


@pytest.mark.parametrize("kind", [Role.Kind.ORG_STAFF, Role.Kind.ORG_HEAD])
def test_organization_roles_get_404_from_the_queue(client, kind):
    assert page(client, user_with_role(kind), reverse("reviews:queue")).status_code == 404


# The province board.


@pytest.mark.parametrize(
    "who,status",
    [
        ("office", 200),
        ("department", 200),
        ("assessor", 404),
        ("team_lead", 404),
        ("other_office", 404),
        ("org_head", 404),
    ],
)
def test_who_sees_the_province_board(client, round, crew, office, department, who, status):
    user = {
        "office": office,
        "department": department,
        "assessor": user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
        "team_lead": crew.lead,
        "other_office": user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        "org_head": user_with_role(Role.Kind.ORG_HEAD),
    }[who]
    assert page(client, user, board_url(round)).status_code == status


def test_board_of_an_unknown_province_is_404(client, round, office):
    assert page(client, office, board_url(round, "99")).status_code == 404


def test_board_counts_by_status_per_team_with_a_not_assigned_row(round, crew):
    second = review_team(round, name="คณะที่ 2")
    crew.assign(assessment_in(round, status=Status.SUBMITTED), assessment_in(round, status=Status.SUBMITTED))
    second.assign(assessment_in(round, status=Status.VERIFIED))
    assessment_in(round)
    assessment_in(round, code="2001", status=Status.SUBMITTED)  # another province: not counted
    board = progress.province_progress(round, province("81"))
    rows = {row.team.name if row.team else None: row.counts for row in board.rows}
    assert rows == {"คณะที่ 1": {"submitted": 2}, "คณะที่ 2": {"verified": 1}, None: {"draft": 1}}
    assert board.totals.total == 4


def test_board_shows_overdue_items_with_their_reasons(client, round, crew, office):
    today = timezone.localdate()
    late_revision = assessment_in(round, status=Status.RETURNED, revision_due=today - datetime.timedelta(days=2))
    waiting = assessment_in(round, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=20))
    visit_passed = assessment_in(round, status=Status.IN_REVIEW)
    fresh = assessment_in(round, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=2))
    done = assessment_in(round, status=Status.VERIFIED)
    crew.assign(visit_passed, done, visit_on=today - datetime.timedelta(days=1))
    board = progress.province_progress(round, province("81"))
    overdue = {item.assessment: item.reasons for item in board.overdue}
    assert set(overdue) == {late_revision, waiting, visit_passed}
    assert "พ้นกำหนดส่งผลที่แก้ไข" in overdue[late_revision][0]
    assert "20 วัน" in overdue[waiting][0]
    assert "เลยวันลงพื้นที่" in overdue[visit_passed][0]
    assert fresh not in overdue and done not in overdue
    html = page(client, office, board_url(round)).content.decode()
    assert waiting.organization.code in html


def test_board_shows_who_saved_the_latest_verified_answer(client, round, crew, office):
    _round, (category,) = framework_with(round)
    first, second = IndicatorFactory(category=category), IndicatorFactory(category=category)
    mine, theirs, untouched = (assessment_in(round, status=Status.IN_REVIEW) for _ in range(3))
    crew.assign(mine, theirs, untouched)
    earlier = timezone.now() - datetime.timedelta(hours=2)
    VerifiedAnswer.objects.create(assessment=mine, indicator=first, updated_by=crew.lead, updated_at=earlier)
    VerifiedAnswer.objects.create(assessment=mine, indicator=second, updated_by=crew.members[0], updated_at=timezone.now())
    VerifiedAnswer.objects.create(assessment=theirs, indicator=first, updated_by=crew.lead, updated_at=earlier)
    board = progress.province_progress(round, province("81"))
    work = {entry.user: [item.assessment for item in entry.items] for entry in board.working}
    assert work == {crew.members[0]: [mine], crew.lead: [theirs], crew.members[1]: []}
    assert board.unclaimed == [untouched]
    html = page(client, office, board_url(round)).content.decode()
    assert str(crew.members[0]) in html


def test_board_lists_verified_results_with_the_percent_the_lead_confirmed(client, round, crew, office):
    verified = assessment_in(round, status=Status.VERIFIED)
    crew.assign(verified)
    AssessmentEvent.objects.create(
        assessment=verified, kind=AssessmentEvent.Kind.VERIFIED, by=crew.lead, data={"percent": "60", "points": "3"}
    )
    AssessmentEvent.objects.create(
        assessment=verified, kind=AssessmentEvent.Kind.VERIFIED, by=crew.lead, data={"percent": "85.5", "points": "4"}
    )
    board = progress.province_progress(round, province("81"))
    assert [(item.assessment, item.percent) for item in board.to_approve] == [(verified, 85.5)]
    html = page(client, office, board_url(round)).content.decode()
    assert "85.50" in html
    assert reverse("reviews:bulk_approve", args=[round.year, "81"]) in html
    assert reverse("reviews:team_create", args=[round.year, "81"]) in html
    department_html = page(client, user_with_role(Role.Kind.DEPARTMENT_OFFICIAL), board_url(round)).content.decode()
    assert reverse("reviews:bulk_approve", args=[round.year, "81"]) not in department_html
    assert reverse("reviews:team_create", args=[round.year, "81"]) not in department_html


# Session, user, roles, round, province, then the board: teams, their members, counts by team
# and status, overdue, in review with the latest saver, verified, their "verified" events;
# and the navigation's unread notifications.
BOARD_QUERIES = 13


def _board_queries(client, user, round) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(board_url(round)).status_code == 200
    return len(queries)


def test_board_query_count_is_pinned_and_does_not_grow_with_organizations_or_teams(client, round, office):
    _round, (category,) = framework_with(round)
    indicator = IndicatorFactory(category=category)

    def grow(n: int) -> None:
        # Each pass: a new team, and organizations in every status it shows (overdue, in review, verified).
        for _ in range(n):
            crew = review_team(round, name=f"คณะ {Assignment.objects.count()}-{timezone.now().timestamp()}", members=2)
            busy = assessment_in(round, status=Status.IN_REVIEW)
            late = assessment_in(round, status=Status.SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=30))
            verified = assessment_in(round, status=Status.VERIFIED)
            crew.assign(busy, late, verified, visit_on=timezone.localdate() - datetime.timedelta(days=1))
            VerifiedAnswer.objects.create(assessment=busy, indicator=indicator, updated_by=crew.lead, updated_at=timezone.now())
            AssessmentEvent.objects.create(assessment=verified, kind=AssessmentEvent.Kind.VERIFIED, by=crew.lead, data={"percent": "80"})
            assessment_in(round)

    client.force_login(office)
    grow(1)
    client.get(board_url(round))  # warm the session
    small = _board_queries(client, office, round)
    grow(6)
    large = _board_queries(client, office, round)
    assert small == large == BOARD_QUERIES



# Bulk approval.


def test_bulk_approval_approves_the_verified_ones_and_explains_the_rest(client, round, crew, office):
    verified = [assessment_in(round, status=Status.VERIFIED) for _ in range(2)]
    submitted = assessment_in(round, status=Status.SUBMITTED)
    crew.assign(*verified, submitted)
    client.force_login(office)
    response = client.post(
        reverse("reviews:bulk_approve", args=[round.year, "81"]),
        {"assessments": [a.pk for a in [*verified, submitted]], "confirmed": "1"},
    )
    assert response.status_code == 302 and response["Location"].startswith(board_url(round))
    statuses = dict(Assessment.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in verified] == [Status.APPROVED, Status.APPROVED]
    assert statuses[submitted.pk] == Status.SUBMITTED
    notes = messages_of(response)
    assert "รับรองผลการประเมินแล้ว 2 แห่ง" in notes
    assert any(submitted.organization.code in note and "ส่งผลการประเมินตนเองแล้ว" in note for note in notes)
    assert AssessmentEvent.objects.filter(kind=AssessmentEvent.Kind.APPROVED, by=office).count() == 2


def test_bulk_approval_ignores_another_provinces_assessment_and_says_so(client, round, office):
    chonburi = assessment_in(round, code="2001", status=Status.VERIFIED)
    client.force_login(office)
    response = client.post(
        reverse("reviews:bulk_approve", args=[round.year, "81"]), {"assessments": [chonburi.pk], "confirmed": "1"}
    )
    chonburi.refresh_from_db()
    assert chonburi.status == Status.VERIFIED
    assert any("ไม่ใช่การประเมินของจังหวัดนี้" in note for note in messages_of(response))


def test_bulk_approval_with_nothing_ticked_says_what_to_do(client, round, office):
    client.force_login(office)
    response = client.post(reverse("reviews:bulk_approve", args=[round.year, "81"]), {})
    assert "เลือก อปท. ที่จะรับรองผลอย่างน้อย 1 แห่ง" in messages_of(response)


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "-3", "0", "1e3", "๑๒"])
@pytest.mark.parametrize("confirmed", ["", "1"])
def test_bulk_approval_with_ids_that_are_no_assessment_says_so_instead_of_failing(client, round, office, value, confirmed):
    client.force_login(office)
    response = client.post(
        reverse("reviews:bulk_approve", args=[round.year, "81"]), {"assessments": [value], "confirmed": confirmed}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        notes = messages_of(response)
        assert any("เลือก อปท. ที่จะรับรองผล" in note or "ไม่ใช่การประเมินของจังหวัดนี้" in note for note in notes), notes


@pytest.mark.parametrize(
    "who,status",
    [("department", 403), ("assessor", 404), ("other_office", 404), ("org_head", 404)],
)
def test_only_the_province_office_approves_in_bulk(client, round, who, status):
    verified = assessment_in(round, status=Status.VERIFIED)
    user = {
        "department": user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
        "assessor": user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
        "other_office": user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        "org_head": user_with_role(Role.Kind.ORG_HEAD, organization=verified.organization),
    }[who]
    client.force_login(user)
    response = client.post(
        reverse("reviews:bulk_approve", args=[round.year, "81"]), {"assessments": [verified.pk], "confirmed": "1"}
    )
    assert response.status_code == status
    verified.refresh_from_db()
    assert verified.status == Status.VERIFIED


def test_bulk_approval_asks_for_confirmation_with_how_many_first(client, round, crew, office):
    verified = [assessment_in(round, status=Status.VERIFIED) for _ in range(2)]
    submitted = assessment_in(round, status=Status.SUBMITTED)
    crew.assign(*verified, submitted)
    client.force_login(office)
    url = reverse("reviews:bulk_approve", args=[round.year, "81"])
    response = client.post(url, {"assessments": [a.pk for a in [*verified, submitted]]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "ยืนยันรับรองผล 2 แห่ง" in html
    assert all(a.organization.full_name in html for a in verified)
    # The one that cannot be approved is named with why, and is not sent on.
    assert submitted.organization.full_name in html and "รับรองไม่ได้" in html
    assert html.count('name="assessments"') == 2 and 'name="confirmed"' in html
    assert set(Assessment.objects.values_list("status", flat=True)) == {Status.VERIFIED, Status.SUBMITTED}


def test_bulk_approval_is_post_only(client, round, office):
    assert page(client, office, reverse("reviews:bulk_approve", args=[round.year, "81"])).status_code == 405


# Publishing.


def test_department_sees_what_will_be_published_and_publishes(client, round, department):
    approved = [assessment_in(round, status=Status.APPROVED) for _ in range(2)]
    verified = assessment_in(round, status=Status.VERIFIED)
    url = reverse("reviews:round_publish", args=[round.year])
    html = page(client, department, url).content.decode()
    assert "จะประกาศผล 2 แห่ง" in html
    today = timezone.localdate()
    # Proposed: an appeal window opening today for 15 days.
    assert f'value="{be(today)}"' in html and f'value="{be(today + datetime.timedelta(days=14))}"' in html
    response = client.post(url, {"appeal_opens": be(today), "appeal_closes": be(today + datetime.timedelta(days=9))})
    assert response.status_code == 302
    statuses = dict(Assessment.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in approved] == [Status.PUBLISHED, Status.PUBLISHED]
    assert statuses[verified.pk] == Status.VERIFIED
    round.refresh_from_db()
    assert round.phase == Round.Phase.APPEAL
    assert (round.appeal_opens, round.appeal_closes) == (today, today + datetime.timedelta(days=9))
    assert any("2 แห่ง" in note for note in messages_of(response))


def be(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


@pytest.mark.parametrize(
    "window, field, message",
    [
        ((0, -1), "appeal_closes", "วันปิดรับอุทธรณ์ต้องไม่ก่อนวันเปิดรับอุทธรณ์"),
        ((-10, -2), "appeal_closes", "วันปิดรับอุทธรณ์ต้องไม่ก่อนวันนี้"),
        ((None, 3), "appeal_opens", None),
    ],
)
def test_a_bad_appeal_window_is_refused_beside_its_field_and_nothing_is_published(client, round, department, window, field, message):
    approved = assessment_in(round, status=Status.APPROVED)
    today = timezone.localdate()
    data = {name: be(today + datetime.timedelta(days=days)) if days is not None else "" for name, days in zip(("appeal_opens", "appeal_closes"), window)}
    client.force_login(department)
    response = client.post(reverse("reviews:round_publish", args=[round.year]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert form.errors[field] == [message]
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


def test_publishing_a_round_in_setup_is_refused_with_a_message(client, department):
    round = open_round(phase=Round.Phase.SETUP)
    client.force_login(department)
    today = timezone.localdate()
    window = {"appeal_opens": be(today), "appeal_closes": be(today + datetime.timedelta(days=14))}
    response = client.post(reverse("reviews:round_publish", args=[round.year]), window, follow=True)
    assert response.status_code == 200
    assert any("ประกาศผลไม่ได้" in note for note in messages_of(response))


@pytest.mark.parametrize("kind", [Role.Kind.PROVINCIAL_ADMIN, Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_HEAD])
def test_only_the_department_publishes(client, round, kind):
    approved = assessment_in(round, status=Status.APPROVED)
    user = user_with_role(kind, province=province("81")) if kind in Role.PROVINCE_KINDS else user_with_role(kind)
    url = reverse("reviews:round_publish", args=[round.year])
    assert page(client, user, url).status_code == 404
    assert client.post(url).status_code == 404
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED


# Home and navigation.


def test_assessor_home_summarises_the_queue_and_links_to_it(client, round, crew):
    crew.assign(
        assessment_in(round, status=Status.SUBMITTED),
        assessment_in(round, status=Status.RESUBMITTED),
        assessment_in(round, status=Status.IN_REVIEW),
    )
    html = page(client, crew.members[0], reverse("home")).content.decode()
    assert 'id="queue-heading"' in html
    assert 'รอตรวจ <strong class="fs-5">2</strong>' in html
    assert 'กำลังตรวจ <strong class="fs-5">1</strong>' in html
    assert reverse("reviews:queue") in html
    assert "งานตรวจประเมิน</a>" in html  # the navigation item


def test_office_home_links_to_its_board_for_running_rounds(client, round, office):
    closed = open_round(phase=Round.Phase.CLOSED)
    html = page(client, office, reverse("home")).content.decode()
    assert board_url(round) in html
    assert board_url(closed) not in html
    assert "ติดตามการตรวจประเมิน</a>" in html  # the navigation item
    assert 'id="queue-heading"' not in html


def test_department_home_links_to_publishing(client, round, department):
    html = page(client, department, reverse("home")).content.decode()
    assert reverse("reviews:round_publish", args=[round.year]) in html


def test_organization_home_has_no_review_links(client, round):
    html = page(client, user_with_role(Role.Kind.ORG_STAFF), reverse("home")).content.decode()
    assert reverse("reviews:queue") not in html
