"""Charts as inline SVG built from numbers on the server, so a PDF prints them as the page shows them.

Pure functions: numbers in, markup out, no queries and no JavaScript. Each chart names
itself (<title> and aria-label) and lists its figures in <desc>; the page puts a table of
the same numbers beside it for anyone who would rather read.

What a reader sees at a glance: bars coloured by the result band their figure falls in (a
Banding: the round's bands and pass mark), a legend saying which colour is which band, the
pass mark drawn as a dashed line across the bars, labels whole (wrapped over as many lines
as they need, never cut), and, where two figures share a row (self-assessed and verified),
each bar named beside its value. Labels are measured with Sarabun's own advance widths
(the font the page and the PDF draw them in), so a line breaks where the font needs it to.
Marks never start a line: a line breaks between spaces, else between Thai characters with
their vowels and tone marks kept together.

Elements carry classes (bar, label, value, count, pass-mark, legend-entry) for tests and for
a stylesheet; colours and sizes are presentation attributes (fill=…, width=…), never
style="…" (the Content-Security-Policy refuses inline styles): each chart is drawn at its
natural width and the "lpa-chart" class of static/css/lpa.css lets a narrower box shrink it.

Fonts in the PDF: WeasyPrint draws SVG text with the fonts of the HTML document around it,
@font-face faces included, so the charts print in Sarabun when the page declares core.pdf's
PDF_FONT_FACES (templates/snippets/pdf_fonts.css). Text falls back to the system's fonts
(Loma, Kinnari, DejaVu Sans: Thai then breaks apart when copied) when the page declares
no Sarabun that core.pdf serves (the screen's woff2 web fonts are refused by its fetcher),
and for any character Sarabun lacks (÷ ✓ ● ▲): the charts write only characters it has.
Charts stay inline: core.pdf loads nothing but its fonts, so a chart as
<img src="data:image/svg+xml,…"> would not print at all.
"""

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont

from assessments.scoring import FAIL_LABEL, PASS_LABEL, BandSpec, band_for, round_percent
from core.pdf import FONTS

WIDTH = 640
# The phone's chart (compact=True): drawn at about its size on a 375 px screen, labels above
# their bars, so its text stays readable where a 640-wide chart would shrink to half.
COMPACT_WIDTH = 360
# The widest the label column grows; narrower when every label is shorter.
LABEL_WIDTH = 240
# Room kept right of the longest bar for its value (more when a value says more).
VALUE_WIDTH = 70
GAP = 8
FONT_SIZE = 12
LINE_HEIGHT = 15
BAR_HEIGHT = 14
ROW_PADDING = 8
# A legend line of the stacked bar.
ROW_HEIGHT = 22
FONT = f'font-family="Sarabun, Tahoma, sans-serif" font-size="{FONT_SIZE}"'
# A bar without bands; the previous-year or self-assessed bar is its outline.
BAR_COLOUR = "#0d6efd"
TEXT_COLOUR = "#212529"
MARK_COLOUR = "#212529"
WHITE = "#ffffff"
# Bands, best first (darkest green to palest), then a pass below every band and the fail.
# Lightness falls with the band, so a grey print keeps the order.
BAND_COLOURS = ("#14532d", "#2e9e5f", "#8fd3a8", "#c3e8cf", "#ddf2e3")
PASS_COLOUR = "#e6f5ea"
FAIL_COLOUR = "#dc3545"
# The means a scorecard sets beside an organization's own figure.
GREY = "#6c757d"
LIGHT_GREY = "#ced4da"
HISTOGRAM_HEIGHT = 180

# Series styles.
FILLED = "filled"  # in the band's colour (BAR_COLOUR without bands)
OUTLINED = "outlined"  # a white bar edged in the band's colour
MEAN = "mean"  # grey
OTHER_MEAN = "other-mean"  # light grey

# Thai characters that belong to the one before them (vowels above and below, tone marks,
# and the vowels that follow): a line never starts with one.
_FOLLOWERS = re.compile(r"[\u0e30-\u0e3a\u0e45-\u0e4e\u0e2f]")
# Leading vowels (เ แ โ ใ ไ) belong to the character after them.
_LEADERS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")


@dataclass
class Figure:
    """A chart and its title, which the page or the PDF prints above it (an SVG's own <title>
    is not drawn)."""

    title: str
    svg: str
    compact: str = ""  # the same chart drawn for a phone (compact=True); the PDFs print `svg`


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | float | int | None  # None: nothing to show (drawn as "–")
    note: str = ""  # after the value (say, a province's pass rate)


