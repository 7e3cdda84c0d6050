"""A background export in the browser, from the demo: the department asks for the national
workbook on the year's dashboard, follows its page while the real worker (django-tasks-db's
db_worker) builds it, and downloads it when the page's script sees it done."""

import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible


@pytest.fixture
def export_folder(settings, tmp_path):
    # The live server and the worker run in this process and read the setting on every use.
    settings.LPA_EXPORTS_ROOT = tmp_path / "exports"


def test_department_asks_for_the_national_workbook_and_downloads_it(demo, login, live_server, export_folder):
    from exports.models import Export

    page = login("dla_official")
    page.goto(f"{live_server.url}/results/2569/")
    page.get_by_role("link", name="ผลการประเมินรายด้าน (Excel)").click()
    expect(page.get_by_role("heading", name="ผลการประเมินรายด้าน (Excel)")).to_be_visible()
    page.get_by_role("button", name="สั่งจัดทำไฟล์").click()
    expect(page.get_by_text("สถานะ: รอคิว")).to_be_visible()
    assert_accessible(page)

    # The worker runs here while the page polls the live server; the script reloads the
    # page once the export is done.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    download_link = page.get_by_role("link", name=re.compile(r"^ดาวน์โหลด lpa-results-2569\.xlsx"))
    expect(download_link).to_be_visible(timeout=15_000)
    with page.expect_download() as download:
        download_link.click()
    content = open(download.value.path(), "rb").read()
    summary = load_workbook(io.BytesIO(content), read_only=True)["สรุป"]
    codes = {row[0] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert "4810103" in codes and len(codes) == Export.objects.get().round.assessments.count()

    page.get_by_role("link", name="ไฟล์รายงาน", exact=True).click()
    expect(page.get_by_role("cell", name="พร้อมดาวน์โหลด")).to_be_visible()
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_role("link", name=re.compile("พร้อมดาวน์โหลด"))).to_be_visible()
