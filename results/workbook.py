"""The per-dimension results workbook: the department's national report,
or one province's.

build_dimension_workbook is a pure builder: the view and the
`export_results_workbook` command both call it and only save what it returns.

Sheets, in order:
- สรุป: one row per organization: where it is, the assessment's status, each dimension's
  verified points, full marks and percentage, the overall ones with band and pass, and the
  self-assessed overall percentage beside them.
- ด้านที่ 1 … 5: one row per organization: each indicator's verified points (a column per
  indicator code, its title on a second header line), the dimension's points, full marks and
  percentage, and the overall band and pass.
- เกี่ยวกับรายงาน: year, scope, when the file was made (Buddhist Era), how to read the
  cells, and the indicators behind the column codes.

Every assessment of the round is listed, whatever its status, so the department sees who
has not been reviewed. What a cell holds:
- Verified points, full marks and percentage of a dimension (or overall) are blank until a
  team has verified at least one indicator of it: a 0 there would read as a result.
- An indicator's cell is blank when the indicator does not apply to the organization
  (another type in that year, another province's indicator) or has no verified result yet;
  "N/A" when the team confirmed the organization's "no such mission" (the indicator is out
  of both points and full marks); otherwise the points the scoring engine gives the team's
  answer. Pilot indicators ("นำร่อง" in the header) show their points but never count.
- Percentages are numbers with 4 decimal places shown as 0.00; pass and band are judged on
  the exact value, as everywhere (assessments/scoring.py).

Totals and percentages come from the stored results (results.Result); an indicator's points
from the engine applied to the verified answer, so a framework correction made after the
review shows here at once. Memory stays bounded at national scale (7,849 organizations ×
120 indicators): the workbook is written in write-only mode and the answers are read
CHUNK assessments at a time.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from assessments import scoring
from assessments.models import Answer, Assessment, Dimension, Indicator, Round
from core.spreadsheets import Column, Table, append_row, set_title
from core.templatetags.thai_dates import thai_datetime
from organizations.models import Organization, Province
from results.models import OVERALL, Result

# The engine's rule for a confirmed "not applicable" (only where the organization claimed one),
# shared with the stored results so both read a verified answer the same way.
from results.scores import verified_for_engine as verified_for_engine
from reviews.models import VerifiedAnswer

# Assessments read at a time: 500 × 120 verified answers and their ticked criteria.
CHUNK = 500
PERCENT_FORMAT = "0.00"
NOT_APPLICABLE = "N/A"
SUMMARY_SHEET = "สรุป"
ABOUT_SHEET = "เกี่ยวกับรายงาน"
PASSED, FAILED = "ผ่าน", "ไม่ผ่าน"

STATUS_LABELS = dict(Assessment.Status.choices)
TYPE_LABELS = dict(Organization.Type.choices)

# The columns every data sheet starts with: (header, width).
PLACE_COLUMNS = (
    ("รหัส อปท.", 10),
    ("ชื่อ อปท.", 34),
    ("ประเภท", 20),
    ("อำเภอ", 16),
    ("จังหวัด", 14),
    ("สถานะการประเมิน", 22),
)
POINTS_WIDTH, PERCENT_WIDTH, INDICATOR_WIDTH, BAND_WIDTH, COUNT_WIDTH = 11, 9, 9, 14, 10


@dataclass
class _Organization:
    """One assessment's row head: the same on every sheet."""

    assessment: int
    org_type: str
    province_code: str
    cells: list[Any]


class _Stored(NamedTuple):
    """The fields of a stored Result the workbook shows."""

    assessment: int
    dimension: int
    points: Decimal
    full_marks: Decimal
    percent: Decimal | None
    band: str
    passed: bool | None
    verified_indicators: int
    indicators: int
    self_percent: Decimal | None


RESULT_FIELDS = (
    "assessment_id",
    "dimension",
    "verified_points",
    "verified_full_marks",
    "verified_percent",
    "verified_band",
    "verified_passed",
    "verified_indicators",
    "indicators",
    "self_percent",
)


@dataclass
class _Chunk:
    """What CHUNK assessments need beyond their row heads."""

    results: dict[int, dict[int, _Stored]]  # assessment → dimension → stored result
    verified: dict[int, dict[int, Any]]  # assessment → indicator pk → cell value


def _sheet(workbook: Workbook, title: str, columns: list[Column], subheaders: list[Any] | None = None) -> Table:
    """A data sheet in write-only mode whose header rows and organization's code and name stay in view."""
    return Table(workbook.create_sheet(title), columns, frozen_columns=2, subheaders=subheaders)


