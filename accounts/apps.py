from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'accounts'

    def ready(self) -> None:
        from accounts import user_cache
        from accounts.models import Role, User

        # The cached signed-in user goes stale when the user or one of their roles changes.
        for model, receiver in ((User, user_cache.user_changed), (Role, user_cache.role_changed)):
            post_save.connect(receiver, sender=model, dispatch_uid=f"accounts.forget.{model.__name__}.save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"accounts.forget.{model.__name__}.delete")
