import pytest
from django.urls import reverse

from accounts.models import Role
from organizations.models import Organization, Province
from tests.factories import OrganizationFactory, district, user_with_role


@pytest.fixture
def two_provinces(db):
    krabi_org = OrganizationFactory(district=district("8101"), name="ทดสอบกระบี่", type=Organization.Type.SAO)
    chonburi_org = OrganizationFactory(district=district("2001"), name="ทดสอบชลบุรี", type=Organization.Type.SAO)
    return krabi_org, chonburi_org


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_org_staff_sees_own_organization_only(client, two_provinces):
    krabi_org, chonburi_org = two_provinces
    page = home(client, user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org))
    assert "ทดสอบกระบี่" in page
    assert "ทดสอบชลบุรี" not in page
    assert reverse("organizations:import") not in page


def test_assessor_sees_province_counts_not_national(client, two_provinces):
    page = home(client, user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=Province.objects.get(code="81")))
    assert "จังหวัดกระบี่" in page
    assert "อปท. ในจังหวัด แยกตามประเภท" in page
    assert "ทั่วประเทศ แยกตามประเภท" not in page
    assert reverse("accounts:user_list") not in page


def test_province_admin_is_offered_user_management(client, two_provinces):
    page = home(client, user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=Province.objects.get(code="81")))
    assert reverse("accounts:user_list") in page


def test_department_official_sees_national_counts_and_import(client, two_provinces):
    page = home(client, user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    assert "อปท. ทั่วประเทศ แยกตามประเภท" in page
    assert reverse("organizations:import") in page
    assert reverse("admin:index") not in page


def test_system_admin_gets_the_admin_link(client, two_provinces):
    page = home(client, user_with_role(Role.Kind.SYSTEM_ADMIN))
    assert reverse("admin:index") in page


def test_user_without_roles_is_told_whom_to_ask(client, db):
    from tests.factories import UserFactory

    page = home(client, UserFactory())
    assert "ยังไม่มีบทบาท" in page


def test_user_with_two_provinces_sees_both(client, two_provinces):
    user = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=Province.objects.get(code="81"))
    Role.objects.create(user=user, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=Province.objects.get(code="20"))
    assert set(Organization.objects.visible_to(user)) == set(two_provinces)
    page = home(client, user)
    assert "จังหวัดกระบี่" in page and "จังหวัดชลบุรี" in page


def test_home_query_count_does_not_grow_with_organizations(client, two_provinces, django_assert_max_num_queries):
    user = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    client.force_login(user)
    client.get(reverse("home"))  # warm the session
    for _ in range(20):
        OrganizationFactory(district=district("8102"))
    with django_assert_max_num_queries(12):
        client.get(reverse("home"))
