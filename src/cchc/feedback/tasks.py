"""Background jobs of the feedback app: a thin wrapper around the alert service, enqueued by the
scheduler (``cchc.core.schedule``)."""

from django_tasks import task

from cchc.feedback import alerts


@task()
def send_feedback_alerts_job() -> dict[str, int]:
    return alerts.send_feedback_alerts()
