"""Background jobs of the indicators app: a thin wrapper around the alert service, enqueued by
the scheduler (``cchc.core.schedule``)."""

from django_tasks import task

from cchc.indicators import alerts


@task()
def send_indicator_alerts_job() -> dict[str, int]:
    return alerts.send_indicator_alerts()
