"""In-app notifications, with the e-mail copy sent by the job queue after the write commits."""

from __future__ import annotations

from django.db import transaction

from cchc.core.models import Notification, User


def notify(
    *, user: User, kind: str, title: str, body: str = "", url: str = "", email: bool = False
) -> Notification:
    note = Notification.objects.create(user=user, kind=kind, title=title, body=body, url=url)
    if email and user.email:
        from cchc.core.tasks import send_email

        transaction.on_commit(
            lambda: send_email.enqueue(to=[user.email], subject=title, body=_email_body(body, url))
        )
    return note


def _email_body(body: str, url: str) -> str:
    from django.conf import settings

    link = f"{settings.CCHC_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url
    return f"{body}\n\n{link}\n" if link else body


def notifications_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark the user's unread notifications read (one of them when ``notification_id`` is
    given); another person's notification is simply not matched."""
    from django.utils import timezone

    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
