"""Bulk import of user accounts from a CSV or XLSX file, in the name of one manager.

One row is one person with one role. The first row holds the column headers (Thai, see
COLUMNS); the file type is told from its content, not its name. A row that cannot be
imported is rejected with its row number in the file and a Thai reason, and the other
rows still go in; a file that cannot be read at all raises UserImportFileError and imports
nothing. Everything happens in one transaction, and a dry run rolls it back at the end, so
the report of a dry run is exactly what a real run would do.

A username that already exists gets the row's role added (if the manager administers that
account); its name and email are left as they are. A new account gets no password anyone
knows: the person sets one through "ลืมรหัสผ่าน" with the email address from the file.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import scope_for
from accounts.models import Role, User
from accounts.roles import grant_refusal
from core.spreadsheets import UnreadableFile, read_table
from organizations.models import Organization, Province


class UserImportFileError(Exception):
    """The file as a whole cannot be imported; the message (Thai) says what to fix."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the file's first row
    required: bool
    description: str
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column(
        "username",
        "ชื่อผู้ใช้",
        True,
        gettext_lazy("ใช้เข้าสู่ระบบ: ตัวอักษร ตัวเลข และ @ . + - _ ไม่เว้นวรรค (แนะนำภาษาอังกฤษ)"),
        ("username",),
    ),
    Column("first_name", "ชื่อ", True, gettext_lazy("จำเป็นสำหรับผู้ใช้ใหม่"), ("first_name", "firstname")),
    Column("last_name", "นามสกุล", True, gettext_lazy("จำเป็นสำหรับผู้ใช้ใหม่"), ("last_name", "lastname")),
    Column(
        "email",
        "อีเมล",
        True,
        gettext_lazy("จำเป็นสำหรับผู้ใช้ใหม่ ใช้ตั้งรหัสผ่านผ่าน “ลืมรหัสผ่าน” ห้ามซ้ำกับบัญชีอื่น"),
        ("email", "e-mail"),
    ),
    Column(
        "role",
        "บทบาท",
        True,
        gettext_lazy("ชื่อบทบาทภาษาไทยตามรายการด้านล่าง หรือรหัสบทบาท เช่น org_staff"),
        ("role",),
    ),
    Column(
        "organization_code",
        "รหัส อปท.",
        True,
        gettext_lazy("รหัส 7 หลัก สำหรับเจ้าหน้าที่และผู้บริหาร อปท. (บทบาทอื่นเว้นว่าง)"),
        ("organization_code", "รหัสองค์กร"),
    ),
    Column(
        "province",
        "จังหวัด",
        True,
        gettext_lazy("ชื่อจังหวัดหรือรหัส 2 หลัก สำหรับคณะผู้ประเมินและสำนักงานท้องถิ่นจังหวัด"),
        ("province",),
    ),
    Column("phone", "โทรศัพท์", False, gettext_lazy("ไม่บังคับ"), ("phone", "เบอร์โทรศัพท์")),
    Column("position", "ตำแหน่ง", False, gettext_lazy("ไม่บังคับ"), ("position",)),
)


class Outcome(models.TextChoices):
    CREATED = "created", gettext_lazy("สร้างใหม่")
    UPDATED = "updated", gettext_lazy("เพิ่มบทบาท")
    UNCHANGED = "unchanged", gettext_lazy("ไม่เปลี่ยนแปลง")
    REJECTED = "rejected", gettext_lazy("ปฏิเสธ")


@dataclass
class RowResult:
    row: int  # the row number in the file, header = 1
    username: str
    outcome: str
    role: str = ""
    reason: str = ""

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label


@dataclass
class UserImportReport:
    file_name: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)

    def _count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self._count(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(Outcome.UNCHANGED)

    @property
    def rejected(self) -> int:
        return self._count(Outcome.REJECTED)

    @property
    def rejections(self) -> list[RowResult]:
        return [row for row in self.rows if row.outcome == Outcome.REJECTED]


def import_users(source: BinaryIO | bytes, *, file_name: str, manager: User, dry_run: bool = False) -> UserImportReport:
    """Import the accounts in `source` as `manager` would create them by hand; see the module docstring."""
    if not scope_for(manager).manages_users:
        raise PermissionDenied
    data = source if isinstance(source, bytes) else source.read()
    records = list(_records(read_rows(data)))
    report = UserImportReport(file_name=file_name, dry_run=dry_run)
    with transaction.atomic():
        _Importer(manager, records).run(report)
        if dry_run:
            transaction.set_rollback(True)
    return report


# Reading the file ------------------------------------------------------------------------


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) for every row of a CSV or XLSX file."""
    try:
        rows = read_table(data, sheet_has_header=_has_header)
    except UnreadableFile as error:
        raise UserImportFileError(str(error)) from error
    return list(enumerate(rows, start=1))


def _normal_header(text: str) -> str:
    return "".join(text.split()).replace(".", "").lower()


_HEADER_KEYS = {_normal_header(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)}


def _has_header(rows: list[list[str]]) -> bool:
    """Whether a sheet's first filled row names every required column (a notes sheet does not)."""
    first = next((cells for cells in rows if any(cells)), [])
    found = {_HEADER_KEYS.get(_normal_header(cell)) for cell in first}
    return all(column.key in found for column in COLUMNS if column.required)


