"""Bulk import of users from CSV/XLSX: per-row rejections with reasons, whole-file errors, dry runs."""

import io

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Role, User
from accounts.user_import import UserImportFileError, import_users
from core.spreadsheets import Column, Table
from tests.factories import OrganizationFactory, UserFactory, district, user_with_role

HEADER = ["ชื่อผู้ใช้", "ชื่อ", "นามสกุล", "อีเมล", "บทบาท", "รหัส อปท.", "จังหวัด", "โทรศัพท์", "ตำแหน่ง"]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def person(
    username, role="เจ้าหน้าที่ อปท.", code="", prov="", email=None, first="สมศรี", last="ทดสอบ", phone="", position=""
):
    return [
        username,
        first,
        last,
        email if email is not None else f"{username}@krabi.go.th",
        role,
        code,
        prov,
        phone,
        position,
    ]


def by_row(report):
    return {row.row: row for row in report.rows}


@pytest.fixture
def krabi_org2(db):
    return OrganizationFactory(district=district("8102"), name="อ่าวลึกทดสอบ")


# Good rows -------------------------------------------------------------------------------


def test_good_rows_create_users_with_roles(krabi_admin, krabi_org):
    data = csv_bytes(
        [
            person("malee", code=krabi_org.code, phone="075-111-222", position="นักจัดการงานทั่วไป"),
            person("udom", role="org_head", code=krabi_org.code),
            person("suda", role="คณะผู้ประเมินระดับจังหวัด", prov="กระบี่"),
            person("chai", role="province_admin", prov="81"),
        ]
    )
    report = import_users(data, file_name="people.csv", manager=krabi_admin)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (4, 0, 0, 0)
    malee = User.objects.get(username="malee")
    assert (malee.first_name, malee.email, malee.phone, malee.position) == (
        "สมศรี",
        "malee@krabi.go.th",
        "075-111-222",
        "นักจัดการงานทั่วไป",
    )
    role = malee.roles.get()
    assert (role.kind, role.organization, role.granted_by) == (Role.Kind.ORG_STAFF, krabi_org, krabi_admin)
    assert User.objects.get(username="udom").roles.get().kind == Role.Kind.ORG_HEAD
    assert User.objects.get(username="suda").roles.get().province.code == "81"
    assert User.objects.get(username="chai").roles.get().kind == Role.Kind.PROVINCIAL_ADMIN
    # Nobody knows the password: the person sets one with "ลืมรหัสผ่าน".
    assert not malee.check_password("")


def test_imported_user_sets_password_through_forgot_password(client, krabi_admin, krabi_org):
    import_users(csv_bytes([person("malee", code=krabi_org.code)]), file_name="p.csv", manager=krabi_admin)
    client.post(reverse("password_reset"), {"email": "malee@krabi.go.th"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["malee@krabi.go.th"]


def test_existing_username_gets_the_role_added_and_is_reported_updated(krabi_admin, krabi_org, krabi_org2):
    existing = user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="Malee", first_name="เดิม")
    report = import_users(
        csv_bytes([person("malee", role="org_head", code=krabi_org2.code, first="ใหม่")]),
        file_name="p.csv",
        manager=krabi_admin,
    )
    assert (report.created, report.updated) == (0, 1)
    assert existing.roles.filter(kind=Role.Kind.ORG_HEAD, organization=krabi_org2).exists()
    existing.refresh_from_db()
    assert existing.first_name == "เดิม"  # details of an existing account are left alone


def test_role_already_held_is_unchanged(krabi_admin, krabi_org):
    user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="malee")
    report = import_users(csv_bytes([person("malee", code=krabi_org.code)]), file_name="p.csv", manager=krabi_admin)
    assert (report.unchanged, report.updated, report.rejected) == (1, 0, 0)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(krabi_admin, krabi_org):
    data = csv_bytes([person("malee", code=krabi_org.code), person("suda", role="assessor", prov="81")])
    import_users(data, file_name="p.csv", manager=krabi_admin)
    report = import_users(data, file_name="p.csv", manager=krabi_admin)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_xlsx_with_numeric_codes_is_read(krabi_admin, krabi_org):
    data = xlsx_bytes(
        [
            ["malee", "มาลี", "ดี", "malee@krabi.go.th", "เจ้าหน้าที่ อปท.", int(krabi_org.code), None, None, None],
            ["suda", "สุดา", "ดี", "suda@krabi.go.th", "assessor", None, 81, "0812345678", None],
        ]
    )
    report = import_users(data, file_name="people.xlsx", manager=krabi_admin)
    assert (report.created, report.rejected) == (2, 0), report.rejections
    assert User.objects.get(username="suda").phone == "0812345678"