@dataclass(frozen=True)
class Pair:
    """Two values of one row drawn one above the other (self-assessed, then verified)."""

    label: str
    first: Decimal | float | int | None
    second: Decimal | float | int | None


@dataclass(frozen=True)
class Series:
    """One bar of every group: `label` in the legend, `short` before each of its values."""

    label: str
    style: str = FILLED
    short: str = ""


@dataclass(frozen=True)
class Group:
    """A row of the chart: its label and one value per series."""

    label: str
    values: tuple
    note: str = ""


@dataclass(frozen=True)
class Banding:
    """The round's pass mark and result bands: the colour a percentage is drawn in."""

    pass_mark: Decimal
    bands: tuple[BandSpec, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, pass_mark, band_specs) -> "Banding":
        return cls(pass_mark=Decimal(str(pass_mark)), bands=tuple(band_specs))

    @property
    def mark_label(self) -> str:
        return pass_mark_label(self.pass_mark)

    @property
    def ordered(self) -> list[BandSpec]:
        """The bands that start at or above the pass mark, best first."""
        return sorted(
            (band for band in self.bands if band.min_percent >= self.pass_mark),
            key=lambda band: band.min_percent,
            reverse=True,
        )

    def label_of(self, value) -> str | None:
        """The band of a figure as it is reported (two places, half up), as the tables judge it."""
        if value is None:
            return None
        return band_for(round_percent(Decimal(str(value))), pass_mark=Decimal(self.pass_mark), bands=self.bands)

    def colour(self, value) -> str:
        return self.colour_of_label(self.label_of(value))

    def colour_of_label(self, label: str | None) -> str:
        if label == FAIL_LABEL:
            return FAIL_COLOUR
        for index, band in enumerate(self.ordered):
            if band.label == label:
                return BAND_COLOURS[min(index, len(BAND_COLOURS) - 1)]
        return PASS_COLOUR if label == PASS_LABEL else GREY

    def keys(self) -> list[tuple[str, str]]:
        """(legend text, colour): each band with its range, best first; then the fail."""
        found = []
        upper = None
        for band in self.ordered:
            found.append((_band_range(band.label, band.min_percent, upper), self.colour_of_label(band.label)))
            upper = band.min_percent
        lowest = self.ordered[-1].min_percent if self.ordered else None
        if lowest is None or lowest > Decimal(self.pass_mark):
            found.append((_band_range(PASS_LABEL, Decimal(self.pass_mark), lowest), PASS_COLOUR))
        below = _("ต่ำกว่า %(mark)s") % {"mark": _plain(self.pass_mark)}
        found.append((f"{FAIL_LABEL} ({below})", FAIL_COLOUR))
        return found


def pass_mark_label(mark) -> str:
    """The pass mark's name in a legend: เกณฑ์ผ่าน ร้อยละ 70."""
    return _("เกณฑ์ผ่าน ร้อยละ %(mark)s") % {"mark": _plain(mark)}


def passed_note(passed: int | None, count: int) -> str:
    """After a group's mean: how many of its organizations passed."""
    if passed is None or not count:
        return ""
    return _("ผ่าน %(passed)s จาก %(count)s แห่ง") % {"passed": f"{passed:,}", "count": f"{count:,}"}


def _band_range(label: str, low: Decimal, upper: Decimal | None) -> str:
    high = "100" if upper is None else f"{Decimal(upper) - Decimal('0.01'):.2f}"
    return f"{label} ({_plain(low)}–{high})"


def _plain(value) -> str:
    """A threshold as written: 70, 72.5."""
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    maximum: Decimal | float = 100,
    unit: str = "%",
    mark: Decimal | float | None = None,
    mark_label: str = "",
    bands: Banding | None = None,
    compact: bool = False,
) -> SafeString:
    """One bar per row, scaled to `maximum`, coloured by `bands`; `mark` draws a dashed line
    across the bars (a pass mark) named `mark_label` in the legend."""
    return grouped_bars(
        [Group(bar.label, (bar.value,), bar.note) for bar in bars],
        title=title,
        series=[Series("")],
        maximum=maximum,
        unit=unit,
        mark=mark,
        mark_label=mark_label,
        bands=bands,
        compact=compact,
    )


