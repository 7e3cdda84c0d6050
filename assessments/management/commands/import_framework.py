from django.core.management.base import BaseCommand, CommandError

from assessments.workbook import WorkbookErrors, import_framework_workbook


class Command(BaseCommand):
    help = (
        "นำเข้ากรอบการประเมินจากไฟล์ Excel: สร้างรอบใหม่ หรือแทนที่กรอบของรอบที่ยังอยู่ในระยะจัดเตรียม "
        "(ตรวจทั้งไฟล์ก่อน ถ้าพบปัญหาจะไม่นำเข้าอะไรเลย)"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="ไฟล์ .xlsx ตามรูปแบบใน docs/framework-workbook.md")
        parser.add_argument("--year", type=int, help="นำเข้าเป็นปีการประเมินนี้ (พ.ศ.) แทนปีในไฟล์")

    def handle(self, *args, file: str, year: int | None, **options):
        try:
            assessment_round = import_framework_workbook(file, by=None, year=year)
        except WorkbookErrors as errors:
            for error in errors:
                self.stderr.write(str(error))
            raise CommandError(f"พบปัญหา {len(errors)} รายการ ไม่ได้นำเข้าข้อมูลใด ๆ") from None
        self.stdout.write(
            self.style.SUCCESS(f"นำเข้ากรอบการประเมินปี {assessment_round.year} แล้ว ({assessment_round.indicators.count()} ตัวชี้วัด)")
        )
