"""An organization's scorecard of a year: its own results beside its province's and
the country's, and how it changed since last year; and the drill-down to one indicator.

Pure builders: build_scorecard / build_indicator_detail return dataclasses
that the page, the workbook (build_scorecard_workbook) and the PDF (results/scorecard_pdf.py)
all show, so the three never disagree. Each takes a fixed number of queries whatever the
number of indicators and organizations.

Where the numbers come from:
- The organization's totals (overall and per dimension): its stored results (results.Result),
  which refresh_results keeps equal to the scoring engine.
- Each indicator's points: the engine (assessments/scoring.py) applied to the answer and the
  verified answer, so the rows explain the totals.
- The province's and the country's means: one aggregate query over stored results of the
  assessments whose review is finished (results.dashboard.RESULT_STATUSES, as the dashboards),
  never answers scored again. Seen by the organization itself they cover published results
  only (`published_only`): an average over results not yet published could give away another
  organization's score.
- Last year: the stored results of the same organization in the round of year − 1.

Who sees what (`verified_visible`, results.access.get_scorecard_for_user): before its results
are published the organization sees its self-assessed scores only, so every verified figure,
mean, rank and team's reason is left out of the scorecard itself, not merely hidden by the page.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from assessments import scoring
from assessments.models import Answer, Assessment, Indicator, Round
from core.spreadsheets import Column, Table, append_row, set_title
from core.templatetags.thai_dates import thai_datetime
from organizations.models import Organization
from results import dashboard
from results.models import OVERALL, Result
from results.scores import verified_for_engine
from reviews.models import VerifiedAnswer

PERCENT_FORMAT = "0.00"
POINTS_FORMAT = "0.##"
SUMMARY_SHEET = "สรุป"
INDICATOR_SHEET = "ตัวชี้วัด"
ABOUT_SHEET = "เกี่ยวกับรายงาน"
NOT_APPLICABLE = "N/A"


def comparison_statuses(published_only: bool) -> tuple[str, ...]:
    """The assessments others are compared with: finished reviews, or published ones only."""
    return Assessment.RESULT_STATUSES if published_only else dashboard.RESULT_STATUSES


@dataclass(frozen=True)
class Score:
    """One side (self-assessed or verified) of a dimension or of the overall, as stored."""

    points: Decimal
    full_marks: Decimal
    percent: Decimal | None
    band: str = ""  # overall only
    passed: bool | None = None  # overall only


@dataclass
class ScoreRow:
    """A dimension (number 1–5) or the overall (0): the organization, the means, last year."""

    number: int
    name: str
    own: Score | None = None
    verified: Score | None = None  # None: not visible, or nothing of it verified yet
    verified_indicators: int = 0
    indicators: int = 0
    province_mean: Decimal | None = None
    national_mean: Decimal | None = None
    province_count: int = 0
    national_count: int = 0
    last_self: Decimal | None = None
    last_verified: Decimal | None = None

    @property
    def self_change(self) -> Decimal | None:
        return _difference(self.own.percent if self.own else None, self.last_self)

    @property
    def verified_change(self) -> Decimal | None:
        return _difference(self.verified.percent if self.verified else None, self.last_verified)


@dataclass
class IndicatorRow:
    """One indicator: what the organization's answer and the team's result earn."""

    pk: int
    code: str
    title: str
    full_points: Decimal
    is_pilot: bool
    answered: bool
    self_points: Decimal | None  # None: not answered (counts 0)
    verified_points: Decimal | None  # None: not visible, or not verified yet
    not_applicable: bool = False  # the team confirmed the organization's "no such mission"
    # The organization claimed "no such mission": out of its self-assessed score (N/A there).
    self_not_applicable: bool = False
    differs: bool = False
    reason: str = ""  # the team's reason, where its result differs and is visible


@dataclass
class Section:
    row: ScoreRow
    indicators: list[IndicatorRow] = field(default_factory=list)
    # Whether the dimension is scored: it has a stored result, i.e. a non-pilot indicator for
    # the organization. A dimension of pilots only lists its pilots and has no score line.
    scored: bool = True


@dataclass
class Scorecard:
    assessment: Assessment
    round: Round
    organization: Organization
    org_name: str  # the name with the type the organization had that year
    verified_visible: bool
    review_finished: bool
    published_only: bool
    overall: ScoreRow
    sections: list[Section]
    province_rank: int | None = None
    province_ranked: int = 0
    national_rank: int | None = None
    national_ranked: int = 0
    last_year: int | None = None  # the year of last year's assessment, if the organization had one
    last_org_type: str = ""
    made_at: datetime.datetime | None = None

    @property
    def province(self):
        return self.organization.district.province

    @property
    def type_changed(self) -> bool:
        return bool(self.last_org_type) and self.last_org_type != self.assessment.org_type

    @property
    def last_type_label(self) -> str:
        return str(dict(Organization.Type.choices).get(self.last_org_type, self.last_org_type))

    @property
    def rows(self) -> list[ScoreRow]:
        """The scored dimensions then the overall, as the summary tables list them."""
        return [section.row for section in self.sections if section.scored] + [self.overall]


def build_scorecard(assessment: Assessment, *, verified_visible: bool, published_only: bool = False) -> Scorecard:
    """The scorecard of `assessment` in six queries; nine with the team's results and the means."""
    assessment_round = assessment.round
    organization = assessment.organization
    stored = {row.dimension: row for row in Result.objects.filter(assessment=assessment)}
    indicators = _indicators(assessment)
    names = {}
    for indicator in indicators:
        dimension = indicator.category.dimension
        names.setdefault(dimension.number, dimension.name)
    rows = {
        number: _score_row(number, names.get(number, ""), stored.get(number), verified_visible=verified_visible)
        for number in sorted(set(names) | set(stored) | {OVERALL})
    }
    card = Scorecard(
        assessment=assessment,
        round=assessment_round,
        organization=organization,
        org_name=Organization(name=organization.name, type=assessment.org_type).full_name,
        verified_visible=verified_visible,
        review_finished=assessment.status in dashboard.RESULT_STATUSES,
        published_only=published_only,
        overall=rows.pop(OVERALL),
        sections=[Section(row, scored=number in stored) for number, row in rows.items()],
        made_at=timezone.now(),
    )
    if verified_visible:
        _compare(card, published_only=published_only)
    _last_year(card, verified_visible=verified_visible, published_only=published_only)
    sections = {section.row.number: section for section in card.sections}
    for row in _indicator_rows(assessment, indicators, verified_visible=verified_visible):
        sections[row[0]].indicators.append(row[1])
    return card


