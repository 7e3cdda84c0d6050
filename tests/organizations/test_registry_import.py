"""The registry importer (organizations.registry) and its command, import_organizations."""

import datetime
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from core.spreadsheets import Column, Table
from organizations.models import Organization, OrganizationTypeChange, RegistryImport
from organizations.registry import ImportReport, RegistryFileError, import_registry
from tests.factories import OrganizationFactory, district

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
EXCERPT = DATA / "dla_re01_excerpt.csv"
NATIONAL = DATA / "dla_organizations.csv"
needs_excerpt = pytest.mark.skipif(not EXCERPT.exists(), reason=f"DLA excerpt not found at {EXCERPT} (CI has it)")
needs_national = pytest.mark.skipif(
    not NATIONAL.exists(), reason=f"DLA national file not found at {NATIONAL} (CI has it)"
)

HEADER = "จังหวัด,อำเภอ,รหัส อปท.,ประเภท อปท.,อปท.,ขนาดพื้นที่,LAT,LONG"
KHLONG_THOM_SAO = "กระบี่,คลองท่อม,6810403,อบต.,คลองท่อมเหนือ,176.34,,"
KHLONG_PHON = "กระบี่,คลองท่อม,5810402,เทศบาลตำบล,คลองพน,7.65,7.807166758,99.203614"


