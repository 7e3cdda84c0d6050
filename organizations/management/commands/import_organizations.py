import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.templatetags.thai_dates import BUDDHIST_ERA_OFFSET
from organizations.registry import RegistryFileError, import_registry


def parse_effective_date(value: str) -> datetime.date:
    """YYYY-MM-DD in either era: staff often type the Buddhist year (2568-10-01)."""
    try:
        year, month, day = (int(part) for part in value.split("-"))
        if year > 2400:
            # Convert before building the date: 2567-02-29 is real (2024), but not as a C.E. year.
            year -= BUDDHIST_ERA_OFFSET
        return datetime.date(year, month, day)
    except ValueError:
        raise CommandError(f"--effective-date ต้องเป็นวันที่แบบ YYYY-MM-DD เช่น 2025-10-01 ไม่ใช่ '{value}'") from None


class Command(BaseCommand):
    help = (
        "นำเข้าทะเบียน อปท. จากไฟล์ CSV หรือ XLSX ตามแบบของ กสถ. "
        "(คอลัมน์ จังหวัด, อำเภอ, รหัส อปท., ประเภท อปท., อปท. และ ขนาดพื้นที่, LAT, LONG ถ้ามี) "
        "ปรับปรุงตามรหัส อปท. นำเข้าซ้ำได้โดยไม่เกิดผลซ้ำ"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="ไฟล์ทะเบียน อปท. (.csv หรือ .xlsx)")
        parser.add_argument("--dry-run", action="store_true", help="ตรวจสอบอย่างเดียว ยังไม่บันทึก")
        parser.add_argument(
            "--effective-date",
            type=str,
            default=None,
            help="วันที่มีผลของการเปลี่ยนประเภท อปท. (YYYY-MM-DD, ค.ศ. หรือ พ.ศ.) ค่าเริ่มต้นคือวันนี้",
        )

    def handle(self, *args, file: Path, dry_run: bool, effective_date: str | None, **options):
        day = parse_effective_date(effective_date) if effective_date else None
        if not file.is_file():
            raise CommandError(f"ไม่พบไฟล์ {file} กรุณาตรวจชื่อและที่อยู่ของไฟล์")
        try:
            report = import_registry(file, file_name=file.name, dry_run=dry_run, effective_date=day)
        except RegistryFileError as error:
            raise CommandError(f"{file.name}: {error}") from None
        except OSError as error:
            raise CommandError(f"อ่านไฟล์ {file} ไม่ได้: {error.strerror or error}") from None

        style = self.style.SUCCESS if report.changed and not report.rejected else self.style.WARNING
        self.stdout.write(style(report.summary()))
        for update in report.updates:
            self.stdout.write(f"  ปรับปรุง {update.code} {update.name}: {'; '.join(update.changes)}")
        for rejection in report.rejected:
            line = f"  แถว {rejection.row} รหัส {rejection.code or '-'}: {rejection.reason}"
            self.stdout.write(self.style.ERROR(line))
        for warning in report.warnings:
            self.stdout.write(f"  หมายเหตุ แถว {warning.row} รหัส {warning.code}: {warning.reason}")
        self.stdout.write(f"อ่าน {report.rows_read:,} แถว ใช้เวลา {report.seconds:.2f} วินาที")