def _score_row(number: int, name: str, stored: Result | None, *, verified_visible: bool) -> ScoreRow:
    row = ScoreRow(number=number, name=name if number else _("รวมทุกด้าน"))
    if stored is None:
        return row
    row.indicators, row.verified_indicators = stored.indicators, stored.verified_indicators
    row.own = Score(stored.self_points, stored.self_full_marks, stored.self_percent, stored.self_band, stored.self_passed)
    # Blank until something of it is verified, as in the results workbook: a 0 would read as a result.
    if verified_visible and stored.verified_indicators and stored.verified_percent is not None:
        row.verified = Score(
            stored.verified_points,
            stored.verified_full_marks,
            stored.verified_percent,
            stored.verified_band,
            stored.verified_passed,
        )
    return row


def _compare(card: Scorecard, *, published_only: bool) -> None:
    """The province's and the country's mean verified % per dimension, and the ranks, in one query."""
    in_province = Q(assessment__organization__district__province_id=card.organization.district.province_id)
    aggregates = {
        # Means: the exact mean of the reported figures, rounded once (scoring.mean_percent).
        "national": Sum("verified_percent"),
        "national_n": Count("pk"),
        "province": Sum("verified_percent", filter=in_province),
        "province_n": Count("pk", filter=in_province),
    }
    mine = card.overall.verified.percent if card.overall.verified and card.review_finished else None
    if published_only and card.assessment.status not in Assessment.RESULT_STATUSES:
        mine = None
    if mine is not None:
        above = Q(dimension=OVERALL, verified_percent__gt=mine)
        aggregates["national_above"] = Count("pk", filter=above)
        aggregates["province_above"] = Count("pk", filter=above & in_province)
    results = (
        Result.objects.filter(
            assessment__round=card.round,
            assessment__status__in=comparison_statuses(published_only),
            verified_percent__isnull=False,
        )
        .order_by()
        .values("dimension")
        .annotate(**aggregates)
    )
    rows = {row.number: row for row in card.rows}
    for found in results:
        row = rows.get(found["dimension"])
        if row is None:
            continue
        row.national_mean, row.national_count = scoring.mean_percent(found["national"], found["national_n"]), found["national_n"]
        row.province_mean, row.province_count = scoring.mean_percent(found["province"], found["province_n"]), found["province_n"]
        if row.number == OVERALL and mine is not None:
            card.national_rank, card.national_ranked = found["national_above"] + 1, found["national_n"]
            card.province_rank, card.province_ranked = found["province_above"] + 1, found["province_n"]


