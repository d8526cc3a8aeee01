"""Background jobs of the core app (Django tasks API on the database queue)."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


@task()
def run_job(*, job_id: int) -> str:
    from cchc.core.jobs import job_run

    return job_run(job_id).status


@task()
def forget_rate_limits_job() -> int:
    from cchc.lib.ratelimit import forget_old

    return forget_old()
