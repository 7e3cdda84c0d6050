from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Helpers every app may use (PDF, spreadsheets, Thai dates); it imports none of them."""

    name = "core"
    verbose_name = "LPA core"