def build_dimension_workbook(
    assessment_round: Round, *, province: Province | None = None, progress: Callable[[int, int], None] | None = None
) -> Workbook:
    """The results of `round` (of `province`'s organizations only, if given) as a workbook in
    write-only mode: save it once (`workbook.save(file)`); it cannot be read back.

    `progress(done, total)` is told the organizations written so far (a background export
    shows it); saving the file after the last one takes a few seconds more.
    """
    workbook = Workbook(write_only=True)
    total = _assessments(assessment_round, province).count() if progress else 0
    dimensions = list(assessment_round.dimensions.order_by("number"))
    indicators = _indicators(assessment_round, province)
    by_dimension: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        by_dimension[indicator.category.dimension.number].append(indicator)
    specs = {indicator.pk: indicator.as_spec() for indicator in indicators}

    summary = _sheet(workbook, SUMMARY_SHEET, _summary_columns(dimensions))
    sheets = {
        dimension.number: _sheet(
            workbook,
            f"ด้านที่ {dimension.number}",
            _dimension_columns(dimension, by_dimension),
            _indicator_titles(dimension, by_dimension),
        )
        for dimension in dimensions
    }
    count = 0
    for organizations in _chunks(_organizations(assessment_round, province), CHUNK):
        chunk = _load(organizations, specs)
        for organization in organizations:
            results = chunk.results.get(organization.assessment, {})
            verified = chunk.verified.get(organization.assessment, {})
            overall = results.get(OVERALL)
            summary.append(_summary_row(organization, dimensions, results))
            for dimension in dimensions:
                row = [*organization.cells]
                row += [verified.get(indicator.pk) for indicator in by_dimension[dimension.number]]
                row += _scores(results.get(dimension.number))
                row += [_band(overall), _passed(overall), *_counts(results.get(dimension.number))]
                sheets[dimension.number].append(row)
        count += len(organizations)
        if progress:
            progress(count, max(total, count))
    for sheet in (summary, *sheets.values()):
        sheet.add_filter()
    _about(workbook, assessment_round, province, dimensions, indicators, count)
    scope = f"จังหวัด{province.name_th}" if province else "ทั้งประเทศ"
    set_title(workbook, f"ผลการประเมินประสิทธิภาพของ อปท. ปี {assessment_round.year} รายด้าน ({scope})")
    return workbook


def _indicators(assessment_round: Round, province: Province | None) -> list[Indicator]:
    """The round's indicators in framework order; for a province, the national ones and its own."""
    indicators = assessment_round.indicators.select_related("category__dimension", "province").prefetch_related("options")
    if province is not None:
        indicators = indicators.filter(Q(province__isnull=True) | Q(province=province))
    return list(indicators)


def _summary_columns(dimensions: list[Dimension]) -> list[Column]:
    columns = [Column(header, width) for header, width in PLACE_COLUMNS]
    for dimension in dimensions:
        columns += _score_columns(f"ด้านที่ {dimension.number} ")
    columns += _score_columns("รวม ")
    columns += [
        Column("ระดับผลการประเมิน", BAND_WIDTH),
        Column("ผลการประเมิน", COUNT_WIDTH),
        Column("ร้อยละ (ประเมินตนเอง)", PERCENT_WIDTH + 2, PERCENT_FORMAT),
        Column("ตัวชี้วัดที่ตรวจแล้ว", COUNT_WIDTH),
        Column("ตัวชี้วัดที่นับคะแนน", COUNT_WIDTH),
    ]
    return columns


def _dimension_columns(dimension: Dimension, by_dimension: dict[int, list[Indicator]]) -> list[Column]:
    columns = [Column(header, width) for header, width in PLACE_COLUMNS]
    columns += [
        Column(f"{indicator.code} (นำร่อง)" if indicator.is_pilot else indicator.code, INDICATOR_WIDTH)
        for indicator in by_dimension[dimension.number]
    ]
    columns += _score_columns(f"ด้านที่ {dimension.number} ")
    columns += [
        Column("ระดับผลการประเมิน (รวม)", BAND_WIDTH),
        Column("ผลการประเมิน (รวม)", COUNT_WIDTH),
        Column("ตัวชี้วัดที่ตรวจแล้ว", COUNT_WIDTH),
        Column("ตัวชี้วัดที่นับคะแนน", COUNT_WIDTH),
    ]
    return columns


def _indicator_titles(dimension: Dimension, by_dimension: dict[int, list[Indicator]]) -> list[Any]:
    """The second header line of a dimension sheet: each indicator's title under its code."""
    columns = _dimension_columns(dimension, by_dimension)
    indicators = by_dimension[dimension.number]
    titles = [None] * len(PLACE_COLUMNS) + [indicator.title for indicator in indicators]
    return titles + [None] * (len(columns) - len(titles))


