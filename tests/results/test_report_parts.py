"""The provincial report printed in parts (results.reports.ROWS_PER_PART, core.pdf.join_pdfs):
the same rows in the same order as one document, pages numbered across the parts, the
chapters bookmarked at their pages, Thai that reads right, and memory that does not grow with
the number of organizations."""

import io
import pickle
import re
import subprocess
import sys

import pytest
from django.conf import settings
from pypdf import PdfReader

from assessments.models import Assessment, Round
from organizations.models import Organization
from results.reports import province_report_context, province_report_parts, province_report_pdf
from tests.assessments.factories import DimensionFactory, RoundFactory
from tests.factories import province
from tests.results.test_reports import pdf_text, reading_order_text, with_results

pytestmark = pytest.mark.django_db

Status = Assessment.Status
NAMES = ["บ้านไร่ผู้ใหญ่", "ท่าน้ำฝั่งซ้าย", "ศรีสุนทรปู่ย่า", "หนองบัวคำ", "ปากน้ำ", "เขาพนม", "ลำทับ"]


@pytest.fixture
def seven():
    """Seven organizations in กระบี่ with two dimensions; the last one not yet reviewed."""
    round = RoundFactory(phase=Round.Phase.REVIEW)
    DimensionFactory(round=round, number=1, name="การบริหารจัดการ")
    DimensionFactory(round=round, number=2, name="ธรรมาภิบาล")
    for n, name in enumerate(NAMES):
        status = Status.SUBMITTED if n == len(NAMES) - 1 else Status.APPROVED
        assessment = with_results(
            round, place=("8101", "8102")[n % 2], status=status, verified=60 + 5 * n,
            dimensions={1: (60 + 5 * n, 100), 2: (90 - 5 * n, 100)},
        )
        Organization.objects.filter(pk=assessment.organization_id).update(name=name)
    return province_report_context(Round.objects.get(pk=round.pk), province("81"))


def table_lines(text: str) -> list[str]:
    """The lines naming an organization (a table row), without the page footers."""
    return [line for line in text.splitlines() if re.search(r"\b6810\d{3}\b", line)]


def test_parts_cut_the_tables_and_number_on(seven):
    parts = province_report_parts(seven["dimensions"], seven["organizations"], rows_per_part=4)

    # Two dimensions' tables of six reviewed organizations and the table of all seven, four
    # rows a part: 6 + 6 + 7 = 19 rows in five parts, the front in the first.
    assert [part.front for part in parts] == [True, False, False, False, False]
    runs = [
        [(c.section.number, len(c.ranked), c.start, c.opens, c.closes) for c in part.dimensions]
        + ([("all", len(part.organizations.rows), part.organizations.start, part.organizations.opens)]
           if part.organizations else [])
        for part in parts
    ]
    assert runs == [
        [(1, 4, 0, True, False)],
        [(1, 2, 4, False, True), (2, 2, 0, True, False)],
        [(2, 4, 2, False, True)],
        [("all", 4, 0, True)],
        [("all", 3, 4, False)],
    ]
    assert province_report_parts(seven["dimensions"], seven["organizations"], rows_per_part=None) == [seven["part"]]


def test_a_report_in_parts_prints_what_one_document_prints_numbered_across_the_parts(seven):
    whole = province_report_pdf(seven, rows_per_part=None)
    cut = province_report_pdf(seven, rows_per_part=3)

    text = pdf_text(cut)
    assert table_lines(text) == table_lines(pdf_text(whole))
    # The dimension's rows are numbered on across the parts: 1 … 6 (the seventh is not reviewed).
    one = text[text.index("ผลการตรวจประเมินด้านที่ 1 ของแต่ละ") : text.index("ผลการตรวจประเมินด้านที่ 2 ของแต่ละ")]
    assert [int(line.split()[0]) for line in table_lines(one)] == [1, 2, 3, 4, 5, 6]
    # Every page carries the report's footer and its number of the whole.
    pages = len(PdfReader(io.BytesIO(cut)).pages)
    assert pages > len(PdfReader(io.BytesIO(whole)).pages) - 1
    footers = re.findall(r"หน้า (\d+) / (\d+)", text)
    assert footers == [(str(n), str(pages)) for n in range(1, pages + 1)]
    assert text.count(f"รายงานผลการประเมิน จังหวัดกระบี่ ปี {seven['round'].year}") >= pages


