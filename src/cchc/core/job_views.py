"""The page a person watches while their job runs, and the status panel it polls.

Each kind of job says what it is called and where the person goes when it has finished
(:func:`job_page`); the app that owns the kind registers it next to the job itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from cchc.core.jobs import access_job
from cchc.core.models import Job, JobStatus

UrlOf = Callable[[Job], str]


@dataclass(frozen=True)
class JobPage:
    title: str
    next_url: UrlOf | None = None  # where to go once the job has succeeded
    retry_url: UrlOf | None = None  # where to start again after a failure


_PAGES: dict[str, JobPage] = {}
_DEFAULT = JobPage(title=_("Background job"))


def job_page(
    kind: str, *, title: str, next_url: UrlOf | None = None, retry_url: UrlOf | None = None
) -> None:
    """Describe how the job pages show jobs of ``kind``."""
    _PAGES[kind] = JobPage(title=title, next_url=next_url, retry_url=retry_url)


def _context(job: Job) -> dict[str, object]:
    page = _PAGES.get(job.kind, _DEFAULT)
    succeeded = job.status == JobStatus.SUCCEEDED
    failed = job.status == JobStatus.FAILED
    return {
        "job": job,
        "job_title": page.title,
        "next_url": page.next_url(job) if succeeded and page.next_url else "",
        "retry_url": page.retry_url(job) if failed and page.retry_url else "",
    }


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_job(actor=request.user, job_id=job_id)
    return render(request, "core/job_detail.html", _context(job))


@login_required
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The status panel. Polled by htmx while the job runs; once it has succeeded, htmx is sent
    on to the job's next page."""
    job = access_job(actor=request.user, job_id=job_id)
    context = _context(job)
    if request.htmx and context["next_url"]:
        return HttpResponseClientRedirect(str(context["next_url"]))
    return render(request, "core/partials/job_status.html", context)
