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
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import (
    Application,
    ExceptionType,
    Notification,
    NotificationEvent,
    NotificationStatus,
    Status,
)

logger = logging.getLogger(__name__)

SERVICE_CENTER = (
    "Quality Payment Program Service Center: QPP@cms.hhs.gov or 1-866-288-8292 "
    "(Monday through Friday, 8 a.m. - 8 p.m. ET)"
)

# Which event an application's new status announces. Seed 003_…, Appendix E lists the statuses.
STATUS_EVENTS: dict[str, str] = {
    Status.SUBMITTED: NotificationEvent.APPLICATION_SUBMITTED,
    Status.APPROVED: NotificationEvent.APPLICATION_APPROVED,
    Status.DENIED: NotificationEvent.APPLICATION_DENIED,
    Status.WITHDRAWN: NotificationEvent.APPLICATION_WITHDRAWN,
}


# --- Environment ------------------------------------------------------------------------------------------


def is_production() -> bool:
    return settings.ENVIRONMENT_NAME == "production"


def subject_prefix() -> str:
    """``[LOCAL]``, ``[TEST]``… outside production, so nobody mistakes a test email for a CMS decision."""
    return "" if is_production() else f"[{settings.ENVIRONMENT_NAME.upper()}] "


def recipient_allowed(email: str) -> tuple[bool, str]:
    """Outside production only allow-listed domains (and their subdomains) receive mail (ADR 0052).

    Returns (allowed, reason-if-not)."""
    if is_production():
        return True, ""
    domain = email.rpartition("@")[2].lower().strip()
    allowed = [d.lower().strip().lstrip(".") for d in settings.NOTIFICATIONS_ALLOWED_DOMAINS if d.strip()]
    if any(domain == d or domain.endswith("." + d) for d in allowed):
        return True, ""
    return False, (
        f"Not sent: {domain} is not on NOTIFICATIONS_ALLOWED_DOMAINS and this is the "
        f"{settings.ENVIRONMENT_NAME} environment, which emails only allow-listed domains."
    )


# --- Recipients -------------------------------------------------------------------------------------------


def unique_addresses(addresses: Iterable[str]) -> list[str]:
    """Lower-cased, blanks dropped, duplicates removed case-insensitively, first occurrence order kept."""
    seen: dict[str, None] = {}
    for raw in addresses:
        email = (raw or "").strip().lower()
        if email and email not in seen:
            seen[email] = None
    return list(seen)


def application_recipients(application: Application) -> list[str]:
    """The submitter's contact email (their account email while a draft has none) and every Additional
    Access address (seed 003_…, Step 7 and FAQ), de-duplicated case-insensitively."""
    contact = application.contact_email or application.submitter.email
    extra = application.additional_access.order_by("email").values_list("email", flat=True)
    return unique_addresses([contact, *extra])


# --- Rendering --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(event: str, context: dict[str, Any]) -> RenderedEmail:
    """templates/emails/<event>_subject.txt, <event>.txt and <event>.html."""
    context = {"service_center": SERVICE_CENTER, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{event}_subject.txt", context)
    subject = " ".join(subject.split())  # one line: a newline in a subject is a header injection
    text = render_to_string(f"emails/{event}.txt", context).strip() + "\n"
    html = render_to_string(f"emails/{event}.html", context)
    return RenderedEmail(subject=f"{subject_prefix()}{subject}"[:255], text=text, html=html)


def _application_context(application: Application) -> dict[str, Any]:
    # Only what every recipient may already see on the application page (issue 6 point 2): no NPI, no
    # contact details, no event description; the TIN masked.
    return {
        "reference": application.reference,
        "exception_type": application.get_exception_type_display(),
        "exception_short": "Promoting Interoperability Hardship Exception"
        if application.exception_type == ExceptionType.PI_HARDSHIP
        else "Extreme and Uncontrollable Circumstances Exception",
        "performance_year": application.performance_year,
        "participant": application.participant_label,
        "participation_level": application.get_participation_level_display(),
        "status": application.get_status_display(),
        # EUC: the categories asked about (seed 002_…: any of the four); empty for the PI hardship exception.
        "categories": ", ".join(
            str(Application._meta.get_field(name).verbose_name)
            for name in (
                "requests_quality",
                "requests_cost",
                "requests_improvement_activities",
                "requests_promoting_interoperability",
            )
            if application.exception_type == ExceptionType.EUC and getattr(application, name)
        ),
        "denial_reason": application.denial_reason,
        "denial_explanation": application.denial_explanation,
        "link": f"{settings.SITE_URL}{reverse('applications:detail', args=[application.reference])}",
        "dashboard_link": f"{settings.SITE_URL}{reverse('applications:dashboard')}",
    }


# --- Writing outbox rows ----------------------------------------------------------------------------------


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
    removed_by = "you" if actor is not None and actor.pk == holder.pk else (
        actor.get_full_name() if actor is not None else "a CMS administrator"
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


# --- Publishing -------------------------------------------------------------------------------------------


def enqueue(notification_ids: Iterable[int]) -> int:
    """Publish a delivery task per row; returns how many were published.

    Runs after commit. A broker outage must neither turn a committed change into an error page nor hang the
    request: the broker's connect and socket timeouts are short (settings), publish errors are caught and the
    rest of the batch is left to the sweeper at once (each further attempt would wait for the same timeout).
    """
    from .tasks import deliver_notification

    published = 0
    for notification_id in notification_ids:
        try:
            deliver_notification.apply_async(args=[notification_id], retry=False)
        except Exception:
            logger.warning(
                "Could not queue notification %s; it stays pending and the sweeper will queue it",
                notification_id,
                exc_info=True,
            )
            break
        published += 1
    return published


# --- Delivery (called by the tasks) -----------------------------------------------------------------------


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
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id)
            .first()
        )
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


# --- Sweeper and admin actions ----------------------------------------------------------------------------


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