def csv_file(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO("\n".join([header, *lines]).encode(encoding))


def run(*lines: str, file_name: str = "test.csv", header: str = HEADER, **kwargs) -> ImportReport:
    return import_registry(csv_file(*lines, header=header), file_name=file_name, **kwargs)


def only_reason(report: ImportReport) -> str:
    assert len(report.rejected) == 1, report.rejected
    return report.rejected[0].reason


# The two real DLA files ------------------------------------------------------------------------


@needs_excerpt
def test_raw_dla_excerpt_gives_twelve_organizations_and_no_rejections():
    report = import_registry(EXCERPT, file_name=EXCERPT.name)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (12, 0, 0, [])
    assert report.rows_read == 36
    assert Organization.objects.count() == 12
    khlong_thom_tai = Organization.objects.get(code="5810401")
    assert khlong_thom_tai.name == "คลองท่อมใต้"
    assert khlong_thom_tai.type == Organization.Type.SUBDISTRICT_MUNICIPALITY
    assert khlong_thom_tai.district.name_th == "คลองท่อม"
    assert khlong_thom_tai.district.province.name_th == "กระบี่"
    assert khlong_thom_tai.area_sq_km == Decimal("2.70")
    assert khlong_thom_tai.latitude == Decimal("7.9529817")
    assert khlong_thom_tai.longitude == Decimal("99.1503909")
    blank_numbers = Organization.objects.get(code="6810602")
    assert blank_numbers.type == Organization.Type.SAO
    assert (blank_numbers.area_sq_km, blank_numbers.latitude, blank_numbers.longitude) == (None, None, None)


@needs_excerpt
def test_excerpt_imports_without_a_query_per_row(django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        import_registry(EXCERPT, file_name=EXCERPT.name)


@needs_national
def test_national_file_imports_7849_organizations_with_dla_counts_per_type():
    report = import_registry(NATIONAL, file_name=NATIONAL.name)

    assert (report.created, report.updated, report.unchanged, report.rejected) == (7849, 0, 0, [])
    counts = dict(Organization.objects.values_list("type").annotate(n=Count("pk")))
    assert counts == {
        Organization.Type.PAO: 76,
        Organization.Type.CITY_MUNICIPALITY: 30,
        Organization.Type.TOWN_MUNICIPALITY: 195,
        Organization.Type.SUBDISTRICT_MUNICIPALITY: 2247,
        Organization.Type.SAO: 5300,
        Organization.Type.PATTAYA: 1,
    }
    # Type from the label, not the code: upgraded ทต. keep their 6-codes.
    assert Organization.objects.get(code="6130408").type == Organization.Type.SUBDISTRICT_MUNICIPALITY
    assert Organization.objects.get(code="6720123").type == Organization.Type.SUBDISTRICT_MUNICIPALITY
    assert Organization.objects.get(code="3200408").type == Organization.Type.PATTAYA
    # District from the names, not the code: Lampang's PAO sits in เกาะคา (5203), not 5201.
    assert Organization.objects.get(code="2520101").district.code == "5203"
    assert report.seconds < 30


@needs_national
def test_second_national_import_changes_nothing_and_says_so():
    import_registry(NATIONAL, file_name=NATIONAL.name)

    again = import_registry(NATIONAL, file_name=NATIONAL.name)

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 7849, [])
    assert again.summary().startswith("ไม่มีการเปลี่ยนแปลง")
    assert "ไม่เปลี่ยนแปลง 7,849 แห่ง" in again.summary()
    assert OrganizationTypeChange.objects.count() == 0
    assert RegistryImport.objects.count() == 2


# Dry run, upsert and type changes ----------------------------------------------------------------


def test_dry_run_reports_what_would_happen_and_writes_nothing():
    report = run(KHLONG_THOM_SAO, KHLONG_PHON, dry_run=True)

    assert report.created == 2
    assert report.dry_run
    assert report.summary().startswith("ตรวจสอบอย่างเดียว ยังไม่บันทึก")
    assert Organization.objects.count() == 0
    assert RegistryImport.objects.count() == 0


def test_dry_run_of_an_upgrade_records_no_type_change():
    OrganizationFactory(code="6810403", name="คลองท่อมเหนือ", district=district("8104"), type=Organization.Type.SAO)

    report = run(KHLONG_THOM_SAO.replace("อบต.", "ทต."), dry_run=True)

    assert (report.updated, report.type_changes) == (1, 1)
    assert Organization.objects.get(code="6810403").type == Organization.Type.SAO
    assert OrganizationTypeChange.objects.count() == 0


def test_upgrade_from_sao_to_subdistrict_municipality_records_a_type_change():
    organization = OrganizationFactory(
        code="6810403", name="คลองท่อมเหนือ", district=district("8104"), type=Organization.Type.SAO,
        area_sq_km=Decimal("176.34"),
    )
    upgrade_day = datetime.date(2025, 10, 1)

    report = run(KHLONG_THOM_SAO.replace("อบต.", "เทศบาลตำบล"), effective_date=upgrade_day, file_name="dla-2568.csv")

    assert (report.created, report.updated, report.unchanged, report.type_changes) == (0, 1, 0, 1)
    assert report.updates[0].changes == ["ประเภท: อบต. → ทต."]
    organization.refresh_from_db()
    assert organization.type == Organization.Type.SUBDISTRICT_MUNICIPALITY
    change = OrganizationTypeChange.objects.get(organization=organization)
    assert (change.from_type, change.to_type, change.effective_date) == ("sao", "subdistrict", upgrade_day)
    assert "dla-2568.csv" in change.note
    assert organization.type_on(datetime.date(2025, 9, 30)) == Organization.Type.SAO
    assert organization.type_on(upgrade_day) == Organization.Type.SUBDISTRICT_MUNICIPALITY


def test_type_change_without_a_date_takes_effect_today_in_bangkok():
    OrganizationFactory(code="6810403", name="คลองท่อมเหนือ", district=district("8104"), type=Organization.Type.SAO)

    run(KHLONG_THOM_SAO.replace("อบต.", "ทต."))

    today = timezone.localdate(timezone=ZoneInfo("Asia/Bangkok"))
    assert OrganizationTypeChange.objects.get().effective_date == today


def test_changed_name_and_district_are_updated_and_described():
    before = OrganizationFactory(
        code="5810402", name="คลองพนเก่า", district=district("8101"), type=Organization.Type.SUBDISTRICT_MUNICIPALITY
    )

    report = run(KHLONG_PHON)

    assert (report.created, report.updated) == (0, 1)
    organization = Organization.objects.get(code="5810402")
    assert (organization.name, organization.district.code) == ("คลองพน", "8104")
    assert organization.area_sq_km == Decimal("7.65")
    changes = report.updates[0].changes
    assert "ชื่อ: คลองพนเก่า → คลองพน" in changes
    assert "อำเภอ: เมืองกระบี่ → คลองท่อม" in changes
    assert organization.updated_at > before.updated_at
    assert OrganizationTypeChange.objects.count() == 0


def test_a_failure_while_writing_leaves_nothing_half_done(monkeypatch):
    OrganizationFactory(code="6810403", name="คลองท่อมเหนือ", district=district("8104"), type=Organization.Type.SAO)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrganizationTypeChange.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        run(KHLONG_PHON, KHLONG_THOM_SAO.replace("อบต.", "ทต."))

    assert list(Organization.objects.values_list("code", "type")) == [("6810403", "sao")]
    assert RegistryImport.objects.count() == 0


def test_same_file_twice_changes_nothing_the_second_time():
    run(KHLONG_THOM_SAO, KHLONG_PHON)

    again = run(KHLONG_THOM_SAO, KHLONG_PHON)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.summary().startswith("ไม่มีการเปลี่ยนแปลง")


def test_organizations_missing_from_the_file_are_kept_active():
    elsewhere = OrganizationFactory(code="6810199", district=district("8101"))

    run(KHLONG_PHON)

    elsewhere.refresh_from_db()
    assert elsewhere.is_active


def test_file_without_optional_columns_keeps_area_and_coordinates_on_record():
    OrganizationFactory(
        code="5810402", name="คลองพน", district=district("8104"), type=Organization.Type.SUBDISTRICT_MUNICIPALITY,
        area_sq_km=Decimal("7.65"), latitude=Decimal("7.8071668"), longitude=Decimal("99.2036140"),
    )

    report = run("กระบี่,คลองท่อม,5810402,ทต.,คลองพน", header="จังหวัด,อำเภอ,รหัส อปท.,ประเภท อปท.,อปท.")

    assert (report.updated, report.unchanged) == (0, 1)
    organization = Organization.objects.get()
    assert (organization.area_sq_km, organization.latitude) == (Decimal("7.65"), Decimal("7.8071668"))


def test_real_run_records_the_import_with_its_rejections():
    run(KHLONG_PHON, "กระบี่,คลองท่อม,123,อบต.,ผิด,,,")

    record = RegistryImport.objects.get()
    assert (record.file_name, record.created, record.rejected) == ("test.csv", 1, 1)
    assert record.rejections == [{"row": 3, "code": "123", "reason": record.rejections[0]["reason"]}]
    assert "7 หลัก" in record.rejections[0]["reason"]


# File shapes -------------------------------------------------------------------------------------


def test_names_an_export_wrote_as_inert_text_import_as_typed():
    # Text starting like a formula is kept as text by every export (core.spreadsheets); read back, it is as typed.
    workbook = openpyxl.Workbook()
    table = Table(workbook.active, [Column(header, 20) for header in HEADER.split(",")])
    table.append(["กระบี่", "คลองท่อม", "5810402", "ทต.", "-คลองพน-", 7.65, None, None])
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)

    report = import_registry(content, file_name="krabi.xlsx")

    assert (report.created, report.rejected) == (1, [])
    assert Organization.objects.get(code="5810402").name == "-คลองพน-"


