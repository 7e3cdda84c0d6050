"""Charts as inline SVG built from numbers on the server, so a PDF prints them as the page shows them.

Pure functions: numbers in, markup out, no queries and no JavaScript. Each chart names
itself (<title> and aria-label); the page puts a table of the same numbers beside it for
screen readers and for anyone who would rather read.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | float | int | None  # None: nothing to show (drawn as "–")


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
                '<text x="18" y="{}">{}: {}{}</text>', y + 12, _clip(segment.label, 60), segment.value or 0, share
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
    return f"{Decimal(str(value)):.2f}" if not isinstance(value, int) else str(value)


def _clip(label: str, length: int = 30) -> str:
    """Long names (a province, a dimension) are cut short in the chart; the table has them whole."""
    return label if len(label) <= length else label[: length - 1] + "…"

