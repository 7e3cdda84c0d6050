"""The scorecard as an A4 PDF, and its chart (the page shows the same one).

render_scorecard_pdf is a pure builder: the view only wraps the bytes. The
PDF goes through core.pdf.render_pdf (Sarabun embedded, Thai broken between words, copies right).
"""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from assessments.models import Assessment
from core.pdf import PDF_FONT_FACES, render_pdf
from results import charts
from results.scorecard import Score, Scorecard, build_scorecard

TEMPLATE = "results/pdf/scorecard.html"


def scorecard_chart(card: Scorecard) -> SafeString:
    """Per dimension and overall: the organization's verified % beside its province's and the
    country's means; before its results are visible, its self-assessed % alone."""
    bars = []
    for row in card.rows:
        label = _("ด้านที่ %(n)s") % {"n": row.number} if row.number else _("รวม")
        if card.verified_visible:
            bars += [
                charts.Bar(_("%(label)s · อปท. นี้") % {"label": label}, _percent(row.verified)),
                charts.Bar(_("%(label)s · เฉลี่ยจังหวัด") % {"label": label}, row.province_mean),
                charts.Bar(_("%(label)s · เฉลี่ยประเทศ") % {"label": label}, row.national_mean),
            ]
        else:
            bars.append(charts.Bar(label, _percent(row.own)))
    title = (
        _("ร้อยละของผลการตรวจประเมิน เทียบกับค่าเฉลี่ยของจังหวัดและของประเทศ")
        if card.verified_visible
        else _("ร้อยละของผลการประเมินตนเอง รายด้าน")
    )
    mark = card.round.pass_mark
    return charts.horizontal_bars(
        bars, title=title, mark=mark, mark_label=_("เกณฑ์ผ่าน ร้อยละ %(mark)s") % {"mark": mark}
    )


def _percent(score: Score | None) -> Decimal | None:
    return score.percent if score else None


def render_scorecard_html(card: Scorecard) -> str:
    return render_to_string(TEMPLATE, {"card": card, "chart": scorecard_chart(card), "font_faces": PDF_FONT_FACES})


def render_scorecard_pdf(assessment: Assessment, *, verified_visible: bool, published_only: bool = False) -> bytes:
    """The scorecard of `assessment` (see build_scorecard for the two flags) as an A4 PDF."""
    card = build_scorecard(assessment, verified_visible=verified_visible, published_only=published_only)
    return render_pdf(render_scorecard_html(card))
