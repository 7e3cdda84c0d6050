"""The round pages: list, create, the framework page, settings, and opening a round."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from assessments.models import Assessment, FrameworkCorrection, Indicator, Round
from assessments.workbook import build_framework_workbook
from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with
from tests.factories import OrganizationFactory, user_with_role

pytestmark = pytest.mark.django_db

LOCKED = "รอบการประเมินปี 2569 เปิดแล้ว การแก้ไขที่กระทบคะแนนต้องทำเป็นการแก้ไขกรอบการประเมิน"


def page(response) -> str:
    return response.content.decode()


def xlsx(round: Round) -> SimpleUploadedFile:
    stream = io.BytesIO()
    build_framework_workbook(round).save(stream)
    return SimpleUploadedFile("framework.xlsx", stream.getvalue())


def settings_data(round: Round, **changes) -> dict:
    """The settings form as it comes filled in, with `changes`; bands unchanged."""
    data = {
        "year": round.year,
        "fiscal_year": round.fiscal_year,
        "title": round.title,
        "self_assessment_opens": "01/02/2569",
        "self_assessment_closes": "31/03/2569",
        "review_opens": "",
        "review_closes": "",
        "appeal_opens": "",
        "appeal_closes": "",
        "pass_mark": str(round.pass_mark),
        "bands-TOTAL_FORMS": 4,
        "bands-INITIAL_FORMS": 3,
        "bands-MIN_NUM_FORMS": 0,
        "bands-MAX_NUM_FORMS": 1000,
    }
    for n, band in enumerate(round.bands.all()):
        data[f"bands-{n}-label"] = band.label
        data[f"bands-{n}-min_percent"] = str(band.min_percent)
    return {**data, **changes}


# The list.


def test_department_sees_every_round_with_phase_and_counts(client, official, opened):
    RoundFactory(year=2570)
    client.force_login(official)
    response = client.get(reverse("assessments:round_list"))
    assert response.status_code == 200
    rounds = {r.year: r for r in response.context["rounds"]}
    assert (rounds[2569].indicator_count, rounds[2569].assessment_count) == (4, 3)
    assert (rounds[2570].indicator_count, rounds[2570].assessment_count) == (0, 0)
    assert "ประเมินตนเอง" in page(response) and "จัดเตรียมกรอบการประเมิน" in page(response)
    assert reverse("assessments:round_create") in page(response)


def test_assessor_sees_only_rounds_past_setup(client, krabi_assessor, opened):
    RoundFactory(year=2570)
    client.force_login(krabi_assessor)
    response = client.get(reverse("assessments:round_list"))
    assert [r.year for r in response.context["rounds"]] == [2569]
    assert reverse("assessments:round_create") not in page(response)


def test_provincial_admin_also_sees_rounds_in_setup(client, krabi_admin, framework):
    client.force_login(krabi_admin)
    response = client.get(reverse("assessments:round_list"))
    assert [r.year for r in response.context["rounds"]] == [2569]


def test_organization_staff_gets_404_on_round_pages(client, opened):
    staff = user_with_role(Role.Kind.ORG_STAFF)
    client.force_login(staff)
    assert client.get(reverse("assessments:round_list")).status_code == 404
    assert client.get(reverse("assessments:round_detail", args=[2569])).status_code == 404


# Creating a round.


def test_department_creates_an_empty_round(client, official):
    client.force_login(official)
    response = client.post(reverse("assessments:round_create"), {"year": 2570, "title": "", "start": "empty"})
    round = Round.objects.get(year=2570)
    assert response.status_code == 302 and response["Location"] == round.get_absolute_url()
    assert (round.phase, round.fiscal_year, round.created_by) == (Round.Phase.SETUP, 2569, official)
    assert round.bands.count() == 3
    empty = client.get(round.get_absolute_url())
    assert "ยังไม่มีกรอบการประเมิน เพิ่มด้านและหมวด หรือนำเข้าจากไฟล์ Excel" in page(empty)


def test_department_creates_a_round_as_a_copy_and_last_year_stays(client, official, opened):
    client.force_login(official)
    response = client.post(
        reverse("assessments:round_create"), {"year": 2570, "title": "LPA 2570", "start": "copy", "source": 2569}
    )
    assert response.status_code == 302
    new = Round.objects.get(year=2570)
    assert (new.title, new.copied_from, new.phase) == ("LPA 2570", opened, Round.Phase.SETUP)
    assert sorted(new.indicators.values_list("code", flat=True)) == ["1.1", "1.2", "2.1", "2.2"]
    assert opened.indicators.count() == 4 and opened.assessments.count() == 3


def test_department_creates_a_round_from_a_workbook(client, official, framework):
    client.force_login(official)
    response = client.post(
        reverse("assessments:round_create"), {"year": 2570, "start": "workbook", "file": xlsx(framework)}
    )
    assert response.status_code == 302
    new = Round.objects.get(year=2570)
    assert new.indicators.count() == 4
    assert new.self_assessment_opens is None  # another year's dates are left for the new year


def test_broken_workbook_lists_every_problem_and_creates_nothing(client, official, framework):
    stream = io.BytesIO()
    workbook = build_framework_workbook(framework)
    workbook["ตัวชี้วัด"]["H2"] = "ให้คะแนนตามใจ"
    workbook["ด้าน"].append([6, "ด้านที่หก"])
    workbook.save(stream)
    client.force_login(official)
    response = client.post(
        reverse("assessments:round_create"),
        {"year": 2570, "start": "workbook", "file": SimpleUploadedFile("bad.xlsx", stream.getvalue())},
    )
    assert response.status_code == 200
    assert not Round.objects.filter(year=2570).exists()
    errors = response.context["workbook_errors"]
    assert [(e.sheet, e.row, e.column) for e in errors] == [("ด้าน", 4, "A"), ("ตัวชี้วัด", 2, "H")]
    html = page(response)
    assert "ยังไม่ได้สร้างรอบ" in html
    assert '<td>ตัวชี้วัด</td><td class="text-end">2</td><td>H</td>' in html


def test_file_that_is_not_a_workbook_is_refused_in_thai(client, official):
    client.force_login(official)
    response = client.post(
        reverse("assessments:round_create"),
        {"year": 2570, "start": "workbook", "file": SimpleUploadedFile("x.xlsx", b"not a workbook")},
    )
    assert response.status_code == 200
    assert "อ่านไฟล์ไม่ได้ ต้องเป็นไฟล์ Excel (.xlsx)" in page(response)
    assert not Round.objects.exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"year": 2569, "start": "empty"}, "year", "มีรอบการประเมินปี 2569 อยู่แล้ว"),
        ({"year": 2026, "start": "empty"}, "year", "ต้องเป็นปีพุทธศักราช"),
        ({"year": 2570, "start": "copy"}, "source", "เลือกรอบที่จะคัดลอก"),
        ({"year": 2570, "start": "workbook"}, "file", "เลือกไฟล์กรอบการประเมิน"),
    ],
)
def test_create_form_tells_what_to_fix(client, official, framework, data, field, message):
    client.force_login(official)
    response = client.post(reverse("assessments:round_create"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Round.objects.count() == 1


def test_provincial_admin_cannot_create_rounds(client, krabi_admin):
    client.force_login(krabi_admin)
    assert client.post(reverse("assessments:round_create"), {"year": 2570, "start": "empty"}).status_code == 404
    assert not Round.objects.exists()


# The framework page.


def test_framework_page_shows_the_tree_settings_and_full_marks_per_type(client, official, framework):
    client.force_login(official)
    response = client.get(framework.get_absolute_url())
    assert response.status_code == 200
    html = page(response)
    assert "การจัดทำแผนพัฒนาท้องถิ่น" in html and "การท่องเที่ยวชลบุรี" in html
    assert "1 ก.พ. 2569 – 31 มี.ค. 2569" in html  # windows in the Buddhist Era
    assert "ร้อยละ 70 ขึ้นไป" in html
    outline = response.context["outline"]
    totals = dict(outline.totals)
    # 1.1 (5) for everyone, 1.2 (5) for อบจ. only; provincial indicators are not in the totals.
    assert (totals["อบจ."], totals["อบต."]) == (Decimal(10), Decimal(5))
    assert outline.indicator_count == 4


def test_provincial_user_sees_own_provinces_indicators_only(client, krabi_admin, framework):
    client.force_login(krabi_admin)
    html = page(client.get(framework.get_absolute_url()))
    assert "การท่องเที่ยวกระบี่" in html
    assert "การท่องเที่ยวชลบุรี" not in html
    assert reverse("assessments:indicator_edit", args=[2569, "2.1"]) in html
    assert reverse("assessments:indicator_edit", args=[2569, "1.1"]) not in html
    assert reverse("assessments:round_settings", args=[2569]) not in html


def test_framework_page_query_count_does_not_grow_with_indicators(
    client, official, framework, django_assert_num_queries
):
    client.force_login(official)
    client.get(framework.get_absolute_url())  # warm the session
    category = framework.dimensions.get(number=1).categories.get()
    for n in range(20):
        IndicatorFactory(category=category, code=f"1.{n + 10}", kind=Indicator.Kind.FIGURE, options=[(5, 80), (3, 60)])
    # Session, user, roles, round, corrections, dimensions, categories, indicators, options,
    # assessment count, the year before (none here: no comparison), bands, the menu's unread
    # notifications.
    with django_assert_num_queries(13):
        response = client.get(framework.get_absolute_url())
    assert response.context["outline"].indicator_count == 24


# Settings.


def test_department_changes_windows_pass_mark_and_bands_in_setup(client, official, framework):
    client.force_login(official)
    data = settings_data(
        framework,
        pass_mark="72.5",
        review_opens="01/06/2569",
        review_closes="15/09/2569",
        **{"bands-3-label": "พอใช้", "bands-3-min_percent": "72.5", "bands-2-DELETE": "on"},
    )
    response = client.post(reverse("assessments:round_settings", args=[2569]), data)
    assert response.status_code == 302
    framework.refresh_from_db()
    assert framework.pass_mark == Decimal("72.5")
    assert (framework.review_opens.isoformat(), framework.review_closes.isoformat()) == ("2026-06-01", "2026-09-15")
    assert [b.label for b in framework.bands.all()] == ["ดีเด่น", "ดีมาก", "พอใช้"]
    assert not FrameworkCorrection.objects.exists()


def test_settings_show_dates_in_the_buddhist_era(client, official, framework):
    client.force_login(official)
    html = page(client.get(reverse("assessments:round_settings", args=[2569])))
    assert 'value="01/02/2569"' in html


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"review_opens": "2026-06-01"}, "review_opens", "ใส่วันที่แบบ วว/ดด/ปปปป"),
        ({"review_opens": "01/06/2026"}, "review_opens", "ใส่ปีเป็นพุทธศักราช"),
        ({"review_opens": "31/02/2569"}, "review_opens", "ไม่มีวันที่นี้ในปฏิทิน"),
        ({"review_opens": "01/03/2569"}, "review_opens", "วันเริ่มการตรวจประเมินต้องไม่ก่อนวันปิดการประเมินตนเอง"),
        ({"pass_mark": "101"}, "pass_mark", "น้อยกว่าหรือเท่ากับ 100"),
        ({"pass_mark": "70.123"}, "pass_mark", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
    ],
)
def test_bad_settings_get_a_thai_message(client, official, framework, changes, field, message):
    client.force_login(official)
    response = client.post(reverse("assessments:round_settings", args=[2569]), settings_data(framework, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_emptied_band_row_is_removed(client, official, framework):
    client.force_login(official)
    data = settings_data(framework, **{"bands-2-label": "", "bands-2-min_percent": ""})
    response = client.post(reverse("assessments:round_settings", args=[2569]), data)
    assert response.status_code == 302
    assert [b.label for b in framework.bands.all()] == ["ดีเด่น", "ดีมาก"]


def test_duplicate_band_is_refused(client, official, framework):
    client.force_login(official)
    data = settings_data(framework, **{"bands-3-label": "ดีเด่น", "bands-3-min_percent": "95"})
    response = client.post(reverse("assessments:round_settings", args=[2569]), data)
    assert response.status_code == 200
    assert "ต้องไม่ซ้ำกัน" in page(response)
    assert framework.bands.count() == 3


def test_pass_mark_change_after_opening_needs_a_reason(client, official, opened):
    client.force_login(official)
    url = reverse("assessments:round_settings", args=[2569])
    response = client.post(url, settings_data(opened, pass_mark="75"))
    assert response.status_code == 200
    assert LOCKED in " ".join(response.context["form"].errors["reason"])
    opened.refresh_from_db()
    assert opened.pass_mark == Decimal(70)

    response = client.post(url, settings_data(opened, pass_mark="75", reason="มติคณะกรรมการ"))
    assert response.status_code == 302
    correction = FrameworkCorrection.objects.get()
    assert (correction.reason, correction.affected_assessments) == ("มติคณะกรรมการ", 3)
    assert correction.changes["pass_mark"] == {"before": "70.00", "after": "75.00"}


def test_year_is_fixed_once_the_round_opens(client, official, opened):
    client.force_login(official)
    response = client.post(reverse("assessments:round_settings", args=[2569]), settings_data(opened, year=2570))
    assert response.status_code == 302  # the disabled field keeps its value
    opened.refresh_from_db()
    assert opened.year == 2569


def test_year_may_change_in_setup(client, official, framework):
    client.force_login(official)
    response = client.post(reverse("assessments:round_settings", args=[2569]), settings_data(framework, year=2570))
    assert response.status_code == 302 and response["Location"] == reverse("assessments:round_detail", args=[2570])


def test_provincial_admin_gets_403_on_settings(client, krabi_admin, framework):
    client.force_login(krabi_admin)
    assert client.get(reverse("assessments:round_settings", args=[2569])).status_code == 403


# Opening.


def test_open_confirmation_shows_how_many_assessments_by_type(client, official, framework):
    client.force_login(official)
    response = client.get(reverse("assessments:round_open", args=[2569]))
    assert response.status_code == 200
    counts = dict(response.context["counts"])
    assert (counts["องค์การบริหารส่วนตำบล"], counts["องค์การบริหารส่วนจังหวัด"], response.context["total"]) == (2, 1, 3)
    assert framework.assessments.count() == 0  # GET changes nothing


def test_department_opens_the_round(client, official, framework):
    client.force_login(official)
    response = client.post(reverse("assessments:round_open", args=[2569]))
    assert response.status_code == 302
    framework.refresh_from_db()
    assert (framework.phase, framework.opened_by) == (Round.Phase.SELF_ASSESSMENT, official)
    assert Assessment.objects.filter(round=framework).count() == 3
    follow = client.get(response["Location"])
    assert "สร้างการประเมิน 3 รายการ" in page(follow)


def test_round_without_counted_indicators_is_refused_in_thai(client, official):
    round, (category,) = framework_with(RoundFactory(year=2570))
    IndicatorFactory(category=category, is_pilot=True)
    OrganizationFactory()
    client.force_login(official)
    response = client.post(reverse("assessments:round_open", args=[2570]))
    assert response.status_code == 200
    assert "ยังไม่มีตัวชี้วัดที่นับคะแนนในกรอบการประเมิน จึงเปิดรอบไม่ได้" in page(response)
    round.refresh_from_db()
    assert round.phase == Round.Phase.SETUP and not round.assessments.exists()


def test_open_page_warns_when_the_self_assessment_window_is_not_set(client, official):
    _round, (category,) = framework_with(
        RoundFactory(year=2570, self_assessment_opens=None, self_assessment_closes=None)
    )
    IndicatorFactory(category=category)
    client.force_login(official)
    html = page(client.get(reverse("assessments:round_open", args=[2570])))
    assert "ยังไม่ได้กำหนด วันเปิดการประเมินตนเอง, วันปิดการประเมินตนเอง" in html


def test_opening_twice_is_refused(client, official, opened):
    client.force_login(official)
    response = client.post(reverse("assessments:round_open", args=[2569]))
    assert response.status_code == 200
    assert "เปิดไปแล้ว" in page(response)
    assert opened.assessments.count() == 3


def test_provincial_admin_cannot_open(client, krabi_admin, framework):
    client.force_login(krabi_admin)
    assert client.post(reverse("assessments:round_open", args=[2569])).status_code == 403
    framework.refresh_from_db()
    assert framework.phase == Round.Phase.SETUP


def test_outsider_gets_404_for_a_round_that_does_not_exist(client, official):
    client.force_login(official)
    assert client.get(reverse("assessments:round_detail", args=[2999])).status_code == 404
