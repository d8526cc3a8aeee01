from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cchc.scoring"
    verbose_name = _("PAR INDEX")

    def ready(self) -> None:
        # The evidence package registers its job kind; the worker must know it without the URLs.
        from cchc.scoring import package  # noqa: F401
