"""Send the queued notification emails whose time has come, here and now, without a worker.

The worker sends them as they are queued; this is cron's fallback for what it may leave:
messages a killed worker had claimed (once their lease ends) and retries a busy queue has
not reached yet.

    */10 * * * * cd /srv/lpa && .venv/bin/python manage.py send_queued_mail
"""

from django.core.management.base import BaseCommand

from notifications.sending import send_due


class Command(BaseCommand):
    help = "ส่งอีเมลแจ้งเตือนที่รอส่งและถึงเวลาแล้วทันที (สำรองให้ worker ใช้กับ cron)"

    def handle(self, *args, **options):
        run = send_due()
        self.stdout.write(f"ส่งแล้ว {run.sent} ฉบับ รอส่งใหม่ {run.retrying} ฉบับ ส่งไม่สำเร็จ {run.failed} ฉบับ")
