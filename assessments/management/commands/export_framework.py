from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from assessments.workbook import build_framework_workbook


class Command(BaseCommand):
    help = "ส่งออกกรอบการประเมินของปีที่ระบุเป็นไฟล์ Excel (รูปแบบใน docs/framework-workbook.md)"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="ปีการประเมิน (พ.ศ.) เช่น 2569")
        parser.add_argument("file", help="ไฟล์ .xlsx ที่จะเขียน")

    def handle(self, *args, year: int, file: str, **options):
        assessment_round = Round.objects.filter(year=year).first()
        if assessment_round is None:
            raise CommandError(f"ไม่พบรอบการประเมินปี {year}")
        build_framework_workbook(assessment_round).save(file)
        self.stdout.write(self.style.SUCCESS(f"ส่งออกกรอบการประเมินปี {year} ({assessment_round.indicators.count()} ตัวชี้วัด) ไปที่ {file}"))
