"""Celery tasks for notifications (issue 6): deliver one outbox row; sweep what was never delivered.

Tasks take ids (JSON only), never model instances; all decisions are in applications.notifications.
"""

from __future__ import annotations

from celery import shared_task

from . import notifications


def _attempt(notification_id: int) -> tuple[str, int | None, Exception | None]:
    """One delivery attempt: (outcome, seconds until the next attempt or None, the error)."""
    notification = notifications.notification_claim(notification_id=notification_id)
    if notification is None:
        return "not-claimable", None, None
    allowed, reason = notifications.recipient_allowed(notification.recipient)
    if not allowed:
        notifications.notification_skip(notification_id=notification_id, reason=reason)
        return "skipped", None, None
    try:
        notifications.send(notification)
    except Exception as exc:  # noqa: BLE001  (SMTP errors, refused connections, timeouts, soft time limit)
        outcome = notifications.notification_record_failure(
            notification_id=notification_id, error=f"{type(exc).__name__}: {exc}"
        )
        return outcome.status, outcome.retry_in, exc
    notifications.notification_mark_sent(notification_id=notification_id)
    return "sent", None, None


@shared_task(bind=True, name="applications.tasks.deliver_notification", acks_late=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    """Claim the row, send, mark it sent. Safe to run twice for the same row: only a pending row can be
    claimed, so a redelivered or duplicated message finds it sending, sent, failed or skipped and does
    nothing. The attempt count on the row (not Celery's retry counter) bounds the retries."""
    while True:
        outcome, retry_in, exc = _attempt(notification_id)
        if retry_in is None:
            return outcome
        if self.request.is_eager:
            # In-process (``make run`` without a broker, unit tests): there is no broker to hold a delayed
            # retry, so the next attempt runs now; the row's attempt bound still ends the loop.
            continue
        # A countdown of at most NOTIFICATIONS_RETRY_MAX_SECONDS (minutes, never near the visibility timeout).
        # If publishing the retry fails, the row is pending with its next attempt time: the sweeper takes it.
        raise self.retry(countdown=retry_in, exc=exc)


@shared_task(name="applications.tasks.sweep_notifications", acks_late=True)
def sweep_notifications() -> dict[str, int]:
    """Celery beat runs this every minute (settings.CELERY_BEAT_SCHEDULE)."""
    result = notifications.notifications_sweep()
    return {"released": result.released, "due": result.due, "queued": result.queued}
