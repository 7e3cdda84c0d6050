"""Reading cells of a framework workbook: typed values, and problems located by sheet, row and column."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from openpyxl.utils import get_column_letter

from assessments.workbook.layout import NO, YES


class WorkbookError(NamedTuple):
    sheet: str
    row: int | None
    column: str | None  # a column letter, "C"
    message: str

    def __str__(self) -> str:
        where = " ".join(
            part
            for part in (
                f"ชีต “{self.sheet}”" if self.sheet else "",
                f"แถว {self.row}" if self.row else "",
                f"คอลัมน์ {self.column}" if self.column else "",
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


class WorkbookErrors(Exception):
    """Every problem found in a workbook; nothing was imported."""

    def __init__(self, errors: list[WorkbookError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))

    def __iter__(self):
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)


class Row:
    """One row of a sheet: typed reads of its cells that record problems instead of raising.

    Problems go to `errors`, a list shared by every row of the workbook being checked.
    """

    def __init__(self, errors: list[WorkbookError], sheet: str, number: int, columns: dict[str, int], values: tuple):
        self.errors, self.sheet, self.number, self.columns, self.values = errors, sheet, number, columns, values
        self.name: str | None = None  # how messages name the value (the round sheet's setting)

    def raw(self, header: str) -> Any:
        index = self.columns[header]
        value = self.values[index] if index < len(self.values) else None
        if isinstance(value, str):
            value = value.strip() or None
        return value

    def error(self, header: str | None, message: str, *, plain: bool = False) -> None:
        """Record a problem in this row's `header` cell; the message names the value unless `plain`."""
        column = get_column_letter(self.columns[header] + 1) if header else None
        prefix = None if plain else self.name or header
        self.errors.append(
            WorkbookError(self.sheet, self.number, column, f"{prefix}: {message}" if prefix else message)
        )

    def text(self, header: str, *, max_length: int, required: bool = False) -> str:
        value = self.raw(header)
        if value is None:
            if required:
                self.error(header, "ต้องระบุ")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        if len(text) > max_length:
            self.error(header, f"ยาวเกิน {max_length} ตัวอักษร")
        return text

    def decimal(
        self, header: str, *, required: bool = True, minimum: Decimal | None = None, maximum: Decimal | None = None
    ) -> Decimal | None:
        value = self.raw(header)
        if value is None:
            if required:
                self.error(header, "ต้องระบุ")
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            number = Decimal(str(value).replace(",", ""))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(header, f"ต้องเป็นตัวเลข (พบ “{value}”)")
            return None
        if number != number.quantize(Decimal("0.01")):
            self.error(header, "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง")
        elif minimum is not None and number < minimum:
            self.error(header, f"ต้องไม่น้อยกว่า {minimum}")
        elif maximum is not None and number > maximum:
            self.error(header, f"ต้องไม่เกิน {maximum}")
        else:
            return number
        return None

    def integer(self, header: str, *, required: bool = True, minimum: int = 1, maximum: int | None = None) -> int | None:
        number = self.decimal(header, required=required)
        if number is None:
            return None
        if number != number.to_integral_value():
            self.error(header, "ต้องเป็นจำนวนเต็ม")
        elif number < minimum:
            self.error(header, f"ต้องไม่น้อยกว่า {minimum}")
        elif maximum is not None and number > maximum:
            self.error(header, f"ต้องไม่เกิน {maximum}")
        else:
            return int(number)
        return None

    def yes_no(self, header: str) -> bool:
        value = self.raw(header)
        if value is None or value is False or value == NO:
            return False
        if value is True or value == YES:
            return True
        self.error(header, f"ใส่ “{YES}” หรือ “{NO}” (พบ “{value}”)")
        return False

    def date(self, header: str) -> datetime.date | None:
        """A date as `dd/mm/yyyy` in the Buddhist Era, or a date cell (Excel's own dates)."""
        value = self.raw(header)
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        try:
            if isinstance(value, datetime.date):
                # A date typed as 01/02/2569 in Excel becomes a date in the Christian year 2569.
                return value.replace(year=value.year - 543) if value.year > 2400 else value
            day, month, year = (int(part) for part in str(value).split("/"))
            if year < 2400:
                raise ValueError("not a Buddhist year")
            return datetime.date(year - 543, month, day)
        except ValueError:
            self.error(header, f"ต้องเป็นวันที่แบบ วว/ดด/ปปปป (พ.ศ.) เช่น 01/02/2569 (พบ “{value}”)")
            return None
