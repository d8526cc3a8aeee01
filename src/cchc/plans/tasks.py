"""Background jobs of the plans app: thin wrappers around the reminder services, enqueued by the
scheduler (``cchc.core.schedule``)."""

from django_tasks import task

from cchc.plans import reminders


@task()
def send_due_reminders_job() -> dict[str, int]:
    return reminders.send_due_reminders()


@task()
def send_weekly_digest_job() -> dict[str, int]:
    return reminders.send_weekly_digest()
