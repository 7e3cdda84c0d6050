"""Evidence reuse in the browser: the demo organization's one order, shown on three indicators,
attached to a fourth from the picker without uploading it again."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, demo_assessment


def test_staff_attach_a_file_they_uploaded_before_from_the_picker(demo, login, live_server):
    from assessments.models import Evidence, Indicator, StoredFile
    from demo.seed import SHARED_EVIDENCE_CODES, SHARED_EVIDENCE_NAME

    assessment = demo_assessment()
    indicator = Indicator.objects.for_assessment(assessment).get(code="2.1.2")
    (stored,) = StoredFile.objects.filter(organization=assessment.organization)
    page = login("org_staff")

    page.goto(f"{live_server.url}/assessments/{assessment.pk}/dimensions/2/")
    picker = f"/assessments/{assessment.pk}/indicators/{indicator.pk}/files/pick/"
    # The picker's link is in the indicator's editor, fetched when its block opens.
    block = page.locator(f"#ind-{indicator.pk}")
    block.locator("summary", has_text="แก้ไขคำตอบและหลักฐาน").click()
    expect(block.locator(f"a[href='{picker}']")).to_have_count(1)

    page.goto(f"{live_server.url}{picker}")
    expect(page.get_by_role("heading", level=1)).to_have_text("เลือกไฟล์ที่เคยอัปโหลด")
    row = page.locator(f"tr[data-stored-file='{stored.pk}']")
    for code in SHARED_EVIDENCE_CODES:
        expect(row).to_contain_text(f"{code} (ปี 2569)")
    assert_accessible(page)

    # Nothing ticked: a Thai message, nothing attached.
    page.get_by_role("button", name="แนบไฟล์ที่เลือกกับตัวชี้วัด 2.1.2").click()
    expect(page.get_by_role("alert")).to_contain_text("เลือกไฟล์อย่างน้อย 1 ไฟล์")

    page.get_by_label(SHARED_EVIDENCE_NAME).check()
    page.get_by_role("button", name="แนบไฟล์ที่เลือกกับตัวชี้วัด 2.1.2").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{assessment.pk}/dimensions/2/"))
    expect(page.locator(".alert")).to_contain_text(f"แนบไฟล์แล้ว 1 ไฟล์: {SHARED_EVIDENCE_NAME}")
    expect(page.locator(f"#ind-{indicator.pk}").get_by_role("link", name=SHARED_EVIDENCE_NAME)).to_have_count(1)
    assert Evidence.objects.current().filter(answer__indicator=indicator, stored=stored).count() == 1
    assert StoredFile.objects.filter(organization=assessment.organization).count() == 1

    # Back in the picker: the file is now on this indicator and cannot be ticked again.
    page.goto(f"{live_server.url}{picker}")
    expect(row).to_contain_text("แนบแล้ว")
    expect(row.get_by_role("checkbox")).to_have_count(0)
