"""A review's results in words, for the pages and prints that show them beside the organization's
answers (assessments.printing.answer_lines)."""

from django.utils.translation import gettext as _

from assessments.models import Indicator
from assessments.printing import format_figure
from reviews.models import VerifiedAnswer


def verified_lines(indicator: Indicator, verified: VerifiedAnswer | None, *, claimed_na: bool) -> list[str]:
    """The team's result in words, a line per item, as answer_lines gives the organization's."""
    if verified is None:
        return [_("ยังไม่ได้ตรวจ")]
    if claimed_na and verified.na_confirmed:
        return [_("ยืนยันว่าไม่มีภารกิจ (ไม่นับตัวชี้วัดนี้)")]
    lines = [_("ไม่ยืนยันว่าไม่มีภารกิจ")] if claimed_na else []
    if indicator.kind == Indicator.Kind.LEVELS:
        level = verified.level
        lines.append(
            _("ระดับ %(position)s: %(label)s") % {"position": level.position, "label": level.label}
            if level
            else _("ไม่ได้ระดับใด")
        )
    elif indicator.kind == Indicator.Kind.FIGURE:
        figure = verified.figure
        lines.append(f"{format_figure(figure)} {indicator.unit}".strip() if figure is not None else "–")
    else:
        ticked = {option.pk for option in verified.ticked.all()}
        lines += [
            (_("ผ่าน – %(label)s") if option.pk in ticked else _("ไม่ผ่าน – %(label)s")) % {"label": option.label}
            for option in indicator.options.all()
        ]
    return lines
