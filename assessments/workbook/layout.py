"""The framework workbook's layout: sheet names, headers and cell conventions.

Documented for people in docs/framework-workbook.md; keep the two in step.
"""

import datetime
from decimal import Decimal

from assessments import scoring
from organizations.models import TYPE_ABBREVIATIONS, Organization

ROUND_SHEET = "รอบการประเมิน"
BANDS_SHEET = "ระดับผลการประเมิน"
DIMENSIONS_SHEET = "ด้าน"
CATEGORIES_SHEET = "หมวด"
INDICATORS_SHEET = "ตัวชี้วัด"
OPTIONS_SHEET = "เกณฑ์การให้คะแนน"
SHEETS = (ROUND_SHEET, BANDS_SHEET, DIMENSIONS_SHEET, CATEGORIES_SHEET, INDICATORS_SHEET, OPTIONS_SHEET)

YES, NO = "ใช่", "ไม่ใช่"
# Scoring kinds as the workbook writes them: fixed Thai words, whatever the interface language.
KIND_NAMES = {
    scoring.LEVELS: "เลือกระดับ",
    scoring.CHECKLIST: "นับตามรายการที่ผ่าน",
    scoring.FIGURE: "ค่าตัวเลขเทียบเกณฑ์",
    scoring.ALL_OR_NOTHING: "ผ่านครบทุกรายการจึงได้คะแนน",
}
DATE_HINT = "วว/ดด/ปปปป (พ.ศ.)"

# The round sheet is a list of settings: (label in column A, Round field, hint in column C).
ROUND_HEADERS = ("รายการ", "ค่า", "คำอธิบาย")
ROUND_ROWS = (
    ("ปีการประเมิน (พ.ศ.)", "year", "เช่น 2569"),
    ("ปีงบประมาณที่ประเมิน (พ.ศ.)", "fiscal_year", "ปกติคือปีก่อนปีการประเมิน"),
    ("ชื่อรอบการประเมิน", "title", "เว้นว่างได้"),
    ("วันเปิดการประเมินตนเอง", "self_assessment_opens", DATE_HINT),
    ("วันปิดการประเมินตนเอง", "self_assessment_closes", DATE_HINT),
    ("วันเริ่มการตรวจประเมิน", "review_opens", DATE_HINT),
    ("วันสิ้นสุดการตรวจประเมิน", "review_closes", DATE_HINT),
    ("วันเปิดรับอุทธรณ์", "appeal_opens", DATE_HINT),
    ("วันปิดรับอุทธรณ์", "appeal_closes", DATE_HINT),
    ("เกณฑ์ผ่าน (ร้อยละ)", "pass_mark", "คะแนนรวมร้อยละที่ถือว่าผ่าน เช่น 70"),
)
DATE_FIELDS = tuple(field for _, field, hint in ROUND_ROWS if hint == DATE_HINT)

BAND_HEADERS = ("ระดับผลการประเมิน", "ร้อยละขั้นต่ำ")
DIMENSION_HEADERS = ("ด้านที่", "ชื่อด้าน")
CATEGORY_HEADERS = ("ด้านที่", "หมวดที่", "ชื่อหมวด", "เปิดให้จังหวัดเพิ่มตัวชี้วัด")
TYPE_HEADERS = {value: f"ใช้กับ {TYPE_ABBREVIATIONS[value]}" for value in Organization.Type.values}
INDICATOR_HEADERS = (
    "รหัส",
    "ด้านที่",
    "หมวดที่",
    "ลำดับ",
    "ชื่อตัวชี้วัด",
    "คำอธิบาย",
    "เอกสารหลักฐาน",
    "วิธีให้คะแนน",
    "หน่วย",
    "คะแนนเมื่อผ่านครบทุกรายการ",
    *TYPE_HEADERS.values(),
    "ตัวชี้วัดนำร่อง",
    "แจ้งไม่มีภารกิจได้",
    "จังหวัด",
    "คะแนนเต็ม",
)
OPTION_HEADERS = ("รหัสตัวชี้วัด", "ลำดับ", "ข้อความ", "คำอธิบาย", "คะแนน", "เกณฑ์ขั้นต่ำ (ค่าตั้งแต่)")

YES_NO_HEADERS = (CATEGORY_HEADERS[3], *TYPE_HEADERS.values(), "ตัวชี้วัดนำร่อง", "แจ้งไม่มีภารกิจได้")
WIDE_HEADERS = {"ชื่อด้าน": 45, "ชื่อหมวด": 45, "ชื่อตัวชี้วัด": 50, "คำอธิบาย": 50, "เอกสารหลักฐาน": 50, "ข้อความ": 50}
# Columns Excel must keep as text (a code "1.10" typed as a number would become 1.1).
TEXT_HEADERS = ("รหัส", "รหัสตัวชี้วัด", "ค่า")


def format_thai_date(value: datetime.date | None) -> str | None:
    """`01/02/2569` for 1 February 2026: day/month/Buddhist year, as Thai offices write dates."""
    return None if value is None else f"{value.day:02d}/{value.month:02d}/{value.year + 543}"


def yes_no(value: bool) -> str:
    return YES if value else NO


def number_cell(value: Decimal | None) -> int | Decimal | None:
    """Whole numbers as integers (5, not 5.00), so cells read the way people typed them."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else value.normalize()
