"""A guide as one page of HTML and as a PDF for the training sessions.

The PDF is the same text as the page, with a table of contents whose page numbers WeasyPrint
fills in (target-counter) and the page number on every page. It goes through core.pdf like
every PDF of LPA (Sarabun embedded, Thai lines tagged so that they copy as written); only the
fetcher differs: besides the fonts it lets the renderer read the guide's own screenshots,
and nothing else.
"""

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.pdf import FONTS, PDF_FONT_FACES, local_fonts_fetcher, mark_actual_text
from guide.facts import guide_facts
from guide.guides import Guide
from guide.screens import NAME, SCREENS_DIR

STYLESHEET = Path(__file__).resolve().parent / "static" / "guide" / "print.css"


def guide_context(guide: Guide, *, for_pdf: bool = False) -> dict:
    return {
        "guide": guide,
        "facts": guide_facts(),
        "for_pdf": for_pdf,
        "printed_at": timezone.now(),
    }


def render_guide_html(guide: Guide, *, language: str | None = None) -> str:
    """The whole guide as a standalone A4 document for WeasyPrint."""
    with translation.override(language or translation.get_language() or "th"):
        context = guide_context(guide, for_pdf=True)
        context.update(
            font_faces=PDF_FONT_FACES,
            stylesheet=STYLESHEET.read_text(encoding="utf-8"),
            language=translation.get_language(),
        )
        return render_to_string("guide/print/guide.html", context)


def render_guide_pdf(guide: Guide, *, language: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_guide_html(guide, language=language)
    return HTML(string=html, base_url=f"{FONTS}/", url_fetcher=_fonts_and_screens_fetcher()).write_pdf(
        finisher=mark_actual_text
    )


def _fonts_and_screens_fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fonts = local_fonts_fetcher()

    class FontsAndScreens(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            path = Path(unquote(parts.path))
            if (
                parts.scheme == "file"
                and path.parent == SCREENS_DIR
                and path.suffix == ".png"
                and NAME.match(path.stem)
                and path.is_file()
            ):
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": "image/png"})
            return fonts.fetch(url, headers)

    return FontsAndScreens()
