import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from organizations.models import Organization, OrganizationTypeChange, Province
from tests.factories import OrganizationFactory, district, user_with_role


@pytest.fixture
def registry(db):
    return {
        "krabi_sao": OrganizationFactory(district=district("8101"), name="ไสไทย", type=Organization.Type.SAO, code="6810105"),
        "krabi_town": OrganizationFactory(district=district("8101"), name="กระบี่", type=Organization.Type.TOWN_MUNICIPALITY, code="4810103"),
        "khlong_thom": OrganizationFactory(district=district("8104"), name="คลองท่อมใต้", type=Organization.Type.SUBDISTRICT_MUNICIPALITY, code="5810401"),
        "pattaya": OrganizationFactory(district=district("2004"), name="เมืองพัทยา", type=Organization.Type.PATTAYA, code="3200408"),
    }


@pytest.fixture
def department(db):
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


def codes(response) -> set[str]:
    return {org.code for org in response.context["page"]}


def test_department_filters_by_province(client, registry, department):
    client.force_login(department)
    response = client.get(reverse("organizations:list"), {"province": "20"})
    assert codes(response) == {"3200408"}


def test_department_filters_by_district_and_type(client, registry, department):
    client.force_login(department)
    response = client.get(reverse("organizations:list"), {"province": "81", "district": "8101", "type": "town"})
    assert codes(response) == {"4810103"}


def test_search_by_code_prefix(client, registry, department):
    client.force_login(department)
    assert codes(client.get(reverse("organizations:list"), {"q": "5810"})) == {"5810401"}


def test_search_by_part_of_name(client, registry, department):
    client.force_login(department)
    assert codes(client.get(reverse("organizations:list"), {"q": "คลองท่อม"})) == {"5810401"}


def test_district_of_another_province_is_a_form_error_not_a_500(client, registry, department):
    client.force_login(department)
    response = client.get(reverse("organizations:list"), {"province": "20", "district": "8101"})
    assert response.status_code == 200
    assert "district" in response.context["form"].errors


def test_province_admin_lists_only_own_province(client, registry):
    admin = user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=Province.objects.get(code="81"))
    client.force_login(admin)
    response = client.get(reverse("organizations:list"))
    assert codes(response) == {"6810105", "4810103", "5810401"}
    # Asking for another province's organizations gives an invalid choice, not their data.
    response = client.get(reverse("organizations:list"), {"province": "20"})
    assert "province" in response.context["form"].errors
    assert "3200408" not in codes(response)


def test_org_staff_lists_only_own_organization(client, registry):
    staff = user_with_role(Role.Kind.ORG_STAFF, organization=registry["khlong_thom"])
    client.force_login(staff)
    assert codes(client.get(reverse("organizations:list"))) == {"5810401"}


def test_outsider_gets_404_on_detail(client, registry):
    staff = user_with_role(Role.Kind.ORG_STAFF, organization=registry["khlong_thom"])
    client.force_login(staff)
    assert client.get(registry["pattaya"].get_absolute_url()).status_code == 404


def test_detail_shows_type_history(client, registry, department):
    org = registry["khlong_thom"]
    OrganizationTypeChange.objects.create(
        organization=org, from_type="sao", to_type="subdistrict", effective_date=datetime.date(2024, 10, 1)
    )
    client.force_login(department)
    page = client.get(org.get_absolute_url()).content.decode()
    assert "1 ต.ค. 2567" in page
    assert "องค์การบริหารส่วนตำบล" in page


def test_type_on_gives_the_type_of_the_year(registry):
    org = registry["khlong_thom"]
    OrganizationTypeChange.objects.create(
        organization=org, from_type="sao", to_type="subdistrict", effective_date=datetime.date(2024, 10, 1)
    )
    assert org.type_on(datetime.date(2024, 9, 30)) == "sao"
    assert org.type_on(datetime.date(2024, 10, 1)) == "subdistrict"


def test_pattaya_is_named_once(registry):
    assert str(registry["pattaya"]) == "เมืองพัทยา"
    assert str(registry["khlong_thom"]) == "ทต.คลองท่อมใต้"


def test_list_query_count_is_fixed(client, registry, department, django_assert_max_num_queries):
    client.force_login(department)
    client.get(reverse("organizations:list"))
    for _ in range(30):
        OrganizationFactory(district=district("8102"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("organizations:list"))
    assert len(response.context["page"]) == 34


def test_search_with_a_nul_character_is_not_a_500(client, registry, department):
    # PostgreSQL refuses NUL in string literals: a NUL in the query is refused before any view
    # (core.middleware), with a page saying what to fix.
    client.force_login(department)
    response = client.get(reverse("organizations:list"), {"q": "กระ\x00บี่"})
    assert response.status_code == 400
    assert "ตรวจสอบที่อยู่หรือคำค้นหา" in response.content.decode()
