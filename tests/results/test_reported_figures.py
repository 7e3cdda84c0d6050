"""One organization's percentage is the same string on the page, in the XLSX, the CSV and the PDF.

The case sits on the pass mark: 139.99 of 200 points is exactly 69.995 %, reported 70.00
(2 places, half up, rounded once from the exact fraction), and pass and band are judged on
that reported figure: it passes, band ดี. No output may show 69.99, or 70.00 beside a fail.
"""

import csv
import io
import re
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments import selfassessment
from results.models import OVERALL, Result
from results.opendata import write_open_data_csv
from results.reports import render_province_report_pdf
from results.workbook import SUMMARY_SHEET, build_dimension_workbook
from tests.assessments.factories import IndicatorFactory
from tests.factories import province
from tests.reviews.factories import submitted_for_review

pytestmark = pytest.mark.django_db

REPORTED = "70.00"


@pytest.fixture
def on_the_pass_mark():
    """1.1–1.5 as claimed (18 of 20, 1.5 not applicable, confirmed) and 1.6 at 121.99 of 180:
    139.99 of 200 = 69.995 %; published."""
    case = submitted_for_review(submit=False)
    IndicatorFactory(category=case.indicator("1.1").category, code="1.6", position=6, options=[0, "121.99", 180])
    case.answer("1.6", {"level": case.option("1.6", 2).pk})
    selfassessment.submit(case.assessment, by=case.sa.head)
    case.score("1.6", {"level": case.option("1.6", 2).pk})
    case.published()
    return case


def test_the_stored_figure_is_the_reported_one_and_passes(on_the_pass_mark):
    stored = Result.objects.get(assessment=on_the_pass_mark.assessment, dimension=OVERALL)
    assert (stored.verified_points, stored.verified_full_marks) == (Decimal("139.99"), 200)
    assert (stored.verified_percent, stored.verified_passed, stored.verified_band) == (Decimal(REPORTED), True, "ดี")
    assert (stored.self_percent, stored.self_passed, stored.self_band) == (Decimal(REPORTED), True, "ดี")


def test_the_page_the_workbook_the_csv_and_the_pdf_show_the_same_figure(client, on_the_pass_mark):
    case = on_the_pass_mark
    code = case.assessment.organization.code

    client.force_login(case.department)
    page = client.get(reverse("results:organization_scorecard", args=[case.round.year, code])).content.decode()
    assert f'data-cell="verified-percent">{REPORTED}<' in page
    assert f'data-cell="self-percent">{REPORTED}<' in page

    buffer = io.BytesIO()
    build_dimension_workbook(case.round).save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))[SUMMARY_SHEET]
    header = [cell.value for cell in sheet[1]]
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == code)
    percent = row[header.index("รวม ร้อยละ")]
    assert (f"{percent.value:.2f}", percent.number_format) == (REPORTED, "0.00")
    assert (row[header.index("ระดับผลการประเมิน")].value, row[header.index("ผลการประเมิน")].value) == ("ดี", "ผ่าน")

    stream = io.StringIO()
    write_open_data_csv(case.round, stream)
    (line,) = csv.DictReader(io.StringIO(stream.getvalue().removeprefix("\ufeff")))
    assert (line["total_percent"], line["band"], line["passed"]) == (REPORTED, "ดี", "true")

    pdf = render_province_report_pdf(case.round, province("81"))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    # pdftotext (reading order) gives the table column by column: the points, then "70.00 ดี".
    words = " ".join(text.split())
    assert "139.99 / 200.00" in words and f"{REPORTED} ดี ผ่าน" in words
    for output in (page, text, stream.getvalue()):
        # No 69.99 or 69.995 anywhere (the distribution's "60–69.99" range label aside).
        assert not re.search(r"(?<![–\d.])69\.99", output)
