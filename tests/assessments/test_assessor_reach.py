"""An assessor reads the self-assessments of the organizations assigned to a team they are on;
the provincial office reads its whole province (the decision in issue 14). Before it, any
assessor of the province could open every organization's answers, PDF and evidence."""

import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.evidence import add_evidence_file
from assessments.models import Assessment, Evidence
from assessments.selfassessment import answer_for
from tests.assessments.factories import open_round, pdf_bytes, self_assessment, upload
from tests.factories import province, user_with_role
from tests.reviews.factories import assigned_team


def pages(assessment: Assessment) -> list[str]:
    evidence = Evidence.objects.get(answer__assessment=assessment)
    return [
        reverse("assessments:assessment_detail", args=[assessment.pk]),
        reverse("assessments:assessment_dimension", args=[assessment.pk, 1]),
        reverse("assessments:assessment_print", args=[assessment.pk]),
        reverse("assessments:assessment_pdf", args=[assessment.pk]),
        reverse("assessments:evidence_download", args=[evidence.pk]),
        reverse("assessments:evidence_view", args=[evidence.pk]),
    ]


@pytest.fixture
def two_teams(db, settings, tmp_path):
    """Two Krabi organizations of one round, each assigned to its own Krabi team, with evidence."""
    settings.LPA_EVIDENCE_ROOT = tmp_path
    assessment_round = open_round()
    ours, theirs = self_assessment(assessment_round), self_assessment(assessment_round)
    for sa in (ours, theirs):
        add_evidence_file(
            answer=answer_for(sa.assessment, sa.indicator(code=f"E{sa.assessment.pk}")),
            upload=upload("คำสั่ง.pdf", pdf_bytes()),
            by=sa.staff,
        )
    our_team = assigned_team(ours.assessment, name="คณะที่ 1")
    their_team = assigned_team(theirs.assessment, name="คณะที่ 2")
    return ours.assessment, theirs.assessment, our_team, their_team


def test_assessor_reads_self_assessment_of_own_team_organization(client, two_teams):
    ours, _, our_team, _ = two_teams
    for member in (our_team.lead, *our_team.members):
        client.force_login(member)
        for url in pages(ours):
            assert client.get(url).status_code == 200, url


def test_assessor_of_another_team_of_the_province_gets_404(client, two_teams):
    _, theirs, our_team, _ = two_teams
    client.force_login(our_team.lead)
    for url in pages(theirs):
        assert client.get(url).status_code == 404, url


def test_assessor_on_no_team_gets_404(client, two_teams):
    ours, theirs, _, _ = two_teams
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81")))
    for url in pages(ours) + pages(theirs):
        assert client.get(url).status_code == 404, url


def test_provincial_office_reads_every_organization_of_its_province(client, two_teams):
    ours, theirs, _, _ = two_teams
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    for url in pages(ours) + pages(theirs):
        assert client.get(url).status_code == 200, url


def test_visible_to_an_assessor_is_their_teams_assignments(two_teams):
    ours, theirs, our_team, _ = two_teams
    assert list(Assessment.objects.visible_to(our_team.lead)) == [ours]


def test_organization_page_links_only_the_assessments_the_assessor_may_open(client, two_teams):
    ours, theirs, our_team, _ = two_teams
    client.force_login(our_team.lead)
    html = client.get(ours.organization.get_absolute_url()).content.decode()
    assert ours.get_absolute_url() in html
    # Another team's organization of the province: its page stays open, its assessment is not listed.
    response = client.get(theirs.organization.get_absolute_url())
    assert response.status_code == 200
    assert theirs.get_absolute_url() not in response.content.decode()