def _last_year(card: Scorecard, *, verified_visible: bool, published_only: bool) -> None:
    """Last year's stored results of the same organization (one query); its verified figures
    only where this year's are visible and last year's review was finished (published, for
    the organization itself)."""
    found = Result.objects.filter(
        assessment__organization=card.organization, assessment__round__year=card.round.year - 1
    ).values_list(
        "dimension",
        "self_percent",
        "verified_percent",
        "verified_indicators",
        "assessment__status",
        "assessment__org_type",
        "assessment__round__year",
    )
    rows = {row.number: row for row in card.rows}
    for number, self_percent, verified_percent, verified_count, status, org_type, year in found:
        card.last_year, card.last_org_type = year, org_type
        row = rows.get(number)
        if row is None:
            continue
        row.last_self = self_percent
        if verified_visible and verified_count and status in comparison_statuses(published_only):
            row.last_verified = verified_percent


def _indicators(assessment: Assessment) -> list[Indicator]:
    """The organization's indicators in framework order with their options (two queries)."""
    return list(
        Indicator.objects.for_assessment(assessment)
        .select_related("category__dimension", "province")
        .prefetch_related("options")
    )


def _indicator_rows(
    assessment: Assessment, indicators: list[Indicator], *, verified_visible: bool
) -> list[tuple[int, IndicatorRow]]:
    """Each indicator's points on both sides (four queries: answers and verified answers with
    their ticked criteria; two when the team's results are not visible)."""
    province = assessment.organization.district.province.code
    answers = _engine_answers(Answer, assessment, ("not_applicable", "answered_at", "indicator__kind"))
    verified = _engine_answers(VerifiedAnswer, assessment, ("na_confirmed", "reason")) if verified_visible else {}
    rows = []
    for indicator in indicators:
        spec = indicator.as_spec()
        own, checked = answers.get(indicator.pk), verified.get(indicator.pk)
        answered = own is not None and _answered(own)
        claimed = bool(own and own.extra["not_applicable"])
        row = IndicatorRow(
            pk=indicator.pk,
            code=indicator.code,
            title=indicator.title,
            full_points=spec.full_points,
            is_pilot=indicator.is_pilot,
            answered=answered,
            self_points=scoring.indicator_points(spec, own.answer) if answered else None,
            verified_points=None,
            self_not_applicable=claimed and spec.allows_not_applicable,
        )
        if checked is not None:
            answer = verified_for_engine(
                scoring.Answer(
                    level=checked.answer.level,
                    ticked=checked.answer.ticked,
                    figure=checked.answer.figure,
                    na_confirmed=bool(checked.extra["na_confirmed"]),
                ),
                claimed=claimed,
            )
            status = scoring.indicator_status(spec, answer, org_type=assessment.org_type, province=province)
            row.not_applicable = status == scoring.NOT_APPLICABLE
            row.verified_points = scoring.indicator_points(spec, answer)
            row.differs = row.not_applicable != claimed or row.verified_points != (row.self_points or scoring.ZERO)
            row.reason = checked.extra["reason"] if row.differs else ""
        rows.append((indicator.category.dimension.number, row))
    return rows


@dataclass
class _Given:
    answer: scoring.Answer
    extra: dict


def _engine_answers(model, assessment: Assessment, extra: tuple[str, ...]) -> dict[int, _Given]:
    """`model`'s rows of `assessment` (Answer or VerifiedAnswer) as the engine takes them, by
    indicator pk, with the `extra` fields beside (two queries)."""
    through = model.ticked.through
    owner = f"{model._meta.model_name}_id"
    ticked: dict[int, set[int]] = defaultdict(set)
    for row_id, option in through.objects.filter(**{f"{model._meta.model_name}__assessment": assessment}).values_list(
        owner, "indicatoroption_id"
    ):
        ticked[row_id].add(option)
    given = {}
    fields = ("pk", "indicator_id", "level_id", "figure", *extra)
    for values in model.objects.filter(assessment=assessment).order_by().values_list(*fields):
        row = dict(zip(fields, values))
        answer = scoring.Answer(
            level=row["level_id"],
            ticked=frozenset(ticked.get(row["pk"], ())),
            figure=row["figure"],
            not_applicable=bool(row.get("not_applicable")),
        )
        given[row["indicator_id"]] = _Given(answer, {name: row[name] for name in extra})
    return given


