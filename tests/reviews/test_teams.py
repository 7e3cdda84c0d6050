"""Teams and assignments: forming a team, assigning in bulk or by hand, moving, visit dates."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessments.models import Assessment, AssessmentEvent, Round
from notifications.models import Notification
from organizations.models import Organization
from reviews import teams
from reviews.models import Assignment, Team
from tests.assessments.factories import AssessmentFactory, open_round
from tests.factories import OrganizationFactory, district, province, user_with_role

pytestmark = pytest.mark.django_db

Status = Assessment.Status


@pytest.fixture
def round():
    return open_round()


@pytest.fixture
def krabi():
    return province("81")


@pytest.fixture
def office(krabi):
    return user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=krabi)


@pytest.fixture
def assessors(krabi):
    return [user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=krabi) for _ in range(3)]


def assessment_in(round: Round, *, code: str = "8101", type: str = Organization.Type.SAO) -> Assessment:
    organization = OrganizationFactory(district=district(code), type=type)
    return AssessmentFactory(round=round, organization=organization)


def set_status(assessment: Assessment, status: str, **fields) -> Assessment:
    """Put an assessment in `status` directly (the workflow's own tests cover how it gets there)."""
    head = user_with_role(Role.Kind.ORG_HEAD, organization=assessment.organization)
    values = {"status": status, **fields}
    if status != Status.DRAFT:
        values.update(submitted_at=values.get("submitted_at", timezone.now()), submitted_by=head)
    if status in (Status.RETURNED, Status.RESUBMITTED):
        values.setdefault("revision", 1)
    Assessment.objects.filter(pk=assessment.pk).update(**values)
    assessment.refresh_from_db()
    return assessment


def make_team(round, office, members, *, name="คณะที่ 1", lead=None) -> Team:
    return teams.create_team(
        assessment_round=round, province=office.roles.get().province, name=name, members=members, lead=lead or members[0], by=office
    )


def assigned_events(assessment: Assessment) -> list[AssessmentEvent]:
    return list(AssessmentEvent.objects.filter(assessment=assessment, kind=AssessmentEvent.Kind.ASSIGNED).order_by("pk"))


# Forming teams.


def test_office_forms_a_team_with_its_people_and_one_lead(round, krabi, office, assessors):
    team = teams.create_team(assessment_round=round, province=krabi, name=" คณะที่ 1 ", members=[*assessors, office], lead=assessors[1], by=office)
    assert team.name == "คณะที่ 1"
    assert team.created_by == office
    members = {member.user: member.is_lead for member in team.members.all()}
    assert members == {assessors[0]: False, assessors[1]: True, assessors[2]: False, office: False}


def test_people_from_another_province_or_an_organization_cannot_sit_on_a_team(round, krabi, office, assessors):
    chonburi_assessor = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))
    org_staff = user_with_role(Role.Kind.ORG_STAFF)
    with pytest.raises(ValidationError) as refused:
        teams.create_team(
            assessment_round=round, province=krabi, name="คณะที่ 1", members=[assessors[0], chonburi_assessor, org_staff], lead=assessors[0], by=office
        )
    message = " ".join(refused.value.message_dict["members"])
    assert str(chonburi_assessor) in message and str(org_staff) in message
    assert "กระบี่" in message
    assert not Team.objects.exists()


def test_an_inactive_account_cannot_sit_on_a_team(round, krabi, office, assessors):
    assessors[1].is_active = False
    assessors[1].save()
    with pytest.raises(ValidationError) as refused:
        teams.create_team(assessment_round=round, province=krabi, name="คณะ", members=assessors, lead=assessors[0], by=office)
    assert "members" in refused.value.message_dict


def test_the_lead_must_be_one_of_the_members(round, krabi, office, assessors):
    with pytest.raises(ValidationError) as refused:
        teams.create_team(assessment_round=round, province=krabi, name="คณะที่ 1", members=assessors[:2], lead=assessors[2], by=office)
    assert refused.value.message_dict["lead"] == ["หัวหน้าคณะต้องเป็นหนึ่งในผู้ประเมินที่เลือกไว้ในคณะ"]


def test_a_blank_name_and_no_members_are_both_reported(round, krabi, office):
    with pytest.raises(ValidationError) as refused:
        teams.create_team(assessment_round=round, province=krabi, name="  ", members=[], lead=None, by=office)
    assert set(refused.value.message_dict) == {"name", "members", "lead"}


