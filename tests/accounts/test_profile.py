import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory, province, user_with_role


@pytest.fixture
def staff(krabi_org):
    user = user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="somchai")
    Role.objects.create(user=user, kind=Role.Kind.PROVINCIAL_ASSESSOR, province=province("20"))
    return user


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_profile_shows_every_role_with_its_scope(client, staff, krabi_org):
    client.force_login(staff)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "somchai" in page
    assert "เจ้าหน้าที่ อปท." in page and krabi_org.code in page and "อบต.กระบี่น้อย" in page
    assert "คณะผู้ประเมินระดับจังหวัด" in page and "จังหวัดชลบุรี" in page


def test_profile_page_query_count_is_fixed(client, staff, django_assert_max_num_queries):
    client.force_login(staff)
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:profile"))


def test_person_corrects_own_name_and_contacts(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("accounts:profile"),
        {
            "first_name": "สมชาย",
            "last_name": "ใจดี",
            "email": "somchai@krabi.go.th",
            "phone": "075-611-111",
            "position": "นักวิเคราะห์นโยบายและแผน",
        },
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.first_name, staff.last_name, staff.email, staff.phone, staff.position) == (
        "สมชาย",
        "ใจดี",
        "somchai@krabi.go.th",
        "075-611-111",
        "นักวิเคราะห์นโยบายและแผน",
    )


def test_profile_cannot_change_username(client, staff):
    client.force_login(staff)
    client.post(
        reverse("accounts:profile"),
        {"username": "hacker", "first_name": "ก", "last_name": "ข", "email": "", "phone": "", "position": ""},
    )
    staff.refresh_from_db()
    assert staff.username == "somchai"


def test_email_of_another_account_is_refused_ignoring_case(client, staff):
    UserFactory(email="taken@krabi.go.th")
    client.force_login(staff)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "สมชาย", "last_name": "ใจดี", "email": "TAKEN@krabi.go.th", "phone": "", "position": ""},
    )
    assert response.status_code == 200
    assert "อีเมลนี้มีผู้ใช้อื่นใช้อยู่แล้ว" in response.content.decode()
    staff.refresh_from_db()
    assert staff.email != "TAKEN@krabi.go.th"


def test_keeping_own_email_in_other_case_is_allowed(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("accounts:profile"),
        {"first_name": "สมชาย", "last_name": "ใจดี", "email": staff.email.upper(), "phone": "", "position": ""},
    )
    assert response.status_code == 302


def test_blank_name_gets_a_thai_message(client, staff):
    client.force_login(staff)
    response = client.post(reverse("accounts:profile"), {"first_name": "", "last_name": "", "email": ""})
    page = response.content.decode()
    assert "กรุณากรอกชื่อ" in page and "กรุณากรอกนามสกุล" in page


def test_malformed_email_gets_a_thai_message(client, staff):
    client.force_login(staff)
    response = client.post(reverse("accounts:profile"), {"first_name": "ก", "last_name": "ข", "email": "not-an-email"})
    assert "รูปแบบอีเมลไม่ถูกต้อง" in response.content.decode()