def _score_columns(prefix: str) -> list[Column]:
    return [
        Column(f"{prefix}คะแนนที่ได้", POINTS_WIDTH),
        Column(f"{prefix}คะแนนเต็ม", POINTS_WIDTH),
        Column(f"{prefix}ร้อยละ", PERCENT_WIDTH + 2, PERCENT_FORMAT),
    ]


def _organizations(assessment_round: Round, province: Province | None) -> Iterator[_Organization]:
    """Every assessment of the round by province, district and code, as row heads."""
    rows = _assessments(assessment_round, province).order_by(
        "organization__district__province__code", "organization__district__code", "organization__code"
    ).values_list(
        "pk",
        "status",
        "org_type",
        "organization__code",
        "organization__name",
        "organization__district__name_th",
        "organization__district__province__name_th",
        "organization__district__province__code",
    )
    for pk, status, org_type, code, name, district, province_name, province_code in rows.iterator(chunk_size=CHUNK):
        # The name as written in letters, with the type the organization had that year.
        full_name = Organization(name=name, type=org_type).full_name
        cells = [
            code,
            full_name,
            str(TYPE_LABELS.get(org_type, org_type)),
            district,
            province_name,
            str(STATUS_LABELS.get(status, status)),
        ]
        yield _Organization(assessment=pk, org_type=org_type, province_code=province_code, cells=cells)


def _assessments(assessment_round: Round, province: Province | None) -> QuerySet[Assessment]:
    assessments = Assessment.objects.filter(round=assessment_round)
    if province is not None:
        assessments = assessments.filter(organization__district__province=province)
    return assessments