def test_two_teams_of_a_round_and_province_cannot_share_a_name(round, krabi, office, assessors):
    make_team(round, office, assessors[:1])
    with pytest.raises(ValidationError) as refused:
        make_team(round, office, assessors[1:2])
    assert "คณะที่ 1" in refused.value.message_dict["name"][0]


@pytest.mark.parametrize("who", ["assessor", "other_office", "department"])
def test_only_the_province_office_forms_teams(round, krabi, assessors, who):
    by = {
        "assessor": assessors[0],
        "other_office": user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        "department": user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
    }[who]
    with pytest.raises(PermissionDenied):
        teams.create_team(assessment_round=round, province=krabi, name="คณะ", members=assessors, lead=assessors[0], by=by)


@pytest.mark.parametrize("phase", [Round.Phase.SETUP, Round.Phase.CLOSED])
def test_no_team_is_formed_in_a_round_in_setup_or_closed(round, krabi, office, assessors, phase):
    Round.objects.filter(pk=round.pk).update(phase=phase)
    round.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        teams.create_team(assessment_round=round, province=krabi, name="คณะ", members=assessors, lead=assessors[0], by=office)
    assert str(round.year) in refused.value.messages[0]


def test_updating_a_team_renames_it_changes_members_and_hands_over_the_lead(round, office, assessors):
    team = make_team(round, office, assessors[:2], lead=assessors[0])
    teams.update_team(team, name="คณะใหม่", members=[assessors[1], assessors[2]], lead=assessors[2], by=office)
    team.refresh_from_db()
    assert team.name == "คณะใหม่"
    assert {m.user: m.is_lead for m in team.members.all()} == {assessors[1]: False, assessors[2]: True}


def test_updating_a_team_with_a_taken_name_is_refused_and_changes_nothing(round, office, assessors):
    make_team(round, office, assessors[:1], name="คณะที่ 1")
    second = make_team(round, office, assessors[1:2], name="คณะที่ 2")
    with pytest.raises(ValidationError):
        teams.update_team(second, name="คณะที่ 1", members=assessors, lead=assessors[2], by=office)
    second.refresh_from_db()
    assert second.name == "คณะที่ 2"
    assert [m.user for m in second.members.all()] == [assessors[1]]


def test_an_assessor_of_the_team_cannot_change_it(round, office, assessors):
    team = make_team(round, office, assessors)
    with pytest.raises(PermissionDenied):
        teams.update_team(team, name="x", members=assessors, lead=assessors[1], by=assessors[0])


# Assigning.


def test_assigning_by_district_takes_only_that_districts_assessments_and_records_each(round, office, assessors):
    team = make_team(round, office, assessors)
    muang = [assessment_in(round, code="8101") for _ in range(3)]
    other = assessment_in(round, code="8102")
    selection = teams.by_district(teams.province_assessments(round, team.province), [district("8101")])
    made = teams.assign(team=team, assessments=selection, by=office, visit_on=datetime.date(2026, 7, 1))
    assert len(made) == 3
    assert set(Assignment.objects.filter(team=team).values_list("assessment_id", flat=True)) == {a.pk for a in muang}
    assert not Assignment.objects.filter(assessment=other).exists()
    event = assigned_events(muang[0])[0]
    assert event.by == office
    assert event.data == {"team": "คณะที่ 1", "previous_team": None, "visit_on": "2026-07-01"}


def test_assigning_by_type_uses_the_type_the_organization_had_for_the_round(round, office, assessors):
    team = make_team(round, office, assessors)
    town = assessment_in(round, type=Organization.Type.TOWN_MUNICIPALITY)
    upgraded = assessment_in(round, type=Organization.Type.SAO)
    Organization.objects.filter(pk=upgraded.organization_id).update(type=Organization.Type.SUBDISTRICT_MUNICIPALITY)
    sao = teams.by_type(teams.province_assessments(round, team.province), [Organization.Type.SAO])
    teams.assign(team=team, assessments=sao, by=office)
    assert list(Assignment.objects.values_list("assessment_id", flat=True)) == [upgraded.pk]
    assert not Assignment.objects.filter(assessment=town).exists()


def test_assigning_by_hand_and_unassigned_only(round, office, assessors):
    team = make_team(round, office, assessors)
    first, second, third = (assessment_in(round) for _ in range(3))
    teams.assign(team=team, assessments=teams.by_hand(teams.province_assessments(round, team.province), [first.pk]), by=office)
    left = teams.unassigned(teams.province_assessments(round, team.province))
    assert set(left) == {second, third}