def paired_bars(
    pairs: Sequence[Pair],
    *,
    title: str,
    first_label: str,
    second_label: str,
    maximum: Decimal | float = 100,
    unit: str = "%",
    bands: Banding | None = None,
    mark: Decimal | float | None = None,
    mark_label: str = "",
    first_style: str = OUTLINED,
    second_style: str = FILLED,
    compact: bool = False,
) -> SafeString:
    """Two bars per row (first above second), each named before its value and in the legend:
    self-assessed (an outline) above verified (filled), or this year above last."""
    return grouped_bars(
        [Group(pair.label, (pair.first, pair.second)) for pair in pairs],
        title=title,
        series=[Series(first_label, first_style, first_label), Series(second_label, second_style, second_label)],
        maximum=maximum,
        unit=unit,
        mark=mark,
        mark_label=mark_label,
        bands=bands,
        compact=compact,
    )


def grouped_bars(
    groups: Sequence[Group],
    *,
    title: str,
    series: Sequence[Series],
    maximum: Decimal | float = 100,
    unit: str = "%",
    mark: Decimal | float | None = None,
    mark_label: str = "",
    bands: Banding | None = None,
    compact: bool = False,
) -> SafeString:
    """A bar per series in each group, the group's label (wrapped) to their left; `compact`,
    on lines of its own above them."""
    labelled = len(series) > 1
    width = COMPACT_WIDTH if compact else WIDTH

    def value_text(index: int, value, group: Group) -> str:
        text = "–" if value is None else f"{_number(value)}{unit}"
        if labelled and series[index].short:
            text = f"{series[index].short} {text}"
        if group.note and index == len(series) - 1:
            text = f"{text} {group.note}"
        return text

    texts = [[value_text(index, value, group) for index, value in enumerate(group.values)] for group in groups]
    widest_label = max((text_width(group.label) for group in groups), default=0)
    label_width = 0 if compact else max(min(LABEL_WIDTH, math.ceil(widest_label) + GAP), 40)
    value_size = FONT_SIZE - 1 if labelled else FONT_SIZE
    widest_value = max((text_width(text, value_size) for row in texts for text in row), default=0)
    value_width = min(max(VALUE_WIDTH, math.ceil(widest_value) + GAP), width - label_width - 120)
    plot = width - label_width - value_width

    legend_items = [(_key(entry.style, bands), entry.label) for entry in series if labelled and entry.label]
    if bands is not None:
        legend_items += [(_swatch(colour), text) for text, colour in bands.keys()]
    if mark is not None and mark_label:
        legend_items.append((_mark_key(), mark_label))
    legend, top = _legend(legend_items, 4, width)

    bar_height = BAR_HEIGHT if len(series) == 1 else BAR_HEIGHT - 2
    slot = bar_height + 3
    rows = []
    y = top
    for group, row_texts in zip(groups, texts):
        lines = _wrap(group.label, width if compact else label_width - GAP)
        if compact:
            height = len(lines) * LINE_HEIGHT + 2 + len(series) * slot + ROW_PADDING
        else:
            height = max(len(lines) * LINE_HEIGHT, len(series) * slot) + ROW_PADDING
        rows.append((group, row_texts, lines, y, height))
        y += height
    height = y + 4
    descriptions = [f"{group.label}: {' '.join(row_texts)}" for group, row_texts, *_rest in rows]
    parts = [_open(title, height, "; ".join(descriptions), width), legend]
    for group, row_texts, lines, y, row_height in rows:
        if compact:
            parts.append(_lines(lines, 0, y + FONT_SIZE, anchor="start", css="label"))
            bars_top = y + len(lines) * LINE_HEIGHT + 2
            if mark is not None:
                # The mark across this row's bars only: a line through the labels would cross their text.
                x = _scale(mark, maximum, plot)
                parts.append(_mark_line(x, bars_top - 1, bars_top + len(series) * slot, mark_label))
        else:
            first_line = y + (row_height - len(lines) * LINE_HEIGHT) / 2 + FONT_SIZE
            parts.append(_lines(lines, label_width - GAP, first_line, anchor="end", css="label"))
            bars_top = y + (row_height - len(series) * slot) / 2
        for index, (entry, value, text) in enumerate(zip(series, group.values, row_texts)):
            bar_y = bars_top + index * slot
            baseline = _n(bar_y + bar_height - 2)
            length = Decimal(0) if value is None else _scale(value, maximum, plot)
            if value is not None:
                parts.append(_bar(entry.style, bands, value, label_width, bar_y, length, bar_height))
            parts.append(
                format_html(
                    '<text class="value" x="{}" y="{}" font-size="{}">{}</text>',
                    _n(label_width + length + 4),
                    baseline,
                    value_size,
                    text,
                )
            )
    # The mark last, over the bars, so every row shows which side of it its bar ends.
    if mark is not None and not compact:
        x = label_width + _scale(mark, maximum, plot)
        parts.append(_mark_line(x, top - 2, height - 2, mark_label))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def stacked_bar(
    segments: Sequence[Bar],
    *,
    title: str,
    fail_label: str = "",
    bands: Banding | None = None,
    compact: bool = False,
) -> SafeString:
    """One bar split into `segments` (counts), with a legend below: the band distribution.

    With `bands`, each segment is its band's colour (as in every other chart); without, the
    segment labelled `fail_label` is red and the others take the band colours in turn.
    """
    width = COMPACT_WIDTH if compact else WIDTH
    total = sum(segment.value or 0 for segment in segments)
    legend_rows = len(segments)
    height = 36 + ROW_HEIGHT * legend_rows
    if bands is not None:
        colours = [bands.colour_of_label(segment.label) for segment in segments]
    else:
        colours = [
            FAIL_COLOUR if segment.label == fail_label else BAND_COLOURS[index % len(BAND_COLOURS)]
            for index, segment in enumerate(segments)
        ]
    descriptions = []
    parts = []
    x = Decimal(0)
    if not total:
        parts.append(format_html('<rect x="0" y="4" width="{}" height="24" fill="#e9ecef"/>', width))
    for segment, colour in zip(segments, colours):
        if not segment.value or not total:
            continue
        length = Decimal(segment.value) * width / total
        parts.append(
            format_html(
                '<rect class="bar" x="{}" y="4" width="{}" height="24" fill="{}" stroke="{}" stroke-width="0.5">'
                "<title>{}: {}</title></rect>",
                _n(x),
                _n(length),
                colour,
                WHITE,
                segment.label,
                segment.value,
            )
        )
        x += length
    for row, (segment, colour) in enumerate(zip(segments, colours)):
        y = 36 + row * ROW_HEIGHT
        share = f" ({_number(Decimal(segment.value or 0) * 100 / total)}%)" if total else ""
        text = f"{segment.label}: {_number(segment.value or 0)}{share}"
        descriptions.append(text)
        parts.append(
            format_html(
                '<g class="legend-entry">{}<text x="18" y="{}">{}</text></g>',
                _swatch_at(colour, 0, y + 2),
                y + 12,
                text,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe(_open(title, height, "; ".join(descriptions), width) + "".join(parts))


def histogram(
    columns: Sequence[Bar],
    *,
    title: str,
    edges: Sequence[Decimal | float | int] | None = None,
    bands: Banding | None = None,
    mark: Decimal | float | None = None,
    mark_label: str = "",
    unit: str = "",
    compact: bool = False,
) -> SafeString:
    """Vertical columns of counts (a distribution: how many organizations in each range of
    scores), the count above each column, its range below and the total in the legend.

    `edges` are the ranges' inner bounds (len(columns) - 1 of them, the first range starting
    at 0): with `bands`, each column is the colour of the band its range starts in, and
    `mark` (the pass mark) is drawn where it falls between the ranges.
    """
    chart_width = COMPACT_WIDTH if compact else WIDTH
    total = sum(column.value or 0 for column in columns)
    legend_items = []
    if bands is not None and edges is not None:
        legend_items += [(_swatch(colour), text) for text, colour in bands.keys()]
    if mark is not None and mark_label and edges is not None:
        legend_items.append((_mark_key(), mark_label))
    legend_items.append((None, _("รวม %(n)s แห่ง") % {"n": _number(total)}))
    legend, legend_height = _legend(legend_items, 4, chart_width)
    slot = Decimal(chart_width) / max(len(columns), 1)
    range_lines = [_wrap(column.label, float(slot) - 4, size=10) for column in columns]
    bottom = 10 + 12 * max((len(lines) for lines in range_lines), default=1)
    top = legend_height + 18  # room for the counts above the columns
    height = top + HISTOGRAM_HEIGHT - 40 + bottom
    plot = height - top - bottom
    base = height - bottom
    width = slot * Decimal("0.8")
    highest = max((column.value or 0 for column in columns), default=0)
    lows = [Decimal(0), *(Decimal(str(edge)) for edge in edges)] if edges is not None else []
    descriptions = [f"{column.label}: {_number(column.value or 0)}{unit}" for column in columns]
    parts = [_open(title, height, "; ".join(descriptions), chart_width), legend]
    parts.append(format_html('<line x1="0" y1="{}" x2="{}" y2="{}" stroke="{}"/>', base, chart_width, base, GREY))
    for index, (column, lines) in enumerate(zip(columns, range_lines)):
        x = slot * index + (slot - width) / 2
        middle = slot * index + slot / 2
        count = column.value or 0
        length = _scale(count, highest, plot)
        colour = bands.colour(lows[index]) if bands is not None and index < len(lows) else BAR_COLOUR
        if count:
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _n(x),
                    _n(base - length),
                    _n(width),
                    _n(length),
                    colour,
                )
            )
        parts.append(
            format_html(
                '<text class="count" x="{}" y="{}" text-anchor="middle">{}</text>',
                _n(middle),
                _n(base - length - 4),
                _number(count),
            )
        )
        parts.append(_lines(lines, middle, base + 14, anchor="middle", css="range", size=10, line_height=12))
    if mark is not None and edges is not None:
        x = _histogram_position(Decimal(str(mark)), lows, slot)
        parts.append(_mark_line(x, top - 14, base, mark_label))
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def _histogram_position(mark: Decimal, lows: list[Decimal], slot: Decimal) -> Decimal:
    """Where `mark` falls on the range axis: its range's slot, in proportion inside it."""
    index = max(i for i, low in enumerate(lows) if low <= mark) if mark >= lows[0] else 0
    low = lows[index]
    high = lows[index + 1] if index + 1 < len(lows) else Decimal(100)
    share = (mark - low) / (high - low) if high > low else Decimal(0)
    return slot * index + slot * share


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """How wide Sarabun draws `text` at `size` px (its own advance widths; marks take none)."""
    widths = _advances()
    return sum(widths.get(char, 0.6) for char in text) * size


