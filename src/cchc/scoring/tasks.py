"""Background jobs of the index: thin wrappers enqueued by ``cchc.core.schedule``."""

from django_tasks import task


@task()
def refresh_open_assessments_job() -> int:
    from cchc.scoring.services import assessments_refresh_open

    return assessments_refresh_open()


@task()
def forget_old_packages_job() -> int:
    from cchc.scoring.package import package_forget_old

    return package_forget_old()
