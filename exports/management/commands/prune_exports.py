from django.core.management.base import BaseCommand

from exports.building import KEEP_DAYS, prune


class Command(BaseCommand):
    help = "Delete finished exports (and their files) older than --days days. Run daily from cron."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=KEEP_DAYS, help=f"keep this many days (default {KEEP_DAYS})")

    def handle(self, *args, days: int, **options):
        if days < 0:
            self.stderr.write("--days must be 0 or more")
            raise SystemExit(2)
        self.stdout.write(f"deleted {prune(days=days)} exports older than {days} days")
