"""The user's notification list, opening one, marking all read, and the bell in the navigation bar."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.templatetags.thai_dates import thai_datetime
from notifications.context_processors import unread
from notifications.models import Notification
from notifications.views import PER_PAGE
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return user_with_role(Role.Kind.ORG_STAFF)


@pytest.fixture
def someone_else():
    return user_with_role(Role.Kind.ORG_STAFF)


def note(user, subject="ส่งกลับให้แก้ไข", *, url="/assessments/1/", minutes_ago=0, **fields) -> Notification:
    return Notification.objects.create(
        recipient=user,
        kind=fields.pop("kind", "returned"),
        subject=subject,
        body=fields.pop("body", "ตัวชี้วัดที่ต้องแก้ไข:\n- 1.1: แนบคำสั่ง"),
        url=url,
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **fields,
    )


def login(client, user):
    client.force_login(user)
    return client


# The list.


def test_list_shows_only_ones_own_notifications_newest_first(client, person, someone_else):
    note(person, "เรื่องเก่า", minutes_ago=60)
    note(person, "เรื่องใหม่", minutes_ago=1)
    note(someone_else, "เรื่องของคนอื่น")

    response = login(client, person).get(reverse("notifications:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "เรื่องของคนอื่น" not in html
    assert html.index("เรื่องใหม่") < html.index("เรื่องเก่า")


def test_list_marks_unread_ones_and_says_whether_the_email_went(client, person):
    emailed = timezone.now()
    note(person, "อ่านแล้ว", read_at=timezone.now(), emailed_at=emailed)
    note(person, "ยังไม่ได้อ่าน")

    html = login(client, person).get(reverse("notifications:list")).content.decode()

    assert html.count('<span class="badge text-bg-primary">ยังไม่อ่าน</span>') == 1
    assert f"ส่งอีเมลแล้วเมื่อ {thai_datetime(emailed)}" in html
    assert "ไม่ได้ส่งทางอีเมล" in html
    assert "- 1.1: แนบคำสั่ง" in html


def test_list_says_an_email_still_in_the_queue_is_on_its_way(client, person):
    note(person, "รอส่ง", email_status="queued")

    html = login(client, person).get(reverse("notifications:list")).content.decode()

    assert "กำลังส่งทางอีเมล" in html and "ไม่ได้ส่งทางอีเมล" not in html


def test_list_is_paginated(client, person):
    for number in range(PER_PAGE + 2):
        note(person, f"แจ้งเตือนที่ {number:03d}", minutes_ago=number)

    first = login(client, person).get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()

    assert "แจ้งเตือนที่ 000" in first and f"แจ้งเตือนที่ {PER_PAGE + 1:03d}" not in first
    assert f"แจ้งเตือนที่ {PER_PAGE + 1:03d}" in second


def test_list_query_count_does_not_grow_with_notifications(client, person, django_assert_num_queries):
    login(client, person)
    note(person)
    with django_assert_num_queries(6):  # session, user, roles, the bell's unread count, total, page
        client.get(reverse("notifications:list"))
    for _ in range(10):
        note(person)
    with django_assert_num_queries(6):
        client.get(reverse("notifications:list"))


# Opening one.


def test_opening_marks_read_and_goes_to_its_page(client, person):
    notification = note(person, url="/assessments/12/")

    response = login(client, person).get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == "/assessments/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_again_keeps_the_first_read_time(client, person):
    first = timezone.now() - datetime.timedelta(days=2)
    notification = note(person, read_at=first)

    login(client, person).get(reverse("notifications:open", args=[notification.pk]))

    notification.refresh_from_db()
    assert notification.read_at == first


def test_someone_elses_notification_is_404_and_stays_unread(client, person, someone_else):
    notification = note(someone_else)

    response = login(client, person).get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""])
def test_a_link_off_this_site_goes_to_the_list_instead(client, person, url):
    notification = note(person, url=url)

    response = login(client, person).get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")


# Marking all read.


def test_mark_all_read_marks_only_ones_own(client, person, someone_else):
    note(person)
    note(person)
    theirs = note(someone_else)

    response = login(client, person).post(reverse("notifications:mark_all_read"), follow=True)

    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "ทำเครื่องหมายว่าอ่านแล้ว 2 รายการ" in response.content.decode()


def test_mark_all_read_is_post_only(client, person):
    note(person)

    response = login(client, person).get(reverse("notifications:mark_all_read"))

    assert response.status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


# The bell.


def test_every_page_shows_the_bell_with_the_unread_count(client, person):
    note(person)
    note(person)
    note(person, read_at=timezone.now())

    html = login(client, person).get(reverse("home")).content.decode()

    bell = html[html.index(f'href="{reverse("notifications:list")}"') :]
    bell = bell[: bell.index("</a>")]
    assert '<span class="visually-hidden">การแจ้งเตือน</span>' in bell
    assert '2<span class="visually-hidden"> รายการที่ยังไม่อ่าน</span>' in bell


def test_the_bell_shows_no_count_when_all_are_read(client, person):
    note(person, read_at=timezone.now())

    html = login(client, person).get(reverse("home")).content.decode()

    assert "รายการที่ยังไม่อ่าน" not in html


def test_the_bell_caps_a_large_count(client, person):
    Notification.objects.bulk_create(
        Notification(recipient=person, kind="returned", subject="x", body="x") for _ in range(120)
    )

    html = login(client, person).get(reverse("home")).content.decode()

    assert '99+<span class="visually-hidden"> รายการที่ยังไม่อ่าน</span>' in html


def test_the_count_is_queried_only_when_shown(person, django_assert_num_queries):
    note(person)
    request = RequestFactory().get("/")
    request.user = person

    with django_assert_num_queries(0):
        context = unread(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 1


def test_anonymous_visitors_get_no_count():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert unread(request) == {}


# Everyone signed in.


@pytest.mark.parametrize("name", ["notifications:list", "notifications:mark_all_read"])
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.post(reverse(name)) if name.endswith("read") else client.get(reverse(name))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "kind", [Role.Kind.ORG_HEAD, Role.Kind.PROVINCIAL_ASSESSOR, Role.Kind.PROVINCIAL_ADMIN, Role.Kind.DEPARTMENT_OFFICIAL]
)
def test_every_role_has_its_own_list(client, kind):
    user = user_with_role(kind)
    note(user, "ของฉัน")

    response = login(client, user).get(reverse("notifications:list"))

    assert response.status_code == 200 and "ของฉัน" in response.content.decode()
