"""Writing outbox rows: one pending ``Notification`` per (event, recipient), rendered and written inside
the transaction of the state change it reports and published on commit, for application status changes
and for access requests and removed access.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Application, Notification, NotificationEvent, Status
from .publishing import enqueue
from .recipients import application_recipients, unique_addresses
from .rendering import _application_context, render_email

# Which event an application's new status announces. Seed 003_…, Appendix E lists the statuses.
STATUS_EVENTS: dict[str, str] = {
    Status.SUBMITTED: NotificationEvent.APPLICATION_SUBMITTED,
    Status.APPROVED: NotificationEvent.APPLICATION_APPROVED,
    Status.DENIED: NotificationEvent.APPLICATION_DENIED,
    Status.WITHDRAWN: NotificationEvent.APPLICATION_WITHDRAWN,
}


def _record(
    *,
    event: str,
    event_key: str,
    recipients: Sequence[str],
    context: dict[str, Any],
    application: Application | None = None,
    access_request: Any = None,
) -> list[Notification]:
    """Write one pending row per recipient (must run inside the caller's transaction) and publish them on
    commit. A recipient who already has a row for this event gets no second one."""
    recipients = unique_addresses(recipients)
    if not recipients:
        return []
    existing = set(
        Notification.objects.filter(event_key=event_key, recipient__in=recipients).values_list(
            "recipient", flat=True
        )
    )
    rendered = render_email(event, context)
    now = timezone.now()
    rows = [
        Notification(
            event=event,
            event_key=event_key,
            recipient=recipient,
            application=application,
            access_request=access_request,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            next_attempt_at=now,
        )
        for recipient in recipients
        if recipient not in existing
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    if any(pk is None for pk in ids):  # a backend without RETURNING: read them back
        ids = list(
            Notification.objects.filter(event_key=event_key, recipient__in=[r.recipient for r in rows])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    transaction.on_commit(lambda: enqueue(ids))
    return created


def notifications_record_status_change(
    *, application: Application, from_status: str, to_status: str, actor: Any
) -> list[Notification]:
    """Outbox rows for an application's status change; call inside the transition's transaction.

    Withdrawing a draft tells nobody: nothing was filed with CMS, and Additional Access people were never told
    about it (ADR 0050)."""
    event = STATUS_EVENTS.get(to_status)
    if event is None or (to_status == Status.WITHDRAWN and from_status == Status.DRAFT):
        return []
    context = _application_context(application)
    context.update(
        {
            "from_status": Status(from_status).label if from_status in Status.values else from_status,
            "was_approved": from_status == Status.APPROVED,
        }
    )
    return _record(
        event=event,
        event_key=f"application:{application.pk}:{to_status}",
        recipients=application_recipients(application),
        context=context,
        application=application,
    )


def _access_request_context(access_request: Any) -> dict[str, Any]:
    return {
        "access_label": access_request.access_label,
        "target_label": access_request.target_label,
        "requester_name": access_request.requester.get_full_name(),
        "requester_email": access_request.requester.email,
        "decision_reason": access_request.decision_reason,
        "detail_link": f"{settings.SITE_URL}"
        f"{reverse('accounts:access_request_detail', args=[access_request.pk])}",
        "requests_link": f"{settings.SITE_URL}{reverse('accounts:access_request_list')}",
        "profile_link": f"{settings.SITE_URL}{reverse('accounts:profile')}",
    }


def notifications_record_access_request_created(
    *, access_request: Any, approvers: Iterable[Any]
) -> list[Notification]:
    """The requester hears that the request arrived; whoever may decide it hears that it waits for them."""
    context = _access_request_context(access_request)
    rows = _record(
        event=NotificationEvent.ACCESS_REQUEST_RECEIVED,
        event_key=f"access_request:{access_request.pk}:received",
        recipients=[access_request.requester.email],
        context=context,
        access_request=access_request,
    )
    requester = access_request.requester.email.lower()
    approver_emails = [u.email for u in approvers if u.email and u.email.lower() != requester]
    rows += _record(
        event=NotificationEvent.ACCESS_REQUEST_AWAITING_DECISION,
        event_key=f"access_request:{access_request.pk}:awaiting_decision",
        recipients=sorted(approver_emails, key=str.lower),
        context=context,
        access_request=access_request,
    )
    return rows


def notifications_record_access_request_decided(*, access_request: Any, actor: Any) -> list[Notification]:
    """The requester hears the decision (with the reason, when denied)."""
    status = access_request.status
    event = {
        "approved": NotificationEvent.ACCESS_REQUEST_APPROVED,
        "denied": NotificationEvent.ACCESS_REQUEST_DENIED,
    }.get(status)
    if event is None:
        return []
    return _record(
        event=event,
        event_key=f"access_request:{access_request.pk}:{status}",
        recipients=[access_request.requester.email],
        context=_access_request_context(access_request),
        access_request=access_request,
    )


def notifications_record_access_removed(*, grant: Any, actor: Any) -> list[Notification]:
    """The holder hears that their access was removed, and by whom."""
    holder = grant.user
    removed_by = (
        "you"
        if actor is not None and actor.pk == holder.pk
        else (actor.get_full_name() if actor is not None else "a CMS administrator")
    )
    return _record(
        event=NotificationEvent.ACCESS_REMOVED,
        event_key=f"grant:{grant._meta.model_name}:{grant.pk}:revoked",
        recipients=[holder.email],
        context={
            "access_label": grant.access_label,
            "target_label": grant.target_label,
            "removed_by": removed_by,
            "profile_link": f"{settings.SITE_URL}{reverse('accounts:profile')}",
        },
        access_request=grant.access_request if grant.access_request_id else None,
    )
