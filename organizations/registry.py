"""Import DLA's organization registry (ทะเบียน อปท.) from a CSV or XLSX file in DLA's own layout.

Two shapes arrive in practice: DLA's raw RE01 export (one row per organization × subdistrict,
with blank cells and Excel damage in the address columns) and a clean one-row-per-organization
file. Both carry the same column names, so one reader serves both: rows are checked one by one,
repeats of a code are folded into one organization, and the result is upserted by code.

Rules that keep the registry right:
- The type comes from the ประเภท อปท. column, never from the code (upgraded ทต. keep 6-codes).
- The district comes from the จังหวัด + อำเภอ names, never from the code (Lampang's PAO,
  2520101, sits in อำเภอเกาะคา 5203, not in 5201).
- Organizations missing from the file are left alone: a file may be a one-province excerpt.

Every message here is Thai and says what to fix: department staff read them, not developers.
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.spreadsheets import UnreadableFile, read_table
from organizations.models import (
    TYPE_ABBREVIATIONS,
    District,
    Organization,
    OrganizationTypeChange,
    Province,
    RegistryImport,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
BATCH_SIZE = 1000
# The header may sit below a title line or two in files saved from Excel.
HEADER_SEARCH_ROWS = 10

# DLA's column names, as printed in their export, by the field they fill.
REQUIRED_COLUMNS = {
    "province": "จังหวัด",
    "district": "อำเภอ",
    "code": "รหัส อปท.",
    "type": "ประเภท อปท.",
    "name": "อปท.",
}
OPTIONAL_COLUMNS = {"area": "ขนาดพื้นที่", "latitude": "LAT", "longitude": "LONG"}

TYPE_LABELS = {
    "อบจ": Organization.Type.PAO,
    "องค์การบริหารส่วนจังหวัด": Organization.Type.PAO,
    "ทน": Organization.Type.CITY_MUNICIPALITY,
    "เทศบาลนคร": Organization.Type.CITY_MUNICIPALITY,
    "ทม": Organization.Type.TOWN_MUNICIPALITY,
    "เทศบาลเมือง": Organization.Type.TOWN_MUNICIPALITY,
    "ทต": Organization.Type.SUBDISTRICT_MUNICIPALITY,
    "เทศบาลตำบล": Organization.Type.SUBDISTRICT_MUNICIPALITY,
    "อบต": Organization.Type.SAO,
    "องค์การบริหารส่วนตำบล": Organization.Type.SAO,
    "เมืองพัทยา": Organization.Type.PATTAYA,
}
TYPE_LABELS_HELP = "อบจ., เทศบาลนคร (ทน.), เทศบาลเมือง (ทม.), เทศบาลตำบล (ทต.), อบต., เมืองพัทยา"

# Thailand's extent with a margin: a coordinate outside it is a typo or swapped LAT/LONG.
LATITUDE_RANGE = (Decimal("5"), Decimal("21"))
LONGITUDE_RANGE = (Decimal("97"), Decimal("106"))
AREA_LIMIT = Decimal("100000000")  # the column holds 8 digits before the point

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class RegistryFileError(Exception):
    """The file as a whole cannot be imported; str(error) tells the user, in Thai, what to fix."""


@dataclass
class Rejection:
    row: int  # as the user sees it in Excel or an editor: the header is row 1
    code: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "code": self.code, "reason": self.reason}


@dataclass
class Update:
    code: str
    name: str
    changes: list[str]  # Thai, one per field: "ประเภท: อบต. → ทต."


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0
    rows_read: int = 0
    file_name: str = ""
    type_changes: int = 0
    updates: list[Update] = field(default_factory=list)
    # Values dropped but not worth rejecting the row for (a damaged LAT, say).
    warnings: list[Rejection] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        counts = (
            f"เพิ่มใหม่ {self.created:,} แห่ง ปรับปรุง {self.updated:,} แห่ง "
            f"ไม่เปลี่ยนแปลง {self.unchanged:,} แห่ง ปฏิเสธ {len(self.rejected):,} แถว"
        )
        if self.type_changes:
            counts += f" (เปลี่ยนประเภท {self.type_changes:,} แห่ง)"
        timing = f"(ใช้เวลา {self.seconds:.2f} วินาที)" if self.seconds < 1 else f"(ใช้เวลา {self.seconds:.1f} วินาที)"
        if self.dry_run and self.changed:
            return f"ตรวจสอบอย่างเดียว ยังไม่บันทึก: ถ้านำเข้าจริงจะ{counts} {timing}"
        if self.dry_run:
            return f"ตรวจสอบอย่างเดียว ยังไม่บันทึก: ไม่มีการเปลี่ยนแปลง {counts} {timing}"
        if not self.changed:
            return f"ไม่มีการเปลี่ยนแปลง: {counts} {timing}"
        return f"{counts} {timing}"


@dataclass
class _Row:
    row: int
    code: str
    name: str
    type: str
    district: District
    area: Decimal | None
    latitude: Decimal | None
    longitude: Decimal | None


def import_registry(
    source: BinaryIO | Path,
    *,
    file_name: str,
    dry_run: bool = False,
    imported_by: AbstractBaseUser | None = None,
    effective_date: date | None = None,
) -> ImportReport:
    """Read a registry file and upsert its organizations by code.

    Raises RegistryFileError when the file as a whole is unusable (not CSV/XLSX, wrong
    columns, no data); then nothing is written. Problem rows are rejected and reported while
    the good rows import. With `dry_run` nothing is written and the report says what would be.
    """
    started = time.perf_counter()
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    rows = _read_rows(data)
    header_index, columns = _find_header(rows)
    report = ImportReport(dry_run=dry_run, file_name=file_name)

    places = _Places()
    valid: list[_Row] = []
    for index in range(header_index + 1, len(rows)):
        cells = rows[index]
        if not any(cells):
            continue  # blank lines are common in exports and mean nothing
        report.rows_read += 1
        row = _check_row(index + 1, cells, columns, places, report)
        if row is not None:
            valid.append(row)
    if not report.rows_read:
        raise RegistryFileError(
            "ไฟล์นี้มีแต่หัวตาราง ไม่มีข้อมูล อปท. กรุณาตรวจว่าเลือกไฟล์ถูก หรือส่งออกข้อมูลจากระบบใหม่"
        )

    organizations = _fold_repeats(valid, report)
    # A damaged value repeated on every subdistrict row of one organization is one warning.
    first_warnings: dict[tuple[str, str], Rejection] = {}
    for warning in report.warnings:
        first_warnings.setdefault((warning.code, warning.reason), warning)
    report.warnings = list(first_warnings.values())
    effective_date = effective_date or timezone.localdate(timezone=BANGKOK)
    try:
        with transaction.atomic():
            _apply(
                organizations,
                places,
                report,
                file_name=file_name,
                effective_date=effective_date,
                given=set(columns) & set(OPTIONAL_COLUMNS),
            )
            report.rejected.sort(key=lambda r: r.row)
            report.seconds = time.perf_counter() - started
            if not dry_run:
                RegistryImport.objects.create(
                    imported_by=imported_by,
                    file_name=file_name[:255],
                    created=report.created,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    rejected=len(report.rejected),
                    seconds=round(report.seconds, 2),
                    rejections=[r.as_dict() for r in report.rejected],
                )
    except IntegrityError:
        # Only another import running at the same moment can get here (rows are checked first).
        raise RegistryFileError(
            "มีการนำเข้าทะเบียนอีกรายการทำงานพร้อมกัน ไฟล์นี้ยังไม่ถูกบันทึก กรุณารอสักครู่แล้วนำเข้าใหม่"
        ) from None
    report.seconds = time.perf_counter() - started
    return report


# Reading the file ---------------------------------------------------------------------------


def _read_rows(data: bytes) -> list[list[str]]:
    try:
        # People put a notes sheet in front of DLA's, so the sheet with the header is the one.
        return read_table(data, sheet_has_header=lambda rows: _header_match(rows)[1] == len(REQUIRED_COLUMNS))
    except UnreadableFile as error:
        raise RegistryFileError(str(error)) from error


def _header_key(text: str) -> str:
    return "".join(text.replace(".", "").split()).lower()


_HEADER_FIELDS = {_header_key(label): name for name, label in {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}.items()}
_HEADER_FIELDS.update(
    {
        "ชื่ออปท": "name",
        "ประเภท": "type",
        "รหัส": "code",
        "พื้นที่": "area",
        "latitude": "latitude",
        "ละติจูด": "latitude",
        "longitude": "longitude",
        "ลองจิจูด": "longitude",
    }
)


def _header_match(rows: list[list[str]]) -> tuple[int, int, dict[str, int]]:
    """The likeliest header row among the first few: (index, required columns found, columns)."""
    best = (0, 0, {})
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(cells):
            name = _HEADER_FIELDS.get(_header_key(cell))
            if name and name not in columns:
                columns[name] = position
        found = sum(1 for name in REQUIRED_COLUMNS if name in columns)
        if found > best[1]:
            best = (index, found, columns)
        if found == len(REQUIRED_COLUMNS):
            break
    return best


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    index, found, columns = _header_match(rows)
    expected = ", ".join(REQUIRED_COLUMNS.values())
    if found == 0:
        raise RegistryFileError(
            f"ไม่พบหัวตารางของทะเบียน อปท. ในไฟล์นี้ แถวแรกต้องเป็นชื่อคอลัมน์ตามแบบของ กสถ. ได้แก่ {expected} "
            "(มี ขนาดพื้นที่, LAT, LONG ได้) กรุณาแก้ชื่อคอลัมน์แล้วนำเข้าใหม่"
        )
    if found < len(REQUIRED_COLUMNS):
        missing = ", ".join(label for name, label in REQUIRED_COLUMNS.items() if name not in columns)
        raise RegistryFileError(
            f"ไฟล์นี้ไม่มีคอลัมน์ที่จำเป็น: {missing} (หัวตารางอยู่ที่แถว {index + 1}) "
            f"คอลัมน์ที่ต้องมีคือ {expected} กรุณาแก้ชื่อคอลัมน์ให้ตรงแล้วนำเข้าใหม่"
        )
    return index, columns


# Checking rows ------------------------------------------------------------------------------


def _place_key(text: str, prefixes: tuple[str, ...]) -> str:
    key = text.replace(" ", "")
    for prefix in prefixes:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix):]
    return key


_PROVINCE_PREFIXES = ("จังหวัด", "จ.")
_DISTRICT_PREFIXES = ("กิ่งอำเภอ", "อำเภอ", "กิ่งอ.", "อ.")


class _Places:
    """Provinces and districts by name, loaded once so checking rows costs no queries."""

    def __init__(self) -> None:
        self.provinces = {_place_key(p.name_th, ()): p for p in Province.objects.all()}
        self.districts: dict[tuple[int, str], District] = {}
        self.by_id: dict[int, District] = {}
        for d in District.objects.select_related("province"):
            self.districts[(d.province_id, _place_key(d.name_th, ()))] = d
            self.by_id[d.pk] = d

    def district(self, province: Province, name: str) -> District | None:
        key = _place_key(name, _DISTRICT_PREFIXES)
        found = self.districts.get((province.pk, key))
        if found is None and key == "เมือง":
            # Older lists write plain "เมือง" for the capital district (อำเภอเมืองกระบี่).
            found = self.districts.get((province.pk, "เมือง" + _place_key(province.name_th, ())))
        return found


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    position = columns.get(name)
    if position is None or position >= len(cells):
        return ""
    return cells[position]


def _check_row(
    number: int, cells: list[str], columns: dict[str, int], places: _Places, report: ImportReport
) -> _Row | None:
    """A checked row, or None after recording why it was rejected."""
    raw_code = _cell(cells, columns, "code").translate(_THAI_DIGITS)
    code = raw_code.replace(" ", "")
    if code.endswith(".0") and code[:-2].isdigit():
        code = code[:-2]
    problems = []
    if not code:
        problems.append("ไม่มีรหัส อปท. กรุณาใส่รหัส 7 หลักตามทะเบียน กสถ.")
    elif "e+" in code.lower():
        problems.append(
            f"รหัส อปท. '{raw_code}' ถูก Excel แปลงเป็นเลขยกกำลังจนตัวเลขหาย "
            "กรุณาจัดรูปแบบคอลัมน์ รหัส อปท. เป็นข้อความแล้วใส่รหัสเต็ม 7 หลัก"
        )
    elif not (len(code) == 7 and code.isascii() and code.isdigit()):
        problems.append(f"รหัส อปท. '{raw_code}' ไม่ใช่ตัวเลข 7 หลัก กรุณาแก้เป็นรหัส 7 หลักตามทะเบียน กสถ.")

    raw_type = _cell(cells, columns, "type")
    org_type = TYPE_LABELS.get(raw_type.replace(" ", "").replace(".", ""))
    if not raw_type:
        problems.append(f"ไม่ได้ระบุประเภท อปท. กรุณาใส่ประเภทใดประเภทหนึ่ง: {TYPE_LABELS_HELP}")
    elif org_type is None:
        problems.append(f"ไม่รู้จักประเภท อปท. '{raw_type}' กรุณาใช้ประเภทใดประเภทหนึ่ง: {TYPE_LABELS_HELP}")

    raw_province = _cell(cells, columns, "province")
    raw_district = _cell(cells, columns, "district")
    province = places.provinces.get(_place_key(raw_province, _PROVINCE_PREFIXES))
    district = None
    if not raw_province:
        problems.append("ไม่ได้ระบุจังหวัด กรุณาใส่ชื่อจังหวัด")
    elif province is None and _place_key(raw_province, _PROVINCE_PREFIXES) in ("กรุงเทพมหานคร", "กรุงเทพฯ", "กทม."):
        problems.append("กรุงเทพมหานครไม่อยู่ในการประเมิน LPA จึงไม่นำเข้า กรุณาลบแถวนี้")
    elif province is None:
        problems.append(f"ไม่พบจังหวัด '{raw_province}' ใน 76 จังหวัด กรุณาตรวจตัวสะกดชื่อจังหวัด")
    elif not raw_district:
        problems.append("ไม่ได้ระบุอำเภอ กรุณาใส่ชื่ออำเภอ")
    else:
        district = places.district(province, raw_district)
        if district is None:
            problems.append(
                f"ไม่พบอำเภอ '{raw_district}' ในจังหวัด{province.name_th} กรุณาตรวจตัวสะกดชื่ออำเภอและจังหวัด"
            )

    name = _cell(cells, columns, "name")
    if not name:
        problems.append("ไม่มีชื่อ อปท. (คอลัมน์ อปท.) กรุณาใส่ชื่อ")
    elif len(name) > Organization._meta.get_field("name").max_length:
        problems.append("ชื่อ อปท. ยาวเกิน 200 ตัวอักษร กรุณาตรวจว่าใส่ข้อมูลถูกคอลัมน์")

    if problems:
        report.rejected.append(Rejection(row=number, code=raw_code, reason=" และ ".join(problems)))
        return None

    area, area_problem = _number(_cell(cells, columns, "area"), low=Decimal(0), high=AREA_LIMIT, places=2)
    latitude, lat_problem = _number(_cell(cells, columns, "latitude"), *LATITUDE_RANGE, places=7)
    longitude, long_problem = _number(_cell(cells, columns, "longitude"), *LONGITUDE_RANGE, places=7)
    if area_problem:
        report.warnings.append(Rejection(number, code, f"ขนาดพื้นที่ {area_problem} จึงเว้นว่างไว้"))
    if lat_problem or long_problem:
        # A lone latitude or longitude places nothing on a map, so the pair goes together.
        problem = f"LAT {lat_problem}" if lat_problem else f"LONG {long_problem}"
        report.warnings.append(Rejection(number, code, f"{problem} จึงเว้นพิกัดว่างไว้"))
        latitude = longitude = None
    return _Row(number, code, name, org_type, district, area, latitude, longitude)


def _number(value: str, low: Decimal, high: Decimal, *, places: int) -> tuple[Decimal | None, str]:
    """(value rounded to the column's places, or None; a Thai note if a non-blank value was dropped)."""
    text = value.translate(_THAI_DIGITS).replace(",", "").replace(" ", "")
    if not text:
        return None, ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, f"'{value}' ไม่ใช่ตัวเลข"
    if not number.is_finite() or not low <= number <= high:
        return None, f"'{value}' อยู่นอกช่วงที่เป็นไปได้"
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), ""