def test_a_report_in_parts_keeps_its_bookmarks_at_their_pages(seven):
    reader = PdfReader(io.BytesIO(province_report_pdf(seven, rows_per_part=3)))

    def flat(items):
        for item in items:
            yield from flat(item) if isinstance(item, list) else [item]

    marks = {item.title: reader.get_destination_page_number(item) for item in flat(reader.outline)}
    for title in ("ด้านที่ 1 การบริหารจัดการ", "ด้านที่ 2 ธรรมาภิบาล", "ผลการประเมินของ อปท. ทุกแห่งในจังหวัด"):
        (page,) = [number for name, number in marks.items() if name.startswith(title)]
        assert title.split()[0] in reader.pages[page].extract_text(), title


def test_a_report_in_parts_reads_as_written(seven):
    text = reading_order_text(province_report_pdf(seven, rows_per_part=3))

    joined = "".join(text.split())
    for name in NAMES:
        assert f"อบต.{name}" in joined, name
    assert "หน้า" in text and "ผา่ น" not in text and "หนา้" not in text


# Memory: a report of four times the organizations, printed in parts, peaks no higher.

MEASURE = """
import copy, dataclasses, pickle, sys
from results.reports import province_report_pdf

def scaled(context, times):
    context = copy.copy(context)
    rows = {}
    for n in range(times):
        for row in context["organizations"]:
            rows[(id(row), n)] = dataclasses.replace(row, code=f"{row.code}{n:03d}")
    context["organizations"] = [rows[(id(row), n)] for n in range(times) for row in context["organizations"]]
    sections = []
    for section in context["dimensions"]:
        ranked = [dataclasses.replace(e, organization=rows[(id(e.organization), n)]) for n in range(times) for e in section.ranked]
        without = [rows[(id(r), n)] for n in range(times) for r in section.without]
        sections.append(dataclasses.replace(section, ranked=ranked, without=without))
    context["dimensions"] = sections
    return context

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

context = pickle.load(open(sys.argv[1], "rb"))
times, rows_per_part = int(sys.argv[2]), (int(sys.argv[3]) or None)
province_report_pdf(scaled(context, 1), rows_per_part=rows_per_part)  # fonts, templates: loaded once
before = peak_mb()
province_report_pdf(scaled(context, times), rows_per_part=rows_per_part)
print(round(peak_mb() - before, 1))
"""


def growth_mb(context_file, times: int, rows_per_part: int) -> float:
    """Peak memory the report of `times` × the organizations adds, in a fresh process (MB)."""
    code = "import django; django.setup()\n" + MEASURE
    done = subprocess.run(
        [sys.executable, "-c", code, str(context_file), str(times), str(rows_per_part)],
        capture_output=True, text=True, timeout=300, cwd=settings.BASE_DIR,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "lpa.settings"},
    )
    assert done.returncode == 0, done.stderr
    return float(done.stdout.split()[-1])


def test_memory_of_a_report_in_parts_does_not_grow_with_the_organizations(seven, tmp_path):
    context_file = tmp_path / "context.pickle"
    context_file.write_bytes(pickle.dumps(seven))

    # 21 and 84 organizations, 12 table rows a part; then the 84 in one document.
    small, large = growth_mb(context_file, 3, 12), growth_mb(context_file, 12, 12)
    in_one = growth_mb(context_file, 12, 0)

    # One document holds the layout of every row at once; in parts, 63 more organizations add
    # little (the joined file and the rows' data), far less than one document's layout. The
    # peak (VmHWM) moves by a few MB from run to run with the allocator: measured 4.1 → 10.0
    # MB in parts against 32.2 MB in one document under a loaded CI, so half, not a quarter.
    assert in_one > 2 * large
    assert large - small < 0.5 * (in_one - large)
