from accounts.access import scope_for


def roles(request) -> dict:
    """Expose the signed-in user's scope to templates (navigation per role)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope": scope_for(user)}