def _fold_repeats(rows: list[_Row], report: ImportReport) -> list[_Row]:
    """One row per code: RE01 repeats each organization once per subdistrict it covers."""
    by_code: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_code[row.code].append(row)
    folded = []
    for code, repeats in by_code.items():
        first = repeats[0]
        if len(repeats) > 1:
            conflicts = _conflicts(repeats)
            if conflicts:
                numbers = ", ".join(str(r.row) for r in repeats)
                report.rejected.append(
                    Rejection(
                        row=first.row,
                        code=code,
                        reason=f"รหัสนี้อยู่หลายแถว (แถว {numbers}) แต่ข้อมูลไม่ตรงกัน: {'; '.join(conflicts)} "
                        "กรุณาแก้ให้ทุกแถวของรหัสนี้ตรงกันแล้วนำเข้าใหม่",
                    )
                )
                continue
            # Blank numbers are common on some repeats only: take the first given value.
            for attr in ("area", "latitude", "longitude"):
                given = [getattr(r, attr) for r in repeats if getattr(r, attr) is not None]
                setattr(first, attr, given[0] if given else None)
            if (first.latitude is None) != (first.longitude is None):
                first.latitude = first.longitude = None
        folded.append(first)
    return folded


def _conflicts(repeats: list[_Row]) -> list[str]:
    described = {
        "ชื่อ": lambda r: r.name,
        "ประเภท": lambda r: TYPE_ABBREVIATIONS[r.type],
        "อำเภอ": lambda r: f"{r.district.name_th} จ.{r.district.province.name_th}",
    }
    conflicts = []
    for label, describe in described.items():
        rows_by_value: dict[str, list[int]] = defaultdict(list)
        for r in repeats:
            rows_by_value[describe(r)].append(r.row)
        if len(rows_by_value) > 1:
            variants = ", ".join(
                f"'{value}' (แถว {', '.join(map(str, numbers))})" for value, numbers in rows_by_value.items()
            )
            conflicts.append(f"{label} {variants}")
    return conflicts


