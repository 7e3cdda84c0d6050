from django.core.management.base import BaseCommand

from organizations.geography import load_geography
from organizations.models import District, Province


class Command(BaseCommand):
    help = "โหลดหรือปรับปรุงข้อมูลจังหวัดและอำเภอ (ยกเว้นกรุงเทพมหานคร) จากแพ็กเกจ geothai"

    def handle(self, *args, **options):
        provinces, districts = load_geography(Province, District)
        self.stdout.write(self.style.SUCCESS(f"จังหวัด {provinces} จังหวัด, อำเภอ {districts} อำเภอ"))
