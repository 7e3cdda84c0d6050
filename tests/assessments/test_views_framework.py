"""Editing the framework on the web: headings, indicators and their options, corrections,
and provincial indicators."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.models import Category, Dimension, FrameworkCorrection, Indicator
from organizations.models import Organization
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

LOCKED = "รอบการประเมินปี 2569 เปิดแล้ว การแก้ไขที่กระทบคะแนนต้องทำเป็นการแก้ไขกรอบการประเมิน"
ALL_TYPES = list(Organization.Type.values)


def page(response) -> str:
    return response.content.decode()


def indicator_data(indicator: Indicator | None = None, *, options: list[dict] | None = None, **fields) -> dict:
    """The indicator form as it comes filled in (from `indicator`), with `fields` changed."""
    data = {
        "category": "",
        "code": "",
        "position": "",
        "title": "",
        "description": "",
        "evidence_required": "",
        "kind": "levels",
        "unit": "",
        "all_or_nothing_points": "",
        "applies_to": ALL_TYPES,
        "province": "",
    }
    if indicator is not None:
        data.update(
            category=indicator.category_id,
            code=indicator.code,
            position=indicator.position,
            title=indicator.title,
            kind=indicator.kind,
            applies_to=indicator.applies_to,
            province=indicator.province.code if indicator.province_id else "",
            all_or_nothing_points=indicator.all_or_nothing_points or "",
        )
        if indicator.is_pilot:
            data["is_pilot"] = "on"
        if options is None:
            options = [
                {"label": o.label, "points": o.points, "threshold": "" if o.threshold is None else o.threshold}
                for o in indicator.options.all()
            ]
    data.update(fields)
    options = options or []
    initial = indicator.options.count() if indicator is not None else 0
    data.update(
        {
            "options-TOTAL_FORMS": max(len(options), initial),
            "options-INITIAL_FORMS": initial,
            "options-MIN_NUM_FORMS": 0,
            "options-MAX_NUM_FORMS": 1000,
        }
    )
    for n, option in enumerate(options):
        for name, value in option.items():
            data[f"options-{n}-{name}"] = value
    return {name: value for name, value in data.items() if value is not None}


def edit_url(code: str) -> str:
    return reverse("assessments:indicator_edit", args=[2569, code])


# Headings.


def test_department_adds_a_dimension_and_a_category(client, official, framework):
    client.force_login(official)
    response = client.post(reverse("assessments:dimension_add", args=[2569]), {"number": 3, "name": "ด้านการเงิน"})
    assert response.status_code == 302
    response = client.post(
        reverse("assessments:category_add", args=[2569, 3]),
        {"number": 1, "name": "การจัดหารายได้", "open_to_provinces": "on"},
    )
    assert response.status_code == 302
    category = Category.objects.get(dimension__round=framework, dimension__number=3)
    assert (category.name, category.open_to_provinces) == ("การจัดหารายได้", True)


def test_duplicate_heading_number_is_refused_in_thai(client, official, framework):
    client.force_login(official)
    response = client.post(reverse("assessments:dimension_add", args=[2569]), {"number": 1, "name": "ซ้ำ"})
    assert response.status_code == 200
    assert "มีด้านที่ 1 อยู่แล้วในรอบนี้" in page(response)


def test_department_renames_a_category(client, official, framework):
    client.force_login(official)
    response = client.post(
        reverse("assessments:category_edit", args=[2569, 2, 1]),
        {"number": 1, "name": "นโยบายของจังหวัด", "open_to_provinces": "on"},
    )
    assert response.status_code == 302
    assert Category.objects.get(dimension__round=framework, dimension__number=2).name == "นโยบายของจังหวัด"


def test_restructuring_headings_after_opening_shows_the_locked_message(client, official, opened):
    client.force_login(official)
    response = client.post(reverse("assessments:dimension_edit", args=[2569, 1]), {"number": 4, "name": "ด้านที่ 1"})
    assert response.status_code == 200
    assert LOCKED in page(response)
    assert Dimension.objects.filter(round=opened, number=1).exists()
    response = client.post(reverse("assessments:dimension_add", args=[2569]), {"number": 3, "name": "ใหม่"})
    assert response.status_code == 200 and LOCKED in page(response)


def test_renaming_a_heading_after_opening_is_allowed(client, official, opened):
    client.force_login(official)
    response = client.post(
        reverse("assessments:dimension_edit", args=[2569, 1]), {"number": 1, "name": "ด้านการบริหารจัดการ"}
    )
    assert response.status_code == 302
    assert Dimension.objects.get(round=opened, number=1).name == "ด้านการบริหารจัดการ"


def test_provincial_admin_gets_403_on_headings(client, krabi_admin, framework):
    client.force_login(krabi_admin)
    assert client.get(reverse("assessments:dimension_edit", args=[2569, 1])).status_code == 403
    assert client.get(reverse("assessments:category_add", args=[2569, 1])).status_code == 403


def test_heading_of_another_round_is_404(client, official, framework):
    client.force_login(official)
    assert client.get(reverse("assessments:dimension_edit", args=[2569, 5])).status_code == 404
    assert client.get(reverse("assessments:category_edit", args=[2569, 1, 9])).status_code == 404


# Indicators in set-up.


def test_department_adds_an_indicator_of_each_kind(client, official, framework):
    client.force_login(official)
    category = Category.objects.get(dimension__round=framework, dimension__number=1)
    cases = [
        ("1.3", "levels", {}, [{"label": "ไม่มี", "points": 0}, {"label": "มี", "points": 5}], Decimal(5)),
        ("1.4", "checklist", {}, [{"label": "ก", "points": 2}, {"label": "ข", "points": "1.5"}], Decimal("3.5")),
        (
            "1.5",
            "figure",
            {"unit": "ร้อยละ"},
            [{"label": "80 ขึ้นไป", "points": 5, "threshold": 80}, {"label": "60 ขึ้นไป", "points": 3, "threshold": 60}],
            Decimal(5),
        ),
        (
            "1.6",
            "all_or_nothing",
            {"all_or_nothing_points": 5, "applies_to": ["pao"]},
            [{"label": "ภาษีน้ำมัน", "points": ""}, {"label": "ภาษียาสูบ", "points": ""}],
            Decimal(5),
        ),
    ]
    for code, kind, fields, options, full in cases:
        data = indicator_data(
            category=category.pk, code=code, title=f"ตัวชี้วัด {code}", kind=kind, options=options, **fields
        )
        response = client.post(reverse("assessments:indicator_create", args=[2569]), data)
        assert response.status_code == 302, response.context["form"].errors or response.context["options"].errors
        indicator = Indicator.objects.get(round=framework, code=code)
        assert (indicator.kind, indicator.full_points, indicator.options.count()) == (kind, full, len(options))
    assert Indicator.objects.get(code="1.3").position == 3  # after 1.1 and 1.2
    assert Indicator.objects.get(code="1.6").applies_to == ["pao"]


def test_create_page_preselects_the_category(client, official, framework):
    category = Category.objects.get(dimension__round=framework, dimension__number=2)
    client.force_login(official)
    response = client.get(reverse("assessments:indicator_create", args=[2569]) + f"?category={category.pk}")
    assert response.status_code == 200
    assert response.context["form"]["category"].value() == str(category.pk)


@pytest.mark.parametrize(
    "fields, options, message",
    [
        ({"code": "1.1"}, [{"label": "ก", "points": 5}], "รหัสตัวชี้วัด 1.1 มีอยู่แล้วในรอบนี้"),
        ({"code": "1/3"}, [{"label": "ก", "points": 5}], "ใช้เครื่องหมาย / ไม่ได้"),
        ({"code": "1.3", "applies_to": []}, [{"label": "ก", "points": 5}], "อย่างน้อย 1 ประเภท"),
        ({"code": "1.3"}, [], "ต้องมีเกณฑ์การให้คะแนนอย่างน้อย 1 รายการ"),
        ({"code": "1.3", "kind": "figure"}, [{"label": "ก", "points": 5}], "ต้องระบุเกณฑ์ขั้นต่ำ"),
        ({"code": "1.3"}, [{"label": "ก", "points": 5, "threshold": 80}], "เกณฑ์ขั้นต่ำใช้เฉพาะวิธีให้คะแนนแบบค่าตัวเลข"),
        (
            {"code": "1.3", "kind": "figure"},
            [{"label": "ก", "points": 5, "threshold": 80}, {"label": "ข", "points": 3, "threshold": 80}],
            "เกณฑ์ขั้นต่ำของแต่ละช่วงต้องไม่ซ้ำกัน",
        ),
        ({"code": "1.3", "kind": "all_or_nothing"}, [{"label": "ก"}], "ระบุคะแนนเมื่อผ่านครบทุกรายการ"),
        (
            {"code": "1.3", "kind": "all_or_nothing", "all_or_nothing_points": 5},
            [{"label": "ก", "points": 1}],
            "ไม่มีคะแนนรายข้อ",
        ),
        ({"code": "1.3"}, [{"label": "ก", "points": "-1"}], "มากกว่าหรือเท่ากับ 0"),
        ({"code": "1.3"}, [{"label": "ก", "points": "abc"}], "ใส่ตัวเลข"),
        ({"code": "1.3", "province": "81"}, [{"label": "ก", "points": 5}], "หมวดที่เปิดให้จังหวัดเพิ่มตัวชี้วัด"),
    ],
)
def test_bad_indicator_input_gets_a_thai_message_and_nothing_is_saved(
    client, official, framework, fields, options, message
):
    category = Category.objects.get(dimension__round=framework, dimension__number=1)
    client.force_login(official)
    data = indicator_data(category=category.pk, title="ใหม่", options=options, **fields)
    response = client.post(reverse("assessments:indicator_create", args=[2569]), data)
    assert response.status_code == 200
    assert message in page(response)
    assert framework.indicators.count() == 4


def test_department_edits_points_and_options_in_setup(client, official, framework):
    indicator = framework.indicators.get(code="1.1")
    client.force_login(official)
    options = [{"label": "ระดับ 0", "points": 0}, {"label": "ระดับ 1", "points": 5}, {"label": "ระดับ 2", "points": 10}]
    response = client.post(edit_url("1.1"), indicator_data(indicator, options=options, title="แผนพัฒนา"))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:indicator_detail", args=[2569, "1.1"])
    indicator.refresh_from_db()
    assert (indicator.title, indicator.full_points, indicator.options.count()) == ("แผนพัฒนา", Decimal(10), 3)
    assert not FrameworkCorrection.objects.exists()


def test_options_can_be_deleted(client, official, framework):
    indicator = framework.indicators.get(code="1.1")  # six levels 0–5
    client.force_login(official)
    data = indicator_data(indicator)
    data["options-5-DELETE"] = "on"
    data["options-4-DELETE"] = "on"
    response = client.post(edit_url("1.1"), data)
    assert response.status_code == 302
    assert list(indicator.options.values_list("points", flat=True)) == [0, 1, 2, 3]


def test_edit_page_shows_the_indicator_as_it_is(client, official, framework):
    client.force_login(official)
    response = client.get(edit_url("2.1"))
    form, options = response.context["form"], response.context["options"]
    assert (form["code"].value(), form["title"].value(), form["province"].value()) == ("2.1", "การท่องเที่ยวกระบี่", "81")
    assert [o["points"].value() for o in options.initial_forms] == [0, 1, 2, 3, 4, 5]
    assert 'value="การท่องเที่ยวกระบี่"' in page(response)


def test_edit_page_is_labelled_for_screen_readers(client, official, framework):
    client.force_login(official)
    html = page(client.get(edit_url("1.1")))
    assert 'for="id_options-0-label"' in html and "ข้อความ แถวที่ 1" in html
    assert 'for="id_options-0-DELETE"' in html and "ลบแถวที่ 1" in html
    assert "<template data-empty-option>" in html


def test_indicator_detail_shows_options(client, krabi_assessor, opened):
    client.force_login(krabi_assessor)
    response = client.get(reverse("assessments:indicator_detail", args=[2569, "1.2"]))
    assert response.status_code == 200
    html = page(response)
    assert "นับตามรายการที่ผ่าน" in html and "อบจ." in html
    assert edit_url("1.2") not in html


def test_department_removes_an_indicator_in_setup(client, official, framework):
    client.force_login(official)
    assert client.get(reverse("assessments:indicator_remove", args=[2569, "1.2"])).status_code == 200
    assert framework.indicators.filter(code="1.2").exists()  # GET changes nothing
    response = client.post(reverse("assessments:indicator_remove", args=[2569, "1.2"]))
    assert response.status_code == 302
    assert not framework.indicators.filter(code="1.2").exists()
    assert not FrameworkCorrection.objects.exists()


# After opening: corrections.


def test_score_change_after_opening_without_reason_shows_the_locked_message(client, official, opened):
    indicator = opened.indicators.get(code="1.1")
    client.force_login(official)
    options = [{"label": f"ข้อ {n}", "points": n * 2} for n in range(6)]
    response = client.post(edit_url("1.1"), indicator_data(indicator, options=options))
    assert response.status_code == 200
    assert LOCKED in " ".join(response.context["form"].errors["reason"])
    assert indicator.full_points == Decimal(5)


def test_correction_with_a_reason_is_recorded_and_listed(client, official, opened):
    indicator = opened.indicators.get(code="1.1")
    client.force_login(official)
    options = [{"label": f"ข้อ {n}", "points": n * 2} for n in range(6)]
    response = client.post(edit_url("1.1"), indicator_data(indicator, options=options, reason="แก้คะแนนตามหนังสือสั่งการ"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.full_points == Decimal(10)
    correction = FrameworkCorrection.objects.get()
    assert (correction.made_by, correction.indicator_code, correction.affected_assessments) == (official, "1.1", 3)
    html = page(client.get(opened.get_absolute_url()))
    assert "แก้คะแนนตามหนังสือสั่งการ" in html
    assert "ข้อ 6 = 5.00" in html and "ข้อ 5 = 10.00" in html  # before → after
    assert str(official) in html


def test_wording_change_after_opening_needs_no_reason(client, official, opened):
    indicator = opened.indicators.get(code="1.1")
    client.force_login(official)
    response = client.post(edit_url("1.1"), indicator_data(indicator, title="ชื่อใหม่"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.title == "ชื่อใหม่"
    assert not FrameworkCorrection.objects.exists()


def test_correction_that_changes_nothing_is_refused_in_thai(client, official, opened):
    indicator = opened.indicators.get(code="1.1")
    client.force_login(official)
    response = client.post(edit_url("1.1"), indicator_data(indicator, reason="ไม่มีอะไร"))
    assert response.status_code == 200
    assert "ไม่มีสิ่งที่เปลี่ยนแปลง" in page(response)


def test_removing_after_opening_requires_a_reason_and_is_recorded(client, official, opened):
    client.force_login(official)
    url = reverse("assessments:indicator_remove", args=[2569, "1.2"])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "ต้องระบุเหตุผล" in page(response)
    assert opened.indicators.filter(code="1.2").exists()
    response = client.post(url, {"reason": "ยกเลิกตัวชี้วัด"})
    assert response.status_code == 302
    correction = FrameworkCorrection.objects.get()
    assert (correction.indicator, correction.indicator_code, correction.affected_assessments) == (None, "1.2", 1)
    assert "ยกเลิกตัวชี้วัด" in page(client.get(opened.get_absolute_url()))


def test_adding_after_opening_is_a_correction(client, official, opened):
    category = Category.objects.get(dimension__round=opened, dimension__number=1)
    client.force_login(official)
    data = indicator_data(category=category.pk, code="1.9", title="ใหม่", options=[{"label": "ก", "points": 5}])
    response = client.post(reverse("assessments:indicator_create", args=[2569]), data)
    assert response.status_code == 200 and LOCKED in page(response)
    response = client.post(reverse("assessments:indicator_create", args=[2569]), {**data, "reason": "เพิ่มตามมติ"})
    assert response.status_code == 302
    assert FrameworkCorrection.objects.get().affected_assessments == 3


def test_closed_round_refuses_edits_with_a_thai_message(client, official, opened):
    type(opened).objects.filter(pk=opened.pk).update(phase="closed")
    indicator = opened.indicators.get(code="1.1")
    client.force_login(official)
    response = client.post(edit_url("1.1"), indicator_data(indicator, title="ใหม่"))
    assert response.status_code == 200
    assert "ปิดแล้ว แก้ไขกรอบการประเมินไม่ได้" in page(response)


# Provincial indicators.


def test_provincial_admin_adds_an_indicator_for_own_province(client, krabi_admin, framework):
    category = Category.objects.get(dimension__round=framework, dimension__number=2)
    client.force_login(krabi_admin)
    form = client.get(reverse("assessments:indicator_create", args=[2569])).context["form"]
    assert list(form.fields["category"].queryset) == [category]  # only categories open to provinces
    assert [p.code for p in form.fields["province"].queryset] == ["81"]
    data = indicator_data(
        category=category.pk, code="2.3", title="ป่าชายเลน", province="81", options=[{"label": "ก", "points": 5}]
    )
    response = client.post(reverse("assessments:indicator_create", args=[2569]), data)
    assert response.status_code == 302
    assert Indicator.objects.get(code="2.3").province.code == "81"


def test_provincial_admin_cannot_add_for_another_province_or_a_closed_category(client, krabi_admin, framework):
    open_category = Category.objects.get(dimension__round=framework, dimension__number=2)
    closed_category = Category.objects.get(dimension__round=framework, dimension__number=1)
    client.force_login(krabi_admin)
    options = [{"label": "ก", "points": 5}]
    for category, province in ((open_category, "20"), (closed_category, "81"), (open_category, "")):
        data = indicator_data(category=category.pk, code="2.9", title="x", province=province, options=options)
        response = client.post(reverse("assessments:indicator_create", args=[2569]), data)
        assert response.status_code == 200
        assert "เลือกตัวเลือกที่ถูกต้อง" in page(response) or "ฟิลด์นี้จำเป็น" in page(response)
    assert not Indicator.objects.filter(code="2.9").exists()


def test_provincial_admin_edits_own_indicator(client, krabi_admin, framework):
    indicator = framework.indicators.get(code="2.1")
    client.force_login(krabi_admin)
    response = client.post(edit_url("2.1"), indicator_data(indicator, title="การท่องเที่ยวเชิงนิเวศ"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.title == "การท่องเที่ยวเชิงนิเวศ"


def test_provincial_admin_gets_403_on_national_and_404_on_other_provinces_indicators(client, krabi_admin, framework):
    client.force_login(krabi_admin)
    assert client.get(edit_url("1.1")).status_code == 403
    assert client.post(reverse("assessments:indicator_remove", args=[2569, "1.1"])).status_code == 403
    assert client.get(edit_url("2.2")).status_code == 404
    assert client.get(reverse("assessments:indicator_detail", args=[2569, "2.2"])).status_code == 404
    assert framework.indicators.count() == 4


def test_provincial_admin_may_not_change_scores_once_open(client, krabi_admin, opened):
    indicator = opened.indicators.get(code="2.1")
    client.force_login(krabi_admin)
    options = [{"label": "ก", "points": 10}]
    response = client.post(edit_url("2.1"), indicator_data(indicator, options=options))
    assert response.status_code == 200
    assert LOCKED in page(response)
    assert "reason" not in response.context["form"].fields
    response = client.post(reverse("assessments:indicator_remove", args=[2569, "2.1"]))
    assert response.status_code == 200 and LOCKED in page(response)
    assert opened.indicators.filter(code="2.1").exists()


def test_assessor_gets_403_on_edit_pages(client, krabi_assessor, opened):
    client.force_login(krabi_assessor)
    assert client.get(edit_url("2.1")).status_code == 403
    assert client.get(reverse("assessments:indicator_create", args=[2569])).status_code == 403


def test_organization_staff_gets_404_on_indicator_pages(client, opened):
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    assert client.get(reverse("assessments:indicator_detail", args=[2569, "1.1"])).status_code == 404
    assert client.get(edit_url("1.1")).status_code == 404


def test_imported_code_with_a_slash_still_has_its_pages(client, official, framework):
    Indicator.objects.filter(round=framework, code="1.2").update(code="1/2")
    client.force_login(official)
    url = reverse("assessments:indicator_edit", args=[2569, "1/2"])
    assert url == "/rounds/2569/indicators/1/2/edit/"
    assert client.get(framework.get_absolute_url()).status_code == 200
    assert client.get(url).context["indicator"].code == "1/2"
    assert client.get(reverse("assessments:indicator_detail", args=[2569, "1/2"])).status_code == 200