def test_xlsx_file_imports_like_csv():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ทะเบียน อปท. จังหวัดกระบี่"])  # a title line above the header, as Excel users add
    sheet.append(HEADER.split(","))
    sheet.append(["กระบี่", "คลองท่อม", 5810402, "ทต.", "คลองพน", 7.65, 7.807166758, 99.203614])
    sheet.append(["กระบี่", "ลำทับ", "6810705", "องค์การบริหารส่วนตำบล", "ดินอุดม", 72, None, None])
    sheet.append(["กระบี่", "ลำทับ", "123", "อบต.", "ผิด", None, None, None])
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)

    report = import_registry(content, file_name="krabi.xlsx")

    assert (report.created, report.rows_read) == (2, 3)
    assert [(r.row, r.code) for r in report.rejected] == [(5, "123")]
    khlong_phon = Organization.objects.get(code="5810402")
    assert khlong_phon.type == Organization.Type.SUBDISTRICT_MUNICIPALITY
    assert khlong_phon.latitude == Decimal("7.8071668")
    assert Organization.objects.get(code="6810705").area_sq_km == Decimal("72")


def test_tis620_csv_from_thai_windows_is_read():
    report = import_registry(csv_file(KHLONG_PHON, encoding="cp874"), file_name="tis620.csv")

    assert report.created == 1
    assert Organization.objects.get().name == "คลองพน"


def test_tab_separated_utf16_from_excel_unicode_text_is_read():
    content = "\n".join([HEADER.replace(",", "\t"), KHLONG_PHON.replace(",", "\t")]).encode("utf-16")

    report = import_registry(io.BytesIO(content), file_name="unicode.txt")

    assert report.created == 1


def test_header_with_bom_and_stray_spaces_is_accepted():
    header = "\ufeff จังหวัด , อำเภอ ,รหัส  อปท. ,ประเภท อปท,อปท., ขนาดพื้นที่ ,lat,long"

    report = import_registry(csv_file(KHLONG_PHON, header=header), file_name="spaces.csv")

    assert report.created == 1
    assert Organization.objects.get().latitude == Decimal("7.8071668")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("อบจ.", "pao"), ("องค์การบริหารส่วนจังหวัด", "pao"),
        ("ทน.", "city"), ("เทศบาลนคร", "city"),
        ("ทม.", "town"), ("เทศบาลเมือง", "town"),
        ("ทต.", "subdistrict"), ("เทศบาลตำบล", "subdistrict"), ("ทต", "subdistrict"),
        ("อบต.", "sao"), ("องค์การบริหารส่วนตำบล", "sao"), ("อบต", "sao"), (" อบต. ", "sao"),
        ("เมืองพัทยา", "pattaya"),
    ],
)
def test_full_and_abbreviated_type_labels_are_accepted(label, expected):
    report = run(f"กระบี่,คลองท่อม,6810403,{label},คลองท่อมเหนือ,,,")

    assert report.rejected == []
    assert Organization.objects.get().type == expected


