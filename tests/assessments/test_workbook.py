"""The framework workbook: export, import, and the round trip between them."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from accounts.models import Role
from assessments.models import Indicator, Round
from assessments.workbook import WorkbookError, WorkbookErrors, build_framework_workbook, import_framework_workbook
from assessments.workbook.layout import DATE_FIELDS
from organizations.models import Organization
from tests.assessments.factories import IndicatorFactory, RoundFactory, framework_with
from tests.factories import province, user_with_role
from tests.formulas import FORMULAS, assert_inert

pytestmark = pytest.mark.django_db


@pytest.fixture
def round():
    """A framework using every feature the workbook carries."""
    round, (planning, provincial) = framework_with(
        RoundFactory(
            year=2569,
            title="การประเมิน LPA 2569",
            review_opens=datetime.date(2026, 6, 1),
            review_closes=datetime.date(2026, 9, 30),
            pass_mark=Decimal("72.5"),
        ),
        dimensions=2,
        open_last=True,
    )
    round.bands.filter(label="ดี").update(min_percent=Decimal("72.5"))
    IndicatorFactory(
        category=planning,
        code="1.1",
        kind=Indicator.Kind.CHECKLIST,
        options=["2", "1", "1", "1"],
        description="แผนพัฒนาท้องถิ่น\nตามระเบียบฯ",
        evidence_required="1. แผนพัฒนาท้องถิ่น\n2. รายงานการประชุมประชาคม",
    )
    IndicatorFactory(category=planning, code="1.10", kind=Indicator.Kind.FIGURE, options=[(5, "80.5"), ("2.5", 60)], unit="%")
    IndicatorFactory(
        category=planning,
        code="1.3",
        position=3,
        kind=Indicator.Kind.ALL_OR_NOTHING,
        all_or_nothing_points=Decimal(5),
        options=[0, 0, 0],
        applies_to=[Organization.Type.PAO],
    )
    IndicatorFactory(category=planning, code="1.4", position=4, is_pilot=True, allows_not_applicable=True)
    IndicatorFactory(category=provincial, code="2.1", province=province("81"), applies_to=["sao", "subdistrict"])
    return round


def save(workbook: Workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def cells(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def test_export_then_import_round_trips_exactly(round):
    exported = save(build_framework_workbook(round))
    imported = import_framework_workbook(exported, by=user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    assert imported.pk == round.pk  # the set-up round's framework was replaced
    assert cells(save(build_framework_workbook(imported))) == cells(exported)


def test_export_then_import_into_an_empty_database_round_trips_exactly(round):
    exported = save(build_framework_workbook(round))
    Round.objects.all().delete()
    imported = import_framework_workbook(io.BytesIO(exported), by=None)
    assert imported.phase == Round.Phase.SETUP
    assert cells(save(build_framework_workbook(imported))) == cells(exported)
    assert imported.indicators.get(code="2.1").province.code == "81"
    assert imported.indicators.get(code="1.10").full_points == Decimal(5)


def test_exported_layout(round):
    workbook = build_framework_workbook(round)
    assert workbook.sheetnames == ["รอบการประเมิน", "ระดับผลการประเมิน", "ด้าน", "หมวด", "ตัวชี้วัด", "เกณฑ์การให้คะแนน"]
    assert all(sheet.freeze_panes == "A2" for sheet in workbook.worksheets)
    content = cells(save(workbook))
    assert content["รอบการประเมิน"][1] == ("ปีการประเมิน (พ.ศ.)", 2569, "เช่น 2569")
    assert content["รอบการประเมิน"][6][:2] == ("วันเริ่มการตรวจประเมิน", "01/06/2569")
    assert content["ระดับผลการประเมิน"][1:] == [("ดีเด่น", 90), ("ดีมาก", 80), ("ดี", 72.5)]
    indicators = {row[0]: row for row in content["ตัวชี้วัด"][1:]}
    assert indicators["1.3"][7] == "ผ่านครบทุกรายการจึงได้คะแนน"
    assert indicators["1.3"][10:16] == ("ใช่", "ไม่ใช่", "ไม่ใช่", "ไม่ใช่", "ไม่ใช่", "ไม่ใช่")
    assert indicators["2.1"][-2:] == ("กระบี่", 5)


def test_import_with_another_year_starts_a_new_round_in_setup(round):
    Round.objects.filter(pk=round.pk).update(phase=Round.Phase.CLOSED)
    exported = save(build_framework_workbook(round))
    new = import_framework_workbook(exported, by=None, year=2570)
    assert (new.year, new.fiscal_year, new.title, new.review_opens) == (2570, 2569, "การประเมิน LPA 2570", None)
    assert new.indicators.count() == 5
    assert round.indicators.count() == 5  # last year untouched


def test_import_refuses_a_round_that_is_not_in_setup(round):
    exported = save(build_framework_workbook(round))
    Round.objects.filter(pk=round.pk).update(phase=Round.Phase.SELF_ASSESSMENT)
    with pytest.raises(WorkbookErrors) as raised:
        import_framework_workbook(exported, by=None)
    (error,) = raised.value.errors
    assert (error.sheet, error.row, error.column) == ("รอบการประเมิน", 2, "B")
    assert "อยู่ในระยะ “ประเมินตนเอง” แล้ว" in error.message


def test_import_is_for_the_department(round):
    exported = save(build_framework_workbook(round))
    with pytest.raises(PermissionDenied):
        import_framework_workbook(exported, by=user_with_role(Role.Kind.PROVINCIAL_ADMIN))


def test_import_reports_every_problem_and_imports_nothing(round):
    workbook = build_framework_workbook(round)
    sheet = workbook["รอบการประเมิน"]
    sheet["B2"] = 2570  # a new round, which must not be created
    sheet["B5"] = "31/02/2569"
    sheet["B11"] = 120
    workbook["ด้าน"].append([6, "ด้านที่หก"])
    categories = workbook["หมวด"]
    categories.append([3, 1, "หมวดของด้านที่ไม่มี", "ไม่ใช่"])
    indicators = workbook["ตัวชี้วัด"]
    indicators["A3"] = "1.1"  # duplicate code
    indicators["H4"] = "ให้คะแนนตามใจ"
    indicators["Q5"] = "อาจจะ"
    indicators["S2"] = "กระบี่"  # provincial indicator in a closed category
    indicators["T5"] = 4  # wrong full marks
    options = workbook["เกณฑ์การให้คะแนน"]
    options.append(["9.9", 1, "ไม่มีตัวชี้วัดนี้", None, 1, None])
    options["E2"] = -1
    options["F3"] = 50  # a threshold on a checklist

    with pytest.raises(WorkbookErrors) as raised:
        import_framework_workbook(save(workbook), by=None)

    found = {(e.sheet, e.row, e.column) for e in raised.value.errors}
    expected = {
        ("รอบการประเมิน", 5, "B"),
        ("รอบการประเมิน", 11, "B"),
        ("ด้าน", 4, "A"),
        ("หมวด", 4, "A"),
        ("ตัวชี้วัด", 3, "A"),
        ("ตัวชี้วัด", 4, "H"),
        ("ตัวชี้วัด", 5, "Q"),
        ("ตัวชี้วัด", 2, "S"),
        ("ตัวชี้วัด", 5, "T"),
        ("เกณฑ์การให้คะแนน", 2, "E"),
        ("เกณฑ์การให้คะแนน", 3, "F"),
        ("เกณฑ์การให้คะแนน", 23, "A"),
    }
    assert expected <= found, sorted(expected - found)
    messages = {(e.sheet, e.row, e.column): e.message for e in raised.value.errors}
    assert messages[("รอบการประเมิน", 11, "B")] == "เกณฑ์ผ่าน (ร้อยละ): ต้องไม่เกิน 100"
    assert messages[("ตัวชี้วัด", 3, "A")] == "รหัส: “1.1” ซ้ำกับแถว 2"
    assert "ชีต “ตัวชี้วัด” แถว 4 คอลัมน์ H: วิธีให้คะแนน: ต้องเป็นหนึ่งใน" in str(raised.value)
    assert not Round.objects.filter(year=2570).exists()
    assert round.indicators.count() == 5


def test_import_reports_missing_sheets_and_columns():
    workbook = Workbook()
    workbook.active.title = "ด้าน"
    workbook.active.append(["ด้านที่"])
    with pytest.raises(WorkbookErrors) as raised:
        import_framework_workbook(save(workbook), by=None)
    errors = raised.value.errors
    assert WorkbookError("ด้าน", 1, None, "ไม่พบคอลัมน์ “ชื่อด้าน” ในแถวหัวตาราง") in errors
    assert WorkbookError("ตัวชี้วัด", None, None, "ไม่พบชีต “ตัวชี้วัด”") in errors


def test_import_refuses_a_file_that_is_not_a_workbook():
    with pytest.raises(WorkbookErrors, match="ต้องเป็นไฟล์ Excel"):
        import_framework_workbook(b"code,name\n1,x\n", by=None)


def test_import_accepts_excel_dates_and_blank_yes_no(round):
    workbook = build_framework_workbook(round)
    workbook["รอบการประเมิน"]["B5"] = datetime.datetime(2569, 1, 20)  # 20/01/2569 typed into Excel
    workbook["ตัวชี้วัด"]["Q2"] = None
    imported = import_framework_workbook(save(workbook), by=None)
    assert imported.self_assessment_opens == datetime.date(2026, 1, 20)
    assert not imported.indicators.get(code="1.1").is_pilot


def test_commands_export_and_import(round, tmp_path):
    path = tmp_path / "framework.xlsx"
    call_command("export_framework", "2569", str(path))
    exported = path.read_bytes()
    call_command("import_framework", str(path), "--year", "2571")
    assert Round.objects.get(year=2571).indicators.count() == 5
    assert cells(exported)["ตัวชี้วัด"] == cells(save(build_framework_workbook(round)))["ตัวชี้วัด"]


@pytest.mark.parametrize("value", ["01/02/2026", "2569-02-01", "29/02/2568", datetime.datetime(2568, 2, 29)])
def test_import_refuses_dates_that_are_not_buddhist_era_days(round, value):
    workbook = build_framework_workbook(round)
    workbook["รอบการประเมิน"]["B5"] = value  # วันเปิดการประเมินตนเอง
    with pytest.raises(WorkbookErrors) as raised:
        import_framework_workbook(save(workbook), by=None)
    assert [(e.row, e.column) for e in raised.value.errors] == [(5, "B")]


@pytest.fixture
def typed_formulas(round):
    """Titles, notes and names in the framework that a spreadsheet would run if written as typed."""
    indicator = round.indicators.get(code="1.1")
    indicator.title, indicator.description, indicator.evidence_required, indicator.unit = FORMULAS
    indicator.save()
    option = indicator.options.first()
    option.label, option.description = FORMULAS[:2]
    option.save()
    round.dimensions.filter(number=1).update(name=FORMULAS[2])
    round.title = FORMULAS[3]
    round.save()
    return round


def test_typed_formulas_are_exported_as_text(typed_formulas):
    # A title starting with "=" was written as a live formula (issue: imported titles ran in Excel).
    workbook = load_workbook(io.BytesIO(save(build_framework_workbook(typed_formulas))))

    indicator = next(row for row in workbook["ตัวชี้วัด"].iter_rows(min_row=2) if row[0].value == "1.1")
    for cell, text in zip(indicator[4:7], FORMULAS[:3]):
        assert_inert(cell, text)
    assert_inert(indicator[8], FORMULAS[3])
    assert_inert(workbook["เกณฑ์การให้คะแนน"]["C2"], FORMULAS[0])
    assert_inert(workbook["เกณฑ์การให้คะแนน"]["D2"], FORMULAS[1])
    assert_inert(workbook["ด้าน"]["B2"], FORMULAS[2])
    assert_inert(workbook["รอบการประเมิน"]["B4"], FORMULAS[3])


def test_typed_formulas_import_back_as_typed(typed_formulas):
    exported = save(build_framework_workbook(typed_formulas))
    imported = import_framework_workbook(exported, by=None)

    indicator = imported.indicators.get(code="1.1")
    assert (indicator.title, indicator.description, indicator.evidence_required, indicator.unit) == FORMULAS
    assert (indicator.options.first().label, indicator.options.first().description) == FORMULAS[:2]
    assert (imported.dimensions.get(number=1).name, imported.title) == (FORMULAS[2], FORMULAS[3])
    assert cells(save(build_framework_workbook(imported))) == cells(exported)


def test_export_command_writes_typed_formulas_as_text(typed_formulas, tmp_path):
    path = tmp_path / "framework.xlsx"
    call_command("export_framework", "2569", str(path))
    sheet = load_workbook(path)["ตัวชี้วัด"]
    assert_inert(next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "1.1")[4], FORMULAS[0])


def test_characters_xlsx_cannot_hold_are_left_out_of_the_export(round):
    round.indicators.filter(code="1.1").update(title="แผน\x0bพัฒนา\x1f")
    content = cells(save(build_framework_workbook(round)))
    assert "แผนพัฒนา" in {row[4] for row in content["ตัวชี้วัด"][1:]}


def test_a_year_with_every_window_set_is_imported_as_a_new_year(round):
    # Issue 14: results published before the planned end of the review set an appeal window
    # that opens before it (reviews.workflow.publish_round). The import checked those dates of
    # the source year, which the new year leaves blank, and refused the workbook for them.
    Round.objects.filter(pk=round.pk).update(
        phase=Round.Phase.CLOSED,
        self_assessment_opens=datetime.date(2026, 1, 15),
        self_assessment_closes=datetime.date(2026, 3, 31),
        review_opens=datetime.date(2026, 6, 1),
        review_closes=datetime.date(2026, 9, 30),
        appeal_opens=datetime.date(2026, 9, 1),
        appeal_closes=datetime.date(2026, 9, 15),
    )
    round.refresh_from_db()
    exported = save(build_framework_workbook(round))

    new = import_framework_workbook(exported, by=None, year=2570)

    assert (new.year, new.phase, new.indicators.count()) == (2570, Round.Phase.SETUP, 5)
    assert [getattr(new, name) for name in DATE_FIELDS] == [None] * len(DATE_FIELDS)
    round.refresh_from_db()
    assert round.appeal_closes == datetime.date(2026, 9, 15)  # the source year untouched
