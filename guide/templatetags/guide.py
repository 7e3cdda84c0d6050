"""Tags of the guide templates: section headings from the outline, and screenshots."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from guide.screens import screen_path

register = template.Library()


@register.simple_tag(takes_context=True)
def section(context, anchor: str) -> str:
    """The heading of section `anchor` of the guide being rendered, with its anchor and number.

    An anchor the guide's outline lacks raises KeyError: a typo fails the page's test instead
    of leaving a "?" link pointing nowhere.
    """
    guide = context["guide"]
    number = [s.anchor for s in guide.sections].index(guide.section(anchor).anchor) + 1
    return format_html(
        '<h2 id="{}" class="guide-section">{}. {}</h2>', anchor, number, guide.section(anchor).title
    )


@register.simple_tag(takes_context=True)
def screenshot(context, name: str, caption: str) -> str:
    """A screenshot the browser tests take (tests/browser/test_guide_screenshots.py).

    On the page it is a static file; in the PDF, the file itself (guide/printing.py lets the
    renderer read that folder and nothing else). A PDF leaves out a picture not taken yet.
    """
    path = screen_path(name)  # refuses names that are no file name
    if context.get("for_pdf"):
        if not path.exists():
            return ""
        src = path.as_uri()
    else:
        src = static(f"guide/screens/{name}.png")
    return format_html(
        '<figure class="figure guide-shot d-block"><img class="figure-img img-fluid border rounded" src="{}" alt="{}"'
        ' loading="lazy"><figcaption class="figure-caption">{}</figcaption></figure>',
        src,
        caption,
        caption,
    )
