"""The rounds on the home page and in the navigation."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.assessments.factories import RoundFactory
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

ROUNDS_URL = reverse("assessments:round_list")


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_department_home_lists_rounds_with_phase_and_link(client, official, opened):
    html = home(client, official)
    assert 'id="rounds-heading"' in html
    assert reverse("assessments:round_detail", args=[2569]) in html
    assert "ประเมินตนเอง" in html
    assert f'href="{ROUNDS_URL}"' in html  # the navigation item


def test_assessor_home_lists_only_rounds_past_setup(client, krabi_assessor, opened):
    RoundFactory(year=2570)
    html = home(client, krabi_assessor)
    assert reverse("assessments:round_detail", args=[2569]) in html
    assert reverse("assessments:round_detail", args=[2570]) not in html


def test_organization_home_has_no_rounds_section_or_menu_item(client, opened):
    html = home(client, user_with_role(Role.Kind.ORG_STAFF))
    assert 'id="rounds-heading"' not in html
    assert ROUNDS_URL not in html


def test_rounds_menu_item_is_marked_current_on_the_round_list(client, official):
    client.force_login(official)
    html = client.get(ROUNDS_URL).content.decode()
    assert f'class="nav-link active" aria-current="page" href="{ROUNDS_URL}"' in html


def test_home_rounds_section_costs_one_query_whatever_the_number_of_rounds(
    client, official, django_assert_max_num_queries
):
    client.force_login(official)
    client.get(reverse("home"))
    for year in range(2560, 2570):
        RoundFactory(year=year)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("home")).content.decode()
    assert reverse("assessments:round_detail", args=[2569]) in html
    assert reverse("assessments:round_detail", args=[2560]) not in html  # the latest five only
