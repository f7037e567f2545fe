"""Notifications (issue 6): status emails through an outbox that neither loses nor duplicates a message.

* Events and recipients: who hears about what (seed 003_…, Step 7 and the FAQ on additional staff: "provide
  the email address(es) of additional staff or representatives who you would like to receive email
  notifications"; Step 10: "You'll also receive an email notification").
* Outbox rows: one ``Notification`` per (event, recipient), written inside the transaction of the state
  change it reports and rendered there, so a rolled-back change writes (and sends) nothing.
* Delivery: on commit each row id is published to Celery (``applications.tasks.deliver_notification``); a
  publish that fails (broker down) is logged and left to the sweeper. The row, not the broker message, is the
  source of truth (ADR 0050, 0051).

Every status change of a row goes through the transition services below (``notification_<action>``), which
lock the row and run the django-fsm-2 transition.

Split by concern: ``environment`` (subject prefix, recipient allow-list), ``recipients``, ``rendering``,
``outbox`` (writing the rows), ``publishing`` (queuing them on Celery), ``delivery`` (what the delivery task
calls) and ``sweeper`` (the sweep and the admin's Resend). Import from ``applications.notifications``; to
patch a helper, patch it in the submodule that calls it.
"""

from .delivery import (
    FailureOutcome,
    build_message,
    message_id,
    notification_claim,
    notification_mark_sent,
    notification_record_failure,
    notification_skip,
    retry_delay_seconds,
    send,
)
from .environment import is_production, recipient_allowed, subject_prefix
from .outbox import (
    STATUS_EVENTS,
    notifications_record_access_removed,
    notifications_record_access_request_created,
    notifications_record_access_request_decided,
    notifications_record_status_change,
)
from .publishing import enqueue
from .recipients import application_recipients, unique_addresses
from .rendering import SERVICE_CENTER, RenderedEmail, _application_context, render_email
from .sweeper import SweepResult, notification_resend, notifications_sweep

__all__ = [
    "SERVICE_CENTER",
    "STATUS_EVENTS",
    "FailureOutcome",
    "RenderedEmail",
    "SweepResult",
    "_application_context",
    "application_recipients",
    "build_message",
    "enqueue",
    "is_production",
    "message_id",
    "notification_claim",
    "notification_mark_sent",
    "notification_record_failure",
    "notification_resend",
    "notification_skip",
    "notifications_record_access_removed",
    "notifications_record_access_request_created",
    "notifications_record_access_request_decided",
    "notifications_record_status_change",
    "notifications_sweep",
    "recipient_allowed",
    "render_email",
    "retry_delay_seconds",
    "send",
    "subject_prefix",
    "unique_addresses",
]
