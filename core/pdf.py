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
import re
import unicodedata
from collections.abc import Callable, Iterable
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

    return HTML(string=html, base_url=f"{FONTS}/", url_fetcher=local_fonts_fetcher()).write_pdf(
        finisher=mark_actual_text
    )


def join_pdfs(parts: Iterable[bytes], *, overlay: Callable[[list[bool]], bytes] | None = None) -> bytes:
    """One PDF of `parts`, in order, with their bookmarks; then, with `overlay`, each page drawn
    over with the same page of the PDF that `overlay(landscape)` returns (one flag per page).

    For documents too large to lay out at once: WeasyPrint holds a whole document's layout
    in memory, so a long report is printed in parts, each a document of its own, and joined
    here; parts are read one at a time (pass a generator). Page numbers counted across the
    parts ("page 3 of 40") cannot be known to a part: the parts leave their footers out and
    `overlay` prints them, every footer in one small document, once the pages are counted.
    The overlay is drawn as a form XObject, so the parts' own drawing is copied as it is
    (no content stream is parsed) and its ActualText (mark_actual_text) still reads right.
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for number, part in enumerate(parts):
        reader = PdfReader(io.BytesIO(part))
        if number == 0 and reader.metadata:
            writer.add_metadata(dict(reader.metadata))
        writer.append(reader)
    if overlay is not None:
        pages = list(writer.pages)
        landscape = [float(page.mediabox.width) > float(page.mediabox.height) for page in pages]
        stamps = PdfReader(io.BytesIO(overlay(landscape))).pages
        if len(stamps) != len(pages):
            raise ValueError(f"the overlay has {len(stamps)} pages for {len(pages)}")
        for index, (page, stamp) in enumerate(zip(pages, stamps)):
            _draw_over(writer, page, stamp, name=f"/LPAOverlay{index}")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _draw_over(writer: Any, page: Any, stamp: Any, *, name: str) -> None:
    """Draw page `stamp` (of another PDF) over `page` of `writer`, as a form XObject."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    form = DecodedStreamObject()
    form.set_data(stamp.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(stamp.mediabox),
            NameObject("/Resources"): stamp["/Resources"].clone(writer),
        }
    )
    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[NameObject(name)] = writer._add_object(form)

    def stream(data: bytes):
        content = DecodedStreamObject()
        content.set_data(data)
        return writer._add_object(content)

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else ArrayObject()
    drawn = list(contents) if isinstance(contents, ArrayObject) else [page.raw_get("/Contents")]
    # The page's own drawing in a saved graphics state, so the overlay starts from the default one.
    page[NameObject("/Contents")] = ArrayObject([stream(b"q\n"), *drawn, stream(b"\nQ q " + name.encode() + b" Do Q\n")])


# A font selection (`/F1 12 Tf`) and a glyph run (`[<01d1>0<>-1.0<02df>1] TJ`) in a content stream.
_FONT = re.compile(rb"^/(\S+) \S+ Tf$")
_GLYPHS = re.compile(rb"<([0-9a-fA-F]*)>")


def mark_actual_text(document: Any, pdf: Any) -> None:
    """Tag every line of text holding combining marks with its text as written (ActualText).

    Thai tone marks and upper and lower vowels are drawn as zero-width glyphs, shifted a
    little left or right of the pen by the font's mark positioning. The glyphs are in the
    order typed and their Unicode map is right (`pdftotext -raw` reads "ผ่าน"), but an
    extractor that rebuilds reading order from glyph positions, as pdftotext, PDF viewers'
    copy and search do, sees a mark 0.001 em right of the next letter and puts it after
    it: "ผา่ น". A marked-content span with /ActualText gives such a line's text once, in
    order, and extractors read it instead of the positions. A WeasyPrint finisher: it runs
    on the finished pages, before the file is written.
    """
    import pydyf

    unicode_of = {font.hash: font.to_unicode for font in document.fonts.values()}
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and b"BT" in item.stream:
            item.stream = _with_actual_text(item.stream, unicode_of)


def _with_actual_text(operations: list, unicode_of: dict[str, dict[int, str]]) -> list:
    """`operations` with each line of text that holds a combining mark in an ActualText span.

    WeasyPrint draws a text box's lines in one text object (BT … ET), each line starting
    with its text matrix (Tm); a span covers one line, from its Tm to the next or to ET.
    """
    import pydyf

    result: list = []
    line: list = []  # the operations of the line being read, from its Tm
    text: list[str] = []
    font: dict[int, str] = {}

    def close_line() -> None:
        written = "".join(text)
        if any(unicodedata.category(char) == "Mn" for char in written):
            span = pydyf.Dictionary({"ActualText": pydyf.String(written)})
            result.extend([line[0], b"/Span " + span.data + b" BDC", *line[1:], b"EMC"])
        else:
            result.extend(line)
        line.clear()
        text.clear()

    for operation in operations:
        data = operation if isinstance(operation, bytes) else str(operation).encode()
        if data.endswith(b" Tm") or data == b"ET":
            if line:
                close_line()
            if data == b"ET":
                result.append(operation)
            else:
                line.append(operation)
            continue
        if not line:
            result.append(operation)
            continue
        line.append(operation)
        if found := _FONT.match(data):
            font = unicode_of.get(found.group(1).decode(), {})
        elif data.endswith(b"TJ"):
            # Two-byte glyph codes (Identity-H), in the order drawn: the order typed.
            text.extend(font.get(int(run[i : i + 4], 16), "") for run in _GLYPHS.findall(data) for i in range(0, len(run), 4))
    if line:
        close_line()
    return result


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
