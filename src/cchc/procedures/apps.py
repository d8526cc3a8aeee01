from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "cchc.procedures"
    label = "procedures"
    verbose_name = _("Procedures and dossiers")

    def ready(self) -> None:
        from cchc.procedures import freshness, jobs  # noqa: F401  (jobs: the ingest job kind)

        freshness.connect()
