"""The printable summary: HTML for the print view, an A4 PDF whose Thai text extracts exactly."""

import datetime
import io
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fontTools.ttLib import TTFont

from accounts.models import Role
from assessments.evidence import add_evidence_file, add_evidence_link
from assessments.models import Assessment, AssessmentEvent, Indicator
from assessments.printing import render_summary_html, render_summary_pdf, summary_context
from assessments.selfassessment import answer_for, grant_extension, save_answer, submit
from core.pdf import local_fonts_fetcher, prepared_font
from reviews.workflow import return_for_revision
from tests.assessments.factories import pdf_bytes, self_assessment, upload
from tests.factories import province, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    settings.LPA_EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def sa():
    """A submitted, returned and extended assessment of อบต.คลองพน with Thai that is hard to print."""
    sa = self_assessment(name="คลองพน")
    plan = sa.indicator(
        code="1.1",
        title="การจัดทำแผนพัฒนาท้องถิ่นที่สอดคล้องกับความต้องการของประชาชน",
        evidence_required="แผนพัฒนาท้องถิ่น",
    )
    forum = sa.indicator(code="1.2", title="การจัดเวทีประชาคมหมู่บ้าน", kind=Indicator.Kind.CHECKLIST, options=[2, 2, 1])
    complaints = sa.indicator(
        code="1.3",
        title="ร้อยละของเรื่องร้องเรียนที่ดำเนินการแล้วเสร็จภายใน 15 วัน",
        kind=Indicator.Kind.FIGURE,
        options=[(1, 30), (5, 80)],
        unit="ร้อยละ",
    )
    station = sa.indicator(code="1.4", title="การบริหารจัดการสถานีขนส่งผู้โดยสาร", allows_not_applicable=True)

    def save(indicator, data):
        save_answer(assessment=sa.assessment, indicator=indicator, data=data, expected_version=0, by=sa.staff)

    save(plan, {"level": plan.options.get(position=5).pk, "note": "ผ่านความเห็นชอบของสภาท้องถิ่นแล้ว"})
    save(forum, {"ticked": [forum.options.first().pk]})
    save(complaints, {"figure": "1,250.5"})
    save(station, {"not_applicable": True, "na_reason": "ไม่มีสถานีขนส่งผู้โดยสารในพื้นที่ น้ำท่วมถึง"})
    add_evidence_file(
        answer=answer_for(sa.assessment, plan), upload=upload("แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570).pdf", pdf_bytes()), by=sa.staff
    )
    add_evidence_link(
        answer=answer_for(sa.assessment, plan), url="https://www.klongphon.go.th/plan", title="แผนบนเว็บไซต์", by=sa.staff
    )
    submit(sa.assessment, by=sa.head)
    return_for_revision(
        assessment=sa.assessment,
        flags={forum: "ไม่พบรายงานการประชุมประชาคม"},
        by=user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")),
    )
    grant_extension(
        assessment=sa.assessment,
        until=sa.round.self_assessment_closes + datetime.timedelta(days=10),
        reason="ให้แก้ไขตามที่จังหวัดส่งกลับ",
        by=user_with_role(Role.Kind.PROVINCIAL_ADMIN, province=province("81")),
    )
    return sa


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_tool(tool: str, pdf: bytes, tmp_path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], check=True, capture_output=True, text=True).stdout


def test_pdf_thai_text_comes_out_exactly_as_written(sa, tmp_path):
    text = pdf_text(render_summary_pdf(sa.assessment), tmp_path)
    for expected in (
        "สรุปผลการประเมินตนเอง: องค์การบริหารส่วนตำบลคลองพน",
        "อำเภอเมืองกระบี่ จังหวัดกระบี่",
        "การจัดทำแผนพัฒนาท้องถิ่นที่",  # the title wraps in its table cell
        "ระดับ 5: ข้อ 5",
        "1,250.5 ร้อยละ",
        "ไม่มีสถานีขนส่งผู้โดยสารในพื้นที่",
        "น้ำท่วมถึง",
        "คำตอบ",
        "ตัวชี้วัดนำร่องไม่นับคะแนน",
        "ผ่าน – ข้อ 1",
        "ไม่ผ่าน – ข้อ 2",
        "จังหวัดส่งกลับให้แก้ไข",
        "ไม่พบรายงานการประชุมประชาคม",
        "2566-2570).pdf",
        "คะแนนที่ได้",
        f"ขยายถึงวันที่ {(sa.round.self_assessment_closes + datetime.timedelta(days=10)).day}",
    ):
        assert expected in text, expected
    # SARA AM and SARA AA both appear, and neither reads as the other.
    assert "ตาบล" not in text and "ผ่ำน" not in text


def test_pdf_is_a4_with_sarabun_embedded(sa, tmp_path):
    pdf = render_summary_pdf(sa.assessment)
    assert pdf.startswith(b"%PDF-")
    info = pdf_tool("pdfinfo", pdf, tmp_path)
    assert "(A4)" in info
    fonts = pdf_tool("pdffonts", pdf, tmp_path)
    assert "Sarabun" in fonts and "Sarabun-Bold" in fonts
    assert all(" yes " in line for line in fonts.splitlines()[2:])  # every font embedded


def test_dates_are_buddhist_era(sa):
    html = render_summary_html(sa.assessment, for_pdf=True)
    submitted = sa.assessment.events.get(kind=AssessmentEvent.Kind.SUBMITTED).at
    assert f"{submitted.astimezone(datetime.timezone(datetime.timedelta(hours=7))).year + 543}" in html
    assert f"ภายในวันที่ {(sa.round.self_assessment_closes + datetime.timedelta(days=10)).day}" in html


