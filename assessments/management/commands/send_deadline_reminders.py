"""Daily, from cron: remind organizations that have not sent their self-assessment.

    15 7 * * * cd /srv/lpa && .venv/bin/python manage.py send_deadline_reminders --days 7,3,1,0

Safe to run more than once a day: each reminder goes once (assessments/reminders.py).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessments.reminders import DEFAULT_DAYS, send_deadline_reminders


def day_list(value: str) -> list[int]:
    try:
        days = sorted({int(part) for part in value.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise CommandError(f"--days ต้องเป็นจำนวนวันคั่นด้วยจุลภาค เช่น 7,3,1,0 (ได้ “{value}”)") from None
    if not days or any(day < 0 for day in days):
        raise CommandError(f"--days ต้องเป็นจำนวนวันตั้งแต่ 0 ขึ้นไป เช่น 7,3,1,0 (ได้ “{value}”)")
    return days


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today ต้องเป็นวันที่แบบ ค.ศ. YYYY-MM-DD (ได้ “{value}”)") from None


class Command(BaseCommand):
    help = (
        "เตือน อปท. ที่ยังไม่ส่งผลการประเมินตนเอง (หรือยังไม่ส่งผลที่แก้ไข) ก่อนถึงกำหนดส่ง "
        "ทั้งในระบบและทางอีเมล ถึงเจ้าหน้าที่และผู้บริหาร อปท. แต่ละรายการเตือนครั้งเดียว (ใช้กับ cron วันละครั้ง)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            default=",".join(str(day) for day in DEFAULT_DAYS),
            help="เตือนเมื่อเหลืออีกกี่วันถึงกำหนดส่ง คั่นด้วยจุลภาค 0 = วันสุดท้าย (ค่าเริ่มต้น %(default)s)",
        )
        parser.add_argument("--dry-run", action="store_true", help="นับว่าจะเตือนกี่รายการ โดยไม่บันทึกและไม่ส่งอีเมล")
        parser.add_argument(
            "--today", help="ถือว่าวันนี้เป็นวันที่นี้ (YYYY-MM-DD ค.ศ.) ค่าเริ่มต้นคือวันนี้ตามเวลาประเทศไทย"
        )

    def handle(self, *args, days: str, dry_run: bool, today: str | None, **options):
        run = send_deadline_reminders(
            today=iso_date(today) if today else timezone.localdate(), days=day_list(days), dry_run=dry_run
        )
        if dry_run:
            self.stdout.write(
                f"ทดลอง: จะเตือน {run.notifications} รายการ ถึง อปท. {run.assessments} แห่ง (ไม่ได้บันทึกหรือส่งอีเมล)"
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"เตือนแล้ว {run.notifications} รายการ ถึง อปท. {run.assessments} แห่ง เข้าคิวส่งอีเมล {run.emails} ฉบับ"
                )
            )