# Writing ------------------------------------------------------------------------------------


def _apply(
    rows: list[_Row],
    places: _Places,
    report: ImportReport,
    *,
    file_name: str,
    effective_date: date,
    given: set[str],
) -> None:
    """Upsert `rows` by code inside the caller's transaction; a dry run only counts.

    `given` names the optional columns the file has: a file without LAT/LONG says nothing
    about coordinates, so it must not erase the ones on record.
    """
    # The whole registry is under 10,000 rows: one query beats a long `code IN (...)`.
    existing = {
        o.code: o
        for o in Organization.objects.only(
            "pk", "code", "name", "type", "district_id", "area_sq_km", "latitude", "longitude"
        )
    }
    new, type_changes = [], []
    # bulk_update's cost is in building one CASE per field and row, so each organization is
    # written only with the fields that changed, grouped by that set of fields.
    changed: dict[tuple[str, ...], list[Organization]] = defaultdict(list)
    note = f"นำเข้าจากไฟล์ทะเบียน {file_name}"[:300]
    now = timezone.now()
    for row in rows:
        organization = existing.get(row.code)
        if organization is None:
            new.append(
                Organization(
                    code=row.code,
                    name=row.name,
                    type=row.type,
                    district=row.district,
                    area_sq_km=row.area,
                    latitude=row.latitude,
                    longitude=row.longitude,
                )
            )
            continue
        changes = _changes(organization, row, places, given=given)
        if not changes:
            report.unchanged += 1
            continue
        if organization.type != row.type:
            type_changes.append(
                OrganizationTypeChange(
                    organization=organization,
                    from_type=organization.type,
                    to_type=row.type,
                    effective_date=effective_date,
                    note=note,
                )
            )
        organization.name, organization.type, organization.district = row.name, row.type, row.district
        if "area" in given:
            organization.area_sq_km = row.area
        if {"latitude", "longitude"} <= given:
            organization.latitude, organization.longitude = row.latitude, row.longitude
        changed[tuple(field for fields, _ in changes for field in fields)].append(organization)
        report.updates.append(Update(row.code, row.name, [description for _, description in changes]))
    report.created, report.updated, report.type_changes = len(new), len(report.updates), len(type_changes)
    if report.dry_run:
        return
    Organization.objects.bulk_create(new, batch_size=BATCH_SIZE)
    for fields, organizations in changed.items():
        Organization.objects.bulk_update(organizations, fields, batch_size=BATCH_SIZE)
        # bulk_update skips auto_now, so stamp the rows here: one time for the whole import.
        Organization.objects.filter(pk__in=[o.pk for o in organizations]).update(updated_at=now)
    OrganizationTypeChange.objects.bulk_create(type_changes, batch_size=BATCH_SIZE)