def _answered(given: _Given) -> bool:
    """As Answer.is_answered, from plain values."""
    if given.extra["not_applicable"]:
        return True
    kind = given.extra["indicator__kind"]
    if kind == scoring.LEVELS:
        return given.answer.level is not None
    if kind == scoring.FIGURE:
        return given.answer.figure is not None
    return given.extra["answered_at"] is not None


def _difference(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return None if now is None or before is None else now - before


# The workbook.


def build_scorecard_workbook(card: Scorecard) -> Workbook:
    """The scorecard as a workbook: สรุป (a row per dimension and the overall, beside the
    means and last year), ตัวชี้วัด (a row per indicator) and เกี่ยวกับรายงาน. Columns of the
    team's results are left out altogether when they are not visible."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY_SHEET
    _sheet(summary, _summary_columns(card), [_summary_values(card, row) for row in card.rows], title=_title(card))
    indicator_rows = [_indicator_values(card, section, row) for section in card.sections for row in section.indicators]
    _sheet(workbook.create_sheet(INDICATOR_SHEET), _indicator_columns(card), indicator_rows, title=_title(card))
    _about(workbook.create_sheet(ABOUT_SHEET), card)
    set_title(workbook, _title(card))
    return workbook


def _title(card: Scorecard) -> str:
    return f"ผลการประเมินประสิทธิภาพ ปี {card.round.year}: {card.org_name} (รหัส {card.organization.code})"


def _summary_columns(card: Scorecard) -> list[Column]:
    columns: list[Column] = [
        Column("ด้าน", 6),
        Column("ชื่อด้าน", 40),
        Column("คะแนนประเมินตนเอง", 12, POINTS_FORMAT),
        Column("คะแนนเต็ม", 10, POINTS_FORMAT),
        Column("ร้อยละ (ประเมินตนเอง)", 12, PERCENT_FORMAT),
    ]
    if card.verified_visible:
        columns += [
            Column("คะแนนที่ตรวจได้", 12, POINTS_FORMAT),
            Column("คะแนนเต็ม (ผลการตรวจ)", 12, POINTS_FORMAT),
            Column("ร้อยละ (ผลการตรวจ)", 12, PERCENT_FORMAT),
            Column("ร้อยละเฉลี่ยของจังหวัด", 12, PERCENT_FORMAT),
            Column("ร้อยละเฉลี่ยของประเทศ", 12, PERCENT_FORMAT),
        ]
    if card.last_year:
        columns += [Column(f"ร้อยละ ปี {card.last_year} (ประเมินตนเอง)", 14, PERCENT_FORMAT)]
        columns += [Column("เปลี่ยนแปลง (ประเมินตนเอง)", 12, PERCENT_FORMAT)]
        if card.verified_visible:
            columns += [Column(f"ร้อยละ ปี {card.last_year} (ผลการตรวจ)", 14, PERCENT_FORMAT)]
            columns += [Column("เปลี่ยนแปลง (ผลการตรวจ)", 12, PERCENT_FORMAT)]
    return columns


def _summary_values(card: Scorecard, row: ScoreRow) -> list:
    own = row.own
    values = [row.number or "รวม", row.name, *(_side(own))]
    if card.verified_visible:
        values += [*_side(row.verified), row.province_mean, row.national_mean]
    if card.last_year:
        values += [row.last_self, row.self_change]
        if card.verified_visible:
            values += [row.last_verified, row.verified_change]
    return values


def _side(score: Score | None) -> list:
    return [None, None, None] if score is None else [score.points, score.full_marks, score.percent]


def _indicator_columns(card: Scorecard) -> list[Column]:
    columns: list[Column] = [
        Column("รหัสตัวชี้วัด", 12),
        Column("ด้าน", 6),
        Column("ชื่อตัวชี้วัด", 60),
        Column("คะแนนเต็ม", 10, POINTS_FORMAT),
        Column("คะแนนประเมินตนเอง", 12, POINTS_FORMAT),
    ]
    if card.verified_visible:
        columns += [Column("คะแนนที่ตรวจได้", 12, POINTS_FORMAT), Column("เหตุผลของผู้ประเมิน", 50)]
    return columns + [Column("หมายเหตุ", 24)]


def _indicator_values(card: Scorecard, section: Section, row: IndicatorRow) -> list:
    values = [row.code, section.row.number, row.title, row.full_points, NOT_APPLICABLE if row.self_not_applicable else row.self_points]
    notes = []
    if row.is_pilot:
        notes.append("ตัวชี้วัดนำร่อง ไม่นับคะแนน")
    if not row.answered:
        notes.append("ยังไม่ได้ตอบ")
    if card.verified_visible:
        values += [NOT_APPLICABLE if row.not_applicable else row.verified_points, row.reason]
        if row.not_applicable:
            notes.append("ยืนยันว่าไม่มีภารกิจ ไม่นับคะแนน")
    return values + [" · ".join(notes) or None]


def _sheet(sheet, columns: list[Column], rows: list[list], *, title: str) -> None:
    """A title line, then a bold header row kept in view, the rows, and an autofilter."""
    table = Table(sheet, columns, title=title, frozen_columns=2)
    for values in rows:
        table.append(values)
    table.add_filter()


def _about(sheet, card: Scorecard) -> None:
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 30, 80
    organization = card.organization
    overall = card.overall
    facts = [
        ("อปท.", card.org_name),
        ("รหัส อปท.", organization.code),
        ("ประเภท (ในปีการประเมิน)", card.assessment.get_org_type_display()),
        ("อำเภอ", organization.district.name_th),
        ("จังหวัด", card.province.name_th),
        ("ปีการประเมิน (พ.ศ.)", card.round.year),
        ("สถานะการประเมิน", card.assessment.get_status_display()),
        ("เกณฑ์ผ่าน", f"ร้อยละ {format(card.round.pass_mark.normalize(), 'f')} ขึ้นไป"),
        ("ระดับ (ประเมินตนเอง)", (overall.own.band if overall.own else "") or "–"),
    ]
    if card.verified_visible:
        facts.append(("ระดับ (ผลการตรวจ)", (overall.verified.band if overall.verified else "") or "–"))
        if card.province_rank:
            facts.append(("อันดับในจังหวัด", f"{card.province_rank} จาก {card.province_ranked}"))
            facts.append(("อันดับในประเทศ", f"{card.national_rank} จาก {card.national_ranked}"))
    facts.append(("ส่งออกเมื่อ", thai_datetime(card.made_at)))
    append_row(sheet, [_title(card)])
    sheet["A1"].font = Font(bold=True, size=13)
    for label, value in facts:
        append_row(sheet, [label, value])
    sheet.append([])
    append_row(sheet, ["วิธีอ่าน"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for line in _reading_notes(card):
        append_row(sheet, ["", line])


def _reading_notes(card: Scorecard) -> list[str]:
    lines = [
        "ร้อยละแสดงทศนิยม 2 ตำแหน่ง ค่าที่เก็บมี 4 ตำแหน่ง ผ่าน/ไม่ผ่านและระดับตัดสินจากค่าที่เก็บ",
        "ร้อยละรวม = คะแนนรวมทุกด้าน ÷ คะแนนเต็มรวม × 100 (ไม่ใช่ค่าเฉลี่ยของร้อยละรายด้าน)",
        "คะแนนประเมินตนเองนับตัวชี้วัดที่แจ้งไม่มีภารกิจเป็น 0 จนกว่าผู้ประเมินจะยืนยัน ตัวชี้วัดนำร่องไม่นับคะแนน",
    ]
    if card.verified_visible:
        scope = "ที่ประกาศผลแล้ว" if card.published_only else "ที่ตรวจประเมินเสร็จแล้ว"
        lines.append(f"ร้อยละเฉลี่ยของจังหวัดและของประเทศ: ผลการตรวจประเมินของ อปท. {scope} ในปีเดียวกัน")
        lines.append(f"{NOT_APPLICABLE}: คณะผู้ประเมินยืนยันว่าไม่มีภารกิจ ไม่นับทั้งคะแนนที่ได้และคะแนนเต็ม")
    else:
        lines.append("ผลการตรวจประเมินจะแสดงเมื่อกรมส่งเสริมการปกครองท้องถิ่นประกาศผลแล้ว")
    if card.last_year:
        lines.append(f"เปลี่ยนแปลง = ร้อยละปี {card.round.year} − ร้อยละปี {card.last_year} (จุดร้อยละ)")
    return lines
