"""Import a framework workbook into a round in set-up: check everything, then write all or nothing.

Checking reads every sheet and collects every problem (sheet, row, column letter, Thai
message) before anything is written, so one upload shows the department the whole list.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from openpyxl import load_workbook

from accounts.access import is_department
from accounts.models import User
from assessments import scoring
from assessments.models import (
    FIRST_BUDDHIST_YEAR,
    Category,
    Dimension,
    Indicator,
    IndicatorOption,
    ResultBand,
    Round,
)
from assessments.workbook.cells import Row, WorkbookError, WorkbookErrors
from assessments.workbook.layout import (
    BAND_HEADERS,
    BANDS_SHEET,
    CATEGORIES_SHEET,
    CATEGORY_HEADERS,
    DATE_FIELDS,
    DIMENSION_HEADERS,
    DIMENSIONS_SHEET,
    INDICATOR_HEADERS,
    INDICATORS_SHEET,
    KIND_NAMES,
    OPTION_HEADERS,
    OPTIONS_SHEET,
    ROUND_HEADERS,
    ROUND_ROWS,
    ROUND_SHEET,
    SHEETS,
    TYPE_HEADERS,
)
from organizations.models import Province

LAST_YEAR = 3000
MAX_ROWS = 5000
MAX_BLANK_RUN = 1000
MAX_POINTS = Decimal("99999.99")  # DecimalField(max_digits=7, decimal_places=2)
MAX_THRESHOLD = Decimal("9999999999.99")  # max_digits=12


def import_framework_workbook(
    source: str | Path | bytes | IO[bytes], *, by: User | None, year: int | None = None
) -> Round:
    """Create a round in set-up from a workbook, or replace the framework of one.

    `year` imports the workbook as another year (last year's workbook as a starting point):
    the fiscal year moves with it and the windows' dates are left for the new year to set.
    Raises WorkbookErrors listing every problem; then nothing has been changed.
    """
    if by is not None and not is_department(by):
        raise PermissionDenied("เฉพาะเจ้าหน้าที่กรมส่งเสริมการปกครองท้องถิ่นนำเข้ากรอบการประเมินได้")
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not an xlsx
        raise WorkbookErrors([WorkbookError("", None, None, "อ่านไฟล์ไม่ได้ ต้องเป็นไฟล์ Excel (.xlsx)")]) from None
    try:
        plan = _Checker(workbook).check(year)
    finally:
        workbook.close()
    return _write(plan, by=by)


@dataclass
class _Plan:
    year: int
    settings: dict[str, Any]
    year_row: int | None  # where to point if the round is not in set-up
    bands: list[tuple[str, Decimal]] = field(default_factory=list)
    dimensions: dict[int, str] = field(default_factory=dict)
    categories: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class _Checker:
    def __init__(self, workbook):
        self.workbook = workbook
        self.errors: list[WorkbookError] = []

    def rows(self, sheet: str, headers: tuple[str, ...]) -> list[Row] | None:
        """The sheet's non-blank rows, or None (reported) when the sheet or a column is missing."""
        if sheet not in self.workbook.sheetnames:
            self.errors.append(WorkbookError(sheet, None, None, f"ไม่พบชีต “{sheet}”"))
            return None
        values = self.workbook[sheet].iter_rows(values_only=True)
        header_row = [str(v).strip() if v is not None else "" for v in next(values, ())]
        columns = {header: header_row.index(header) for header in headers if header in header_row}
        missing = [header for header in headers if header not in columns]
        for header in missing:
            self.errors.append(WorkbookError(sheet, 1, None, f"ไม่พบคอลัมน์ “{header}” ในแถวหัวตาราง"))
        if missing:
            return None
        rows, blank_run = [], 0
        for number, row in enumerate(values, start=2):
            if not any(v is not None and str(v).strip() for v in row):
                blank_run += 1
                if blank_run > MAX_BLANK_RUN:  # formatted but empty rows to the end of the sheet
                    break
                continue
            blank_run = 0
            if len(rows) == MAX_ROWS:
                # A framework has tens of indicators: this is not one.
                self.errors.append(WorkbookError(sheet, number, None, f"ชีตมีข้อมูลเกิน {MAX_ROWS} แถว"))
                break
            rows.append(Row(self.errors, sheet, number, columns, row))
        return rows

    def check(self, year: int | None) -> _Plan:
        plan = self.round_settings(year)
        plan.bands = self.bands()
        plan.dimensions = self.dimensions()
        plan.categories = self.categories(plan.dimensions)
        plan.indicators = self.indicators(plan.categories)
        plan.options = self.options(plan.indicators)
        existing = Round.objects.filter(year=plan.year).first()
        if existing and not existing.is_editable:
            self.errors.append(_not_in_setup(existing, plan.year_row))
        if self.errors:
            order = {sheet: n for n, sheet in enumerate(SHEETS)}
            self.errors.sort(
                key=lambda e: (order.get(e.sheet, -1), e.row or 0, len(e.column or ""), e.column or "")
            )
            raise WorkbookErrors(self.errors)
        return plan

    def round_settings(self, year: int | None) -> _Plan:
        rows: dict[str, Row] = {}
        names = {label: name for label, name, _ in ROUND_ROWS}
        sheet_rows = self.rows(ROUND_SHEET, ROUND_HEADERS[:2])  # the hints column is optional
        for row in sheet_rows or []:
            label = row.text("รายการ", max_length=100)
            name = names.get(label)
            if name is None:
                row.error("รายการ", f"ไม่รู้จักรายการ “{label}”", plain=True)
            elif name in rows:
                row.error("รายการ", f"รายการ “{label}” ซ้ำกับแถว {rows[name].number}", plain=True)
            else:
                row.name, rows[name] = label, row
        for label, name in names.items():
            if sheet_rows is not None and name not in rows:
                self.errors.append(WorkbookError(ROUND_SHEET, None, "A", f"ไม่พบรายการ “{label}”"))
        settings: dict[str, Any] = {}
        for name, row in rows.items():
            if name in ("year", "fiscal_year"):
                settings[name] = row.integer(
                    "ค่า", required=name == "year", minimum=FIRST_BUDDHIST_YEAR, maximum=LAST_YEAR
                )
            elif name == "title":
                settings[name] = row.text("ค่า", max_length=200)
            elif name == "pass_mark":
                settings[name] = row.decimal("ค่า", required=False, minimum=Decimal(0), maximum=Decimal(100))
            else:
                settings[name] = row.date("ค่า")
        if settings.get("pass_mark") is None:
            settings.pop("pass_mark", None)  # blank: the model's default
        sheet_year = settings.pop("year", None)
        if sheet_year and settings.get("fiscal_year") is None:
            settings["fiscal_year"] = sheet_year - 1
        if sheet_year and settings["fiscal_year"] > sheet_year:
            rows["fiscal_year"].error("ค่า", "ต้องไม่หลังปีการประเมิน")
        another_year = year is not None and bool(sheet_year) and year != sheet_year
        # Another year's dates are left blank below, so they are not checked: a year whose
        # results were published before its review window ended keeps an appeal window that
        # opens before it, and its workbook must still start the next year.
        if not another_year:
            self.check_windows(settings, rows)
        year_row = rows["year"].number if "year" in rows else None
        if year is not None and not FIRST_BUDDHIST_YEAR <= year <= LAST_YEAR:
            self.errors.append(WorkbookError(ROUND_SHEET, year_row, "B", f"ปีที่ให้นำเข้า ({year}) ต้องเป็นปีพุทธศักราช"))
        elif another_year:
            # Last year's workbook as this year's starting point: the windows are the new year's to set.
            settings["fiscal_year"] += year - sheet_year
            settings["title"] = settings.get("title", "").replace(str(sheet_year), str(year))
            settings.update(dict.fromkeys(DATE_FIELDS))
        return _Plan(year=year or sheet_year or 0, settings=settings, year_row=year_row)

    def check_windows(self, settings: dict[str, Any], rows: dict[str, Row]) -> None:
        """Each window's dates in order, and no window opening before the one before it ends."""
        for opens, closes in zip(DATE_FIELDS[::2], DATE_FIELDS[1::2]):
            if settings.get(opens) and settings.get(closes) and settings[closes] < settings[opens]:
                rows[closes].error("ค่า", f"ต้องไม่ก่อน{rows[opens].name}")
        try:
            Round(**{name: settings.get(name) for name in DATE_FIELDS}).clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    rows[name].error("ค่า", message, plain=True)

    def bands(self) -> list[tuple[str, Decimal]]:
        bands, labels, minimums = [], {}, {}
        for row in self.rows(BANDS_SHEET, BAND_HEADERS) or []:
            label = row.text(BAND_HEADERS[0], max_length=50, required=True)
            minimum = row.decimal(BAND_HEADERS[1], minimum=Decimal(0), maximum=Decimal(100))
            if label in labels:
                row.error(BAND_HEADERS[0], f"ซ้ำกับแถว {labels[label]}")
            if minimum is not None and minimum in minimums:
                row.error(BAND_HEADERS[1], f"ซ้ำกับแถว {minimums[minimum]}")
            labels.setdefault(label, row.number)
            minimums.setdefault(minimum, row.number)
            bands.append((label, minimum))
        return bands

    def dimensions(self) -> dict[int, str]:
        dimensions, rows = {}, {}
        for row in self.rows(DIMENSIONS_SHEET, DIMENSION_HEADERS) or []:
            number = row.integer("ด้านที่", maximum=5)
            name = row.text("ชื่อด้าน", max_length=200, required=True)
            if number in rows:
                row.error("ด้านที่", f"ซ้ำกับแถว {rows[number]}")
            elif number is not None:
                dimensions[number], rows[number] = name, row.number
        return dimensions

    def categories(self, dimensions: dict[int, str]) -> dict[tuple[int, int], dict[str, Any]]:
        categories, rows = {}, {}
        for row in self.rows(CATEGORIES_SHEET, CATEGORY_HEADERS) or []:
            dimension = row.integer("ด้านที่", maximum=5)
            number = row.integer("หมวดที่")
            name = row.text("ชื่อหมวด", max_length=300, required=True)
            open_to_provinces = row.yes_no("เปิดให้จังหวัดเพิ่มตัวชี้วัด")
            if dimension is not None and dimension not in dimensions:
                row.error("ด้านที่", f"ไม่พบด้านที่ {dimension} ในชีต “{DIMENSIONS_SHEET}”")
            key = (dimension, number)
            if key in rows:
                row.error("หมวดที่", f"หมวด {dimension}.{number} ซ้ำกับแถว {rows[key]}")
            elif None not in key:
                categories[key], rows[key] = {"name": name, "open_to_provinces": open_to_provinces}, row.number
        return categories

    def indicators(self, categories: dict[tuple[int, int], dict[str, Any]]) -> dict[str, dict[str, Any]]:
        provinces = {p.name_th: p for p in Province.objects.all()}
        provinces |= {p.code: p for p in provinces.values()}
        kinds = {name: kind for kind, name in KIND_NAMES.items()} | {kind: kind for kind in KIND_NAMES}
        indicators = {}
        for row in self.rows(INDICATORS_SHEET, INDICATOR_HEADERS) or []:
            code = row.text("รหัส", max_length=20, required=True)
            key = (row.integer("ด้านที่", maximum=5), row.integer("หมวดที่"))
            item = {
                "row": row,
                "category": key,
                "position": row.integer("ลำดับ"),
                "title": row.text("ชื่อตัวชี้วัด", max_length=500, required=True),
                "description": row.text("คำอธิบาย", max_length=100_000),
                "evidence_required": row.text("เอกสารหลักฐาน", max_length=100_000),
                "unit": row.text("หน่วย", max_length=30),
                "all_or_nothing_points": row.decimal(
                    "คะแนนเมื่อผ่านครบทุกรายการ", required=False, minimum=Decimal(0), maximum=MAX_POINTS
                ),
                "applies_to": [value for value, header in TYPE_HEADERS.items() if row.yes_no(header)],
                "is_pilot": row.yes_no("ตัวชี้วัดนำร่อง"),
                "allows_not_applicable": row.yes_no("แจ้งไม่มีภารกิจได้"),
                "full_points": row.decimal("คะแนนเต็ม", required=False, minimum=Decimal(0)),
            }
            kind_text = row.text("วิธีให้คะแนน", max_length=100, required=True)
            item["kind"] = kinds.get(kind_text)
            if kind_text and item["kind"] is None:
                row.error("วิธีให้คะแนน", "ต้องเป็นหนึ่งใน " + ", ".join(f"“{name}”" for name in KIND_NAMES.values()))
            if code in indicators:
                row.error("รหัส", f"“{code}” ซ้ำกับแถว {indicators[code]['row'].number}")
            if None not in key and key not in categories:
                row.error("หมวดที่", f"ไม่พบหมวด {key[0]}.{key[1]} ในชีต “{CATEGORIES_SHEET}”")
            if not item["applies_to"]:
                row.error(next(iter(TYPE_HEADERS.values())), "ต้องใช้กับ อปท. อย่างน้อย 1 ประเภท")
            if item["kind"] == Indicator.Kind.ALL_OR_NOTHING and item["all_or_nothing_points"] is None:
                row.error("คะแนนเมื่อผ่านครบทุกรายการ", "ต้องระบุเมื่อวิธีให้คะแนนเป็นแบบผ่านครบทุกรายการ")
            if item["kind"] not in (None, Indicator.Kind.ALL_OR_NOTHING) and item["all_or_nothing_points"] is not None:
                row.error("คะแนนเมื่อผ่านครบทุกรายการ", "ใช้เฉพาะวิธีให้คะแนนแบบผ่านครบทุกรายการ")
            province = row.raw("จังหวัด")
            item["province"] = provinces.get(f"{province:02d}" if isinstance(province, int) else str(province))
            if province is not None and item["province"] is None:
                row.error("จังหวัด", f"ไม่พบจังหวัด “{province}” (ใส่ชื่อจังหวัดหรือรหัส 2 หลัก)")
            if item["province"] and key in categories and not categories[key]["open_to_provinces"]:
                row.error("จังหวัด", "ตัวชี้วัดของจังหวัดต้องอยู่ในหมวดที่เปิดให้จังหวัดเพิ่มตัวชี้วัด")
            if code and code not in indicators:
                indicators[code] = item
        return indicators

    def options(self, indicators: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        options: dict[str, list[dict[str, Any]]] = {code: [] for code in indicators}
        for row in self.rows(OPTIONS_SHEET, OPTION_HEADERS) or []:
            errors_before = len(self.errors)
            code = row.text("รหัสตัวชี้วัด", max_length=20, required=True)
            item = {
                "row": row,
                "position": row.integer("ลำดับ"),
                "label": row.text("ข้อความ", max_length=500, required=True),
                "description": row.text("คำอธิบาย", max_length=100_000),
                "points": row.decimal("คะแนน", required=False, minimum=Decimal(0), maximum=MAX_POINTS) or Decimal(0),
                "threshold": row.decimal(
                    "เกณฑ์ขั้นต่ำ (ค่าตั้งแต่)", required=False, minimum=-MAX_THRESHOLD, maximum=MAX_THRESHOLD
                ),
            }
            if code and code not in indicators:
                row.error("รหัสตัวชี้วัด", f"ไม่พบตัวชี้วัดรหัส “{code}” ในชีต “{INDICATORS_SHEET}”")
                continue
            if not code:
                continue
            same = next((o for o in options[code] if o["position"] == item["position"]), None)
            if same and item["position"] is not None:
                row.error("ลำดับ", f"ลำดับ {item['position']} ของตัวชี้วัด “{code}” ซ้ำกับแถว {same['row'].number}")
            kind = indicators[code]["kind"]
            if kind:
                option = IndicatorOption(points=item["points"], threshold=item["threshold"])
                columns = {"points": "คะแนน", "threshold": "เกณฑ์ขั้นต่ำ (ค่าตั้งแต่)"}
                for name, message in option.problems(kind).items():
                    row.error(columns[name], str(message))
            item["valid"] = len(self.errors) == errors_before
            options[code].append(item)
        for code, indicator in indicators.items():
            self.whole_indicator(indicator, sorted(options[code], key=lambda o: o["position"] or 0))
        return options

    def whole_indicator(self, indicator: dict[str, Any], options: list[dict[str, Any]]) -> None:
        """Problems of an indicator's options taken together, and its stated full marks."""
        row, kind = indicator["row"], indicator["kind"]
        if kind is None or not all(o["valid"] for o in options):
            return  # already reported cell by cell
        problem = Indicator.options_problem(kind, [o["threshold"] for o in options])
        if problem:
            row.error("รหัส", f"ตัวชี้วัด “{row.raw('รหัส')}”: {problem} (ชีต “{OPTIONS_SHEET}”)", plain=True)
            return
        spec = scoring.IndicatorSpec(
            code="",
            dimension=1,
            kind=kind,
            applies_to=frozenset(),
            options=tuple(scoring.OptionSpec(n, o["points"], o["threshold"]) for n, o in enumerate(options)),
            all_or_nothing_points=indicator["all_or_nothing_points"] or Decimal(0),
        )
        stated = indicator["full_points"]
        if stated is not None and stated != spec.full_points:
            row.error("คะแนนเต็ม", f"ไม่ตรงกับเกณฑ์การให้คะแนน (คำนวณได้ {spec.full_points.normalize():f})")


def _not_in_setup(assessment_round: Round, row: int | None) -> WorkbookError:
    return WorkbookError(
        ROUND_SHEET,
        row,
        "B",
        f"รอบการประเมินปี {assessment_round.year} อยู่ในระยะ “{assessment_round.get_phase_display()}” แล้ว "
        "นำเข้าได้เฉพาะรอบที่อยู่ในระยะจัดเตรียมกรอบการประเมิน",
    )


@transaction.atomic
def _write(plan: _Plan, *, by: User | None) -> Round:
    assessment_round = Round.objects.select_for_update().filter(year=plan.year).first()
    if assessment_round is None:
        assessment_round = Round(year=plan.year, created_by=by)
    elif not assessment_round.is_editable:  # opened while the file was being checked
        raise WorkbookErrors([_not_in_setup(assessment_round, plan.year_row)])
    else:
        assessment_round.dimensions.all().delete()  # categories, indicators and options go with them
        assessment_round.bands.all().delete()
    for name, value in plan.settings.items():
        setattr(assessment_round, name, value)
    assessment_round.full_clean()
    assessment_round.save()
    assessment_round.framework_changed()
    ResultBand.objects.bulk_create(ResultBand(round=assessment_round, label=label, min_percent=m) for label, m in plan.bands)
    dimensions = {
        number: Dimension(round=assessment_round, number=number, name=name) for number, name in sorted(plan.dimensions.items())
    }
    Dimension.objects.bulk_create(dimensions.values())
    categories = {
        key: Category(dimension=dimensions[key[0]], number=key[1], **values)
        for key, values in sorted(plan.categories.items())
    }
    Category.objects.bulk_create(categories.values())
    indicators = {
        code: Indicator(
            round=assessment_round,
            code=code,
            category=categories[item["category"]],
            **{name: item[name] for name in _INDICATOR_FIELDS},
        )
        for code, item in plan.indicators.items()
    }
    Indicator.objects.bulk_create(indicators.values())
    IndicatorOption.objects.bulk_create(
        IndicatorOption(indicator=indicators[code], **{name: option[name] for name in _OPTION_FIELDS})
        for code, options in plan.options.items()
        for option in sorted(options, key=lambda o: o["position"])
    )
    return assessment_round


_INDICATOR_FIELDS = (
    "position",
    "title",
    "description",
    "evidence_required",
    "unit",
    "kind",
    "all_or_nothing_points",
    "applies_to",
    "is_pilot",
    "allows_not_applicable",
    "province",
)
_OPTION_FIELDS = ("position", "label", "description", "points", "threshold")
