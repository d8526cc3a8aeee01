from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "cchc.plans"
    label = "plans"
    verbose_name = _("Reform plans")

    def ready(self) -> None:
        from cchc.plans import jobs  # noqa: F401  (registers the import job kind)
