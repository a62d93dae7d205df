"""The notification outbox: the inbox reads it, and each e-mail is claimed before it is sent so it goes out once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accountability.choices import EmailState, NotificationKind
from accountability.models import Notification
from accountability.selectors import NoticeRow, notice_rows
from core.models import User

MAIL_BATCH = 200


def _merge_key(*, kind: str, day: date, user_id: int, subject: str) -> str:
    """One row per recipient, kind, subject and day: the same message again that day raises its count."""
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return f"{kind}:{day:%Y-%m-%d}:{user_id}:{digest}"


def notification_send(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    reference: str = "",
    summary: str = "",
    due_on: date | None = None,
) -> int:
    """Put the message in each recipient's inbox at once (e-mailed when they have an address), naming the item or
    case number, a one-line summary and the deadline. The same message (recipient, kind, subject) again the same day
    adds no row: it raises the row's count and shows it unread again, and is not e-mailed a second time.
    Returns how many recipients were given."""
    if kind not in NotificationKind.values:
        raise ValueError(kind)
    people = [user for user in recipients if user.is_active]
    today = timezone.localdate()
    rows = [
        (
            _merge_key(kind=kind, day=today, user_id=user.pk, subject=subject),
            user.pk,
            kind,
            subject[:200],
            reference[:60],
            summary[:200],
            due_on,
            body,
            link[:300],
            EmailState.PENDING if user.email else EmailState.NONE,
        )
        for user in people
    ]
    if not rows:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO accountability_notification
                (key, recipient_id, kind, title, reference, summary, due_on, body, url, email_state, created_at, count)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now(), 1)
            ON CONFLICT (key) DO UPDATE
            SET count = accountability_notification.count + 1, read_at = NULL, created_at = now()
            """,
            rows,
        )
    return len(people)


def notification_mark_read(
    *,
    user: User,
    notification_ids: list[int] | None = None,
    escalation_id: int | None = None,
    url: str = "",
    kind: str = "",
) -> int:
    """Mark the user's unread inbox rows read: given ids, one escalation's, those linking to `url`, those of one
    kind, or all; a digest read is read with its entries. Returns how many inbox rows were marked."""
    now = timezone.now()
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if notification_ids is not None:
            unread = unread.filter(pk__in=notification_ids)
        if escalation_id is not None:
            unread = unread.filter(escalation_id=escalation_id)
        if url:
            unread = unread.filter(url=url)
        if kind:
            unread = unread.filter(kind=kind)
        shown = unread.filter(digest__isnull=True)
        Notification.objects.filter(digest__in=shown, read_at__isnull=True).update(read_at=now)
        marked = shown.update(read_at=now)
        if unread.update(read_at=now):  # entries chosen directly, e.g. by the escalation followed
            # a digest whose every entry has now been opened is read too
            marked += (
                Notification.objects.filter(recipient=user, read_at__isnull=True, entries__isnull=False)
                .exclude(entries__read_at__isnull=True)
                .update(read_at=now)
            )
        return marked


def notifications_settle(*, kind: str, link: str) -> int:
    """Mark read, for everyone, the unread notices of one kind that link to `link`: the request they announce has
    been decided, so it no longer waits for any of them. Returns how many were marked."""
    return Notification.objects.filter(kind=kind, url=link, read_at__isnull=True).update(
        read_at=timezone.now()
    )


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


def _mail_subject(row: NoticeRow) -> str:
    notification = row.notification
    if notification.is_digest:
        return _("%(title)s（%(count)s件）") % {"title": notification.title, "count": len(row.lines)}
    return notification.title


def _mail_body(row: NoticeRow) -> str:
    """The items the notification names, one line each (number · summary · deadline · link), then its text."""
    site = settings.XF_SITE_URL.rstrip("/")
    lines = []
    for line in row.lines:
        parts = [line.label, line.reference, line.summary]
        if line.due_on:
            parts.append(_("期限 %(date)s") % {"date": f"{line.due_on:%Y-%m-%d}"})
        text = " · ".join(part for part in parts if part)
        if line.url:
            text += f"\n{site}{line.url}"
        if text:
            lines.append(text)
    if row.notification.body:
        lines.append(row.notification.body)
    return "\n\n".join(lines)


def notifications_mail(*, limit: int = MAIL_BATCH) -> int:
    """Send the pending e-mails; returns how many went out. A crash after the claim loses a mail, never doubles it."""
    sent = 0
    claimed = Notification.objects.filter(pk__in=_claim(limit)).select_related(
        "recipient", "escalation__step", "escalation__deadline__rule"
    )
    for row in notice_rows(claimed):
        notification = row.notification
        try:
            send_mail(
                subject=_mail_subject(row),
                message=_mail_body(row),
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
