"""{{ value|translated }}: a label the product stored in Thai, in the reader's language.

Result bands are stored as their Thai labels (ดีเด่น, ไม่ผ่านเกณฑ์) in results and scores, and
are the keys reports count by, so they are translated where they are shown, not where stored.
Built in to every template (settings.TEMPLATES "builtins").
"""

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(value):
    """The catalogue's translation of `value`; a label someone typed that the catalogue does not
    know (a band of the department's own) stays as typed."""
    return gettext(value) if isinstance(value, str) and value else value
