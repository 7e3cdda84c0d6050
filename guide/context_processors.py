from guide.pages import help_for


def help_link(request) -> dict:
    """`guide_help`: the guide section of the current page, for the "?" in the header."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    if user is None or not user.is_authenticated or match is None:
        return {}
    return {"guide_help": help_for(match.view_name, user)}