def test_names_an_export_wrote_as_inert_text_import_as_typed(krabi_admin, krabi_org):
    # Text starting like a formula is kept as text by every export (core.spreadsheets); read back, it is as typed.
    workbook = openpyxl.Workbook()
    table = Table(workbook.active, [Column(header, 20) for header in HEADER])
    table.append(person("malee", code=krabi_org.code, first="-มาลี-", last="=ดี", position="@หัวหน้า"))
    out = io.BytesIO()
    workbook.save(out)

    report = import_users(out.getvalue(), file_name="people.xlsx", manager=krabi_admin)

    assert (report.created, report.rejected) == (1, 0), report.rejections
    malee = User.objects.get(username="malee")
    assert (malee.first_name, malee.last_name, malee.position) == ("-มาลี-", "=ดี", "@หัวหน้า")


def test_thai_windows_csv_is_read(krabi_admin, krabi_org):
    data = csv_bytes([person("malee", code=krabi_org.code, prov="จังหวัดกระบี่")], encoding="cp874")
    report = import_users(data, file_name="people.csv", manager=krabi_admin)
    assert report.created == 1, report.rejections
    assert User.objects.get(username="malee").first_name == "สมศรี"


def test_semicolon_csv_and_extra_columns_are_accepted(krabi_admin, krabi_org):
    header = ["หมายเหตุ", *HEADER[:7]]
    data = ("\n".join([";".join(header), ";".join(["x", *person("malee", code=krabi_org.code)[:7]])])).encode()
    report = import_users(data, file_name="p.csv", manager=krabi_admin)
    assert report.created == 1, report.rejections


# Rejected rows ---------------------------------------------------------------------------


def test_each_bad_row_is_rejected_with_its_row_number_and_thai_reason(krabi_admin, krabi_org, chonburi_org):
    UserFactory(username="taken_email_owner", email="taken@krabi.go.th")
    user_with_role(Role.Kind.ORG_STAFF, organization=chonburi_org, username="chonburi_person")
    rows = [
        person("good", code=krabi_org.code),  # row 2
        person("p3", role="นายกเทศมนตรี", code=krabi_org.code),  # unknown role
        person("p4", code=chonburi_org.code),  # organization outside scope
        person("p5", role="assessor", prov="ชลบุรี"),  # province outside scope
        person("good", role="org_head", code=krabi_org.code, email="good2@krabi.go.th"),  # duplicate username in file
        person("p7", code=krabi_org.code, email="TAKEN@krabi.go.th"),  # email of another account
        person("p8", code=krabi_org.code, first=""),  # missing required value
        person("", code=krabi_org.code),  # no username
        person("p10", code="6999999"),  # code not in registry
        person("p11", code="68104"),  # malformed code
        person("p12", role="assessor", prov="กรุงเทพมหานคร"),  # unknown province
        person("p13", role="department"),  # role the manager may not grant
        person("chonburi_person", code=krabi_org.code),  # existing account outside scope
        person("p15", code=krabi_org.code, email="good@krabi.go.th"),  # email repeated in file
        person("p16", code=krabi_org.code, email="not-an-email"),
        person("p 17", code=krabi_org.code),  # space in username
        person("p18", role=""),  # no role
        person("p19", role="org_staff", code=""),  # organization role without code
        person("p20", role="assessor", prov=""),  # provincial role without province
        person("p21", code=krabi_org.code, prov="ชลบุรี"),  # code and province disagree
    ]
    report = import_users(csv_bytes(rows), file_name="p.csv", manager=krabi_admin)
    results = by_row(report)
    expected = {
        3: "ไม่รู้จักบทบาท “นายกเทศมนตรี”",
        4: f"อปท. รหัส {chonburi_org.code} อยู่นอกจังหวัดที่ท่านดูแล",
        5: "จังหวัดชลบุรี อยู่นอกจังหวัดที่ท่านดูแล",
        6: "ชื่อผู้ใช้ซ้ำกับแถวที่ 2 ในไฟล์",
        7: "มีบัญชีอื่นใช้อยู่แล้ว",
        8: "ผู้ใช้ใหม่ต้องกรอก ชื่อ",
        9: "ไม่ได้กรอกชื่อผู้ใช้",
        10: "ไม่พบ อปท. รหัส 6999999 ในทะเบียน",
        11: "ต้องเป็นตัวเลข 7 หลัก",
        12: "ไม่พบจังหวัด “กรุงเทพมหานคร”",
        13: "ท่านไม่มีสิทธิ์มอบบทบาท",
        14: "อยู่นอกขอบเขตที่ท่านดูแล",
        15: "ซ้ำกับแถวที่ 2 ในไฟล์",
        16: "รูปแบบไม่ถูกต้อง",
        17: "ใช้ได้เฉพาะตัวอักษร ตัวเลข",
        18: "ไม่ได้กรอกบทบาท",
        19: "ต้องกรอกรหัส อปท.",
        20: "ต้องกรอกจังหวัด",
        21: "ไม่ได้อยู่ในจังหวัดชลบุรี",
    }
    assert results[2].outcome == "created"
    for row, reason in expected.items():
        assert results[row].outcome == "rejected", (row, results[row])
        assert reason in results[row].reason, (row, results[row].reason)
    assert (report.created, report.rejected) == (1, len(expected))
    assert set(User.objects.values_list("username", flat=True)) == {
        "krabi_admin",
        "taken_email_owner",
        "chonburi_person",
        "good",
    }
    assert Role.objects.filter(user__username="chonburi_person").count() == 1


