"""Queue again the notification emails that failed (out of attempts or refused), each with a
fresh set of attempts; the worker sends them. Run after fixing the mail server or an address.
"""

from django.core.management.base import BaseCommand

from notifications.sending import retry_failed


class Command(BaseCommand):
    help = "ส่งอีเมลแจ้งเตือนที่ส่งไม่สำเร็จอีกครั้ง (เข้าคิวให้ worker ส่ง)"

    def handle(self, *args, **options):
        self.stdout.write(f"เข้าคิวส่งอีเมลอีกครั้ง {retry_failed()} ฉบับ")
