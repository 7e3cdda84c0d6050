"""The inline SVG charts: numbers in, named and escaped markup out, printed in Sarabun."""

import subprocess
from decimal import Decimal
from xml.etree import ElementTree

from django.template.loader import render_to_string

from core.pdf import PDF_FONT_FACES, render_pdf
from results.charts import (
    HISTOGRAM_HEIGHT,
    LABEL_WIDTH,
    VALUE_WIDTH,
    WIDTH,
    Bar,
    Pair,
    histogram,
    horizontal_bars,
    paired_bars,
    stacked_bar,
)

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


def test_values_are_rounded_half_up_as_the_tables_beside_them_and_counts_grouped():
    svg = parse(horizontal_bars([Bar("ก", Decimal("78.125"))], title="t"))
    assert [text.text for text in svg.iter(f"{SVG}text")][1] == "78.13%"
    svg = parse(stacked_bar([Bar("ดี", 1234), Bar("ไม่ผ่านเกณฑ์", 0)], title="t"))
    assert [text.text for text in svg.iter(f"{SVG}text")][0] == "ดี: 1,234 (100.00%)"


def test_paired_bars_draw_both_values_of_a_row_and_a_legend():
    svg = parse(
        paired_bars(
            [Pair("ด้านที่ 1", Decimal("80"), Decimal("40")), Pair("ด้านที่ 2", None, 100)],
            title="ประเมินตนเองกับผลการตรวจ",
            first_label="ประเมินตนเอง",
            second_label="ผลการตรวจ",
        )
    )
    assert svg.get("aria-label") == "ประเมินตนเองกับผลการตรวจ"
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts == ["ประเมินตนเอง", "ผลการตรวจ", "ด้านที่ 1", "80.00%", "40.00%", "ด้านที่ 2", "–", "100%"]
    bars = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")][2:]  # after the legend's keys
    assert bars[0] == 2 * bars[1] and bars[2] == WIDTH - LABEL_WIDTH - VALUE_WIDTH


def test_histogram_columns_are_scaled_to_the_largest_count():
    svg = parse(histogram([Bar("0–49.99", 2), Bar("50–100", 4), Bar("ว่าง", 0)], title="การกระจาย"))
    heights = [float(rect.get("height")) for rect in svg.iter(f"{SVG}rect")]
    assert len(heights) == 2 and heights[1] == 2 * heights[0]  # no column for an empty range
    assert heights[1] < HISTOGRAM_HEIGHT
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert texts == ["2", "0–49.99", "4", "50–100", "0", "ว่าง"]


def test_every_chart_prints_in_sarabun_and_its_thai_copies_back(tmp_path):
    """WeasyPrint draws SVG text with the page's @font-face fonts: with core.pdf's faces declared,
    no other font is embedded, and Thai (SARA AM included) extracts as written."""
    charts = [
        horizontal_bars([Bar("อำเภอเมืองอำนาจเจริญ", Decimal("66.42")), Bar("ไม่มีผล", None)], title="t", mark=70),
        stacked_bar([Bar("ดีเด่น", 3), Bar("ไม่ผ่านเกณฑ์", 1)], title="t", fail_label="ไม่ผ่านเกณฑ์"),
        paired_bars([Pair("ด้านการบริหารงานการคลัง", 70, 65)], title="t", first_label="ตนเอง", second_label="ตรวจ"),
        histogram([Bar("ตำบล 90–100", 7)], title="t"),
    ]
    css = render_to_string("snippets/pdf_fonts.css", {"font_faces": PDF_FONT_FACES})
    html = f'<html lang="th"><head><style>{css} body {{ font-family: "Sarabun"; }}</style></head><body>'
    path = tmp_path / "charts.pdf"
    path.write_bytes(render_pdf(html + "".join(charts) + "</body></html>"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert names and all(name.split("+")[-1].startswith("Sarabun") for name in names), names
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout
    labels = ("อำเภอเมืองอำนาจเจริญ", "66.42%", "ไม่ผ่านเกณฑ์: 1 (25.00%)", "ด้านการบริหารงานการคลัง", "ตำบล 90–100")
    for label in labels:
        assert label in text, label
