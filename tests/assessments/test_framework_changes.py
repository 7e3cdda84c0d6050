"""The framework between two years: matching indicators, what changed, full marks before/after,
the comparison page, its export and the summary on the round's page."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Role
from assessments.framework import copy_round
from assessments.framework_changes import IndicatorState, OptionState, compare, diff_frameworks
from assessments.models import Indicator, Round
from organizations.models import Organization
from tests.assessments.factories import CategoryFactory, DimensionFactory, IndicatorFactory, RoundFactory
from tests.factories import province, user_with_role

pytestmark = pytest.mark.django_db

ALL = list(Organization.Type.values)
PAO, SAO = Organization.Type.PAO, Organization.Type.SAO


def two_years():
    """2590 → 2591, built by hand. Dimension 1 has categories 1 and 2, dimension 2 one category.

    In 2590: A (1.1, levels 0–5), B (1.1, levels 0–5), C (1.2, all types), D (2.1, checklist
    1+1+1), E (2.1, removed next year), P (1.1, a pilot), R "โครงการถนน" coded 2.9.
    In 2591: A the same; B renamed; C moved to category 1.1 and for อบจ. only; D with a
    criterion worth 2 (full 4); E gone; F new (2.1, levels 0–10); P no longer a pilot;
    R the same title, coded 2.10 (recoded).
    """
    rounds = {}
    for year in (2590, 2591):
        r = RoundFactory(year=year)
        d1 = DimensionFactory(round=r, number=1, name="การบริหารจัดการ")
        d2 = DimensionFactory(round=r, number=2, name="การบริหารงานบุคคล")
        rounds[year] = (
            r,
            CategoryFactory(dimension=d1, number=1),
            CategoryFactory(dimension=d1, number=2),
            CategoryFactory(dimension=d2, number=1),
        )
    old, c11, c12, c21 = rounds[2590]
    IndicatorFactory(category=c11, code="A", title="แผนพัฒนา")
    IndicatorFactory(category=c11, code="B", title="ชื่อเดิม")
    IndicatorFactory(category=c12, code="C", title="ศูนย์บริการ")
    IndicatorFactory(category=c21, code="D", title="การประชุมสภา", kind=Indicator.Kind.CHECKLIST, options=[1, 1, 1])
    IndicatorFactory(category=c21, code="E", title="ตัวชี้วัดที่ยกเลิก")
    IndicatorFactory(category=c11, code="P", title="นำร่อง", is_pilot=True)
    IndicatorFactory(category=c21, code="2.9", title="โครงการถนน")
    new, c11, c12, c21 = rounds[2591]
    IndicatorFactory(category=c11, code="A", title="แผนพัฒนา")
    IndicatorFactory(category=c11, code="B", title="ชื่อใหม่")
    IndicatorFactory(category=c11, code="C", title="ศูนย์บริการ", applies_to=[PAO])
    IndicatorFactory(category=c21, code="D", title="การประชุมสภา", kind=Indicator.Kind.CHECKLIST, options=[1, 1, 2])
    IndicatorFactory(category=c21, code="F", title="ตัวชี้วัดใหม่", options=[0, 5, 10])
    IndicatorFactory(category=c11, code="P", title="นำร่อง")
    IndicatorFactory(category=c21, code="2.10", title="โครงการถนน")
    return old, new


def by_code(changes):
    return {change.code: change for change in changes.changes}


def test_compare_lists_added_removed_moved_renamed_and_rule_changes():
    old, new = two_years()
    changes = compare(old, new)
    found = by_code(changes)
    assert [c.code for c in changes.added] == ["F"]
    assert [c.code for c in changes.removed] == ["E"]
    assert [c.code for c in changes.moved] == ["C"]
    assert [c.code for c in changes.renamed] == ["B"]
    assert [(c.before.code, c.after.code) for c in changes.recoded] == [("2.9", "2.10")]
    assert changes.unchanged == 1  # A
    assert {c.code for c in changes.rules_changed} == {"C", "D", "P"}
    # B and 2.10 changed wording only; C's move within dimension 1 is not a rule change, its types are.
    assert not found["B"].rules_changed and not found["2.10"].rules_changed
    assert {f.key: (f.before, f.after) for f in found["C"].fields} == {
        "category": ("1.2 หมวด 2", "1.1 หมวด 1"),
        "applies_to": ("ทุกประเภท", "อบจ."),
    }
    assert {f.key: (f.before, f.after) for f in found["D"].fields if f.rules} == {
        "options": ("ข้อ 1 = 1; ข้อ 2 = 1; ข้อ 3 = 1", "ข้อ 1 = 1; ข้อ 2 = 1; ข้อ 3 = 2"),
        "full_points": ("3", "4"),
    }
    assert [(f.key, f.before, f.after) for f in found["P"].fields] == [("is_pilot", "ใช่", "ไม่ใช่")]


def test_full_marks_per_type_and_dimension_before_and_after():
    old, new = two_years()
    totals = {row.number: row for row in compare(old, new).totals}
    pao, sao = ALL.index(PAO), ALL.index(SAO)
    # Dimension 1: 2590 A 5 + B 5 + C 5 (P a pilot) = 15 for every type;
    # 2591 A 5 + B 5 + P 5 = 15, plus C 5 for อบจ. only = 20.
    assert (totals[1].before[pao], totals[1].after[pao]) == (Decimal(15), Decimal(20))
    assert (totals[1].before[sao], totals[1].after[sao]) == (Decimal(15), Decimal(15))
    # Dimension 2: D 3 + E 5 + 2.9 5 = 13 → D 4 + F 10 + 2.10 5 = 19.
    assert (totals[2].before[sao], totals[2].after[sao]) == (Decimal(13), Decimal(19))
    assert totals[2].name == "การบริหารงานบุคคล"
    assert (totals[0].before[sao], totals[0].after[sao]) == (Decimal(28), Decimal(34))
    assert totals[0].cells[pao] == (Decimal(28), Decimal(39), Decimal(11))


def test_changed_dimensions_leave_out_wording_and_pilots():
    def state(code, title="t", dimension=1, **fields):
        return IndicatorState(
            code=code,
            title=title,
            dimension=dimension,
            category=1,
            kind="levels",
            applies_to=tuple(ALL),
            **{"options": (OptionState("ก", Decimal(5)),), **fields},
        )

    before = [state("1"), state("2", dimension=2)]
    wording = diff_frameworks(
        before, [state("1", title="ชื่อใหม่"), state("2", dimension=2), state("9", dimension=3, is_pilot=True)]
    )
    assert wording.changed_dimensions() == set()
    assert [c.code for c in wording.added] == ["9"]
    points = diff_frameworks(before, [state("1"), state("2", dimension=2, options=(OptionState("ก", Decimal(10)),))])
    assert points.changed_dimensions() == {2}


def test_recoding_needs_a_title_unique_on_both_sides():
    def state(code, title):
        return IndicatorState(code=code, title=title, dimension=1, category=1, kind="levels", applies_to=tuple(ALL))

    changes = diff_frameworks([state("1", "ซ้ำ"), state("2", "ซ้ำ")], [state("3", "ซ้ำ")])
    assert [c.code for c in changes.added] == ["3"] and [c.code for c in changes.removed] == ["1", "2"]
    assert changes.recoded == []


def test_same_framework_has_no_changes():
    old, _new = two_years()
    copied = copy_round(old, year=2592, by=None)
    changes = compare(old, copied)
    assert changes.is_empty and changes.unchanged == 7


# The page.


@pytest.fixture
def official():
    return user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)


def test_changes_page_defaults_to_the_year_before(client, official):
    old, new = two_years()
    client.force_login(official)
    response = client.get(reverse("assessments:framework_changes", args=[new.year]))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["before"] == old
    assert 'data-indicator="F" data-status="added"' in html
    assert 'data-indicator="E" data-status="removed"' in html
    assert 'data-count="moved">1<' in html
    assert reverse("assessments:framework_changes_export", args=[new.year]) + "?since=2590" in html


def test_changes_page_refuses_a_since_that_is_no_year_in_thai(client, official):
    _old, new = two_years()
    client.force_login(official)
    url = reverse("assessments:framework_changes", args=[new.year])
    for since in ("abc", "๒๕๙๐", "99999999999999999999", "2591"):
        response = client.get(url, {"since": since})
        assert response.status_code == 400, since
        assert "ปี" in response.context["problem"]
    assert client.get(url, {"since": "2400"}).status_code == 404


def test_changes_page_without_an_earlier_year(client, official):
    only = RoundFactory(year=2580)
    Round.objects.exclude(pk=only.pk).delete()
    client.force_login(official)
    response = client.get(reverse("assessments:framework_changes", args=[2580]))
    assert response.status_code == 200 and response.context["changes"] is None
    assert client.get(reverse("assessments:framework_changes_export", args=[2580])).status_code == 400


def test_provincial_office_sees_only_its_own_provincial_indicators(client):
    old, new = two_years()
    category = new.dimensions.get(number=1).categories.get(number=2)
    category.open_to_provinces = True
    category.save()
    IndicatorFactory(category=category, code="K", province=province("81"))
    IndicatorFactory(category=category, code="CH", province=province("20"))
    client.force_login(user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")))
    response = client.get(reverse("assessments:framework_changes", args=[new.year]), {"since": old.year})
    codes = {c.code for c in response.context["changes"].added}
    assert codes == {"F", "K"}


def test_organization_staff_cannot_see_the_changes_page(client):
    _old, new = two_years()
    client.force_login(user_with_role(Role.Kind.ORG_STAFF))
    assert client.get(reverse("assessments:framework_changes", args=[new.year])).status_code == 404


def test_export_has_the_changes_and_full_marks_as_inert_cells(client, official):
    old, new = two_years()
    new.indicators.filter(code="B").update(title='=HYPERLINK("http://x")')
    client.force_login(official)
    response = client.get(reverse("assessments:framework_changes_export", args=[new.year]), {"since": old.year})
    assert response.status_code == 200
    assert 'filename="lpa-framework-changes-2590-2591.xlsx"' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert ("B", "B", '=HYPERLINK("http://x")', "เปลี่ยนชื่อ", "ชื่อตัวชี้วัด", "ชื่อเดิม", '=HYPERLINK("http://x")') in rows
    formula_cells = [c for row in workbook.worksheets[0].iter_rows() for c in row if c.data_type == "f"]
    assert formula_cells == []
    assert any(row[:2] == ("F", None) or row[:2] == (None, "F") for row in rows)
    totals = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert totals[-1][0] == "รวม"


def test_round_page_summarises_what_changed_since_last_year(client, official):
    _old, new = two_years()
    client.force_login(official)
    html = client.get(new.get_absolute_url()).content.decode()
    assert "data-framework-changes-summary" in html
    assert "สิ่งที่เปลี่ยนจากปี 2590" in html
    assert reverse("assessments:framework_changes", args=[new.year]) + "?since=2590" in html


# Results year over year: the dimensions whose rules changed are marked.


def test_year_over_year_marks_the_dimensions_whose_rules_changed(client):
    from results.dashboard import Filters, build_dashboard
    from tests.results.test_year_over_year import make_years

    last, this, _before, _now = make_years()
    for round in (last, this):
        CategoryFactory(dimension=round.dimensions.get(number=2), number=1)
        IndicatorFactory(category=round.dimensions.get(number=2).categories.get(), code="2.1")
    assert build_dashboard(this, Filters(), previous=last).year_over_year.rules_changed == set()
    # Dimension 2's indicator is worth 10 this year instead of 5.
    this.indicators.get(code="2.1").options.filter(position=6).update(points=10)
    # The marks are kept under both frameworks' versions: until the edit gives the framework
    # a new one (as every function of assessments/framework.py does), the kept marks stand.
    assert build_dashboard(this, Filters(), previous=last).year_over_year.rules_changed == set()
    this.framework_changed()
    assert build_dashboard(this, Filters(), previous=last).year_over_year.rules_changed == {2}
    client.force_login(user_with_role(Role.Kind.DEPARTMENT_OFFICIAL))
    html = client.get(reverse("results:dashboard", args=[this.year])).content.decode()
    assert '<tr data-dimension="2" data-rules-changed>' in html
    assert '<tr data-dimension="1">' in html
    assert f"{reverse('assessments:framework_changes', args=[this.year])}?since={last.year}" in html


def test_demo_framework_changes_since_last_year():
    from demo.framework import load_demo_framework
    from demo.seed import change_framework_since_last_year

    official = user_with_role(Role.Kind.DEPARTMENT_OFFICIAL)
    last, this = load_demo_framework(year=2568), load_demo_framework(year=2569)
    change_framework_since_last_year(this, by=official)
    change_framework_since_last_year(this, by=official)  # again: nothing more
    changes = compare(last, this)
    assert [c.code for c in changes.added] == ["5.1.6"]
    assert [c.code for c in changes.removed] == ["4.4.1"]
    assert [c.code for c in changes.moved] == ["4.5.4"]
    assert [c.code for c in changes.renamed] == ["4.4.2"]
    assert {c.code for c in changes.rules_changed} == {"1.3.2", "2.2.3", "4.1.3"}
    assert changes.changed_dimensions() == {1, 2, 4}