def _changes(
    organization: Organization, row: _Row, places: _Places, *, given: set[str]
) -> list[tuple[tuple[str, ...], str]]:
    """What `row` changes in `organization`: (model fields, Thai "before → after") pairs."""

    def shown(value) -> str:
        return "-" if value is None else str(value)

    changes = []
    if organization.name != row.name:
        changes.append((("name",), f"ชื่อ: {organization.name} → {row.name}"))
    if organization.type != row.type:
        before, after = TYPE_ABBREVIATIONS[organization.type], TYPE_ABBREVIATIONS[row.type]
        changes.append((("type",), f"ประเภท: {before} → {after}"))
    if organization.district_id != row.district.pk:
        before = places.by_id[organization.district_id]
        changes.append((("district",), f"อำเภอ: {before.name_th} → {row.district.name_th}"))
    if "area" in given and organization.area_sq_km != row.area:
        changes.append((("area_sq_km",), f"ขนาดพื้นที่: {shown(organization.area_sq_km)} → {shown(row.area)}"))
    coordinates_given = {"latitude", "longitude"} <= given
    if coordinates_given and (organization.latitude, organization.longitude) != (row.latitude, row.longitude):
        description = (
            f"พิกัด: {shown(organization.latitude)}, {shown(organization.longitude)} → "
            f"{shown(row.latitude)}, {shown(row.longitude)}"
        )
        changes.append((("latitude", "longitude"), description))
    return changes
