"""Charts as inline SVG built from numbers on the server, so a PDF prints them as the page shows them.

Pure functions: numbers in, markup out, no queries and no JavaScript. Each chart names
itself (<title> and aria-label); the page puts a table of the same numbers beside it for
screen readers and for anyone who would rather read.

Fonts in the PDF: WeasyPrint draws SVG text with the fonts of the HTML document around it,
@font-face faces included, so the charts print in Sarabun when the page declares core.pdf's
PDF_FONT_FACES (templates/snippets/pdf_fonts.css). Text falls back to the system's fonts
(Loma, Kinnari, DejaVu Sans: Thai then breaks apart when copied) when the page declares
no Sarabun that core.pdf serves (the screen's woff2 web fonts are refused by its fetcher),
and for any character Sarabun lacks (÷ ✓ ● ▲): the charts write only characters it has.
Charts stay inline: core.pdf loads nothing but its fonts, so a chart as
<img src="data:image/svg+xml,…"> would not print at all.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from assessments.scoring import round_percent

WIDTH = 640
LABEL_WIDTH = 240
VALUE_WIDTH = 70
ROW_HEIGHT = 22
BAR_HEIGHT = 14
FONT = 'font-family="Sarabun, Tahoma, sans-serif" font-size="12"'
BAR_COLOUR = "#0d6efd"
MARK_COLOUR = "#dc3545"
# Band segments, best band first; the last colour is the fail.
BAND_COLOURS = ("#198754", "#20c997", "#0dcaf0", "#ffc107", "#fd7e14", "#6f42c1", "#adb5bd")
FAIL_COLOUR = "#dc3545"
# The second bar of a pair (paired_bars): the verified score beside the self-assessed one.
SECOND_COLOUR = "#198754"
HISTOGRAM_HEIGHT = 180


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | float | int | None  # None: nothing to show (drawn as "–")


@dataclass(frozen=True)
class Pair:
    """Two values of one row drawn one above the other (self-assessed, then verified)."""

    label: str
    first: Decimal | float | int | None
    second: Decimal | float | int | None


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    maximum: Decimal | float = 100,
    unit: str = "%",
    mark: Decimal | float | None = None,
    mark_label: str = "",
) -> SafeString:
    """One bar per row, scaled to `maximum`; `mark` draws a vertical line (a pass mark)."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW_HEIGHT * max(len(bars), 1) + 8
    parts = [_open(title, height)]
    # The mark first: the bars and their values are painted over it, and stay readable.
    if mark is not None:
        x = LABEL_WIDTH + _scale(mark, maximum, plot)
        parts.append(
            format_html(
                '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="{}" stroke-dasharray="4 3"><title>{}</title></line>',
                _n(x),
                _n(x),
                height,
                MARK_COLOUR,
                mark_label,
            )
        )
    for row, bar in enumerate(bars):
        y = 4 + row * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2 + 4
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>', LABEL_WIDTH - 8, _n(middle), _clip(bar.label)
            )
        )
        if bar.value is None:
            parts.append(format_html('<text x="{}" y="{}">–</text>', LABEL_WIDTH + 4, _n(middle)))
            continue
        length = _scale(bar.value, maximum, plot)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                LABEL_WIDTH,
                _n(y + (ROW_HEIGHT - BAR_HEIGHT) / 2),
                _n(length),
                BAR_HEIGHT,
                BAR_COLOUR,
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}">{}{}</text>', _n(LABEL_WIDTH + length + 4), _n(middle), _number(bar.value), unit
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def stacked_bar(segments: Sequence[Bar], *, title: str, fail_label: str = "") -> SafeString:
    """One bar split into `segments` (counts), with a legend below: the band distribution.

    The segment labelled `fail_label` is drawn red whatever its place.
    """
    total = sum(segment.value or 0 for segment in segments)
    legend_rows = len(segments)
    height = 36 + ROW_HEIGHT * legend_rows
    parts = [_open(title, height)]
    x = Decimal(0)
    colours = [
        FAIL_COLOUR if segment.label == fail_label else BAND_COLOURS[index % (len(BAND_COLOURS) - 1)]
        for index, segment in enumerate(segments)
    ]
    if not total:
        parts.append(format_html('<rect x="0" y="4" width="{}" height="24" fill="#e9ecef"/>', WIDTH))
    for segment, colour in zip(segments, colours):
        if not segment.value or not total:
            continue
        length = Decimal(segment.value) * WIDTH / total
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="{}" height="24" fill="{}"><title>{}: {}</title></rect>',
                _n(x),
                _n(length),
                colour,
                segment.label,
                segment.value,
            )
        )
        x += length
    for row, (segment, colour) in enumerate(zip(segments, colours)):
        y = 36 + row * ROW_HEIGHT
        share = f" ({_number(Decimal(segment.value or 0) * 100 / total)}%)" if total else ""
        parts.append(format_html('<rect x="0" y="{}" width="12" height="12" fill="{}"/>', y + 2, colour))
        parts.append(
            format_html(
                '<text x="18" y="{}">{}: {}{}</text>',
                y + 12,
                _clip(segment.label, 60),
                _number(segment.value or 0),
                share,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def paired_bars(
    pairs: Sequence[Pair],
    *,
    title: str,
    first_label: str,
    second_label: str,
    maximum: Decimal | float = 100,
    unit: str = "%",
) -> SafeString:
    """Two bars per row (first above second) with a legend on top: self-assessed beside verified."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    half = BAR_HEIGHT  # each bar, with its value beside it
    row_height = 2 * half + 12
    top = ROW_HEIGHT + 4  # the legend's line
    height = top + row_height * max(len(pairs), 1) + 4
    parts = [_open(title, height)]
    for x, colour, label in ((0, BAR_COLOUR, first_label), (WIDTH // 2, SECOND_COLOUR, second_label)):
        parts.append(format_html('<rect x="{}" y="4" width="12" height="12" fill="{}"/>', x, colour))
        parts.append(format_html('<text x="{}" y="14">{}</text>', x + 18, _clip(label, 50)))
    for row, pair in enumerate(pairs):
        y = top + row * row_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                _n(y + row_height / 2 + 4),
                _clip(pair.label),
            )
        )
        for offset, colour, value in ((4, BAR_COLOUR, pair.first), (4 + half, SECOND_COLOUR, pair.second)):
            baseline = _n(y + offset + half - 2)
            if value is None:
                parts.append(format_html('<text x="{}" y="{}" font-size="10">–</text>', LABEL_WIDTH + 4, baseline))
                continue
            length = _scale(value, maximum, plot)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    LABEL_WIDTH,
                    _n(y + offset),
                    _n(length),
                    half - 1,
                    colour,
                )
            )
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10">{}{}</text>',
                    _n(LABEL_WIDTH + length + 4),
                    baseline,
                    _number(value),
                    unit,
                )
            )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def histogram(columns: Sequence[Bar], *, title: str) -> SafeString:
    """Vertical columns of counts (a distribution: how many organizations in each range of
    scores), the count above each column and its range below."""
    top, bottom = 18, 22  # room for the counts above and the ranges below
    plot = HISTOGRAM_HEIGHT - top - bottom
    slot = Decimal(WIDTH) / max(len(columns), 1)
    width = slot * Decimal("0.8")
    highest = max((column.value or 0 for column in columns), default=0)
    parts = [_open(title, HISTOGRAM_HEIGHT)]
    base = HISTOGRAM_HEIGHT - bottom
    parts.append(format_html('<line x1="0" y1="{}" x2="{}" y2="{}" stroke="#6c757d"/>', base, WIDTH, base))
    for index, column in enumerate(columns):
        x = slot * index + (slot - width) / 2
        middle = slot * index + slot / 2
        count = column.value or 0
        length = _scale(count, highest, plot)
        if count:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _n(x),
                    _n(base - length),
                    _n(width),
                    _n(length),
                    BAR_COLOUR,
                )
            )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>', _n(middle), _n(base - length - 4), _number(count)
            )
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="10">{}</text>',
                _n(middle),
                HISTOGRAM_HEIGHT - 6,
                _clip(column.label, 14),
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def _open(title: str, height: int) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="100%" style="max-width:{}px" {}><title>{}</title>',
        title,
        WIDTH,
        height,
        WIDTH,
        mark_safe(FONT),
        title,
    )


def _scale(value, maximum, plot: int) -> Decimal:
    if not maximum:
        return Decimal(0)
    share = min(max(Decimal(str(value)) / Decimal(str(maximum)), Decimal(0)), Decimal(1))
    return share * plot


def _n(value) -> str:
    """A coordinate: one decimal place is plenty."""
    return f"{Decimal(str(value)):.1f}"


def _number(value) -> str:
    """A count with thousands separators; anything else to 2 places, rounded half up as the
    scoring engine and the tables beside the charts round (78.125 → 78.13)."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{round_percent(Decimal(str(value))):,.2f}"


def _clip(label: str, length: int = 30) -> str:
    """Long names (a province, a dimension) are cut short in the chart; the table has them whole."""
    return label if len(label) <= length else label[: length - 1] + "…"