@functools.cache
def _advances() -> dict[str, float]:
    """Sarabun Regular's advance width of each character, in ems (read once)."""
    font = TTFont(FONTS / "Sarabun-Regular.ttf", lazy=True)
    units = font["head"].unitsPerEm
    metrics = font["hmtx"]
    return {chr(code): metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()}


def _wrap(text: str, width: float, *, size: int = FONT_SIZE) -> list[str]:
    """`text` in lines no wider than `width`: broken at spaces, a word too long for a line
    between its characters (marks kept with theirs). Joined, the lines are `text` again."""
    text = str(text)  # a lazy translation (a type's label) too
    lines: list[str] = []
    current = ""
    for word in re.findall(r"\S+\s*|\s+", text):
        if text_width((current + word).rstrip(), size) <= width:
            current += word
            continue
        if current:
            lines.append(current)
            current = ""
        if text_width(word.rstrip(), size) <= width:
            current = word
            continue
        for cluster in _clusters(word):
            if current and text_width((current + cluster).rstrip(), size) > width:
                lines.append(current)
                current = ""
            current += cluster
    if current or not lines:
        lines.append(current)
    return lines


def _clusters(word: str) -> list[str]:
    """The characters of `word`, each with the marks after it and the leading vowel before it."""
    clusters: list[str] = []
    leading = ""
    for char in word:
        if _FOLLOWERS.match(char) and clusters and not leading:
            clusters[-1] += char
        elif char in _LEADERS:
            leading += char
        else:
            clusters.append(leading + char)
            leading = ""
    if leading:
        clusters.append(leading)
    return clusters


