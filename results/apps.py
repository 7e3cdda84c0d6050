from django.apps import AppConfig


class ResultsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "results"
    verbose_name = "ผลการประเมิน"

    def ready(self) -> None:
        # The apps below this one learn of it only here: the exports app builds its large
        # reports, and the self-assessment and review workflows tell it when scores change.
        from results import background, scores

        background.register_reports()
        scores.connect_receivers()
