"""Refuse control characters in a URL before any view or query sees them.

PostgreSQL cannot hold NUL in a text value: a `%00` reaching a lookup (`/organizations/%00/`,
`?province=%00`) made the database driver raise and the page answer 500. No organization code,
indicator code or filter value contains a control character, so such a URL names nothing.
"""

import re
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse

# C0 controls and DEL: never part of a code, a name or a search.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.path_info):
            raise Http404("a control character in the path")
        # In a query only NUL is refused: a search box may carry a tab or a line break harmlessly.
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            raise BadRequest("NUL in the query string")
        return self.get_response(request)