def test_an_assessment_of_another_province_or_round_refuses_the_whole_assignment(round, office, assessors):
    team = make_team(round, office, assessors)
    mine = assessment_in(round)
    chonburi = assessment_in(round, code="2001")
    last_year = assessment_in(open_round())
    for stranger in (chonburi, last_year):
        with pytest.raises(ValidationError) as refused:
            teams.assign(team=team, assessments=[mine, stranger], by=office)
        assert stranger.organization.code in refused.value.messages[0]
    assert not Assignment.objects.exists()
    assert not AssessmentEvent.objects.filter(kind=AssessmentEvent.Kind.ASSIGNED).exists()


def test_moving_an_assessment_to_another_team_is_recorded_with_the_previous_team(round, office, assessors):
    first = make_team(round, office, assessors[:1], name="คณะที่ 1")
    second = make_team(round, office, assessors[1:], name="คณะที่ 2", lead=assessors[1])
    assessment = set_status(assessment_in(round), Status.IN_REVIEW)
    teams.assign(team=first, assessments=[assessment], by=office, visit_on=datetime.date(2026, 7, 1))
    teams.assign(team=second, assessments=[assessment], by=office)
    assignment = Assignment.objects.get(assessment=assessment)
    assert assignment.team == second
    assert assignment.visit_on is None  # the first team's plan is not the second's
    events = assigned_events(assessment)
    assert [e.data["team"] for e in events] == ["คณะที่ 1", "คณะที่ 2"]
    assert events[1].data["previous_team"] == "คณะที่ 1"


def test_assigning_again_to_the_same_team_records_nothing_but_may_set_the_visit(round, office, assessors):
    team = make_team(round, office, assessors)
    assessment = assessment_in(round)
    teams.assign(team=team, assessments=[assessment], by=office)
    assert teams.assign(team=team, assessments=[assessment], by=office, visit_on=datetime.date(2026, 8, 1)) == []
    assert len(assigned_events(assessment)) == 1
    assert Assignment.objects.get(assessment=assessment).visit_on == datetime.date(2026, 8, 1)


def test_nothing_chosen_is_a_clear_message(round, office, assessors):
    team = make_team(round, office, assessors)
    with pytest.raises(ValidationError) as refused:
        teams.assign(team=team, assessments=[], by=office)
    assert "อย่างน้อย 1 แห่ง" in refused.value.messages[0]


def test_an_assessor_cannot_assign(round, office, assessors):
    team = make_team(round, office, assessors)
    with pytest.raises(PermissionDenied):
        teams.assign(team=team, assessments=[assessment_in(round)], by=assessors[0])


