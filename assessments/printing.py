"""The printable summary of a self-assessment: HTML for the print view, PDF through WeasyPrint.

Pure builders: the view or a management command wraps what they return.
The PDF is made by core.pdf (Sarabun embedded, Thai broken between words).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import scoring
from assessments.models import Answer, Assessment, AssessmentEvent, Dimension, Evidence, Indicator, ReturnedIndicator
from assessments.selfassessment import missing_items, self_assessed_score
from core.pdf import PDF_FONT_FACES, render_pdf
from core.templatetags.thai_dates import thai_date

TEMPLATE = "assessments/print/summary.html"
# The summary's rules, one file for both: the print view links it as a static file (the
# Content-Security-Policy refuses inline styles), the PDF carries it in its page (core.pdf
# fetches nothing but fonts).
STYLESHEET = Path(__file__).parent / "static" / "assessments" / "print.css"


@dataclass
class SummaryRow:
    indicator: Indicator
    answer: Answer | None
    answer_lines: list[str]
    result: scoring.IndicatorResult | None
    evidence: list[Evidence]
    flags: list[ReturnedIndicator]
    missing: list[str]


@dataclass
class SummaryDimension:
    dimension: Dimension
    rows: list[SummaryRow] = field(default_factory=list)
    score: scoring.DimensionScore | None = None


def summary_context(assessment: Assessment) -> dict[str, Any]:
    """Everything the summary template shows, loaded in a fixed number of queries."""
    assessment = (
        Assessment.objects.select_related("round", "organization__district__province", "submitted_by")
        .get(pk=assessment.pk)
    )
    score = self_assessed_score(assessment)
    results = {result.code: result for result in score.indicators}
    missing: dict[int, list[str]] = {}
    for item in missing_items(assessment):
        missing.setdefault(item.indicator.pk, []).append(item.message)
    dimensions: dict[int, SummaryDimension] = {}
    for indicator in Indicator.objects.for_assessment(assessment).with_answers(assessment):
        dimension = indicator.category.dimension
        block = dimensions.setdefault(dimension.pk, SummaryDimension(dimension, score=score.dimension(dimension.number)))
        answer = indicator.answer_rows[0] if indicator.answer_rows else None
        block.rows.append(
            SummaryRow(
                indicator=indicator,
                answer=answer,
                answer_lines=answer_lines(indicator, answer),
                result=results.get(indicator.code),
                evidence=list(answer.current_evidence) if answer else [],
                flags=indicator.open_flags,
                missing=missing.get(indicator.pk, []),
            )
        )
    return {
        "assessment": assessment,
        "round": assessment.round,
        "organization": assessment.organization,
        "dimensions": sorted(dimensions.values(), key=lambda block: block.dimension.number),
        "score": score,
        "percent": scoring.format_percent(score.percent),
        "missing_count": sum(len(messages) for messages in missing.values()),
        "deadline": assessment.deadline(),
        "events": [(event, event_details(event)) for event in assessment.events.milestones().select_related("by").order_by("at", "pk")],
        "printed_at": timezone.now(),
    }


def render_summary_html(assessment: Assessment, *, for_pdf: bool = False) -> str:
    """The summary page; the print view serves it as is (stylesheets and fonts from the static files)."""
    context = summary_context(assessment)
    context.update(for_pdf=for_pdf, font_faces=PDF_FONT_FACES if for_pdf else ())
    if for_pdf:
        context["stylesheet"] = STYLESHEET.read_text(encoding="utf-8")
    return render_to_string(TEMPLATE, context)


def render_summary_pdf(assessment: Assessment) -> bytes:
    """The summary as an A4 PDF with Sarabun embedded."""
    return render_pdf(render_summary_html(assessment, for_pdf=True))


def answer_lines(indicator: Indicator, answer: Answer | None) -> list[str]:
    """The organization's answer in words, a line per item."""
    if answer is None or not answer.is_answered:
        return [_("ยังไม่ได้ตอบ")]
    if answer.not_applicable:
        return [_("ไม่มีภารกิจ (รอผู้ประเมินยืนยัน): %(reason)s") % {"reason": answer.na_reason}]
    if indicator.kind == Indicator.Kind.LEVELS:
        return [_("ระดับ %(position)s: %(label)s") % {"position": answer.level.position, "label": answer.level.label}]
    if indicator.kind == Indicator.Kind.FIGURE:
        return [f"{format_figure(answer.figure)} {indicator.unit}".strip()]
    ticked = {option.pk for option in answer.ticked.all()}
    # In words rather than tick glyphs: Sarabun has none, and words read aloud.
    return [
        (_("ผ่าน – %(label)s") if option.pk in ticked else _("ไม่ผ่าน – %(label)s")) % {"label": option.label}
        for option in indicator.options.all()
    ]


