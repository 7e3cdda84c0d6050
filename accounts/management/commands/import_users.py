from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.access import scope_for
from accounts.models import User
from accounts.user_import import UserImportFileError, import_users


class Command(BaseCommand):
    help = "Import user accounts from a CSV or XLSX file, as the manager named by --manager would in the web page."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV or XLSX file with the Thai column headers")
        parser.add_argument("--manager", required=True, help="username of the manager the import acts for")
        parser.add_argument("--dry-run", action="store_true", help="check every row and report, but save nothing")

    def handle(self, *args, file: Path, manager: str, dry_run: bool, **options):
        account = User.objects.filter(username__iexact=manager, is_active=True).first()
        if account is None:
            raise CommandError(f"ไม่พบผู้ใช้ {manager} ที่ใช้งานอยู่")
        if not scope_for(account).manages_users:
            raise CommandError(f"ผู้ใช้ {account.username} ไม่มีสิทธิ์จัดการผู้ใช้")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"เปิดไฟล์ {file} ไม่ได้: {error.strerror}") from None
        try:
            report = import_users(data, file_name=file.name, manager=account, dry_run=dry_run)
        except UserImportFileError as error:
            raise CommandError(str(error)) from None

        for row in report.rejections:
            self.stdout.write(f"แถว {row.row} ({row.username or '-'}): {row.reason}")
        prefix = "ทดลองนำเข้า (ไม่บันทึก): " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}สร้างใหม่ {report.created}, เพิ่มบทบาท {report.updated}, "
                f"ไม่เปลี่ยนแปลง {report.unchanged}, ปฏิเสธ {report.rejected}"
            )
        )