def test_html_print_view_is_thai_and_takes_styles_and_fonts_from_the_static_files(sa):
    html = render_summary_html(sa.assessment)
    assert '<html lang="th">' in html
    # No inline style (the Content-Security-Policy refuses it): lpa.css brings Sarabun's web fonts.
    assert "/static/css/lpa.css" in html and "/static/assessments/print.css" in html
    assert "<style" not in html and 'style="' not in html and "file://" not in html


def test_pdf_page_carries_the_print_stylesheet_inline(sa):
    html = render_summary_html(sa.assessment, for_pdf=True)
    assert "size: A4" in html and "th.w-31 { width: 31%; }" in html
    assert "@bottom-right" in html and "<link" not in html
    # The uploader's file name is shown, escaped; never a storage path.
    assert "แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570).pdf" in html
    assert sa.assessment.answers.get(indicator__code="1.1").evidence.get(url="").file.name not in html


def test_summary_lists_missing_items_and_history(sa):
    sa.indicator(code="1.5", title="การประชุมสภาท้องถิ่น")
    context = summary_context(sa.assessment)
    assert context["missing_count"] == 1
    rows = {row.indicator.code: row for block in context["dimensions"] for row in block.rows}
    assert rows["1.5"].missing == ["ยังไม่ได้ตอบ"] and rows["1.5"].answer_lines == ["ยังไม่ได้ตอบ"]
    assert [flag.reason for flag in rows["1.2"].flags] == ["ไม่พบรายงานการประชุมประชาคม"]
    assert [event.kind for event, _details in context["events"]] == ["submitted", "returned", "extension_granted"]
    assert context["percent"] == "55.00"  # (4 + 2 + 5 + 0) of 20: the claimed N/A (1.4) is out


def test_summary_loads_in_fixed_queries(sa):
    def count() -> int:
        # Once to fill the scoring specs' cache of this framework version (a new indicator
        # empties it), then counted.
        summary_context(Assessment.objects.get(pk=sa.assessment.pk))
        assessment = Assessment.objects.get(pk=sa.assessment.pk)
        with CaptureQueriesContext(connection) as queries:
            summary_context(assessment)
        return len(queries)

    few = count()
    for n in range(6):
        sa.indicator(code=f"9.{n}", kind=Indicator.Kind.CHECKLIST, options=[1, 1])
    assert count() == few


def test_prepared_fonts_draw_the_sara_am_copies_like_sara_aa():
    font = TTFont(io.BytesIO(prepared_font("Sarabun-Regular.ttf")))
    glyf = font["glyf"]
    outline = glyf["uni0E32"].getCoordinates(glyf)[0]
    for copy in ("uni0E32.am", "uni0E32.am0E48", "uni0E32.am0E49", "uni0E32.am0E4A", "uni0E32.am0E4B"):
        assert glyf[copy].getCoordinates(glyf)[0] == outline
        assert font["hmtx"][copy] == font["hmtx"]["uni0E32"]
    # Reached only through the substitution: nothing in the character map points at them.
    assert "uni0E32.am" not in font.getBestCmap().values()


def test_the_pdf_fetches_nothing_but_its_fonts():
    fetcher = local_fonts_fetcher()
    for url in ("https://example.com/logo.png", "file:///etc/passwd", "http://127.0.0.1:8000/static/x.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


# Thai marks (tone marks, upper and lower vowels) are zero-width glyphs that the font's mark
# positioning shifts a little left or right of the pen. Extractors that rebuild the reading
# order from positions (pdftotext without -raw, viewers' copy and search) used to move them:
# "ไม่ผา่ น", "ที่น่ี", "ฝั่ ง". Every line holding a mark carries its text as written (ActualText).
MARKED_WORDS = "ผ่าน ไม่ผ่าน ร้อยละเฉลี่ย ที่นี่ คำสั่ง น้ำ ญี่ปุ่น ท้องถิ่นจังหวัด ผู้ใหญ่ ฝั่ง ฟื้นฟู ศูนย์ ตั้งแต่ กิ๊ฟ ฎีกา"
MARKED_HTML = (
    '<html lang="th"><head><style>@font-face { font-family: Sarabun; src: url("Sarabun-Regular.ttf"); }'
    '@font-face { font-family: Sarabun; font-weight: 700; src: url("Sarabun-Bold.ttf"); }'
    "body { font-family: Sarabun; font-size: 11pt } p { width: 60mm }</style></head><body>"
    f"<h1>{MARKED_WORDS}</h1><p>{MARKED_WORDS}</p><table><tr><td>{MARKED_WORDS}</td></tr></table></body></html>"
)


def extracted(pdf: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / "marks.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("options", [(), ("-layout",), ("-raw",)], ids=["reading-order", "layout", "raw"])
def test_every_thai_word_extracts_as_written_whatever_the_extractors_mode(tmp_path, options):
    from core.pdf import render_pdf

    text = extracted(render_pdf(MARKED_HTML), tmp_path, *options)
    # Lines wrap (Thai between words, inside "ท้องถิ่น|จังหวัด" too): compare without the spaces.
    assert "".join(text.split()).count("".join(MARKED_WORDS.split())) == 3, text
    assert "ไม่ผา่ น" not in text and "ฝั่ ง" not in text


def test_the_text_marks_change_nothing_drawn(tmp_path):
    from weasyprint import HTML

    from core.pdf import FONTS, render_pdf

    plain = HTML(string=MARKED_HTML, base_url=f"{FONTS}/", url_fetcher=local_fonts_fetcher()).write_pdf()
    pages = []
    for name, pdf in (("plain", plain), ("marked", render_pdf(MARKED_HTML))):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "72", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
        pages.append(sorted(path.read_bytes() for path in tmp_path.glob(f"{name}-*.png")))
    assert pages[0] == pages[1]
