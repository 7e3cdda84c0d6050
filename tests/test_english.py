"""English mode, chosen with the language switch: names, dates, round titles and result bands
in English where the product writes them; what people typed (names, custom titles) as typed."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from accounts.models import Role
from assessments.models import Round
from core.templatetags.thai_dates import thai_date, thai_datetime
from organizations.models import Organization
from tests.assessments.factories import RoundFactory
from tests.factories import user_with_role


def test_type_and_name_are_joined_with_a_space_in_english():
    town = Organization(name="กระบี่", type=Organization.Type.TOWN_MUNICIPALITY)
    with translation.override("en"):
        assert town.full_name == "Town Municipality กระบี่"
    with translation.override("th"):
        assert town.full_name == "เทศบาลเมืองกระบี่"  # Thai writes them as one word


def test_pattaya_keeps_its_name_in_english():
    with translation.override("en"):
        assert Organization(name="เมืองพัทยา", type=Organization.Type.PATTAYA).full_name == "เมืองพัทยา"


def test_english_dates_spell_the_month_in_english_and_keep_the_buddhist_era():
    day = datetime.date(2027, 2, 5)
    with translation.override("en"):
        assert thai_date(day) == "5 Feb 2570 BE"
        assert thai_date(day, "long") == "5 February 2570 BE"
        moment = datetime.datetime(2027, 2, 5, 7, 5, tzinfo=datetime.UTC)
        assert thai_datetime(moment) == "5 Feb 2570 BE 14:05"
    with translation.override("th"):
        assert thai_date(day) == "5 ก.พ. 2570"


@pytest.mark.django_db
def test_the_standard_round_title_is_translated_and_a_custom_one_kept():
    standard = Round(year=2569, title="การประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น (LPA) ประจำปี พ.ศ. 2569")
    untitled = Round(year=2569, title="")
    custom = Round(year=2569, title="รอบทดลองระบบ")
    with translation.override("en"):
        assert str(standard) == "Local Administrative Organization Performance Assessment (LPA), 2569 BE"
        assert str(untitled) == "Local Administrative Organization Performance Assessment (LPA), 2569 BE"
        assert str(custom) == "รอบทดลองระบบ"
    with translation.override("th"):
        assert str(standard) == "การประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น (LPA) ประจำปี พ.ศ. 2569"
        assert str(untitled) == "การประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น ประจำปี พ.ศ. 2569"


@pytest.mark.parametrize(
    "stored,english",
    [("ดีเด่น", "Excellent"), ("ดีมาก", "Very good"), ("ดี", "Good"), ("ผ่านเกณฑ์", "Passed"), ("ไม่ผ่านเกณฑ์", "Did not pass")],
)
def test_a_stored_result_band_is_shown_in_english(stored, english):
    template = Template("{{ band|translated }}")
    with translation.override("en"):
        assert template.render(Context({"band": stored})) == english
    with translation.override("th"):
        assert template.render(Context({"band": stored})) == stored


def test_a_band_the_catalogue_does_not_know_is_shown_as_typed():
    with translation.override("en"):
        assert Template("{{ band|translated }}").render(Context({"band": "ระดับพิเศษ"})) == "ระดับพิเศษ"


@pytest.mark.django_db
def test_round_page_in_english_shows_its_title_bands_and_dates_in_english(client):
    assessment_round = RoundFactory(year=2569, title="")
    client.force_login(user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    client.cookies["django_language"] = "en"  # as the language switch sets it
    html = client.get(assessment_round.get_absolute_url()).content.decode()
    assert "Local Administrative Organization Performance Assessment (LPA), 2569 BE" in html
    assert "Excellent ≥ 90 · Very good ≥ 80 · Good ≥ 70" in html
    assert "15 Jan 2569 BE" in html  # self-assessment opens
    assert "ดีเด่น" not in html and "ม.ค." not in html


@pytest.mark.django_db
def test_a_roles_reach_is_described_in_english():
    from organizations.models import Province

    national = Role(kind=Role.Kind.DEPARTMENT_OFFICIAL)
    provincial = Role(kind=Role.Kind.PROVINCIAL_ADMIN, province=Province.objects.get(code="81"))
    with translation.override("en"):
        assert national.scope_label == "Nationwide"
        assert provincial.scope_label == "กระบี่ Province"
    with translation.override("th"):
        assert national.scope_label == "ทั่วประเทศ"
        assert provincial.scope_label == "จังหวัดกระบี่"
