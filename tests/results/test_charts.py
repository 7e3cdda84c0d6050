"""The inline SVG charts: numbers in, named and escaped markup out."""

from decimal import Decimal
from xml.etree import ElementTree

from results.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, Bar, horizontal_bars, stacked_bar

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))


def test_bars_are_scaled_to_the_maximum_and_named():
    svg = parse(
        horizontal_bars(
            [Bar("กระบี่", Decimal("50")), Bar("ชลบุรี", 100)], title="ร้อยละเฉลี่ย", mark=70, mark_label="เกณฑ์"
        )
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == "ร้อยละเฉลี่ย"
    assert svg.find(f"{SVG}title").text == "ร้อยละเฉลี่ย"
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert widths[1] == 2 * widths[0]
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts == ["กระบี่", "50.00%", "ชลบุรี", "100%"]
    assert svg.find(f"{SVG}line/{SVG}title").text == "เกณฑ์"


def test_a_missing_value_is_a_dash_and_values_beyond_the_scale_are_clipped():
    svg = parse(horizontal_bars([Bar("ก", None), Bar("ข", 150)], title="t"))
    assert [text.text for text in svg.iter(f"{SVG}text")][1] == "–"
    (rect,) = svg.iter(f"{SVG}rect")
    assert float(rect.get("width")) == WIDTH - LABEL_WIDTH - VALUE_WIDTH


def test_labels_are_escaped():
    markup = str(horizontal_bars([Bar("<script>alert(1)</script>", 10)], title='"><b>'))
    assert "<script>" not in markup and "<b>" not in markup
    parse(markup)


def test_stacked_bar_shares_and_legend():
    bands = [Bar("ดีเด่น", 1), Bar("ดี", 3), Bar("ไม่ผ่านเกณฑ์", 0)]
    svg = parse(stacked_bar(bands, title="ระดับ", fail_label="ไม่ผ่านเกณฑ์"))
    segments = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [float(rect.get("width")) for rect in segments] == [160.0, 480.0]
    legend = [text.text for text in svg.iter(f"{SVG}text")]
    assert legend == ["ดีเด่น: 1 (25.00%)", "ดี: 3 (75.00%)", "ไม่ผ่านเกณฑ์: 0 (0.00%)"]
    assert svg.get("aria-label") == "ระดับ"


def test_stacked_bar_with_nothing_to_count_is_an_empty_bar():
    svg = parse(stacked_bar([Bar("ดี", 0)], title="ระดับ"))
    assert [text.text for text in svg.iter(f"{SVG}text")] == ["ดี: 0"]