def event_details(event: AssessmentEvent, *, scores: bool = False) -> list[str]:
    """What an event's data says, in words and Buddhist Era dates, then its note (reason).

    `scores`: whether to show the verified score of a "verified" event. The organization
    must not see it before publication, so the pages it reads leave it out (the default).
    """
    lines = event_facts(event, scores=scores)
    if event.kind in (AssessmentEvent.Kind.EVIDENCE_ADDED, AssessmentEvent.Kind.EVIDENCE_REMOVED) and lines:
        # These pages have no indicator column: name it before the file.
        lines[0] = f"{(event.data or {}).get('indicator', '')} {lines[0]}".strip()
    if event.note:
        lines.append(event.note)
    return lines


def event_facts(event: AssessmentEvent, *, scores: bool = False) -> list[str]:
    """event_details without the note, for pages that show the note in a column of its own."""
    Kind = AssessmentEvent.Kind
    data = event.data or {}
    if event.kind == Kind.RETURNED:
        lines = [f"{code}: {reason}" for code, reason in data.get("indicators", {}).items()]
        if data.get("due"):
            lines.append(_("กำหนดส่งผลที่แก้ไข: ภายในวันที่ %(date)s") % {"date": _long_date(data["due"])})
        return lines
    if event.kind == Kind.EXTENSION_GRANTED:
        lines = [_("ขยายถึงวันที่ %(date)s") % {"date": _long_date(data["until"])}]
        if data.get("previous_deadline"):
            lines.append(_("เดิมกำหนดส่งวันที่ %(date)s") % {"date": _long_date(data["previous_deadline"])})
        return lines
    if event.kind in (Kind.EVIDENCE_ADDED, Kind.EVIDENCE_REMOVED):
        return _evidence_lines(data)
    if event.kind == Kind.ASSIGNED:
        return _assignment_lines(data)
    if event.kind == Kind.SCORE_CHANGED:
        line = _points_change(data)
        return [line + (" " + _("(จากการพิจารณาอุทธรณ์)") if data.get("appeal") else "")]
    if event.kind == Kind.VERIFIED:
        if not scores or data.get("points") is None:
            return []
        return [
            _("คะแนนที่ตรวจได้ %(points)s คะแนน (ร้อยละ %(percent)s)")
            % {"points": _points(data.get("points")), "percent": _points(data.get("percent"))}
        ]
    if event.kind == Kind.APPEAL_OPENED:
        return [f"{code}: {argument}" for code, argument in data.get("indicators", {}).items()]
    if event.kind == Kind.APPEAL_ANSWERED:
        decisions = {"accepted": _("รับอุทธรณ์ (แก้ไขผลการตรวจ)"), "rejected": _("ยืนผลการตรวจเดิม")}
        return [
            decisions.get(data.get("decision"), data.get("decision") or ""),
            _points_change(data),
        ]
    if event.kind == Kind.PUBLISHED and data.get("after_appeal"):
        return [_("ประกาศอีกครั้งหลังพิจารณาอุทธรณ์ครบทุกตัวชี้วัด")]
    return []


def _long_date(value: str) -> str:
    return thai_date(datetime.date.fromisoformat(value), "long")


def _points_change(data: dict) -> str:
    return _("คะแนน %(before)s → %(after)s") % {"before": _points(data.get("from")), "after": _points(data.get("to"))}


def _points(value: str | None) -> str:
    """Points as the trail keeps them ("3.5"); None: nothing before (a first result)."""
    return "–" if value is None else str(value)


def _evidence_lines(data: dict) -> list[str]:
    """What was attached or removed: its name, and a file's size and SHA-256 or a link's address."""
    lines = [data.get("name", "")]
    if data.get("url"):
        lines.append(data["url"])
    if data.get("size") is not None:
        lines.append(_("ขนาด %(size)s") % {"size": filesizeformat(data["size"])})
    if data.get("sha256"):
        lines.append(f"SHA-256 {data['sha256']}")
    if data.get("appeal"):
        lines.append(_("หลักฐานประกอบการอุทธรณ์"))
    return lines


def _assignment_lines(data: dict) -> list[str]:
    if data.get("team") is None and data.get("previous_team"):
        return [_("นำออกจาก%(team)s") % {"team": data["previous_team"]}]
    lines = [_("คณะผู้ประเมิน: %(team)s") % {"team": data.get("team", "")}]
    if data.get("previous_team"):
        lines.append(_("ย้ายมาจาก%(team)s") % {"team": data["previous_team"]})
    if data.get("visit_on"):
        lines.append(_("วันที่ลงพื้นที่: %(date)s") % {"date": _long_date(data["visit_on"])})
    return lines


def format_figure(value: Decimal) -> str:
    """1250.5000 → 1,250.5; 100 → 100."""
    places = max(0, -value.normalize().as_tuple().exponent)
    return f"{value:,.{places}f}"
