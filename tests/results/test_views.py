"""Downloading the results workbook and the open-data CSV: who gets which."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from results.workbook import SUMMARY_SHEET
from tests.factories import district, province, user_with_role
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    """A verified กระบี่ assessment and a ชลบุรี draft in one round."""
    krabi = submitted_for_review()
    krabi.verified()
    chonburi = submitted_for_review(krabi.round, submit=False, assign=False, district=district("2001"))
    return krabi, chonburi


def workbook_url(round, **query) -> str:
    url = reverse("results:workbook", args=[round.year])
    return url + "".join(f"?{key}={value}" for key, value in query.items())


def codes_in(response) -> set[str]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return {row[0] for row in workbook[SUMMARY_SHEET].iter_rows(min_row=2, values_only=True)}


def test_the_whole_country_is_offered_as_a_background_export(client, cases):
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    response = client.get(workbook_url(krabi.round))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'action="{reverse("exports:create")}"' in html
    assert 'name="kind" value="results_workbook"' in html and 'name="province" value=""' in html


def test_a_workbook_larger_than_the_spool_is_served_from_its_temporary_file(client, cases, monkeypatch):
    krabi, _chonburi = cases
    monkeypatch.setattr("results.views.downloads.SPOOL_BYTES", 1024)
    client.force_login(krabi.department)
    response = client.get(workbook_url(krabi.round, province="81"))
    assert int(response["Content-Length"]) > 1024
    assert codes_in(response) == {krabi.assessment.organization.code}


def test_department_may_ask_for_one_province(client, cases):
    krabi, chonburi = cases
    client.force_login(krabi.department)
    response = client.get(workbook_url(krabi.round, province="20"))
    assert f"lpa-results-{krabi.round.year}-20.xlsx" in response["Content-Disposition"]
    assert codes_in(response) == {chonburi.assessment.organization.code}


def test_provincial_office_gets_its_own_province_only(client, cases):
    krabi, _chonburi = cases
    client.force_login(krabi.office)
    assert codes_in(client.get(workbook_url(krabi.round))) == {krabi.assessment.organization.code}
    assert codes_in(client.get(workbook_url(krabi.round, province="81"))) == {krabi.assessment.organization.code}


def test_another_provinces_office_gets_404(client, cases):
    krabi, chonburi = cases
    client.force_login(chonburi.office)
    assert client.get(workbook_url(krabi.round, province="81")).status_code == 404


@pytest.mark.parametrize("kind", [Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.ORG_HEAD, Role.Kind.ORG_STAFF])
def test_assessors_and_organizations_get_404_for_the_workbook(client, cases, kind):
    krabi, _chonburi = cases
    if kind == Role.Kind.PROVINCIAL_ASSESSOR:
        user = user_with_role(kind, province=province("81"))
    else:
        user = user_with_role(kind, organization=krabi.assessment.organization)
    client.force_login(user)
    assert client.get(workbook_url(krabi.round)).status_code == 404


def test_unknown_year_or_province_gets_404(client, cases):
    krabi, _chonburi = cases
    client.force_login(krabi.department)
    assert client.get(reverse("results:workbook", args=[2400])).status_code == 404
    assert client.get(workbook_url(krabi.round, province="99")).status_code == 404


def test_anonymous_visitor_is_sent_to_login(client, cases):
    krabi, _chonburi = cases
    for url in (workbook_url(krabi.round), reverse("results:open_data", args=[krabi.round.year])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_every_signed_in_user_downloads_the_open_data(client):
    case = submitted_for_review()
    case.published()
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))  # an organization of no concern to it
    response = client.get(reverse("results:open_data", args=[case.round.year]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="lpa-open-data-{case.round.year}.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row["org_code"] for row in rows] == [case.assessment.organization.code]


def test_open_data_of_an_unknown_year_is_404(client):
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    assert client.get(reverse("results:open_data", args=[2400])).status_code == 404


def test_round_page_links_the_reports_each_reader_may_download(client, cases):
    krabi, _chonburi = cases
    page = reverse("assessments:round_detail", args=[krabi.round.year])
    workbook, open_data = workbook_url(krabi.round), reverse("results:open_data", args=[krabi.round.year])
    for user, sees_workbook in (
        (krabi.department, True),
        (krabi.office, True),
        (krabi.team.lead, False),  # an assessor: the open data only
    ):
        client.force_login(user)
        html = client.get(page).content.decode()
        assert (f'href="{workbook}"' in html) is sees_workbook
        assert f'href="{open_data}"' in html