def test_role_labels_and_codes_are_matched_loosely(krabi_admin, krabi_org):
    rows = [
        person("a1", role=" ผู้บริหาร  อปท. ", code=krabi_org.code),
        person("a2", role="ORG_STAFF", code=krabi_org.code),
    ]
    report = import_users(csv_bytes(rows), file_name="p.csv", manager=krabi_admin)
    assert report.created == 2, report.rejections


def test_department_official_imports_across_provinces(department, krabi_org, chonburi_org):
    rows = [
        person("a1", code=krabi_org.code),
        person("a2", role="assessor", prov="20"),
        person("a3", role="system_admin"),
    ]
    report = import_users(csv_bytes(rows), file_name="p.csv", manager=department)
    assert report.created == 2
    assert "ท่านไม่มีสิทธิ์มอบบทบาท" in by_row(report)[4].reason


def test_non_manager_cannot_import(krabi_org):
    staff = user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_users(csv_bytes([person("a1", code=krabi_org.code)]), file_name="p.csv", manager=staff)


# Whole-file errors -----------------------------------------------------------------------


def test_wrong_columns_import_nothing_and_say_which_are_missing(krabi_admin, krabi_org):
    data = csv_bytes([["malee", "มาลี", "malee@krabi.go.th"]], header=["username", "name", "mail"])
    with pytest.raises(UserImportFileError) as error:
        import_users(data, file_name="p.csv", manager=krabi_admin)
    message = str(error.value)
    assert "หัวคอลัมน์ไม่ครบ" in message and "นามสกุล" in message and "บทบาท" in message
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "data,message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)), "ไม่ใช่ไฟล์ CSV หรือ XLSX"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x01", "ไม่ใช่ไฟล์ CSV หรือ XLSX"),
        (b"PK\x03\x04" + b"\x00" * 100, "ไม่ใช่ไฟล์ CSV หรือ XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel รุ่นเก่า (.xls)"),
        (b"", "ไฟล์ว่างเปล่า"),
        (b"\n\n  \n", "ไฟล์ว่างเปล่า"),
        (",".join(HEADER).encode(), "ไฟล์มีแต่แถวหัวคอลัมน์"),
        ((",".join(HEADER) + ",ชื่อผู้ใช้\n").encode(), "ซ้ำกันในแถวหัวคอลัมน์"),
    ],
)
def test_unreadable_file_raises_thai_error(krabi_admin, data, message):
    with pytest.raises(UserImportFileError) as error:
        import_users(data, file_name="x", manager=krabi_admin)
    assert message in str(error.value)


def test_zip_that_is_not_a_workbook_is_refused(krabi_admin):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(UserImportFileError, match="ไม่ใช่ไฟล์ CSV หรือ XLSX"):
        import_users(out.getvalue(), file_name="x.docx", manager=krabi_admin)


# Dry run ---------------------------------------------------------------------------------


def test_dry_run_reports_but_writes_nothing(krabi_admin, krabi_org, krabi_org2):
    existing = user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="old")
    rows = [
        person("malee", code=krabi_org.code),
        person("old", role="org_head", code=krabi_org2.code),
        person("bad", role="?"),
    ]
    report = import_users(csv_bytes(rows), file_name="p.csv", manager=krabi_admin, dry_run=True)
    assert (report.created, report.updated, report.rejected) == (1, 1, 1)
    assert report.dry_run
    assert not User.objects.filter(username="malee").exists()
    assert existing.roles.count() == 1


# The web page ----------------------------------------------------------------------------


def upload(client, data: bytes, name="people.csv", dry_run=False):
    payload = {"file": SimpleUploadedFile(name, data)}
    if dry_run:
        payload["dry_run"] = "on"
    return client.post(reverse("accounts:user_import"), payload)


