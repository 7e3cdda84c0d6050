import re
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Role
from guide.guides import GUIDES
from guide.printing import render_guide_html, render_guide_pdf
from tests.factories import user_with_role


def pdf_text(pdf: bytes, tmp_path, *options: str) -> str:
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *options, str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_count(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def squeezed(text: str) -> str:
    """Thai lines wrap between words: compare without white space."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def pdfs(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return {slug: render_guide_pdf(guide, language="th") for slug, guide in GUIDES.items()}


@pytest.mark.parametrize("slug", list(GUIDES))
def test_pdf_holds_every_thai_heading_as_written(pdfs, slug, tmp_path):
    guide = GUIDES[slug]
    text = squeezed(pdf_text(pdfs[slug], tmp_path))
    assert squeezed(str(guide.title)) in text
    assert "สารบัญ" in text
    for number, section in enumerate(guide.sections, start=1):
        assert squeezed(f"{number}. {section.title}") in text, section.title


@pytest.mark.parametrize("slug", list(GUIDES))
def test_pdf_has_a_table_of_contents_with_page_numbers_and_numbered_pages(pdfs, slug, tmp_path):
    pdf = pdfs[slug]
    pages = page_count(pdf, tmp_path)
    assert pages > 1
    layout = pdf_text(pdf, tmp_path, "-layout", "-f", "1", "-l", "1")
    # The contents' lines end in the page where the section starts (leader dots, then the number).
    toc_numbers = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)\s*$", layout, re.M)]
    assert len(toc_numbers) == len(GUIDES[slug].sections), layout
    assert toc_numbers == sorted(toc_numbers) and toc_numbers[0] >= 2 and toc_numbers[-1] <= pages
    assert f"หน้า 1 / {pages}" in pdf_text(pdf, tmp_path, "-f", "1", "-l", "1")
    assert f"หน้า {pages} / {pages}" in pdf_text(pdf, tmp_path, "-f", str(pages), "-l", str(pages))


def test_pdf_thai_marks_copy_as_written(pdfs, tmp_path):
    text = pdf_text(pdfs["org-staff"], tmp_path)
    for word in ("ผู้บริหาร", "ไม่มีภารกิจ", "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด", "ตัวชี้วัด"):
        assert word in squeezed(text), word
    assert "ผู้บรหิาร" not in text


def test_pdf_shows_the_screenshots_it_has(pdfs, tmp_path):
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdfs["org-staff"])
    images = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) > 2  # a header of two lines, then one line per image


def test_pdf_html_names_nothing_but_fonts_and_screenshots():
    html = render_guide_html(GUIDES["org-staff"])
    for url in re.findall(r'(?:src|href)="([^"#]+)"', html):
        assert url.startswith("file://") and "/guide/screens/" in url or url.endswith(".ttf") or url.startswith("/"), url


@pytest.mark.django_db
def test_pdf_view_serves_the_guide(client):
    client.force_login(user_with_role(Role.Kind.ORG_HEAD))
    response = client.get(reverse("guide:pdf", args=["org-head"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="lpa-guide-org-head.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


@pytest.mark.django_db
def test_command_writes_one_guide(tmp_path):
    out = tmp_path / "staff.pdf"
    call_command("guide_pdf", "org-staff", "--out", str(out), stdout=open(tmp_path / "log", "w"))
    assert out.read_bytes().startswith(b"%PDF-")
    assert "ตัวชี้วัดที่ไม่มีภารกิจ" in squeezed(pdf_text(out.read_bytes(), tmp_path))


@pytest.mark.django_db
def test_command_refuses_an_unknown_guide():
    with pytest.raises(CommandError, match="no guide"):
        call_command("guide_pdf", "mayor")
    with pytest.raises(CommandError):
        call_command("guide_pdf")


@pytest.mark.django_db
def test_command_writes_every_guide_into_a_folder(tmp_path, monkeypatch):
    # What each file holds is the single guide's test; here, which files (fast: no rendering).
    monkeypatch.setattr("guide.management.commands.guide_pdf.render_guide_pdf", lambda guide, language: b"%PDF-")
    folder = tmp_path / "manuals"
    call_command("guide_pdf", "--all", "--out", str(folder), stdout=open(tmp_path / "log", "w"))
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"lpa-guide-{slug}.pdf" for slug in GUIDES)