def _lines(
    lines: list[str],
    x,
    first_baseline,
    *,
    anchor: str,
    css: str,
    size: int = FONT_SIZE,
    line_height: int = LINE_HEIGHT,
) -> SafeString:
    """A <text> of `lines`, one <tspan> each."""
    spans = "".join(
        format_html('<tspan x="{}" y="{}">{}</tspan>', _n(x), _n(first_baseline + index * line_height), line)
        for index, line in enumerate(lines)
    )
    size_attribute = f' font-size="{size}"' if size != FONT_SIZE else ""
    return format_html(
        '<text class="{}" text-anchor="{}"{}>{}</text>', css, anchor, mark_safe(size_attribute), mark_safe(spans)
    )


Key = Callable[[float, float], SafeString]


def _legend(items: list[tuple[Key | None, str]], top: int, width: int = WIDTH) -> tuple[SafeString, int]:
    """Legend entries (a key drawn at a place, and its text) in rows across the chart;
    returns the markup and the y below it."""
    if not items:
        return mark_safe(""), top
    parts = ['<g class="legend">']
    x, y = 0.0, float(top)
    for key, text in items:
        needed = (18 if key is not None else 0) + text_width(text) + 16
        if x and x + needed > width:
            x, y = 0.0, y + LINE_HEIGHT + 3
        text_x = x + 18 if key is not None else x
        # The key first: an entry's key is its first child (an empty group for text alone).
        parts.append(
            format_html(
                '<g class="legend-entry">{}<text x="{}" y="{}">{}</text></g>',
                key(x, y + 1) if key is not None else mark_safe("<g/>"),
                _n(text_x),
                _n(y + 11),
                text,
            )
        )
        x += needed
    parts.append("</g>")
    return mark_safe("".join(parts)), int(y + LINE_HEIGHT + 8)


