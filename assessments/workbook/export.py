"""Export a round's framework to the workbook format (pure builder: returns a Workbook)."""

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessments.models import Round
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
    NO,
    OPTION_HEADERS,
    OPTIONS_SHEET,
    ROUND_HEADERS,
    ROUND_ROWS,
    ROUND_SHEET,
    TEXT_HEADERS,
    TYPE_HEADERS,
    WIDE_HEADERS,
    YES,
    YES_NO_HEADERS,
    format_thai_date,
    number_cell,
    yes_no,
)
from core.spreadsheets import Column, Table


def build_framework_workbook(assessment_round: Round) -> Workbook:
    """The framework of `round` in the workbook format (see docs/framework-workbook.md)."""
    workbook = Workbook()
    workbook.remove(workbook.active)

    sheet = _Sheet(workbook, ROUND_SHEET, ROUND_HEADERS)
    for label, field, hint in ROUND_ROWS:
        value = getattr(assessment_round, field)
        if field in DATE_FIELDS:
            value = format_thai_date(value)
        elif field == "pass_mark":
            value = number_cell(value)
        sheet.append([label, value, hint])

    sheet = _Sheet(workbook, BANDS_SHEET, BAND_HEADERS)
    for band in assessment_round.bands.order_by("-min_percent"):
        sheet.append([band.label, number_cell(band.min_percent)])

    sheet = _Sheet(workbook, DIMENSIONS_SHEET, DIMENSION_HEADERS)
    dimensions = assessment_round.dimensions.order_by("number").prefetch_related("categories")
    for dimension in dimensions:
        sheet.append([dimension.number, dimension.name])

    sheet = _Sheet(workbook, CATEGORIES_SHEET, CATEGORY_HEADERS)
    for dimension in dimensions:
        for category in sorted(dimension.categories.all(), key=lambda c: c.number):
            sheet.append([dimension.number, category.number, category.name, yes_no(category.open_to_provinces)])

    indicators = (
        assessment_round.indicators.select_related("category__dimension", "province")
        .prefetch_related("options")
        .order_by("category__dimension__number", "category__number", "position", "code")
    )
    sheet = _Sheet(workbook, INDICATORS_SHEET, INDICATOR_HEADERS)
    for indicator in indicators:
        sheet.append(
            [
                indicator.code,
                indicator.category.dimension.number,
                indicator.category.number,
                indicator.position,
                indicator.title,
                indicator.description,
                indicator.evidence_required,
                KIND_NAMES[indicator.kind],
                indicator.unit,
                number_cell(indicator.all_or_nothing_points),
                *(yes_no(value in indicator.applies_to) for value in TYPE_HEADERS),
                yes_no(indicator.is_pilot),
                yes_no(indicator.allows_not_applicable),
                indicator.province.name_th if indicator.province_id else None,
                number_cell(indicator.full_points),
            ]
        )
    sheet = _Sheet(workbook, OPTIONS_SHEET, OPTION_HEADERS)
    for indicator in indicators:
        for option in indicator.options.all():
            sheet.append(
                [
                    indicator.code,
                    option.position,
                    option.label,
                    option.description,
                    number_cell(option.points),
                    number_cell(option.threshold),
                ]
            )
    for sheet in workbook.worksheets:
        _finish(sheet)
    return workbook


class _Sheet(Table):
    """A new worksheet with a bold, frozen header row and readable widths; long text wraps."""

    def __init__(self, workbook: Workbook, title: str, headers: tuple[str, ...]):
        wrapped = Alignment(wrap_text=True, vertical="top")
        columns = [
            Column(
                header,
                WIDE_HEADERS.get(header, max(12, min(len(header) + 4, 30))),
                number_format="@" if header in TEXT_HEADERS else None,
                alignment=wrapped if header in WIDE_HEADERS else None,
            )
            for header in headers
        ]
        super().__init__(workbook.create_sheet(title), columns)


def _finish(sheet) -> None:
    """Text columns stay text and yes/no and scoring-kind columns offer lists, in rows added later in Excel too."""
    last_row = sheet.max_row + 1000  # room for rows added in Excel
    for index, cell in enumerate(sheet[1], start=1):
        letter = get_column_letter(index)
        header = cell.value
        if header in TEXT_HEADERS:
            sheet.column_dimensions[letter].number_format = "@"
        choices = None
        if header in YES_NO_HEADERS:
            choices = f'"{YES},{NO}"'
        elif header == "วิธีให้คะแนน":
            choices = '"' + ",".join(KIND_NAMES.values()) + '"'
        if choices:
            validation = DataValidation(type="list", formula1=choices, allow_blank=True)
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
