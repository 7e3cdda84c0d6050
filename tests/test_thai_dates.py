import datetime
import zoneinfo

from django.template import Context, Template

from core.templatetags.thai_dates import thai_date, thai_datetime


def test_date_is_written_in_the_buddhist_era():
    assert thai_date(datetime.date(2026, 11, 25)) == "25 พ.ย. 2569"


def test_long_style_spells_the_month():
    assert thai_date(datetime.date(2025, 10, 1), "long") == "1 ตุลาคม 2568"


def test_aware_datetime_is_shown_in_bangkok_time():
    # 20:30 UTC on 31 Dec 2025 is already 1 Jan 2026 (2569) in Bangkok.
    moment = datetime.datetime(2025, 12, 31, 20, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert thai_datetime(moment) == "1 ม.ค. 2569 03:30 น."


def test_empty_value_renders_nothing():
    assert thai_date(None) == ""


def test_filter_is_available_in_every_template_without_load():
    rendered = Template("{{ d|thai_date }}").render(Context({"d": datetime.date(2024, 2, 29)}))
    assert rendered == "29 ก.พ. 2567"