def test_identical_repeated_rows_are_one_organization():
    report = run(KHLONG_PHON, KHLONG_PHON, KHLONG_PHON)

    assert (report.created, report.rows_read, report.rejected) == (1, 3, [])


def test_blank_lines_are_skipped_and_row_numbers_still_match_the_file():
    report = run("", KHLONG_PHON, ",,,,,,,", "กระบี่,คลองท่อม,58104,ทต.,ผิด,,,")

    assert report.created == 1
    assert [r.row for r in report.rejected] == [5]


def test_damaged_numbers_are_stored_empty_with_a_note_not_rejected():
    report = run("กระบี่,คลองท่อม,5810402,ทต.,คลองพน,1-ม.ค.,7.8x,99.2")

    assert (report.created, report.rejected) == (1, [])
    organization = Organization.objects.get()
    assert (organization.area_sq_km, organization.latitude, organization.longitude) == (None, None, None)
    assert any("1-ม.ค." in warning.reason for warning in report.warnings)


# Broken files: a clear Thai message and nothing written --------------------------------------------


def assert_refused(content: bytes, *expected_words: str) -> None:
    OrganizationFactory(code="6810199", district=district("8101"))
    with pytest.raises(RegistryFileError) as refused:
        import_registry(io.BytesIO(content), file_name="broken.csv")
    for word in expected_words:
        assert word in str(refused.value)
    assert Organization.objects.count() == 1
    assert RegistryImport.objects.count() == 0


def test_wrong_columns_are_refused_naming_the_missing_ones():
    assert_refused("จังหวัด,อำเภอ,ชื่อ,ที่อยู่\nกระบี่,คลองท่อม,คลองพน,-\n".encode(), "รหัส อปท.", "ประเภท อปท.")


def test_file_without_any_dla_header_is_refused():
    assert_refused(b"name,code\nfoo,1\n", "ไม่พบหัวตาราง")


def test_pdf_renamed_csv_is_refused():
    assert_refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "PDF")


def test_binary_file_renamed_csv_is_refused():
    assert_refused(bytes(range(256)) * 8, "ไม่ใช่ไฟล์ CSV หรือ XLSX")


def test_image_renamed_csv_is_refused():
    assert_refused(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "รูปภาพ")


def test_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert_refused(content.getvalue(), "zip")


def test_old_xls_workbook_is_refused_with_how_to_convert():
    assert_refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ".xls", ".xlsx")


def test_empty_file_is_refused():
    assert_refused(b"", "ไฟล์ว่างเปล่า")


def test_header_only_file_is_refused():
    assert_refused(HEADER.encode() + b"\n", "ไม่มีข้อมูล")


# Row problems: that row is rejected with a reason, the rest import -------------------------------


def test_unknown_province_rejects_the_row_naming_the_province():
    report = run(KHLONG_PHON, "กระบี่ใหม่,คลองท่อม,6810403,อบต.,คลองท่อมเหนือ,,,")

    assert report.created == 1
    assert report.rejected[0].row == 3
    assert "ไม่พบจังหวัด 'กระบี่ใหม่'" in only_reason(report)
    assert not Organization.objects.filter(code="6810403").exists()


def test_bangkok_row_is_rejected_because_bangkok_is_not_assessed():
    report = run("กรุงเทพมหานคร,บางรัก,6100401,อบต.,ทดสอบ,,,")

    assert "กรุงเทพมหานคร" in only_reason(report)
    assert Organization.objects.count() == 0


def test_district_not_in_the_province_rejects_the_row():
    # ลำทับ is a Krabi district; Lampang has none by that name.
    report = run("ลำปาง,ลำทับ,6520101,อบต.,ทดสอบ,,,")

    assert "ไม่พบอำเภอ 'ลำทับ' ในจังหวัดลำปาง" in only_reason(report)
    assert Organization.objects.count() == 0


def test_district_is_found_with_amphoe_prefix_and_plain_mueang():
    report = run(
        "จังหวัดกระบี่,อำเภอคลองท่อม,5810402,ทต.,คลองพน,,,",
        "กระบี่,เมือง,6810101,อบต.,ทดสอบ,,,",
    )

    assert report.rejected == []
    assert Organization.objects.get(code="6810101").district.code == "8101"


