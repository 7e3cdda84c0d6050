"""The scorecard as an A4 PDF, and its chart (the page shows the same one).

render_scorecard_pdf is a pure builder: the view only wraps the bytes. The
PDF goes through core.pdf.render_pdf (Sarabun embedded, Thai broken between words, copies right).
"""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from assessments.models import Assessment
from core.pdf import PDF_FONT_FACES, render_pdf
from results import charts
from results.scorecard import Score, Scorecard, build_scorecard

TEMPLATE = "results/pdf/scorecard.html"


def scorecard_chart(card: Scorecard) -> charts.Figure:
    """Per dimension (by its whole name) and overall: the organization's self-assessed %
    (an outline) and verified % (filled), each in its band's colour, then its province's and
    the country's means in greys; before its results are visible, its self-assessed % alone."""
    bands = charts.Banding.of(card.round.pass_mark, card.round.band_specs())
    labels = [f"{row.number}. {row.name}" if row.number else _("ภาพรวม") for row in card.rows]
    if card.verified_visible:
        title = _("ร้อยละของผลประเมินตนเองและผลการตรวจประเมิน เทียบกับค่าเฉลี่ยของจังหวัดและของประเทศ")
        series = [
            charts.Series(_("ประเมินตนเอง"), charts.OUTLINED, _("ประเมินตนเอง")),
            charts.Series(_("ผลการตรวจ"), charts.FILLED, _("ผลการตรวจ")),
            charts.Series(_("เฉลี่ยจังหวัด"), charts.MEAN, _("เฉลี่ยจังหวัด")),
            charts.Series(_("เฉลี่ยประเทศ"), charts.OTHER_MEAN, _("เฉลี่ยประเทศ")),
        ]
        groups = [
            charts.Group(label, (_percent(row.own), _percent(row.verified), row.province_mean, row.national_mean))
            for label, row in zip(labels, card.rows)
        ]
    else:
        title = _("ร้อยละของผลการประเมินตนเอง รายด้าน")
        series = [charts.Series("")]
        groups = [charts.Group(label, (_percent(row.own),)) for label, row in zip(labels, card.rows)]
    drawn = [
        charts.grouped_bars(
            groups,
            title=title,
            series=series,
            mark=bands.pass_mark,
            mark_label=bands.mark_label,
            bands=bands,
            compact=compact,
        )
        for compact in (False, True)
    ]
    return charts.Figure(title, *drawn)


def _percent(score: Score | None) -> Decimal | None:
    return score.percent if score else None


def render_scorecard_html(card: Scorecard) -> str:
    return render_to_string(TEMPLATE, {"card": card, "chart": scorecard_chart(card), "font_faces": PDF_FONT_FACES})


def render_scorecard_pdf(assessment: Assessment, *, verified_visible: bool, published_only: bool = False) -> bytes:
    """The scorecard of `assessment` (see build_scorecard for the two flags) as an A4 PDF."""
    card = build_scorecard(assessment, verified_visible=verified_visible, published_only=published_only)
    return render_pdf(render_scorecard_html(card))