def _swatch_at(colour: str, x, y) -> SafeString:
    return format_html('<rect x="{}" y="{}" width="12" height="12" fill="{}"/>', _n(x), _n(y), colour)


def _swatch(colour: str) -> Key:
    return lambda x, y: _swatch_at(colour, x, y)


def _key(style: str, bands: Banding | None) -> Key:
    """A series' legend key: its style in a neutral colour when bands colour the bars."""
    colour = GREY if bands is not None else BAR_COLOUR
    if style == OUTLINED:
        return lambda x, y: format_html(
            '<rect x="{}" y="{}" width="10" height="10" fill="{}" stroke="{}" stroke-width="2"/>',
            _n(x + 1),
            _n(y + 1),
            WHITE,
            colour,
        )
    if style == FILLED and bands is not None:
        # Filled in whichever band's colour: a swatch of the band colours side by side.
        colours = [colour for _text, colour in bands.keys()]
        step = 12 / len(colours)
        return lambda x, y: mark_safe(
            "".join(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="12" fill="{}"/>', _n(x + step * i), _n(y), _n(step), colour
                )
                for i, colour in enumerate(colours)
            )
        )
    return _swatch({MEAN: GREY, OTHER_MEAN: LIGHT_GREY}.get(style, BAR_COLOUR))


def _mark_key() -> Key:
    return lambda x, y: format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" stroke-dasharray="3 2"/>',
        _n(x + 6),
        _n(y - 1),
        _n(x + 6),
        _n(y + 13),
        MARK_COLOUR,
    )


def _mark_line(x, y1, y2, label: str) -> SafeString:
    return format_html(
        '<line class="pass-mark" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
        'stroke-dasharray="4 3"><title>{}</title></line>',
        _n(x),
        _n(y1),
        _n(x),
        _n(y2),
        MARK_COLOUR,
        label,
    )


def _bar(style: str, bands: Banding | None, value, x, y, length, height) -> SafeString:
    colour = bands.colour(value) if bands is not None else BAR_COLOUR
    if style == OUTLINED:
        # Inside its box, so an outline is as long as a filled bar of the same value.
        return format_html(
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="2"/>',
            _n(x + 1),
            _n(y + 1),
            _n(max(length - 2, 0)),
            height - 3,
            WHITE,
            colour,
        )
    fill = {MEAN: GREY, OTHER_MEAN: LIGHT_GREY}.get(style, colour)
    return format_html(
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>', _n(x), _n(y), _n(length), height - 1, fill
    )


def _open(title: str, height, description: str = "", width: int = WIDTH) -> SafeString:
    desc = format_html("<desc>{}</desc>", description) if description else ""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="{}" class="lpa-chart" fill="{}" {}><title>{}</title>{}',
        title,
        width,
        _n(height),
        width,
        TEXT_COLOUR,
        mark_safe(FONT),
        title,
        desc,
    )


def _scale(value, maximum, plot) -> Decimal:
    if not maximum:
        return Decimal(0)
    share = min(max(Decimal(str(value)) / Decimal(str(maximum)), Decimal(0)), Decimal(1))
    return share * Decimal(str(plot))


def _n(value) -> str:
    """A coordinate: one decimal place is plenty."""
    return f"{Decimal(str(value)):.1f}"


def format_number(value) -> str:
    """As the charts write a figure: see _number."""
    return _number(value)


def _number(value) -> str:
    """A count with thousands separators; anything else to 2 places, rounded half up as the
    scoring engine and the tables beside the charts round (78.125 → 78.13)."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{round_percent(Decimal(str(value))):,.2f}"
