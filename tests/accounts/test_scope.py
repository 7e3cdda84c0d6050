"""A user's reach is the union of their roles (accounts.models.User.scope)."""

from django.urls import reverse

from accounts.access import scope_for
from accounts.models import Role
from organizations.models import Organization
from tests.factories import OrganizationFactory, district, province, user_with_role


def test_assessor_in_two_provinces_sees_both_provinces_organizations(client, krabi_org, chonburi_org):
    rayong_org = OrganizationFactory(district=district("2101"))
    assessor = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    Role.objects.create(user=assessor, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))

    assert set(Organization.objects.visible_to(assessor)) == {krabi_org, chonburi_org}
    client.force_login(assessor)
    assert client.get(chonburi_org.get_absolute_url()).status_code == 200
    assert client.get(krabi_org.get_absolute_url()).status_code == 200
    assert client.get(rayong_org.get_absolute_url()).status_code == 404


def test_staff_of_two_organizations_sees_exactly_those(krabi_org, chonburi_org):
    other_krabi = OrganizationFactory(district=district("8102"))
    staff = user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org)
    Role.objects.create(user=staff, kind=Role.Kind.ORG_HEAD, organization=chonburi_org)
    assert set(Organization.objects.visible_to(staff)) == {krabi_org, chonburi_org}
    assert other_krabi not in Organization.objects.visible_to(staff)


def test_a_role_granted_in_the_web_ui_widens_the_scope(client, department, krabi_org, chonburi_org):
    assessor = user_with_role(Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    client.force_login(department)
    client.post(
        reverse("accounts:user_role_add", args=[assessor.pk]), {"kind": Role.Kind.PROVINCIAL_ASSESSOR, "province": "20"}
    )
    assert scope_for(assessor).province_ids == {province("81").pk, province("20").pk}
    assert set(Organization.objects.visible_to(assessor)) == {krabi_org, chonburi_org}


def test_provincial_admin_manages_users_only_in_own_province(krabi_admin):
    scope = scope_for(krabi_admin)
    assert scope.manages_users and not scope.national
    assert scope.manages_province_ids == {province("81").pk}


def test_assessor_and_staff_do_not_manage_users(krabi_org):
    assert not scope_for(user_with_role(Role.Kind.PROVINCIAL_ASSESSOR)).manages_users
    assert not scope_for(user_with_role(Role.Kind.ORG_HEAD, organization=krabi_org)).manages_users


def test_deactivated_user_has_no_scope(department):
    department.is_active = False
    assert not scope_for(department).manages_users