def test_import_page_documents_the_columns(client, krabi_admin):
    client.force_login(krabi_admin)
    page = client.get(reverse("accounts:user_import")).content.decode()
    for header in HEADER:
        assert header in page
    assert "org_staff" in page and "เจ้าหน้าที่ อปท." in page


def test_upload_shows_report_with_counts_and_rejected_rows(client, krabi_admin, krabi_org, chonburi_org):
    client.force_login(krabi_admin)
    rows = [person("malee", code=krabi_org.code), person("p3", code=chonburi_org.code)]
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 200
    assert response.context["report"].created == 1 and response.context["report"].rejected == 1
    page = response.content.decode()
    assert "อยู่นอกจังหวัดที่ท่านดูแล" in page
    assert "ลืมรหัสผ่าน" in page
    assert User.objects.filter(username="malee").exists()


def test_dry_run_checkbox_saves_nothing(client, krabi_admin, krabi_org):
    client.force_login(krabi_admin)
    response = upload(client, csv_bytes([person("malee", code=krabi_org.code)]), dry_run=True)
    assert "ทดลองนำเข้า" in response.content.decode()
    assert response.context["report"].created == 1
    assert not User.objects.filter(username="malee").exists()


def test_upload_xlsx(client, krabi_admin, krabi_org):
    client.force_login(krabi_admin)
    data = xlsx_bytes([person("malee", code=krabi_org.code)])
    # The name says CSV; the content decides.
    response = upload(client, data, name="people.csv")
    assert response.context["report"].created == 1


def test_bad_file_upload_shows_thai_message_and_imports_nothing(client, krabi_admin):
    client.force_login(krabi_admin)
    response = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00garbage\x00", name="photo.png")
    assert response.status_code == 200
    assert "ไม่ใช่ไฟล์ CSV หรือ XLSX" in response.content.decode()
    assert User.objects.count() == 1


def test_wrong_columns_upload_shows_thai_message(client, krabi_admin):
    client.force_login(krabi_admin)
    response = upload(client, csv_bytes([["a", "b"]], header=["x", "y"]))
    assert "หัวคอลัมน์ไม่ครบ" in response.content.decode()


def test_missing_file_gets_thai_message(client, krabi_admin):
    client.force_login(krabi_admin)
    response = client.post(reverse("accounts:user_import"), {})
    assert "กรุณาเลือกไฟล์ CSV หรือ XLSX" in response.content.decode()


def test_too_large_file_is_refused(client, krabi_admin, settings):
    settings.LPA_IMPORT_MAX_BYTES = 100
    client.force_login(krabi_admin)
    response = upload(client, csv_bytes([person(f"u{n}") for n in range(10)]))
    assert "ไฟล์ใหญ่เกิน" in response.content.decode()


def test_template_csv_imports_cleanly_once_codes_are_real(client, department):
    OrganizationFactory(district=district("8101"), code="6810401")
    client.force_login(department)
    response = client.get(reverse("accounts:user_import_template"))
    assert response["Content-Type"].startswith("text/csv")
    report = import_users(response.content, file_name="template.csv", manager=department, dry_run=True)
    assert (report.created, report.rejected) == (2, 0), report.rejections


# The management command ------------------------------------------------------------------


def test_command_imports_as_the_named_manager(tmp_path, krabi_admin, krabi_org, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([person("malee", code=krabi_org.code), person("bad", role="?")]))
    call_command("import_users", str(path), "--manager", "krabi_admin")
    out = capsys.readouterr().out
    assert "สร้างใหม่ 1" in out and "ปฏิเสธ 1" in out and "แถว 3" in out
    assert User.objects.get(username="malee").roles.get().granted_by == krabi_admin


def test_command_dry_run_writes_nothing(tmp_path, krabi_admin, krabi_org):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes([person("malee", code=krabi_org.code)]))
    call_command("import_users", str(path), "--manager", "krabi_admin", "--dry-run")
    assert not User.objects.filter(username="malee").exists()


@pytest.mark.parametrize("manager,message", [("nobody", "ไม่พบผู้ใช้"), ("staff1", "ไม่มีสิทธิ์จัดการผู้ใช้")])
def test_command_refuses_unknown_or_non_manager(tmp_path, krabi_org, manager, message):
    user_with_role(Role.Kind.ORG_STAFF, organization=krabi_org, username="staff1")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([person("malee", code=krabi_org.code)]))
    with pytest.raises(CommandError, match=message):
        call_command("import_users", str(path), "--manager", manager)


def test_command_reports_bad_file(tmp_path, krabi_admin):
    path = tmp_path / "people.csv"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="ไม่ใช่ไฟล์ CSV หรือ XLSX"):
        call_command("import_users", str(path), "--manager", "krabi_admin")
