"""The inline SVG charts: numbers in, named and escaped markup out, printed in Sarabun."""

import subprocess
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.template.loader import render_to_string

from assessments.scoring import BandSpec
from core.pdf import PDF_FONT_FACES, render_pdf
from results.charts import (
    COMPACT_WIDTH,
    HISTOGRAM_HEIGHT,
    LABEL_WIDTH,
    VALUE_WIDTH,
    WIDTH,
    Banding,
    Bar,
    Pair,
    histogram,
    horizontal_bars,
    paired_bars,
    stacked_bar,
    text_width,
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
    widths = [float(rect.get("width")) for rect in classed(svg, "bar")]
    assert widths[1] == 2 * widths[0]
    assert [whole_text(text) for text in classed(svg, "label")] == ["กระบี่", "ชลบุรี"]
    assert [whole_text(text) for text in classed(svg, "value")] == ["50.00%", "100%"]
    assert classed(svg, "pass-mark")[0].find(f"{SVG}title").text == "เกณฑ์"


def test_a_missing_value_is_a_dash_and_values_beyond_the_scale_are_clipped():
    svg = parse(horizontal_bars([Bar("ก", None), Bar("ข", 150)], title="t"))
    assert [text.text for text in classed(svg, "value")] == ["–", "150%"]
    (rect,) = classed(svg, "bar")
    # The longest bar leaves room for its value, and the label column is as wide as the labels need.
    assert float(rect.get("x")) + float(rect.get("width")) == WIDTH - VALUE_WIDTH
    assert float(rect.get("x")) < LABEL_WIDTH


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
    assert list(legend(svg)) == ["ประเมินตนเอง", "ผลการตรวจ"]
    assert [whole_text(text) for text in classed(svg, "label")] == ["ด้านที่ 1", "ด้านที่ 2"]
    values = [whole_text(text) for text in classed(svg, "value")]
    assert values == ["ประเมินตนเอง 80.00%", "ผลการตรวจ 40.00%", "ประเมินตนเอง –", "ผลการตรวจ 100%"]
    own, verified, full = classed(svg, "bar")
    # An outline is drawn inside its box: as long as a filled bar of the same value.
    assert float(own.get("width")) + 2 == 2 * float(verified.get("width"))
    assert float(full.get("width")) == pytest.approx(2.5 * float(verified.get("width")), abs=0.1)


def test_histogram_columns_are_scaled_to_the_largest_count():
    svg = parse(histogram([Bar("0–49.99", 2), Bar("50–100", 4), Bar("ว่าง", 0)], title="การกระจาย"))
    heights = [float(rect.get("height")) for rect in classed(svg, "bar")]
    assert len(heights) == 2 and heights[1] == 2 * heights[0]  # no column for an empty range
    assert heights[1] < HISTOGRAM_HEIGHT
    assert [text.text for text in classed(svg, "count")] == ["2", "4", "0"]
    assert [whole_text(text) for text in classed(svg, "range")] == ["0–49.99", "50–100", "ว่าง"]


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


# What a person reads at a glance (issue 14): colours by band with a legend, whole labels,
# the pass mark drawn, self and verified paired and named, a histogram that counts everyone.

BANDING = Banding(
    pass_mark=Decimal(70),
    bands=(BandSpec("ดี", Decimal(70)), BandSpec("ดีเด่น", Decimal(90)), BandSpec("ดีมาก", Decimal(80))),
)
PERSONNEL = "2. ด้านการบริหารงานบุคคลและกิจการสภา"


def classed(svg: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [element for element in svg.iter() if name in (element.get("class") or "").split()]


def whole_text(element: ElementTree.Element) -> str:
    return "".join(element.itertext())


def legend(svg: ElementTree.Element) -> dict[str, ElementTree.Element]:
    """Each legend entry's text → its key (a swatch or a line)."""
    return {whole_text(entry.find(f"{SVG}text")): entry[0] for entry in classed(svg, "legend-entry")}


def test_banding_names_each_band_with_its_range_best_first_and_the_fail_last():
    assert [label for label, _colour in BANDING.keys()] == [
        "ดีเด่น (90–100)",
        "ดีมาก (80–89.99)",
        "ดี (70–79.99)",
        "ไม่ผ่านเกณฑ์ (ต่ำกว่า 70)",
    ]
    # The colour is the band of the figure as reported (69.995 is reported 70.00: a pass).
    assert BANDING.colour(Decimal("69.995")) == BANDING.colour(70) != BANDING.colour(Decimal("69.99"))
    assert len({BANDING.colour(value) for value in (95, 85, 75, 10)}) == 4


def test_bars_are_coloured_by_band_and_the_legend_says_which_colour_is_which():
    values = {"ก": 95, "ข": 85, "ค": 75, "ง": 60}
    svg = parse(horizontal_bars([Bar(label, value) for label, value in values.items()], title="t", bands=BANDING))
    bars = classed(svg, "bar")
    assert [bar.get("fill") for bar in bars] == [BANDING.colour(value) for value in values.values()]
    keys = legend(svg)
    for label, colour in BANDING.keys():
        assert keys[label].get("fill") == colour
    assert len({bar.get("fill") for bar in bars}) == 4


def test_long_labels_wrap_whole_instead_of_being_cut():
    longest = "ตัวชี้วัดที่มีชื่อยาวมากเป็นพิเศษเพื่อทดสอบการตัดบรรทัดของป้ายชื่อในแผนภูมิแท่งแนวนอนของระบบ"
    svg = parse(horizontal_bars([Bar(PERSONNEL, 80), Bar(longest, 70)], title="t"))
    markup = str(horizontal_bars([Bar(PERSONNEL, 80), Bar(longest, 70)], title="t"))
    assert "…" not in markup
    labels = classed(svg, "label")
    assert [whole_text(label) for label in labels] == [PERSONNEL, longest]
    lines = labels[1].findall(f"{SVG}tspan")
    assert len(lines) > 1
    assert all(text_width(line.text) <= LABEL_WIDTH for line in lines)
    # A line never starts with a mark that belongs to the character before it.
    assert all(line.text[0] not in "ะาำิีึืุู่้๊๋็์ั" for line in lines)


def test_the_pass_mark_is_drawn_across_the_bars_and_named_in_the_legend():
    svg = parse(horizontal_bars([Bar("ก", 50), Bar("ข", 100)], title="t", mark=70, mark_label="เกณฑ์ผ่าน ร้อยละ 70"))
    (line,) = classed(svg, "pass-mark")
    bars = classed(svg, "bar")
    start = float(bars[0].get("x"))
    full = float(bars[1].get("width"))
    assert float(line.get("x1")) == pytest.approx(start + full * 0.7, abs=0.1)
    assert float(line.get("y1")) <= float(bars[0].get("y"))
    assert float(line.get("y2")) >= float(bars[1].get("y")) + float(bars[1].get("height"))
    assert "เกณฑ์ผ่าน ร้อยละ 70" in legend(svg)


def test_paired_bars_name_each_bar_and_tell_self_from_verified_in_the_legend():
    svg = parse(
        paired_bars(
            [Pair(PERSONNEL, Decimal("80"), Decimal("40"))],
            title="t",
            first_label="ประเมินตนเอง",
            second_label="ผลการตรวจ",
            bands=BANDING,
            mark=70,
            mark_label="เกณฑ์ผ่าน ร้อยละ 70",
        )
    )
    values = [whole_text(text) for text in classed(svg, "value")]
    assert values == ["ประเมินตนเอง 80.00%", "ผลการตรวจ 40.00%"]
    own, verified = classed(svg, "bar")
    # Self-assessed: an outline in its band's colour; verified: filled in its own band's.
    assert own.get("fill") == "#ffffff" and own.get("stroke") == BANDING.colour(80)
    assert verified.get("fill") == BANDING.colour(40)
    keys = legend(svg)
    assert keys["ประเมินตนเอง"].get("fill") == "#ffffff" and keys["ผลการตรวจ"].get("fill") != "#ffffff"
    assert whole_text(classed(svg, "label")[0]) == PERSONNEL


def test_histogram_counts_every_organization_once_coloured_by_band_with_the_pass_mark():
    counts = [1, 0, 2, 3, 4, 5]
    labels = ["ต่ำกว่า 50", "50–59.99", "60–69.99", "70–79.99", "80–89.99", "90–100"]
    svg = parse(
        histogram(
            [Bar(label, n) for label, n in zip(labels, counts)],
            title="t",
            edges=(50, 60, 70, 80, 90),
            bands=BANDING,
            mark=70,
            mark_label="เกณฑ์ผ่าน ร้อยละ 70",
        )
    )
    shown = [int(text.text) for text in classed(svg, "count")]
    assert shown == counts and sum(shown) == 15
    assert "รวม 15 แห่ง" in {whole_text(text) for text in svg.iter(f"{SVG}text")}
    columns = classed(svg, "bar")
    assert [column.get("fill") for column in columns] == [BANDING.colour(low) for low in (0, 60, 70, 80, 90)]
    (line,) = classed(svg, "pass-mark")
    # Between the 60–69.99 column and the 70–79.99 one.
    assert float(columns[1].get("x")) + float(columns[1].get("width")) < float(line.get("x1")) < float(
        columns[2].get("x")
    )
    assert "เกณฑ์ผ่าน ร้อยละ 70" in legend(svg)


def test_every_chart_describes_its_figures_for_screen_readers():
    svg = parse(horizontal_bars([Bar("กระบี่", Decimal("72.5"), note="ผ่าน 1 จาก 2 แห่ง")], title="t"))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}desc").text == "กระบี่: 72.50% ผ่าน 1 จาก 2 แห่ง"
    assert "กระบี่" in svg.find(f"{SVG}desc").text


def test_the_phones_chart_is_narrow_with_each_label_whole_above_its_bars():
    svg = parse(
        paired_bars(
            [Pair(PERSONNEL, 80, 40)],
            title="t",
            first_label="ประเมินตนเอง",
            second_label="ผลการตรวจ",
            bands=BANDING,
            mark=70,
            mark_label="เกณฑ์ผ่าน ร้อยละ 70",
            compact=True,
        )
    )
    assert svg.get("viewBox").split()[2] == str(COMPACT_WIDTH)
    (label,) = classed(svg, "label")
    assert whole_text(label) == PERSONNEL
    assert all(text_width(line.text) <= COMPACT_WIDTH for line in label.findall(f"{SVG}tspan"))
    first_line = float(label.find(f"{SVG}tspan").get("y"))
    bars = classed(svg, "bar")
    assert all(float(bar.get("x")) <= 1 and float(bar.get("y")) > first_line for bar in bars)
    assert all(float(value.get("x")) + text_width(whole_text(value), 11) <= COMPACT_WIDTH for value in classed(svg, "value"))
    (mark,) = classed(svg, "pass-mark")
    assert float(mark.get("y1")) > first_line  # across the bars, not through the label
    for chart in (
        histogram([Bar("ต่ำกว่า 50", 1), Bar("50–100", 2)], title="t", edges=(50,), bands=BANDING, compact=True),
        stacked_bar([Bar("ดีเด่น", 1)], title="t", bands=BANDING, compact=True),
    ):
        assert parse(chart).get("viewBox").split()[2] == str(COMPACT_WIDTH)