def _records(rows: list[tuple[int, list[str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows as {column key: text}, after checking the header row."""
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        raise UserImportFileError(_("ไฟล์ว่างเปล่า กรุณาเลือกไฟล์ที่มีข้อมูลผู้ใช้"))
    header_number, header = rows[0]
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _HEADER_KEYS.get(_normal_header(cell))
        if key is None:
            continue
        if key in positions:
            raise UserImportFileError(
                _("คอลัมน์ “%(column)s” ซ้ำกันในแถวหัวคอลัมน์ (แถวที่ %(row)s) กรุณาลบคอลัมน์ที่ซ้ำออก")
                % {"column": cell, "row": header_number}
            )
        positions[key] = index
    missing = [column.header for column in COLUMNS if column.required and column.key not in positions]
    if missing:
        expected = ", ".join(column.header for column in COLUMNS if column.required)
        raise UserImportFileError(
            _(
                "หัวคอลัมน์ไม่ครบ: ไม่พบคอลัมน์ %(missing)s ในแถวแรกของไฟล์ "
                "แถวแรกต้องมีหัวคอลัมน์ %(expected)s (โทรศัพท์ และตำแหน่ง ใส่หรือไม่ก็ได้) ไม่มีการนำเข้าข้อมูลใด ๆ"
            )
            % {"missing": ", ".join(missing), "expected": expected}
        )
    if len(rows) == 1:
        raise UserImportFileError(_("ไฟล์มีแต่แถวหัวคอลัมน์ ยังไม่มีรายชื่อผู้ใช้ใต้แถวนั้น"))
    for number, cells in rows[1:]:
        yield number, {key: (cells[index] if index < len(cells) else "") for key, index in positions.items()}


# Matching values -------------------------------------------------------------------------


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


def _role_lookup() -> dict[str, str]:
    """Accepted spellings of each role: its code, and its label in Thai and the current language."""
    lookup: dict[str, str] = {}
    for value, label in Role.Kind.choices:
        lookup[_squash(value)] = value
        lookup[_squash(str(label))] = value
    with translation.override("th"):
        for value, label in Role.Kind.choices:
            lookup[_squash(str(label))] = value
    return lookup


def _province_lookup() -> dict[str, Province]:
    lookup: dict[str, Province] = {}
    for province in Province.objects.all():
        lookup[province.code] = province
        lookup[_squash(province.name_th)] = province
        lookup[_squash(province.name_en)] = province
    return lookup


def _find_province(text: str, provinces: dict[str, Province]) -> Province | None:
    key = _squash(text)
    for prefix in ("จังหวัด", "จ."):
        if key.startswith(prefix) and key[len(prefix) :] in provinces:
            return provinces[key[len(prefix) :]]
    return provinces.get(key)


def _chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# Applying the rows -----------------------------------------------------------------------

FIELD_LIMITS = {"first_name": 150, "last_name": 150, "phone": 30, "position": 200}
HEADERS = {column.key: column.header for column in COLUMNS}


class _Importer:
    def __init__(self, manager: User, records: list[tuple[int, dict[str, str]]]):
        self.manager = manager
        self.records = records
        self.roles = _role_lookup()
        self.provinces = _province_lookup()
        names = {_squash(User.normalize_username(values["username"])) for _, values in records if values["username"]}
        emails = {values["email"].strip().lower() for _, values in records if values["email"].strip()}
        codes = {"".join(values["organization_code"].split()) for _, values in records}
        self.existing: dict[str, User] = {}
        for chunk in _chunks(names):
            for user in User.objects.annotate(key=Lower("username")).filter(key__in=chunk):
                self.existing[user.key] = user
        existing_pks = [user.pk for user in self.existing.values()]
        self.manageable = set(
            User.objects.manageable_by(manager).filter(pk__in=existing_pks).values_list("pk", flat=True)
        )
        self.held = set(
            Role.objects.filter(user_id__in=existing_pks).values_list(
                "user_id", "kind", "organization_id", "province_id"
            )
        )
        self.taken_emails: set[str] = set()
        for chunk in _chunks(emails):
            self.taken_emails.update(
                User.objects.annotate(key=Lower("email")).filter(key__in=chunk).values_list("key", flat=True)
            )
        self.organizations = {
            org.code: org for org in Organization.objects.with_places().filter(code__in=[c for c in codes if c])
        }
        self.seen_usernames: dict[str, int] = {}
        self.seen_emails: dict[str, int] = {}
        self._unknown_password: str | None = None

    def run(self, report: UserImportReport) -> None:
        for number, values in self.records:
            report.rows.append(self._import_row(number, values))

    def _import_row(self, number: int, values: dict[str, str]) -> RowResult:
        username = User.normalize_username(values["username"].strip())
        result = RowResult(row=number, username=username, outcome=Outcome.REJECTED)
        reasons: list[str] = []

        key = _squash(username)
        if not username:
            reasons.append(_("ไม่ได้กรอกชื่อผู้ใช้"))
        elif key in self.seen_usernames:
            reasons.append(
                _("ชื่อผู้ใช้ซ้ำกับแถวที่ %(row)s ในไฟล์ (หนึ่งคนหนึ่งแถว บทบาทที่สองให้เพิ่มในหน้าผู้ใช้หรือนำเข้าในไฟล์ถัดไป)")
                % {"row": self.seen_usernames[key]}
            )
        else:
            self.seen_usernames[key] = number
            reasons.extend(self._username_problems(username))

        kind, organization, province, refusal = self._role(values)
        if refusal:
            reasons.append(refusal)
        else:
            result.role = str(Role(kind=kind, organization=organization, province=province))
        if reasons:
            result.reason = " ; ".join(reasons)
            return result

        existing = self.existing.get(key)
        if existing is not None:
            return self._add_role(existing, result, kind, organization, province)
        return self._create(values, result, kind, organization, province)

    def _username_problems(self, username: str) -> list[str]:
        if len(username) > 150:
            return [_("ชื่อผู้ใช้ยาวเกิน 150 ตัวอักษร")]
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            return [_("ชื่อผู้ใช้ “%(username)s” ใช้ได้เฉพาะตัวอักษร ตัวเลข และ @ . + - _ โดยไม่เว้นวรรค") % {"username": username}]
        return []

    def _role(self, values: dict[str, str]) -> tuple[str | None, Organization | None, Province | None, str | None]:
        """The row's role kind and scope, and the reason it cannot be granted (None if it can)."""
        text = values["role"].strip()
        if not text:
            return None, None, None, _("ไม่ได้กรอกบทบาท")
        kind = self.roles.get(_squash(text))
        if kind is None:
            choices = ", ".join(str(label) for _value, label in Role.Kind.choices)
            return None, None, None, _("ไม่รู้จักบทบาท “%(role)s” ใช้ได้: %(choices)s") % {"role": text, "choices": choices}
        label = Role.Kind(kind).label
        organization = province = None
        province_text = values["province"].strip()
        if kind in Role.ORGANIZATION_KINDS:
            code = "".join(values["organization_code"].split())
            if not code:
                return kind, None, None, _("บทบาท “%(role)s” ต้องกรอกรหัส อปท.") % {"role": label}
            if not (code.isdigit() and len(code) == 7):
                return kind, None, None, _("รหัส อปท. “%(code)s” ต้องเป็นตัวเลข 7 หลัก") % {"code": code}
            organization = self.organizations.get(code)
            if organization is None:
                return kind, None, None, _("ไม่พบ อปท. รหัส %(code)s ในทะเบียน") % {"code": code}
            # The province column is not needed here, but if filled it must agree: it catches a mistyped code.
            named = _find_province(province_text, self.provinces) if province_text else None
            if named is not None and named.pk != organization.district.province_id:
                return (
                    kind,
                    None,
                    None,
                    _("อปท. รหัส %(code)s ไม่ได้อยู่ในจังหวัด%(province)s ตามที่กรอกไว้ กรุณาตรวจสอบรหัสหรือจังหวัด")
                    % {"code": code, "province": named.name_th},
                )
        elif kind in Role.PROVINCE_KINDS:
            if not province_text:
                return kind, None, None, _("บทบาท “%(role)s” ต้องกรอกจังหวัด") % {"role": label}
            province = _find_province(province_text, self.provinces)
            if province is None:
                return (
                    kind,
                    None,
                    None,
                    _("ไม่พบจังหวัด “%(province)s” กรุณากรอกชื่อจังหวัดภาษาไทย หรือรหัส 2 หลัก (กรุงเทพมหานครไม่อยู่ในระบบ)")
                    % {"province": province_text},
                )
        refusal = grant_refusal(self.manager, kind=kind, organization=organization, province=province)
        return kind, organization, province, refusal

    def _add_role(self, user: User, result: RowResult, kind: str, organization, province) -> RowResult:
        if user.pk not in self.manageable:
            result.reason = _(
                "ชื่อผู้ใช้ %(username)s มีอยู่แล้ว และเป็นบัญชีที่อยู่นอกขอบเขตที่ท่านดูแล "
                "กรุณาใช้ชื่อผู้ใช้อื่น หรือขอให้กรมส่งเสริมการปกครองท้องถิ่นเพิ่มบทบาทให้"
            ) % {"username": user.username}
            return result
        result.username = user.username
        held = (user.pk, kind, organization.pk if organization else None, province.pk if province else None)
        if held in self.held:
            result.outcome = Outcome.UNCHANGED
            result.reason = _("มีบทบาทนี้อยู่แล้ว")
            return result
        try:
            with transaction.atomic():
                Role.objects.create(
                    user=user, kind=kind, organization=organization, province=province, granted_by=self.manager
                )
        except IntegrityError:
            result.reason = _("บันทึกบทบาทไม่ได้ เพราะมีผู้อื่นเพิ่มบทบาทเดียวกันพร้อมกัน กรุณานำเข้าใหม่อีกครั้ง")
            return result
        self.held.add(held)
        result.outcome = Outcome.UPDATED
        return result

    def _create(self, values: dict[str, str], result: RowResult, kind: str, organization, province) -> RowResult:
        reasons: list[str] = []
        details = {
            name: " ".join(values.get(name, "").split()) for name in ("first_name", "last_name", "phone", "position")
        }
        missing = [HEADERS[name] for name in ("first_name", "last_name") if not details[name]]
        email = User.objects.normalize_email(values["email"].strip())
        if not email:
            missing.append(HEADERS["email"])
        if missing:
            reasons.append(_("ผู้ใช้ใหม่ต้องกรอก %(columns)s") % {"columns": ", ".join(missing)})
        for name, limit in FIELD_LIMITS.items():
            if len(details[name]) > limit:
                reasons.append(_("%(column)s ยาวเกิน %(limit)s ตัวอักษร") % {"column": HEADERS[name], "limit": limit})
        if email:
            try:
                validate_email(email)
            except ValidationError:
                reasons.append(_("อีเมล “%(email)s” รูปแบบไม่ถูกต้อง") % {"email": email})
            else:
                if email.lower() in self.seen_emails:
                    reasons.append(
                        _("อีเมล %(email)s ซ้ำกับแถวที่ %(row)s ในไฟล์")
                        % {"email": email, "row": self.seen_emails[email.lower()]}
                    )
                elif email.lower() in self.taken_emails:
                    reasons.append(_("อีเมล %(email)s มีบัญชีอื่นใช้อยู่แล้ว (อีเมลหนึ่งใช้ได้กับบัญชีเดียว)") % {"email": email})
                else:
                    self.seen_emails[email.lower()] = result.row
        if reasons:
            result.reason = " ; ".join(reasons)
            return result
        user = User(username=result.username, email=email, password=self._password_hash(), **details)
        try:
            with transaction.atomic():
                user.save()
                Role.objects.create(
                    user=user, kind=kind, organization=organization, province=province, granted_by=self.manager
                )
        except IntegrityError:
            result.reason = _("บันทึกไม่ได้ เพราะชื่อผู้ใช้หรืออีเมลนี้เพิ่งถูกใช้โดยบัญชีอื่น กรุณานำเข้าใหม่อีกครั้ง")
            return result
        self.taken_emails.add(email.lower())
        result.outcome = Outcome.CREATED
        return result

    def _password_hash(self) -> str:
        # A random password nobody is told, so the person must use "ลืมรหัสผ่าน" (which Django
        # refuses for unusable passwords, see accounts.passwords). Hashing is deliberately slow
        # (~0.3 s), so one such secret, hashed once, serves every account of this import.
        if self._unknown_password is None:
            self._unknown_password = make_password(get_random_string(48))
        return self._unknown_password