def test_one_assignment_notifies_each_member_and_a_batch_sends_one_summary(
    round, office, assessors, django_capture_on_commit_callbacks
):
    team = make_team(round, office, assessors)
    with django_capture_on_commit_callbacks(execute=True):
        teams.assign(team=team, assessments=[assessment_in(round)], by=office)
    assert Notification.objects.filter(kind="assigned").count() == 3
    Notification.objects.all().delete()
    batch = [assessment_in(round) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        teams.assign(team=team, assessments=batch, by=office)
    notes = Notification.objects.filter(kind="assigned")
    assert notes.count() == 3  # one per member, not five each
    assert "5" in notes[0].subject


def test_batch_summary_keeps_a_space_after_a_team_name_ending_in_a_number(
    round, office, assessors, django_capture_on_commit_callbacks
):
    team = make_team(round, office, assessors, name="คณะผู้ประเมินที่ 1")
    with django_capture_on_commit_callbacks(execute=True):
        teams.assign(team=team, assessments=[assessment_in(round), assessment_in(round)], by=office)
    subject = Notification.objects.filter(kind="assigned").first().subject
    assert subject.startswith("มอบหมายให้คณะผู้ประเมินที่ 1 ตรวจประเมิน 2 อปท."), subject


def test_unassigning_is_allowed_before_the_review_starts_and_recorded(round, office, assessors):
    team = make_team(round, office, assessors)
    waiting = set_status(assessment_in(round), Status.SUBMITTED)
    teams.assign(team=team, assessments=[waiting], by=office)
    assert teams.unassign(team=team, assessments=[waiting], by=office) == 1
    assert not Assignment.objects.exists()
    assert assigned_events(waiting)[-1].data == {"team": None, "previous_team": "คณะที่ 1", "visit_on": None}


def test_unassigning_an_assessment_in_review_is_refused(round, office, assessors):
    team = make_team(round, office, assessors)
    draft = assessment_in(round)
    busy = set_status(assessment_in(round), Status.IN_REVIEW)
    teams.assign(team=team, assessments=[draft, busy], by=office)
    with pytest.raises(ValidationError) as refused:
        teams.unassign(team=team, assessments=[draft, busy], by=office)
    assert busy.organization.code in refused.value.messages[0]
    assert Assignment.objects.count() == 2  # all or nothing


def test_visit_dates_are_set_and_cleared_for_the_teams_assessments_only(round, office, assessors):
    team = make_team(round, office, assessors[:1], name="คณะที่ 1")
    other_team = make_team(round, office, assessors[1:2], name="คณะที่ 2", lead=assessors[1])
    first, second = assessment_in(round), assessment_in(round)
    stranger = assessment_in(round)
    teams.assign(team=team, assessments=[first, second], by=office, visit_on=datetime.date(2026, 7, 1))
    teams.assign(team=other_team, assessments=[stranger], by=office)
    changed = teams.set_visit_dates(team=team, dates={first: datetime.date(2026, 7, 9), second: None}, by=office)
    assert changed == 2
    assert dict(Assignment.objects.filter(team=team).values_list("assessment_id", "visit_on")) == {
        first.pk: datetime.date(2026, 7, 9),
        second.pk: None,
    }
    with pytest.raises(ValidationError):
        teams.set_visit_dates(team=team, dates={stranger: datetime.date(2026, 7, 9)}, by=office)
    with pytest.raises(PermissionDenied):
        teams.set_visit_dates(team=team, dates={first: None}, by=assessors[0])


# The team pages.


@pytest.fixture
def team(round, office, assessors):
    return make_team(round, office, assessors, lead=assessors[0])


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_office_opens_the_new_team_page_with_its_people_only(client, round, krabi, office, assessors):
    chonburi_assessor = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))
    response = get(client, office, reverse("reviews:team_create", args=[round.year, "81"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(assessors[0]) in html
    assert str(chonburi_assessor) not in html


def test_office_creates_a_team_through_the_page(client, round, office, assessors):
    client.force_login(office)
    response = client.post(
        reverse("reviews:team_create", args=[round.year, "81"]),
        {"name": "คณะที่ 1", "members": [a.pk for a in assessors], "lead": assessors[2].pk},
    )
    team = Team.objects.get()
    assert response.status_code == 302 and response["Location"] == team.get_absolute_url()
    assert team.lead.user == assessors[2]


def test_a_lead_left_out_of_the_members_is_explained_and_the_form_kept(client, round, office, assessors):
    client.force_login(office)
    response = client.post(
        reverse("reviews:team_create", args=[round.year, "81"]),
        {"name": "คณะที่ 1", "members": [assessors[0].pk], "lead": assessors[1].pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "หัวหน้าคณะต้องเป็นหนึ่งในผู้ประเมินที่เลือกไว้ในคณะ" in html
    assert 'value="คณะที่ 1"' in html
    assert not Team.objects.exists()


def test_a_member_from_another_province_is_refused_by_the_form(client, round, office, assessors):
    stranger = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))
    client.force_login(office)
    response = client.post(
        reverse("reviews:team_create", args=[round.year, "81"]),
        {"name": "คณะที่ 1", "members": [assessors[0].pk, stranger.pk], "lead": assessors[0].pk},
    )
    assert response.status_code == 200
    assert "ไม่อยู่ในรายชื่อผู้ประเมินของจังหวัดนี้" in response.content.decode()
    assert not Team.objects.exists()


@pytest.mark.parametrize(
    "who,status",
    [("assessor", 404), ("other_office", 404), ("org_staff", 404), ("department", 403)],
)
def test_only_the_province_office_reaches_the_new_team_page(client, round, assessors, who, status):
    user = {
        "assessor": assessors[0],
        "other_office": user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        "org_staff": user_with_role(Role.Kind.ORG_STAFF),
        "department": user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
    }[who]
    assert get(client, user, reverse("reviews:team_create", args=[round.year, "81"])).status_code == status
    client.force_login(user)
    client.post(reverse("reviews:team_create", args=[round.year, "81"]), {"name": "x", "members": [assessors[0].pk], "lead": assessors[0].pk})
    assert not Team.objects.exists()


def test_a_closed_round_shows_why_no_team_can_be_formed(client, round, office, assessors):
    Round.objects.filter(pk=round.pk).update(phase=Round.Phase.CLOSED)
    client.force_login(office)
    response = client.post(
        reverse("reviews:team_create", args=[round.year, "81"]),
        {"name": "คณะที่ 1", "members": [assessors[0].pk], "lead": assessors[0].pk},
    )
    assert response.status_code == 200
    assert "จึงจัดคณะผู้ประเมินไม่ได้" in response.content.decode()
    assert not Team.objects.exists()


@pytest.mark.parametrize(
    "who,status",
    [
        ("office", 200),
        ("department", 200),
        ("member", 200),
        ("assessor_not_on_team", 404),
        ("other_province_assessor", 404),
        ("other_office", 404),
        ("org_staff", 404),
    ],
)
def test_who_sees_a_team(client, team, assessors, office, who, status):
    user = {
        "office": office,
        "department": user_with_role(Role.Kind.DEPARTMENT_OFFICIAL),
        "member": assessors[1],
        "assessor_not_on_team": user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")),
        "other_province_assessor": user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("20")),
        "other_office": user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")),
        "org_staff": user_with_role(Role.Kind.ORG_STAFF),
    }[who]
    response = get(client, user, reverse("reviews:team_detail", args=[team.pk]))
    assert response.status_code == status
    if status == 200:
        assert team.name in response.content.decode()


def test_team_page_lists_assignments_with_links_to_review_and_office_actions(client, round, team, office, assessors):
    submitted = set_status(assessment_in(round), Status.SUBMITTED)
    teams.assign(team=team, assessments=[submitted], by=office, visit_on=datetime.date(2026, 7, 15))
    html = get(client, office, reverse("reviews:team_detail", args=[team.pk])).content.decode()
    assert submitted.organization.code in html
    assert reverse("reviews:review_detail", args=[submitted.pk]) in html
    assert "15 ก.ค. 2569" in html
    assert reverse("reviews:team_assign", args=[team.pk]) in html
    member_html = get(client, assessors[1], reverse("reviews:team_detail", args=[team.pk])).content.decode()
    assert reverse("reviews:team_assign", args=[team.pk]) not in member_html


@pytest.mark.parametrize("name", ["reviews:team_edit", "reviews:team_assign", "reviews:team_visits"])
def test_team_write_pages_are_the_offices_only(client, team, assessors, office, name):
    url = reverse(name, args=[team.pk])
    assert get(client, office, url).status_code == 200
    assert get(client, assessors[0], url).status_code == 403  # a member reads the team, does not change it
    assert get(client, user_with_role(Role.Kind.DEPARTMENT_OFFICIAL), url).status_code == 403
    assert get(client, user_with_role(Role.Kind.PROVINCIAL_ASSESSOR), url).status_code == 404
    assert get(client, user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("20")), url).status_code == 404
    assert get(client, user_with_role(Role.Kind.ORG_HEAD), url).status_code == 404


def test_team_edit_page_changes_the_lead(client, team, office, assessors):
    client.force_login(office)
    response = client.post(
        reverse("reviews:team_edit", args=[team.pk]),
        {"name": team.name, "members": [a.pk for a in assessors], "lead": assessors[1].pk},
    )
    assert response.status_code == 302
    assert team.members.get(is_lead=True).user == assessors[1]


def test_assign_page_filters_by_district_and_assigns_all_it_shows(client, round, team, office):
    muang = [assessment_in(round, code="8101") for _ in range(2)]
    khao_phanom = assessment_in(round, code="8102")
    client.force_login(office)
    query = f"?district={district('8101').pk}&show=unassigned"
    html = client.get(reverse("reviews:team_assign", args=[team.pk]) + query).content.decode()
    assert muang[0].organization.code in html and khao_phanom.organization.code not in html
    response = client.post(reverse("reviews:team_assign", args=[team.pk]) + query, {"action": "matching", "visit_on": "01/07/2569"})
    assert response.status_code == 302
    assert set(Assignment.objects.values_list("assessment_id", "visit_on")) == {
        (a.pk, datetime.date(2026, 7, 1)) for a in muang
    }


def test_assign_page_filters_by_type_and_assigns_the_ticked_ones(client, round, team, office):
    towns = [assessment_in(round, type=Organization.Type.TOWN_MUNICIPALITY) for _ in range(2)]
    sao = assessment_in(round)
    client.force_login(office)
    html = client.get(reverse("reviews:team_assign", args=[team.pk]) + "?org_type=town").content.decode()
    assert towns[0].organization.code in html and sao.organization.code not in html
    client.post(reverse("reviews:team_assign", args=[team.pk]), {"action": "selected", "assessments": [towns[1].pk]})
    assert list(Assignment.objects.values_list("assessment_id", flat=True)) == [towns[1].pk]


def test_assign_page_refuses_an_assessment_of_another_province(client, round, team, office):
    chonburi = assessment_in(round, code="2001")
    client.force_login(office)
    response = client.post(reverse("reviews:team_assign", args=[team.pk]), {"action": "selected", "assessments": [chonburi.pk]})
    assert response.status_code == 200
    assert "ไม่ใช่ของจังหวัดนี้" in response.content.decode()
    assert not Assignment.objects.exists()


def test_assign_page_with_nothing_ticked_says_what_to_do(client, round, team, office):
    assessment_in(round)
    client.force_login(office)
    response = client.post(reverse("reviews:team_assign", args=[team.pk]), {"action": "selected"})
    assert response.status_code == 200
    assert "อย่างน้อย 1 แห่ง" in response.content.decode()


def test_assign_page_shows_other_teams_assessments_and_moves_them(client, round, team, office, assessors):
    other = make_team(round, office, assessors[1:2], name="คณะที่ 2", lead=assessors[1])
    assessment = assessment_in(round)
    teams.assign(team=other, assessments=[assessment], by=office)
    client.force_login(office)
    html = client.get(reverse("reviews:team_assign", args=[team.pk]) + "?show=all").content.decode()
    assert "คณะที่ 2" in html
    client.post(reverse("reviews:team_assign", args=[team.pk]) + "?show=all", {"action": "selected", "assessments": [assessment.pk]})
    assert Assignment.objects.get(assessment=assessment).team == team
    assert assigned_events(assessment)[-1].data["previous_team"] == "คณะที่ 2"


def test_team_page_unassigns_the_ticked_assessments(client, round, team, office):
    draft = assessment_in(round)
    teams.assign(team=team, assessments=[draft], by=office)
    client.force_login(office)
    response = client.post(reverse("reviews:team_assign", args=[team.pk]), {"action": "unassign", "assessments": [draft.pk]})
    assert response.status_code == 302
    assert not Assignment.objects.exists()


def test_visits_page_saves_buddhist_era_dates_and_explains_a_bad_one(client, round, team, office):
    first, second = assessment_in(round), assessment_in(round)
    teams.assign(team=team, assessments=[first, second], by=office)
    client.force_login(office)
    url = reverse("reviews:team_visits", args=[team.pk])
    response = client.post(url, {f"visit_{first.pk}": "31/02/2569", f"visit_{second.pk}": "10/07/2569"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "ไม่มีวันที่นี้ในปฏิทิน" in html
    assert 'value="10/07/2569"' in html  # what was typed is kept
    assert not Assignment.objects.filter(visit_on__isnull=False).exists()
    response = client.post(url, {f"visit_{first.pk}": "09/07/2569", f"visit_{second.pk}": ""})
    assert response.status_code == 302
    assert Assignment.objects.get(assessment=first).visit_on == datetime.date(2026, 7, 9)



# Ids past the database's integers (a hand-made post) are an invalid choice, not a 500.
HUGE = "99999999999999999999"


def test_a_team_form_with_an_id_past_the_databases_integers_is_refused_in_thai(client, round, office, assessors):
    team = make_team(round, office, assessors[:2])
    client.force_login(office)
    pages = (
        (reverse("reviews:team_create", args=[round.year, "81"]), {"name": "คณะที่ 9", "members": [HUGE], "lead": HUGE}),
        (reverse("reviews:team_edit", args=[team.pk]), {"name": team.name, "members": [HUGE], "lead": HUGE}),
        (reverse("reviews:team_assign", args=[team.pk]), {"assessments": [HUGE], "district": [HUGE]}),
    )
    for url, data in pages:
        response = client.post(url, data)
        assert response.status_code in (200, 302), url
    assert Team.objects.filter(province__code="81").count() == 1
