"""A user's reach is the union of their roles (accounts.models.User.scope)."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.access import forget_scope, is_department, is_head, is_member, scope_for
from accounts.models import NO_SCOPE, Role
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


def test_the_scope_pairs_the_head_role_with_its_own_organization(krabi_org, chonburi_org, django_assert_num_queries):
    # Staff of one organization and head of another: head of that one only.
    person = user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org)
    Role.objects.create(user=person, kind=Role.Kind.ORG_HEAD, organization=chonburi_org)

    with django_assert_num_queries(1):  # the roles, once; every test after that is free
        assert is_head(person, chonburi_org.pk) and not is_head(person, krabi_org.pk)
        assert is_member(person, krabi_org.pk) and is_member(person, chonburi_org.pk)
        assert not is_department(person)


def test_forget_scope_reads_the_roles_again(krabi_org):
    person = user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org)
    assert not is_head(person, krabi_org.pk)
    Role.objects.create(user=person, kind=Role.Kind.ORG_HEAD, organization=krabi_org)
    assert not is_head(person, krabi_org.pk)  # kept for the request

    forget_scope(person)

    assert is_head(person, krabi_org.pk)


def test_anonymous_and_inactive_people_reach_nothing(department, krabi_org):
    head = user_with_role(Role.Kind.ORG_HEAD, organization=krabi_org)
    head.is_active = False
    assert scope_for(AnonymousUser()) == scope_for(head) == NO_SCOPE
    assert not is_head(head, krabi_org.pk) and not is_department(AnonymousUser())
    assert is_department(department)
