"""The user guides: one per role, each an outline of sections with stable anchors.

A guide's text is a template (templates/guide/roles/<slug>.html) that opens every section
with `{% section "anchor" %}` (guide/templatetags/guide.py): the heading comes from the
outline here, so the table of contents, the page, the PDF and the "?" links of the main
pages (guide/pages.py) all name the same sections. A section the outline lists but the
template leaves out, or the other way round, fails tests/guide/test_guides.py.
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import scope_for
from accounts.models import Role, User


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str | Promise


@dataclass(frozen=True)
class Guide:
    slug: str
    role: str  # a Role.Kind value: whose guide it is
    title: str | Promise
    summary: str | Promise
    sections: tuple[Section, ...]

    @property
    def template(self) -> str:
        return f"guide/roles/{self.slug}.html"

    def section(self, anchor: str) -> Section:
        for section in self.sections:
            if section.anchor == anchor:
                return section
        raise KeyError(f"guide {self.slug} has no section {anchor!r}")

    def has_section(self, anchor: str) -> bool:
        return any(section.anchor == anchor for section in self.sections)


def _outline(*pairs: tuple[str, str | Promise]) -> tuple[Section, ...]:
    return tuple(Section(anchor, title) for anchor, title in pairs)


GUIDES: dict[str, Guide] = {
    guide.slug: guide
    for guide in (
        Guide(
            slug="org-staff",
            role=Role.Kind.ORG_STAFF,
            title=_("คู่มือเจ้าหน้าที่ อปท."),
            summary=_("กรอกแบบประเมินตนเอง แนบหลักฐาน แก้ไขเมื่อจังหวัดส่งกลับ และอ่านผลการประเมิน"),
            sections=_outline(
                ("start", _("เริ่มต้นใช้งาน")),
                ("year", _("หนึ่งปีของ อปท. ทีละขั้น")),
                ("assessment", _("หน้าการประเมินของ อปท.")),
                ("answering", _("ตอบตัวชี้วัดทีละด้าน")),
                ("not-applicable", _("ตัวชี้วัดที่ไม่มีภารกิจ")),
                ("evidence", _("แนบหลักฐาน")),
                ("deadlines", _("กำหนดเวลา (เวลาประเทศไทย)")),
                ("returned", _("เมื่อจังหวัดส่งกลับให้แก้ไข")),
                ("results", _("ผลการประเมินและการอุทธรณ์")),
                ("notifications", _("การแจ้งเตือน")),
                ("problems", _("ข้อผิดพลาดที่พบบ่อย")),
            ),
        ),
        Guide(
            slug="org-head",
            role=Role.Kind.ORG_HEAD,
            title=_("คู่มือผู้บริหาร อปท."),
            summary=_("ตรวจความครบถ้วน ส่งผลการประเมินตนเอง ส่งผลที่แก้ไข และอุทธรณ์ผลการประเมิน"),
            sections=_outline(
                ("start", _("เริ่มต้นใช้งาน")),
                ("year", _("หนึ่งปีของผู้บริหาร อปท. ทีละขั้น")),
                ("assessment", _("ติดตามความครบถ้วน")),
                ("submit", _("ส่งผลการประเมินตนเอง")),
                ("deadlines", _("กำหนดเวลา (เวลาประเทศไทย)")),
                ("returned", _("ส่งกลับให้แก้ไขและส่งผลที่แก้ไข")),
                ("results", _("อ่านผลการประเมิน")),
                ("appeal", _("อุทธรณ์ผลการประเมิน")),
                ("notifications", _("การแจ้งเตือน")),
                ("problems", _("ข้อผิดพลาดที่พบบ่อย")),
            ),
        ),
        Guide(
            slug="assessor",
            role=Role.Kind.PROVINCIAL_ASSESSOR,
            title=_("คู่มือคณะผู้ประเมินและหัวหน้าคณะ"),
            summary=_("รับงานตรวจประเมิน ให้ผลการตรวจ ส่งกลับให้แก้ไข ยืนยันผล และพิจารณาอุทธรณ์"),
            sections=_outline(
                ("start", _("เริ่มต้นใช้งาน")),
                ("year", _("หนึ่งปีของคณะผู้ประเมิน ทีละขั้น")),
                ("queue", _("งานตรวจประเมินของคณะ")),
                ("review-page", _("หน้าตรวจประเมิน")),
                ("scoring", _("ให้ผลการตรวจและเหตุผล")),
                ("not-applicable", _("ยืนยันหรือไม่ยืนยัน “ไม่มีภารกิจ”")),
                ("return", _("ส่งกลับให้แก้ไข")),
                ("recheck", _("ตรวจซ้ำหลัง อปท. ส่งผลที่แก้ไข")),
                ("verify", _("หัวหน้าคณะยืนยันผลการตรวจ")),
                ("comments", _("ความเห็นและบันทึกภายใน")),
                ("appeals", _("พิจารณาอุทธรณ์")),
                ("history", _("ประวัติการประเมิน")),
                ("problems", _("ข้อผิดพลาดที่พบบ่อย")),
            ),
        ),
        Guide(
            slug="province",
            role=Role.Kind.PROVINCIAL_ADMIN,
            title=_("คู่มือสำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด"),
            summary=_("จัดคณะผู้ประเมิน ติดตามงาน ขยายเวลา รับรองผล พิจารณาอุทธรณ์ รายงานของจังหวัด และผู้ใช้งาน"),
            sections=_outline(
                ("start", _("เริ่มต้นใช้งาน")),
                ("year", _("หนึ่งปีของจังหวัด ทีละขั้น")),
                ("provincial-indicators", _("ตัวชี้วัดของจังหวัด")),
                ("teams", _("คณะผู้ประเมินและการมอบหมาย")),
                ("board", _("ติดตามการตรวจประเมิน")),
                ("extension", _("ขยายเวลาการประเมินตนเอง")),
                ("return", _("ส่งกลับให้แก้ไข")),
                ("approve", _("รับรองผลและเปิดการตรวจอีกครั้ง")),
                ("appeals", _("พิจารณาอุทธรณ์")),
                ("reports", _("รายงานของจังหวัด")),
                ("users", _("ผู้ใช้งานในจังหวัด")),
                ("problems", _("ข้อผิดพลาดที่พบบ่อย")),
            ),
        ),
        Guide(
            slug="department",
            role=Role.Kind.DEPARTMENT_OFFICIAL,
            title=_("คู่มือเจ้าหน้าที่กรมส่งเสริมการปกครองท้องถิ่น"),
            summary=_("ทะเบียน อปท. รอบการประเมินและกรอบตัวชี้วัด ติดตามทั้งประเทศ ประกาศผล และรายงาน"),
            sections=_outline(
                ("start", _("เริ่มต้นใช้งาน")),
                ("year", _("หนึ่งปีของกรม ทีละขั้น")),
                ("registry", _("ทะเบียน อปท.")),
                ("rounds", _("รอบการประเมินและช่วงเวลา")),
                ("framework", _("กรอบการประเมินและตัวชี้วัด")),
                ("open-round", _("เปิดรอบการประเมินและการแก้ไขหลังเปิด")),
                ("progress", _("ติดตามทั้งประเทศ")),
                ("publish", _("ประกาศผลและช่วงอุทธรณ์")),
                ("reports", _("แดชบอร์ดและรายงาน")),
                ("exports", _("ไฟล์รายงานขนาดใหญ่")),
                ("users", _("ผู้ใช้งาน")),
                ("problems", _("ข้อผิดพลาดที่พบบ่อย")),
            ),
        ),
        Guide(
            slug="system-admin",
            role=Role.Kind.SYSTEM_ADMIN,
            title=_("คู่มือผู้ดูแลระบบ"),
            summary=_("บัญชีและบทบาท การล็อกการเข้าระบบ หน้าผู้ดูแลระบบ งานเบื้องหลัง อีเมล และคำสั่งประจำ"),
            sections=_outline(
                ("start", _("เริ่มต้นใช้งาน")),
                ("year", _("หนึ่งปีของผู้ดูแลระบบ")),
                ("accounts", _("บัญชีผู้ใช้และบทบาท")),
                ("sign-in", _("การเข้าระบบและการล็อกบัญชี")),
                ("admin", _("หน้าผู้ดูแลระบบ (Django admin)")),
                ("background", _("งานเบื้องหลัง อีเมล และคำสั่งประจำวัน")),
                ("limits", _("ค่าที่ตั้งได้")),
                ("manuals", _("พิมพ์คู่มือสำหรับการอบรม")),
                ("problems", _("ข้อผิดพลาดที่พบบ่อย")),
            ),
        ),
    )
}

# A superuser holds no role row but is a system admin (accounts.models.Scope).
GUIDE_OF_ROLE = {guide.role: guide for guide in GUIDES.values()}


def get_guide(slug: str) -> Guide:
    try:
        return GUIDES[slug]
    except KeyError:
        raise Http404 from None


def guides_for(user: User) -> list[Guide]:
    """The guides of the roles `user` holds, in the order of GUIDES."""
    kinds = scope_for(user).kinds
    return [guide for guide in GUIDES.values() if guide.role in kinds]
