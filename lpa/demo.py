"""The demo: three real provinces, their real districts, plausible organizations, a user per role,
and the 2569 round open for self-assessment (its window around the day the demo is loaded).

Self-contained (no ../shared): organizations are generated from the geothai district and
subdistrict names and go in through the same registry importer as DLA's files, so the demo
also exercises that path. Safe to run again: everything is upserted.
"""

import csv
import datetime
import io
from dataclasses import dataclass

import geothai
from django.db import transaction

from accounts.models import Role, User
from assessments.demo import load_demo_framework, open_demo_round
from assessments.selfassessment import bangkok_today
from organizations.models import Organization, OrganizationTypeChange, Province
from organizations.registry import import_registry

DEMO_PASSWORD = "lpa-demo-2569"
DEMO_PROVINCES = ("81", "20", "52")  # กระบี่, ชลบุรี, ลำปาง

# Real larger municipalities of the demo provinces: (district code, type label, name, running no.)
MUNICIPALITIES = [
    ("8101", "เทศบาลเมือง", "กระบี่", "03"),
    ("2001", "เทศบาลเมือง", "ชลบุรี", "03"),
    ("2007", "เทศบาลนคร", "แหลมฉบัง", "04"),
    ("2004", "เมืองพัทยา", "เมืองพัทยา", "08"),
    ("5201", "เทศบาลนคร", "ลำปาง", "03"),
]
# An อบต. upgraded to เทศบาลตำบล that kept its 6-prefixed code, as two real ones did.
UPGRADED_CODE_DISTRICT = "8104"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    position: str
    kind: str
    organization_code: str = ""
    province_code: str = ""


DEMO_ORGANIZATION = "4810103"  # เทศบาลเมืองกระบี่
DEMO_USERS = [
    DemoUser("org_staff", "สุดารัตน์", "ใจงาม", "นักวิเคราะห์นโยบายและแผน", Role.Kind.ORG_STAFF, DEMO_ORGANIZATION),
    DemoUser("org_head", "ประเสริฐ", "ทองดี", "นายกเทศมนตรีเมืองกระบี่", Role.Kind.ORG_HEAD, DEMO_ORGANIZATION),
    DemoUser("assessor", "วิภาวรรณ", "ศรีสุข", "ท้องถิ่นอำเภอเมืองกระบี่", Role.Kind.PROVINCIAL_ASSESSOR, province_code="81"),
    DemoUser("province_admin", "ธนากร", "แก้วมณี", "ท้องถิ่นจังหวัดกระบี่", Role.Kind.PROVINCIAL_ADMIN, province_code="81"),
    DemoUser("chonburi_admin", "อรุณี", "พงษ์ไพร", "ท้องถิ่นจังหวัดชลบุรี", Role.Kind.PROVINCIAL_ADMIN, province_code="20"),
    DemoUser("dla_official", "กิตติพงษ์", "วงศ์ใหญ่", "นักวิชาการส่งเสริมการปกครองท้องถิ่น", Role.Kind.DEPARTMENT_OFFICIAL),
    DemoUser("sysadmin", "ผู้ดูแล", "ระบบ", "ผู้ดูแลระบบ", Role.Kind.SYSTEM_ADMIN),
]


def demo_registry_rows() -> list[dict[str, str]]:
    """Rows in DLA's registry layout for the demo provinces."""
    rows = []
    for province_code in DEMO_PROVINCES:
        province = geothai.province(province_code)
        districts = geothai.districts(province_code)
        capital = districts[0]
        rows.append(_row(province.name_th, capital.name_th, f"2{capital.code}01", "อบจ.", province.name_th))
        for district in districts:
            subdistricts = geothai.subdistricts(district.code)
            # One subdistrict municipality named for the district's first subdistrict, then
            # subdistrict administrative organizations for the next few.
            rows.append(_row(province.name_th, district.name_th, f"5{district.code}02", "ทต.", subdistricts[0].name_th))
            for number, sub in enumerate(subdistricts[1:4], start=5):
                # The upgraded one is already a ทต. in the registry; its history says since when.
                label = "ทต." if (district.code == UPGRADED_CODE_DISTRICT and number == 5) else "อบต."
                rows.append(_row(province.name_th, district.name_th, f"6{district.code}{number:02d}", label, sub.name_th))
    for district_code, type_label, name, number in MUNICIPALITIES:
        district = geothai.district(district_code)
        province = geothai.province(district.province_code)
        rows.append(_row(province.name_th, district.name_th, f"{_type_digit(type_label)}{district_code}{number}", type_label, name))
    return rows


def _type_digit(label: str) -> str:
    return {"เทศบาลเมือง": "4", "เทศบาลนคร": "3", "เมืองพัทยา": "3"}[label]


def _row(province: str, district: str, code: str, type_label: str, name: str) -> dict[str, str]:
    return {"จังหวัด": province, "อำเภอ": district, "รหัส อปท.": code, "ประเภท อปท.": type_label, "อปท.": name}


def _registry_csv(rows: list[dict[str, str]]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


@transaction.atomic
def seed_demo() -> dict[str, int]:
    report = import_registry(_registry_csv(demo_registry_rows()), file_name="demo-registry.csv")
    _upgrade_one_organization()
    users = {demo.username: _demo_user(demo) for demo in DEMO_USERS}
    framework = load_demo_framework(by=users["dla_official"])
    open_demo_round(framework, by=users["dla_official"], today=bangkok_today())
    return {
        "organizations": Organization.objects.count(),
        "created": report.created,
        "users": len(DEMO_USERS),
        "round": framework.year,
        "indicators": framework.indicators.count(),
        "assessments": framework.assessments.count(),
    }


def _upgrade_one_organization() -> None:
    """Show type history: one demo อบต. became a เทศบาลตำบล on 1 Oct 2024 (2567)."""
    organization = Organization.objects.get(code=f"6{UPGRADED_CODE_DISTRICT}05")
    if organization.type_changes.exists():
        return
    OrganizationTypeChange.objects.create(
        organization=organization,
        from_type=Organization.Type.SAO,
        to_type=Organization.Type.SUBDISTRICT_MUNICIPALITY,
        effective_date=datetime.date(2024, 10, 1),
        note="ยกฐานะเป็นเทศบาลตำบล (ข้อมูลสาธิต)",
    )


def _demo_user(demo: DemoUser) -> User:
    user, _ = User.objects.update_or_create(
        username=demo.username,
        defaults={
            "first_name": demo.first_name,
            "last_name": demo.last_name,
            "email": f"{demo.username}@demo.lpa.go.th",
            "position": demo.position,
            "is_active": True,
            "is_staff": demo.kind == Role.Kind.SYSTEM_ADMIN,
            "is_superuser": demo.kind == Role.Kind.SYSTEM_ADMIN,
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    Role.objects.get_or_create(
        user=user,
        kind=demo.kind,
        organization=Organization.objects.get(code=demo.organization_code) if demo.organization_code else None,
        province=Province.objects.get(code=demo.province_code) if demo.province_code else None,
    )
    return user