@pytest.mark.parametrize("code", ["581040", "58104021", "58104O2", "ABCDEFG"])
def test_code_that_is_not_seven_digits_rejects_the_row(code):
    report = run(f"กระบี่,คลองท่อม,{code},ทต.,คลองพน,,,")

    assert report.rejected[0].code == code
    assert "ไม่ใช่ตัวเลข 7 หลัก" in only_reason(report)
    assert Organization.objects.count() == 0


def test_code_turned_into_scientific_notation_by_excel_is_explained():
    report = run("กระบี่,คลองท่อม,5.81E+06,ทต.,คลองพน,,,")

    assert "เลขยกกำลัง" in only_reason(report)


def test_missing_code_rejects_the_row():
    report = run("กระบี่,คลองท่อม,,ทต.,คลองพน,,,")

    assert "ไม่มีรหัส อปท." in only_reason(report)


def test_unknown_type_label_rejects_the_row_listing_the_accepted_ones():
    report = run("กระบี่,คลองท่อม,5810402,สุขาภิบาล,คลองพน,,,")

    reason = only_reason(report)
    assert "ไม่รู้จักประเภท อปท. 'สุขาภิบาล'" in reason
    assert "อบต." in reason and "เทศบาลตำบล (ทต.)" in reason


def test_blank_name_rejects_the_row():
    report = run("กระบี่,คลองท่อม,5810402,ทต.,,,,")

    assert "ไม่มีชื่อ อปท." in only_reason(report)


def test_several_problems_in_one_row_are_all_told():
    reason = only_reason(run("ไม่มีจังหวัดนี้,คลองท่อม,12,ไม่รู้,,,,"))

    assert "7 หลัก" in reason and "ประเภท" in reason and "ไม่มีจังหวัดนี้" in reason and "ชื่อ" in reason


def test_conflicting_repeats_of_a_code_reject_it_listing_the_rows():
    report = run(
        KHLONG_PHON,
        KHLONG_THOM_SAO,
        KHLONG_PHON.replace("คลองพน,7.65", "คลองพนใหม่,7.65"),
        KHLONG_PHON.replace("เทศบาลตำบล", "อบต."),
    )

    assert report.created == 1  # 6810403 still imports
    rejection = report.rejected[0]
    assert (rejection.row, rejection.code) == (2, "5810402")
    assert "แถว 2, 4, 5" in rejection.reason
    assert "'คลองพนใหม่' (แถว 4)" in rejection.reason
    assert "'อบต.' (แถว 5)" in rejection.reason
    assert not Organization.objects.filter(code="5810402").exists()


# The management command --------------------------------------------------------------------------


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_file(*lines).getvalue())
    return path


def test_command_prints_the_report_with_each_rejected_row_and_the_time(tmp_path):
    out = io.StringIO()

    call_command("import_organizations", write(tmp_path, KHLONG_PHON, "กระบี่,คลองท่อม,123,ทต.,ผิด,,,"), stdout=out)

    printed = out.getvalue()
    assert "เพิ่มใหม่ 1 แห่ง" in printed
    assert "ปฏิเสธ 1 แถว" in printed
    assert "แถว 3 รหัส 123:" in printed
    assert "วินาที" in printed
    assert Organization.objects.count() == 1


def test_command_dry_run_writes_nothing(tmp_path):
    out = io.StringIO()

    call_command("import_organizations", write(tmp_path, KHLONG_PHON), "--dry-run", stdout=out)

    assert "ตรวจสอบอย่างเดียว" in out.getvalue()
    assert Organization.objects.count() == 0


def test_command_effective_date_accepts_buddhist_year(tmp_path):
    OrganizationFactory(code="6810403", name="คลองท่อมเหนือ", district=district("8104"), type=Organization.Type.SAO)

    call_command(
        "import_organizations", write(tmp_path, KHLONG_THOM_SAO.replace("อบต.", "ทต.")),
        "--effective-date", "2568-10-01", stdout=io.StringIO(),
    )

    assert OrganizationTypeChange.objects.get().effective_date == datetime.date(2025, 10, 1)


def test_command_turns_a_bad_file_into_a_command_error(tmp_path):
    path = tmp_path / "scan.csv"
    path.write_bytes(b"%PDF-1.4 not a registry")

    with pytest.raises(CommandError, match="PDF"):
        call_command("import_organizations", path, stdout=io.StringIO())


def test_command_refuses_a_missing_path(tmp_path):
    with pytest.raises(CommandError, match="ไม่พบไฟล์"):
        call_command("import_organizations", tmp_path / "missing.csv", stdout=io.StringIO())
