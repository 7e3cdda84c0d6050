from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("ชุดฝึกอบรม")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from training.first_sign_in import remember_one_time_password

        user_logged_in.connect(remember_one_time_password, dispatch_uid="training.one_time_password")
