"""Delivering one row, as the delivery task does: claim it (pending → sending), send it with a stable
Message-ID, then mark it sent, skipped, or failed with a backed-off next attempt. Each status change locks
the row and runs its django-fsm-2 transition.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from ..models import Notification, NotificationStatus

logger = logging.getLogger("applications.notifications")  # the name it had before the split


def retry_delay_seconds(attempts: int, *, rng: random.Random | None = None) -> int:
    """Exponential backoff with "equal jitter": half the delay fixed, half random, capped at
    NOTIFICATIONS_RETRY_MAX_SECONDS (a few minutes, far below the broker's visibility timeout)."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    cap = settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    rng = rng or random
    return max(1, int(delay / 2 + rng.uniform(0, delay / 2)))


def notification_claim(*, notification_id: int, now: dt.datetime | None = None) -> Notification | None:
    """pending → sending, one attempt counted. Returns None when the row is not claimable: gone, locked by
    another worker (skip_locked), or no longer pending (already sent, being sent, failed or skipped) — which
    is what makes a redelivered task harmless."""
    with transaction.atomic():
        row = Notification.objects.select_for_update(skip_locked=True).filter(pk=notification_id).first()
        if row is None or row.status != NotificationStatus.PENDING:
            return None
        row.claim()
        row.attempts += 1
        row.claimed_at = now or timezone.now()
        row.save(update_fields=["status", "attempts", "claimed_at", "updated_at"])
        return row


def _lock(notification_id: int) -> Notification:
    return Notification.objects.select_for_update().get(pk=notification_id)


@transaction.atomic
def notification_mark_sent(*, notification_id: int, now: dt.datetime | None = None) -> Notification:
    row = _lock(notification_id)
    if row.status == NotificationStatus.PENDING:
        # The sweeper released the row while this worker was still sending (a send slower than the lease):
        # the message did go out, so record that rather than sending it again.
        row.claim()
    if row.status == NotificationStatus.SENDING:
        row.mark_sent()
        row.sent_at = now or timezone.now()
        row.save(update_fields=["status", "sent_at", "updated_at"])
    return row


@transaction.atomic
def notification_skip(*, notification_id: int, reason: str) -> Notification:
    row = _lock(notification_id)
    if row.status == NotificationStatus.SENDING:
        row.skip()
        row.last_error = reason
        row.save(update_fields=["status", "last_error", "updated_at"])
    return row


@dataclass(frozen=True)
class FailureOutcome:
    status: str
    retry_in: int | None


@transaction.atomic
def notification_record_failure(
    *, notification_id: int, error: str, now: dt.datetime | None = None
) -> FailureOutcome:
    """A failed attempt: back to pending with the next attempt time, or failed once the attempts are used
    up (then visible in the admin with a Resend action)."""
    row = _lock(notification_id)
    now = now or timezone.now()
    row.last_error = error[:2000]
    if row.status != NotificationStatus.SENDING:
        row.save(update_fields=["last_error", "updated_at"])
        return FailureOutcome(status=row.status, retry_in=None)
    if row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        row.mark_failed()
        row.save(update_fields=["status", "last_error", "updated_at"])
        logger.error("Notification %s failed after %s attempts: %s", row.pk, row.attempts, error)
        return FailureOutcome(status=row.status, retry_in=None)
    delay = retry_delay_seconds(row.attempts)
    row.release()
    row.next_attempt_at = now + dt.timedelta(seconds=delay)
    row.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
    return FailureOutcome(status=row.status, retry_in=delay)


def message_id(notification: Notification) -> str:
    """The same Message-ID on every attempt, so a receiving system can recognise a repeat of a message that
    went out but was not marked sent (the at-least-once case, ADR 0051)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">").strip() or "qpp-exceptions.example"
    return f"<notification-{notification.pk}@{domain}>"


def build_message(notification: Notification) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=[notification.recipient],
        headers={"Message-ID": message_id(notification), "Auto-Submitted": "auto-generated"},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    return message


def send(notification: Notification) -> None:
    """One SMTP (or console/locmem) send; raises on failure."""
    build_message(notification).send(fail_silently=False)
