from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo


class Command(BaseCommand):
    help = "สร้างข้อมูลสาธิต: 3 จังหวัด อปท. ทุกประเภท และผู้ใช้ทุกบทบาท (รันซ้ำได้)"

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"อปท. ในระบบ {result['organizations']} แห่ง (เพิ่มใหม่ {result['created']})"))
        self.stdout.write(
            f"รอบการประเมินปี {result['round']}: ตัวชี้วัด {result['indicators']} ตัว "
            f"เปิดให้ประเมินตนเองแล้ว ({result['assessments']} อปท.)"
        )
        self.stdout.write(
            f"รอบการประเมินปี {result['previous_round']}: ปิดรอบและประกาศผลแล้ว "
            f"({result['previous_assessments']} อปท.) ไว้เทียบผลกับปีก่อน"
        )
        self.stdout.write(f"ผู้ใช้สาธิต (รหัสผ่าน {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<16} {demo.kind.label}")