def _chunks(items: Iterable[_Organization], size: int) -> Iterator[list[_Organization]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _load(organizations: list[_Organization], specs: dict[int, scoring.IndicatorSpec]) -> _Chunk:
    """The stored results and each indicator's verified cell of `organizations`, in four queries."""
    pks = [organization.assessment for organization in organizations]
    results: dict[int, dict[int, _Stored]] = defaultdict(dict)
    for row in Result.objects.filter(assessment_id__in=pks).order_by().values_list(*RESULT_FIELDS):
        stored = _Stored(*row)
        results[stored.assessment][stored.dimension] = stored

    claimed = set(
        Answer.objects.filter(assessment_id__in=pks, not_applicable=True)
        .order_by()
        .values_list("assessment_id", "indicator_id")
    )
    ticked: dict[int, set[int]] = defaultdict(set)
    for answer, option in (
        VerifiedAnswer.ticked.through.objects.filter(verifiedanswer__assessment_id__in=pks)
        .order_by()
        .values_list("verifiedanswer_id", "indicatoroption_id")
    ):
        ticked[answer].add(option)

    places = {organization.assessment: organization for organization in organizations}
    verified: dict[int, dict[int, Any]] = defaultdict(dict)
    rows = (
        VerifiedAnswer.objects.filter(assessment_id__in=pks, indicator_id__in=list(specs))
        .order_by()
        .values_list("pk", "assessment_id", "indicator_id", "level_id", "figure", "na_confirmed")
    )
    for pk, assessment, indicator, level, figure, na_confirmed in rows:
        spec, place = specs[indicator], places[assessment]
        given = scoring.Answer(
            level=level, ticked=frozenset(ticked.get(pk, ())), figure=figure, na_confirmed=bool(na_confirmed)
        )
        answer = verified_for_engine(given, claimed=(assessment, indicator) in claimed)
        status = scoring.indicator_status(spec, answer, org_type=place.org_type, province=place.province_code)
        if status == scoring.NOT_APPLICABLE:
            verified[assessment][indicator] = NOT_APPLICABLE
        elif status != scoring.NOT_FOR_ORGANIZATION:
            verified[assessment][indicator] = scoring.indicator_points(spec, answer)
    return _Chunk(results=results, verified=verified)


def _summary_row(organization: _Organization, dimensions: list[Dimension], results: dict[int, _Stored]) -> list[Any]:
    overall = results.get(OVERALL)
    row = [*organization.cells]
    for dimension in dimensions:
        row += _scores(results.get(dimension.number))
    row += _scores(overall)
    row += [_band(overall), _passed(overall), overall.self_percent if overall else None, *_counts(overall)]
    return row


def _scores(result: _Stored | None) -> list[Decimal | None]:
    """Verified points, full marks and percentage; blank until something of it is verified."""
    if result is None or not result.verified_indicators:
        return [None, None, None]
    return [result.points, result.full_marks, result.percent]


def _band(overall: _Stored | None) -> str | None:
    return (overall.band or None) if overall else None


def _passed(overall: _Stored | None) -> str | None:
    if overall is None or overall.passed is None:
        return None
    return PASSED if overall.passed else FAILED


def _counts(result: _Stored | None) -> list[int | None]:
    """Indicators verified, of those that count."""
    return [result.verified_indicators, result.indicators] if result else [None, None]


def _number(value: Decimal) -> str:
    """70.00 → "70", 82.50 → "82.5"."""
    return format(value.normalize(), "f")


def _about(
    workbook: Workbook,
    assessment_round: Round,
    province: Province | None,
    dimensions: list[Dimension],
    indicators: list[Indicator],
    count: int,
) -> None:
    """The last sheet: what the file is, how to read it, and the indicators behind the codes."""
    sheet = workbook.create_sheet(ABOUT_SHEET)
    for letter, width in zip("ABCDEFG", (24, 12, 60, 12, 30, 14, 10)):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    bands = " · ".join(f"{band.label} ≥ {_number(band.min_percent)}" for band in assessment_round.bands.all())
    title = f"รายงานผลการประเมินประสิทธิภาพขององค์กรปกครองส่วนท้องถิ่น ประจำปี {assessment_round.year} รายด้าน"
    append_row(sheet, [title], font=bold)
    rows = [
        ("ปีการประเมิน (พ.ศ.)", assessment_round.year),
        ("ปีงบประมาณที่ประเมิน (พ.ศ.)", assessment_round.fiscal_year),
        ("ขอบเขต", f"จังหวัด{province.name_th}" if province else "ทั้งประเทศ"),
        ("จำนวน อปท.", count),
        ("ส่งออกเมื่อ", thai_datetime(timezone.now())),
        ("เกณฑ์ผ่าน", f"ร้อยละ {_number(assessment_round.pass_mark)} ขึ้นไป"),
        ("ระดับผลการประเมิน", bands or "–"),
    ]
    for label, value in rows:
        append_row(sheet, [label, value])
    sheet.append([])
    append_row(sheet, ["วิธีอ่าน"], font=bold)
    for line in (
        "ทุก อปท. ในรอบการประเมินอยู่ในรายงาน ไม่ว่าจะอยู่ในสถานะใด (ดูคอลัมน์สถานะการประเมิน)",
        "คะแนนที่ได้ คะแนนเต็ม และร้อยละ เป็นผลการตรวจประเมินของคณะผู้ประเมิน "
        "ว่างเมื่อยังไม่มีตัวชี้วัดใดของด้านนั้นที่ตรวจแล้ว",
        "ชีตรายด้าน: แถวที่ 1 คือรหัสตัวชี้วัด แถวที่ 2 คือชื่อตัวชี้วัด (รายละเอียดอยู่ในตารางท้ายชีตนี้)",
        "ช่องตัวชี้วัดว่าง: ตัวชี้วัดไม่ใช้กับ อปท. นี้ (ประเภทหรือจังหวัดอื่น) หรือยังไม่ได้ตรวจ",
        f"{NOT_APPLICABLE}: คณะผู้ประเมินยืนยันว่าไม่มีภารกิจ ไม่นับทั้งคะแนนที่ได้และคะแนนเต็ม",
        "ตัวชี้วัดนำร่องแสดงคะแนนแต่ไม่นับรวมในคะแนนของด้าน",
        "ร้อยละแสดงทศนิยม 2 ตำแหน่ง ค่าที่เก็บมี 4 ตำแหน่ง ผ่าน/ไม่ผ่านและระดับตัดสินจากค่าที่เก็บ",
        "ร้อยละรวม = คะแนนรวมทุกด้าน ÷ คะแนนเต็มรวม × 100 (ไม่ใช่ค่าเฉลี่ยของร้อยละรายด้าน)",
    ):
        append_row(sheet, ["", line])
    sheet.append([])
    append_row(sheet, ["ด้าน"], font=bold)
    for dimension in dimensions:
        append_row(sheet, [f"ด้านที่ {dimension.number}", dimension.name])
    sheet.append([])
    header = ["รหัสตัวชี้วัด", "ด้าน", "ชื่อตัวชี้วัด", "คะแนนเต็ม", "ประเภท อปท. ที่ใช้", "จังหวัด", "นำร่อง"]
    append_row(sheet, header, font=bold)
    for indicator in indicators:
        append_row(
            sheet,
            [
                indicator.code,
                indicator.category.dimension.number,
                indicator.title,
                indicator.full_points,
                indicator.applies_to_display,
                indicator.province.name_th if indicator.province_id else "",
                "นำร่อง" if indicator.is_pilot else "",
            ],
        )
