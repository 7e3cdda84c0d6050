"""PDF from HTML through WeasyPrint, with Sarabun embedded and Thai that copies right.

Every PDF of LPA (the self-assessment summary, the scorecard, the provincial and national
reports) goes through render_pdf(). Templates declare the faces of PDF_FONT_FACES with
@font-face (see templates/snippets/pdf_fonts.html); the fonts are read from disk, from the
fontpkg-sarabun package (never over HTTP from the app itself: a worker fetching its own
site would wait on a request slot, and production servers may have no way out), and
nothing else is fetched. Pango with libthai breaks Thai lines between words given
`<html lang="th">`.
"""

import functools
import io
from copy import deepcopy
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import fontpkg_sarabun
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables as ot

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

FONTS = fontpkg_sarabun.ROOT / "files"
# Relative to the PDF's base_url, FONTS; served prepared by local_fonts_fetcher().
PDF_CONTENT_TYPE = "application/pdf"

PDF_FONT_FACES = (
    {"weight": 400, "style": "normal", "url": "Sarabun-Regular.ttf"},
    {"weight": 700, "style": "normal", "url": "Sarabun-Bold.ttf"},
    {"weight": 400, "style": "italic", "url": "Sarabun-Italic.ttf"},
)
FACE_FILES = frozenset(face["url"] for face in PDF_FONT_FACES)
SARA_AA = "uni0E32"
NIKHAHIT = "uni0E4D"


def render_pdf(html: str) -> bytes:
    """An HTML page (naming only the faces of PDF_FONT_FACES by their file names) as a PDF."""
    from weasyprint import HTML

    return HTML(string=html, base_url=f"{FONTS}/", url_fetcher=local_fonts_fetcher()).write_pdf()


def local_fonts_fetcher() -> "URLFetcher":
    """A WeasyPrint URL fetcher that serves the prepared fonts and refuses everything else.

    The page names nothing but its fonts, and nothing is fetched over the network.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PreparedFonts(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            path = Path(unquote(parts.path))
            if parts.scheme == "file" and path.parent == FONTS and path.name in FACE_FILES:
                return URLFetcherResponse(url, body=prepared_font(path.name), headers={"Content-Type": "font/ttf"})
            raise ValueError(f"A PDF of LPA loads nothing but its fonts: {url}")

    return PreparedFonts()


@functools.cache
def prepared_font(name: str) -> bytes:
    """A Sarabun face from fontpkg-sarabun, prepared so that Thai copies right (built once).

    HarfBuzz draws SARA AM (ำ) as NIKHAHIT + SARA AA glyphs, and WeasyPrint's PDF text map
    gives each glyph one text, the first it meets: the SARA AA glyph then reads as "า" or
    "ำ" everywhere, so copying or searching "คำสั่ง", "ตำบล", "อำเภอ" fails. The prepared
    face gives the SARA AA that follows a NIKHAHIT (alone, or joined with a tone mark) a
    glyph of its own, with the same outline, so every glyph reads one way.
    """
    if name not in FACE_FILES:
        raise ValueError(f"not a PDF font: {name}")
    font = TTFont(FONTS / name)
    separate_sara_am(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def separate_sara_am(font: TTFont) -> None:
    """Give SARA AA after each NIKHAHIT glyph (plain or joined with a tone mark) a copy of its own.

    Appends one chaining lookup to the font's "ccmp" feature; being last, it runs after the
    font's own ligatures, so it sees the glyphs that will be drawn.
    """
    order = font.getGlyphOrder()
    # NIKHAHIT glyphs by what follows "uni0E4D" in their names: "" alone, "0E49" with MAI THO…
    groups: dict[str, list[str]] = {}
    for name in order:
        if name.startswith(NIKHAHIT):
            groups.setdefault(name[len(NIKHAHIT) :].split(".")[0], []).append(name)
    copies = {suffix: f"{SARA_AA}.am{suffix}" for suffix in groups}
    font.setGlyphOrder(order + list(copies.values()))
    glyf, hmtx = font["glyf"], font["hmtx"]
    glyf.glyphOrder = font.getGlyphOrder()
    for copy in copies.values():
        glyf.glyphs[copy] = deepcopy(glyf[SARA_AA])
        hmtx.metrics[copy] = hmtx.metrics[SARA_AA]
    font["maxp"].numGlyphs = len(font.getGlyphOrder())
    if "GDEF" in font and font["GDEF"].table.GlyphClassDef:
        classes = font["GDEF"].table.GlyphClassDef.classDefs
        for copy in copies.values():
            if SARA_AA in classes:
                classes[copy] = classes[SARA_AA]

    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup
    glyph_ids = font.getReverseGlyphMap()
    chain = ot.Lookup()
    chain.LookupType, chain.LookupFlag, chain.SubTable = 6, 0, []
    for suffix, nikhahits in groups.items():
        single = ot.Lookup()
        single.LookupType, single.LookupFlag = 1, 0
        subtable = ot.SingleSubst()
        subtable.mapping = {SARA_AA: copies[suffix]}
        single.SubTable, single.SubTableCount = [subtable], 1
        lookups.append(single)
        rule = ot.ChainContextSubst()
        rule.Format = 3
        rule.BacktrackCoverage = [_coverage(nikhahits, glyph_ids)]
        rule.InputCoverage = [_coverage([SARA_AA], glyph_ids)]
        rule.LookAheadCoverage = []
        rule.BacktrackGlyphCount, rule.InputGlyphCount, rule.LookAheadGlyphCount = 1, 1, 0
        record = ot.SubstLookupRecord()
        record.SequenceIndex, record.LookupListIndex = 0, len(lookups) - 1
        rule.SubstLookupRecord, rule.SubstCount = [record], 1
        chain.SubTable.append(rule)
    chain.SubTableCount = len(chain.SubTable)
    lookups.append(chain)
    gsub.LookupList.LookupCount = len(lookups)
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex.append(len(lookups) - 1)
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)


def _coverage(glyphs: list[str], glyph_ids: dict[str, int]) -> ot.Coverage:
    coverage = ot.Coverage()
    coverage.glyphs = sorted(glyphs, key=glyph_ids.__getitem__)
    return coverage
