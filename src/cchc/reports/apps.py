from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cchc.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # The report jobs register their kinds; the worker must know them without the URLs.
        from cchc.reports import jobs  # noqa: F401
