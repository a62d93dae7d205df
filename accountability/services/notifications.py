"""The notification outbox: the inbox reads it, and each e-mail is claimed before it is sent so it goes out once."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from accountability.choices import EmailState
from accountability.models import Notification
from core.models import User

MAIL_BATCH = 200


def notification_send(
    *, recipients: Iterable[User], key: str, subject: str, body: str = "", link: str = ""
) -> int:
    """Put one message per recipient in the outbox (e-mailed when they have an address); `key` makes it once only:
    a second call with the same key adds nothing. Returns how many recipients were given."""
    people = [user for user in recipients if user.is_active]
    Notification.objects.bulk_create(
        [
            Notification(
                key=f"{key}:{user.pk}",
                recipient=user,
                title=subject[:200],
                body=body,
                url=link,
                email_state=EmailState.PENDING if user.email else EmailState.NONE,
            )
            for user in people
        ],
        ignore_conflicts=True,
    )
    return len(people)


def notification_mark_read(
    *, user: User, notification_ids: list[int] | None = None, escalation_id: int | None = None, url: str = ""
) -> int:
    """Mark the user's unread notifications read: given ids, one escalation's, those linking to `url`, or all."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        if escalation_id is not None:
            unread = unread.filter(escalation_id=escalation_id)
        if url:
            unread = unread.filter(url=url)
        return unread.update(read_at=timezone.now())


def _claim(limit: int) -> list[int]:
    """Move up to `limit` pending e-mails to CLAIMED in one committed statement; a claimed one is never re-sent."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE accountability_notification SET email_state = %(claimed)s
            WHERE id IN (
                SELECT id FROM accountability_notification WHERE email_state = %(pending)s
                ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
            )
            RETURNING id
            """,
            {"claimed": EmailState.CLAIMED, "pending": EmailState.PENDING, "limit": limit},
        )
        return [row[0] for row in cursor.fetchall()]


def notifications_mail(*, limit: int = MAIL_BATCH) -> int:
    """Send the pending e-mails; returns how many went out. A crash after the claim loses a mail, never doubles it."""
    sent = 0
    for notification in Notification.objects.filter(pk__in=_claim(limit)).select_related("recipient"):
        body = notification.body
        if notification.url:
            body += f"\n\n{settings.XF_SITE_URL.rstrip('/')}{notification.url}"
        try:
            send_mail(
                subject=notification.title,
                message=body,
                from_email=None,
                recipient_list=[notification.recipient.email],
            )
        except OSError:
            Notification.objects.filter(pk=notification.pk).update(email_state=EmailState.FAILED)
            continue
        Notification.objects.filter(pk=notification.pk).update(
            email_state=EmailState.SENT, emailed_at=timezone.now()
        )
        sent += 1
    return sent
