"""The sweeper and the admin's Resend: re-queue rows that were committed but never delivered (and release
rows whose worker died mid-send), and put a failed or skipped row back to pending on request.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Notification, NotificationStatus
from .delivery import _lock
from .publishing import enqueue

logger = logging.getLogger("applications.notifications")  # the name it had before the split


@dataclass(frozen=True)
class SweepResult:
    released: int
    due: int
    queued: int


def notifications_sweep(*, now: dt.datetime | None = None, batch_size: int = 1000) -> SweepResult:
    """Re-queue what was committed but never delivered (issue 6 point 5).

    1. A row left "sending" longer than the lease (its worker died between claiming and marking) goes back
       to pending: it may already have been sent, so this is where at-least-once shows (ADR 0051).
    2. Pending rows overdue by NOTIFICATIONS_SWEEP_AFTER_SECONDS are published again; their next attempt
       time moves to now so the next sweep does not publish them again while they wait in the queue. A row
       published twice is still sent once: only one task can claim it.
    """
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS)
    released = 0
    with transaction.atomic():
        for row in Notification.objects.select_for_update(skip_locked=True).filter(
            status=NotificationStatus.SENDING, claimed_at__lt=now - lease
        )[:batch_size]:
            row.release()
            row.last_error = (
                "The worker stopped while sending (no result recorded within the lease); sending again."
            )
            row.next_attempt_at = now - dt.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS)
            row.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            released += 1
    overdue = now - dt.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS)
    with transaction.atomic():
        due_ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=NotificationStatus.PENDING, next_attempt_at__lte=overdue)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        # Not a status change: only the time the row is next considered overdue.
        Notification.objects.filter(pk__in=due_ids).update(next_attempt_at=now)
    queued = enqueue(due_ids) if due_ids else 0
    if released or due_ids:
        logger.info("Notification sweep: %s released, %s due, %s queued", released, len(due_ids), queued)
    return SweepResult(released=released, due=len(due_ids), queued=queued)


def notification_resend(*, notification: Notification, actor: Any) -> bool:
    """Admin "Resend": a failed or skipped row goes back to pending with fresh attempts and is queued on
    commit. Returns False when the row was not in a resendable state (nothing changes)."""
    with transaction.atomic():
        row = _lock(notification.pk)
        if row.status not in (NotificationStatus.FAILED, NotificationStatus.SKIPPED):
            return False
        row.resend()
        row.attempts = 0
        row.next_attempt_at = timezone.now()
        requested_by = getattr(actor, "email", "system")
        row.last_error = f"Resend requested by {requested_by}; previous: {row.last_error}"[:2000]
        row.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "updated_at"])
        row_id = row.pk
        transaction.on_commit(lambda: enqueue([row_id]))
    return True
