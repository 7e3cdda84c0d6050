"""Provincial and department managers list, create, change and deactivate the accounts in their scope."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD, OrganizationFactory, UserFactory, district, province, user_with_role


def create_url():
    return reverse("accounts:user_create")


def new_user_data(**overrides):
    data = {
        "username": "wichai",
        "first_name": "วิชัย",
        "last_name": "ทดสอบ",
        "email": "wichai@krabi.go.th",
        "phone": "",
        "position": "ปลัด",
        "kind": Role.Kind.ORG_STAFF,
        "organization_code": "",
        "province": "",
        "password_method": "temporary",
    }
    data.update(overrides)
    return data


@pytest.fixture
def krabi_staff(krabi_org):
    return user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="krabi_staff", first_name="กระบี่")


@pytest.fixture
def chonburi_staff(chonburi_org):
    return user_with_role(Role.Kind.ORG_STAFF, organization=chonburi_org, username="chonburi_staff")


# Listing ---------------------------------------------------------------------------------


def test_provincial_admin_lists_only_own_province(client, krabi_admin, krabi_staff, chonburi_staff):
    client.force_login(krabi_admin)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "krabi_staff" in page
    assert "chonburi_staff" not in page
    assert "เจ้าหน้าที่ อปท. – อบต.กระบี่น้อย" in page


def test_user_holding_a_role_elsewhere_is_not_listed_for_provincial_admin(client, krabi_admin, krabi_staff):
    Role.objects.create(user=krabi_staff, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))
    client.force_login(krabi_admin)
    assert "krabi_staff" not in client.get(reverse("accounts:user_list")).content.decode()
    assert client.get(reverse("accounts:user_detail", args=[krabi_staff.pk])).status_code == 404


def test_department_official_lists_everyone_but_system_admins(client, department, krabi_staff, chonburi_staff):
    user_with_role(Role.Kind.SYSTEM_ADMIN, username="root_person")
    UserFactory(username="superperson", is_superuser=True)
    client.force_login(department)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "krabi_staff" in page and "chonburi_staff" in page
    assert "root_person" not in page and "superperson" not in page


def test_department_official_gets_404_for_a_system_admin(client, department):
    root = user_with_role(Role.Kind.SYSTEM_ADMIN)
    client.force_login(department)
    assert client.get(reverse("accounts:user_detail", args=[root.pk])).status_code == 404


def test_system_admin_sees_system_admins(client, db):
    root = user_with_role(Role.Kind.SYSTEM_ADMIN)
    other = user_with_role(Role.Kind.SYSTEM_ADMIN, username="other_root")
    client.force_login(root)
    assert client.get(reverse("accounts:user_detail", args=[other.pk])).status_code == 200


def test_search_matches_name_username_and_email(client, krabi_admin, krabi_org):
    user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="a1", first_name="มานี", last_name="มีนา")
    user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="b2", email="piti@krabi.go.th")
    client.force_login(krabi_admin)
    url = reverse("accounts:user_list")
    # Compare the listed usernames, not page text: "a1" may turn up in a CSRF token.
    def listed(query: str) -> set[str]:
        return {user.username for user in client.get(url, {"q": query}).context["page"]}

    assert listed("มานี มีนา") == {"a1"}
    assert listed("PITI@") == {"b2"}
    assert listed("b2") == {"b2"}


def test_filter_by_role_kind_and_status(client, krabi_admin, krabi_staff, krabi_org):
    head = user_with_role(Role.Kind.ORG_HEAD, organization=krabi_org, username="the_head", is_active=False)
    client.force_login(krabi_admin)
    url = reverse("accounts:user_list")
    page = client.get(url, {"kind": Role.Kind.ORG_HEAD}).content.decode()
    assert "the_head" in page and "krabi_staff" not in page
    page = client.get(url, {"status": "inactive"}).content.decode()
    assert head.username in page and "krabi_staff" not in page


def test_national_manager_filters_by_province_and_organization(
    client, department, krabi_staff, chonburi_staff, chonburi_org
):
    client.force_login(department)
    url = reverse("accounts:user_list")
    page = client.get(url, {"province": "20"}).content.decode()
    assert "chonburi_staff" in page and "krabi_staff" not in page
    page = client.get(url, {"organization": chonburi_org.code}).content.decode()
    assert "chonburi_staff" in page and "krabi_staff" not in page


def test_bad_filter_value_gets_thai_message_not_an_error(client, department, krabi_staff):
    client.force_login(department)
    response = client.get(reverse("accounts:user_list"), {"organization": "abc", "province": "99", "page": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "รหัส อปท. ต้องเป็นตัวเลข 7 หลัก" in page
    assert "krabi_staff" in page


def test_user_list_is_paginated_with_fixed_query_count(client, krabi_admin, krabi_org, django_assert_max_num_queries):
    for n in range(55):
        user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username=f"bulk{n:02d}")
    client.force_login(krabi_admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:user_list"))
    assert response.context["page"].paginator.count == 56  # the 55 and the admin
    assert len(client.get(reverse("accounts:user_list"), {"page": 2}).context["page"]) == 6


# Creating --------------------------------------------------------------------------------


def test_provincial_admin_creates_krabi_staff_and_sees_password_once(client, krabi_admin, krabi_org):
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(organization_code=krabi_org.code))
    created = User.objects.get(username="wichai")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[created.pk])
    role = created.roles.get()
    assert (role.kind, role.organization, role.granted_by) == (Role.Kind.ORG_STAFF, krabi_org, krabi_admin)

    page = client.get(response["Location"])
    password = page.context["new_password"]
    assert password and password in page.content.decode()
    assert User.objects.get(pk=created.pk).check_password(password)
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    again = client.get(response["Location"])
    assert again.context["new_password"] is None
    assert password not in again.content.decode()


def test_created_user_can_sign_in_with_the_temporary_password(client, krabi_admin, krabi_org):
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(organization_code=krabi_org.code), follow=True)
    password = response.context["new_password"]
    client.logout()
    assert client.post(reverse("login"), {"username": "wichai", "password": password}).status_code == 302


def test_create_with_reset_email_option_sends_the_link(client, krabi_admin):
    client.force_login(krabi_admin)
    response = client.post(
        create_url(),
        new_user_data(kind=Role.Kind.PROVINCIAL_ASSESSOR, province="81", password_method="email"),
        follow=True,
    )
    assert response.context["new_password"] is None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wichai@krabi.go.th"]
    assert "/accounts/reset/" in mail.outbox[0].body
    created = User.objects.get(username="wichai")
    assert created.roles.get().province.code == "81"
    assert created.has_usable_password()  # so "ลืมรหัสผ่าน" works for them later too


def test_reset_email_option_needs_an_email(client, krabi_admin, krabi_org):
    client.force_login(krabi_admin)
    response = client.post(
        create_url(), new_user_data(organization_code=krabi_org.code, email="", password_method="email")
    )
    assert response.status_code == 200
    assert "กรุณากรอกอีเมล" in response.content.decode()
    assert not User.objects.filter(username="wichai").exists()


def test_provincial_admin_cannot_grant_role_for_organization_of_another_province(client, krabi_admin, chonburi_org):
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(organization_code=chonburi_org.code))
    assert response.status_code == 200
    assert f"อปท. รหัส {chonburi_org.code} อยู่นอกจังหวัดที่ท่านดูแล" in response.content.decode()
    assert not User.objects.filter(username="wichai").exists()


def test_provincial_admin_cannot_pick_another_province(client, krabi_admin):
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(kind=Role.Kind.PROVINCIAL_ASSESSOR, province="20"))
    assert "จังหวัดที่เลือกอยู่นอกจังหวัดที่ท่านดูแล" in response.content.decode()
    assert not User.objects.filter(username="wichai").exists()


def test_province_choices_are_limited_to_managed_provinces(client, krabi_admin):
    client.force_login(krabi_admin)
    form = client.get(create_url()).context["role_form"]
    assert [p.code for p in form.fields["province"].queryset] == ["81"]


def test_provincial_admin_cannot_grant_national_roles(client, krabi_admin):
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(kind=Role.Kind.DEPARTMENT_OFFICIAL))
    assert "ท่านไม่มีสิทธิ์มอบบทบาทนี้" in response.content.decode()
    assert not User.objects.filter(username="wichai").exists()


def test_department_official_grants_a_role_anywhere_but_not_system_admin(client, department, chonburi_org):
    client.force_login(department)
    assert client.post(create_url(), new_user_data(organization_code=chonburi_org.code)).status_code == 302
    response = client.post(
        create_url(), new_user_data(username="x2", email="x2@dla.go.th", kind=Role.Kind.SYSTEM_ADMIN)
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x2").exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"organization_code": ""}, "บทบาทนี้ต้องระบุรหัส อปท. 7 หลัก"),
        ({"organization_code": "12345"}, "รหัส อปท. ต้องเป็นตัวเลข 7 หลัก"),
        ({"organization_code": "6999999"}, "ไม่พบ อปท. รหัส 6999999 ในทะเบียน"),
        ({"kind": Role.Kind.PROVINCIAL_ASSESSOR}, "บทบาทนี้ต้องเลือกจังหวัด"),
        ({"kind": ""}, "กรุณาเลือกบทบาท"),
        ({"username": "มี ช่องว่าง"}, "ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร"),
        ({"first_name": ""}, "กรุณากรอกชื่อ"),
    ],
)
def test_bad_new_user_input_gets_thai_message(client, krabi_admin, overrides, message):
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 1


def test_inactive_organization_cannot_get_new_staff(client, krabi_admin):
    closed = OrganizationFactory(district=district("8102"), is_active=False)
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(organization_code=closed.code))
    assert "ถูกยกเลิกในทะเบียนแล้ว" in response.content.decode()


def test_username_taken_in_other_case_is_refused(client, krabi_admin, krabi_org):
    UserFactory(username="Wichai")
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(organization_code=krabi_org.code))
    assert "ชื่อผู้ใช้นี้มีอยู่แล้ว" in response.content.decode()


def test_email_taken_in_other_case_is_refused(client, krabi_admin, krabi_org):
    UserFactory(email="WICHAI@krabi.go.th")
    client.force_login(krabi_admin)
    response = client.post(create_url(), new_user_data(organization_code=krabi_org.code))
    assert "อีเมลนี้มีผู้ใช้อื่นใช้อยู่แล้ว" in response.content.decode()
    assert not User.objects.filter(username="wichai").exists()


# Roles -----------------------------------------------------------------------------------


def test_add_second_organization_role(client, krabi_admin, krabi_staff):
    second = OrganizationFactory(district=district("8102"))
    client.force_login(krabi_admin)
    response = client.post(
        reverse("accounts:user_role_add", args=[krabi_staff.pk]),
        {"kind": Role.Kind.ORG_HEAD, "organization_code": second.code},
    )
    assert response.status_code == 302
    assert krabi_staff.roles.filter(kind=Role.Kind.ORG_HEAD, organization=second, granted_by=krabi_admin).exists()


def test_adding_a_role_already_held_is_refused(client, krabi_admin, krabi_staff, krabi_org):
    client.force_login(krabi_admin)
    response = client.post(
        reverse("accounts:user_role_add", args=[krabi_staff.pk]),
        {"kind": Role.Kind.ORG_STAFF, "organization_code": krabi_org.code},
    )
    assert response.status_code == 400
    assert "ผู้ใช้นี้มีบทบาทนี้อยู่แล้ว" in response.content.decode()
    assert krabi_staff.roles.count() == 1


def test_adding_a_role_in_another_province_is_refused(client, krabi_admin, krabi_staff, chonburi_org):
    client.force_login(krabi_admin)
    response = client.post(
        reverse("accounts:user_role_add", args=[krabi_staff.pk]),
        {"kind": Role.Kind.ORG_STAFF, "organization_code": chonburi_org.code},
    )
    assert response.status_code == 400
    assert "อยู่นอกจังหวัดที่ท่านดูแล" in response.content.decode()
    assert krabi_staff.roles.count() == 1


def test_remove_one_of_two_roles(client, krabi_admin, krabi_staff):
    extra = Role.objects.create(user=krabi_staff, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    client.force_login(krabi_admin)
    response = client.post(reverse("accounts:user_role_remove", args=[krabi_staff.pk, extra.pk]))
    assert response.status_code == 302
    assert list(krabi_staff.roles.values_list("kind", flat=True)) == [Role.Kind.ORG_STAFF]


def test_last_role_cannot_be_removed(client, krabi_admin, krabi_staff):
    client.force_login(krabi_admin)
    response = client.post(
        reverse("accounts:user_role_remove", args=[krabi_staff.pk, krabi_staff.roles.get().pk]), follow=True
    )
    assert "บัญชีต้องมีอย่างน้อยหนึ่งบทบาท" in response.content.decode()
    assert krabi_staff.roles.count() == 1


def test_manager_cannot_remove_own_last_managing_role(client, krabi_admin):
    Role.objects.create(user=krabi_admin, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    managing = krabi_admin.roles.get(kind=Role.Kind.PROVINCIAL_ADMIN)
    client.force_login(krabi_admin)
    response = client.post(reverse("accounts:user_role_remove", args=[krabi_admin.pk, managing.pk]), follow=True)
    assert "ท่านยกเลิกบทบาทผู้ดูแลผู้ใช้บทบาทสุดท้ายของตนเองไม่ได้" in response.content.decode()
    assert krabi_admin.roles.filter(pk=managing.pk).exists()


def test_manager_may_remove_own_non_managing_role(client, krabi_admin):
    extra = Role.objects.create(user=krabi_admin, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=province("81"))
    client.force_login(krabi_admin)
    client.post(reverse("accounts:user_role_remove", args=[krabi_admin.pk, extra.pk]))
    assert not Role.objects.filter(pk=extra.pk).exists()


def test_user_detail_query_count_is_fixed(client, krabi_admin, krabi_staff, django_assert_max_num_queries):
    for code in ("8102", "8103", "8104"):
        Role.objects.create(
            user=krabi_staff, kind=Role.Kind.ORG_HEAD, organization=OrganizationFactory(district=district(code))
        )
    client.force_login(krabi_admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:user_detail", args=[krabi_staff.pk]))
    assert response.status_code == 200


# Deactivating ----------------------------------------------------------------------------


def test_provincial_admin_deactivates_after_confirmation(client, krabi_admin, krabi_staff):
    client.force_login(krabi_admin)
    url = reverse("accounts:user_deactivate", args=[krabi_staff.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "ยืนยันการระงับบัญชี" in confirm.content.decode()
    krabi_staff.refresh_from_db()
    assert krabi_staff.is_active

    assert client.post(url).status_code == 302
    krabi_staff.refresh_from_db()
    assert not krabi_staff.is_active
    client.logout()
    response = client.post(reverse("login"), {"username": "krabi_staff", "password": PASSWORD})
    assert response.status_code == 200 and client.session.get("_auth_user_id") is None


def test_deactivated_user_is_reactivated(client, krabi_admin, krabi_staff):
    krabi_staff.is_active = False
    krabi_staff.save()
    client.force_login(krabi_admin)
    client.post(reverse("accounts:user_reactivate", args=[krabi_staff.pk]))
    krabi_staff.refresh_from_db()
    assert krabi_staff.is_active


def test_manager_cannot_deactivate_themselves(client, krabi_admin):
    client.force_login(krabi_admin)
    response = client.post(reverse("accounts:user_deactivate", args=[krabi_admin.pk]), follow=True)
    assert "ท่านระงับบัญชีของตนเองไม่ได้" in response.content.decode()
    krabi_admin.refresh_from_db()
    assert krabi_admin.is_active


# Passwords -------------------------------------------------------------------------------


def test_temporary_password_reset_replaces_old_password_and_is_shown_once(client, krabi_admin, krabi_staff):
    client.force_login(krabi_admin)
    response = client.post(
        reverse("accounts:user_password_reset", args=[krabi_staff.pk]), {"method": "temporary"}, follow=True
    )
    password = response.context["new_password"]
    krabi_staff.refresh_from_db()
    assert krabi_staff.check_password(password) and not krabi_staff.check_password(PASSWORD)
    assert client.get(reverse("accounts:user_detail", args=[krabi_staff.pk])).context["new_password"] is None


def test_temporary_password_clears_a_lockout(client, krabi_admin, krabi_staff):
    for _ in range(5):
        client.post(reverse("login"), {"username": "krabi_staff", "password": "wrong"})
    client.force_login(krabi_admin)
    response = client.post(
        reverse("accounts:user_password_reset", args=[krabi_staff.pk]), {"method": "temporary"}, follow=True
    )
    password = response.context["new_password"]
    client.logout()
    assert client.post(reverse("login"), {"username": "krabi_staff", "password": password}).status_code == 302


def test_reset_email_is_sent_on_request(client, krabi_admin, krabi_staff):
    client.force_login(krabi_admin)
    client.post(reverse("accounts:user_password_reset", args=[krabi_staff.pk]), {"method": "email"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [krabi_staff.email]
    krabi_staff.refresh_from_db()
    assert krabi_staff.check_password(PASSWORD)


def test_reset_email_without_an_address_gets_thai_message(client, krabi_admin, krabi_staff):
    krabi_staff.email = ""
    krabi_staff.save()
    client.force_login(krabi_admin)
    response = client.post(
        reverse("accounts:user_password_reset", args=[krabi_staff.pk]), {"method": "email"}, follow=True
    )
    assert "บัญชีนี้ไม่มีอีเมล" in response.content.decode()
    assert mail.outbox == []


def test_unknown_reset_method_gets_thai_message(client, krabi_admin, krabi_staff):
    client.force_login(krabi_admin)
    response = client.post(reverse("accounts:user_password_reset", args=[krabi_staff.pk]), {"method": "x"}, follow=True)
    assert "กรุณาเลือกวิธีตั้งรหัสผ่านใหม่" in response.content.decode()
