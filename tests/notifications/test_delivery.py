"""Issue 6 points 4-6: claiming, retries with backoff, failure, the sweeper, the allow-list, a broker outage
and a redelivered task. Eager Celery; the real broker and worker: tests/services/test_celery_worker.py."""

import datetime as dt
import random
import time

import pytest
from django.core import mail
from django.utils import timezone

from applications import notifications, services
from applications.models import Notification, NotificationStatus
from applications.tasks import deliver_notification, sweep_notifications
from tests.factories import notifications_draft_with_access

from .conftest import IN_WINDOW, broker_at

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def _submit(user, django_capture_on_commit_callbacks, **kwargs):
    application = notifications_draft_with_access(user=user, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=user, certified=True, now=IN_WINDOW)
    return application


def _age(seconds: int) -> None:
    """Make every row's next attempt `seconds` old (as if that much time had passed)."""
    Notification.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=seconds))


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [(1, 7, 15), (2, 15, 30), (3, 30, 60), (4, 60, 120), (5, 120, 240), (6, 150, 300), (12, 150, 300)],
)
def test_backoff_is_exponential_with_jitter_and_capped(settings, attempts, low, high):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 15
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 300
    delays = {notifications.retry_delay_seconds(attempts, rng=random.Random(seed)) for seed in range(50)}
    assert min(delays) >= low and max(delays) <= high
    assert len(delays) > 1  # jitter: retries of a burst of failures don't all come back at once


def test_retry_countdown_stays_far_below_the_visibility_timeout(settings):
    longest = settings.NOTIFICATIONS_RETRY_MAX_SECONDS
    assert longest <= 300
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > 10 * longest
    assert settings.NOTIFICATIONS_SENDING_LEASE_SECONDS > settings.CELERY_TASK_TIME_LIMIT


def test_celery_delivery_settings(settings):
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_ACCEPT_CONTENT == ["json"] and settings.CELERY_TASK_SERIALIZER == "json"
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    sweep = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]
    assert sweep["task"] == sweep_notifications.name and sweep["schedule"] <= 60


def test_a_transient_smtp_failure_is_retried_then_sent_once(
    clinician, flaky_email, django_capture_on_commit_callbacks
):
    flaky_email.failures = 2
    _submit(clinician, django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    assert row.status == NotificationStatus.SENT
    assert row.attempts == 3 and row.sent_at is not None
    assert "SMTPServerDisconnected" in row.last_error
    assert len(mail.outbox) == 1


def test_retries_stop_at_the_bound_and_the_row_is_failed(
    clinician, flaky_email, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    flaky_email.failures = -1
    _submit(clinician, django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    assert row.status == NotificationStatus.FAILED
    assert row.attempts == 4 and flaky_email.calls == 4
    assert "Connection unexpectedly closed" in row.last_error
    assert row.sent_at is None and mail.outbox == []
    # A failed row is not picked up again by the sweeper (only the admin's Resend brings it back).
    _age(3600)
    assert sweep_notifications.apply().get()["due"] == 0


def test_a_redelivered_task_for_a_row_already_marked_sends_nothing(
    clinician, django_capture_on_commit_callbacks
):
    """The worker sent and marked the row, then died before acknowledging: Redis hands the message out
    again after the visibility timeout. The second run finds the row sent and does nothing."""
    _submit(clinician, django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    assert row.status == NotificationStatus.SENT and len(mail.outbox) == 1
    assert deliver_notification.apply(args=[row.pk]).get() == "not-claimable"
    assert deliver_notification.apply(args=[row.pk]).get() == "not-claimable"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_worker_that_died_between_send_and_mark(clinician, settings, django_capture_on_commit_callbacks):
    """Claimed and sent, but the worker died before marking: the row says "sending". A redelivered task does
    not send it again; only after the lease does the sweeper release it, and then the message goes out a
    second time with the same Message-ID: the remaining at-least-once window (ADR 0051)."""
    application = notifications_draft_with_access(user=clinician)
    with django_capture_on_commit_callbacks(execute=False):  # the publish after commit is "lost"
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    row = Notification.objects.get()
    claimed = notifications.notification_claim(notification_id=row.pk)
    notifications.send(claimed)  # ... and here the worker is killed
    assert len(mail.outbox) == 1

    assert deliver_notification.apply(args=[row.pk]).get() == "not-claimable"
    assert sweep_notifications.apply().get() == {"released": 0, "due": 0, "queued": 0}  # within the lease
    assert len(mail.outbox) == 1

    Notification.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_LEASE_SECONDS + 1)
    )
    assert sweep_notifications.apply().get() == {"released": 1, "due": 1, "queued": 1}
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 2
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]


def test_sweeper_requeues_only_rows_pending_for_over_two_minutes_and_sends_once(
    clinician, django_capture_on_commit_callbacks
):
    application = notifications_draft_with_access(user=clinician, additional_access=("jane@example.com",))
    with django_capture_on_commit_callbacks(execute=False):  # commit happened, the enqueue was lost
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 2

    _age(60)
    assert sweep_notifications.apply().get()["due"] == 0
    assert mail.outbox == []

    _age(121)
    assert sweep_notifications.apply().get() == {"released": 0, "due": 2, "queued": 2}
    assert sorted(m.to[0] for m in mail.outbox) == ["jane@example.com", "mary.thompson@example.com"]
    assert sweep_notifications.apply().get()["due"] == 0
    _age(3600)
    assert sweep_notifications.apply().get()["due"] == 0
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_a_row_queued_twice_is_sent_once(clinician, django_capture_on_commit_callbacks):
    application = notifications_draft_with_access(user=clinician)
    with django_capture_on_commit_callbacks(execute=False):
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    row = Notification.objects.get()
    assert notifications.enqueue([row.pk, row.pk]) == 2
    assert deliver_notification.apply(args=[row.pk]).get() == "not-claimable"
    assert len(mail.outbox) == 1


def test_outside_production_only_allow_listed_domains_receive_mail(
    clinician, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_ALLOWED_DOMAINS = ["example.com"]
    _submit(
        clinician,
        django_capture_on_commit_callbacks,
        additional_access=("helper@mail.example.com", "someone@gmail.com", "x@example.com.evil.test"),
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["helper@mail.example.com", "mary.thompson@example.com"]
    skipped = Notification.objects.filter(status=NotificationStatus.SKIPPED).order_by("recipient")
    assert [r.recipient for r in skipped] == ["someone@gmail.com", "x@example.com.evil.test"]
    for row in skipped:
        assert "NOTIFICATIONS_ALLOWED_DOMAINS" in row.last_error and "test environment" in row.last_error
    assert all(m.subject.startswith("[TEST] ") for m in mail.outbox)


def test_in_production_every_domain_receives_mail_without_a_prefix(
    clinician, settings, django_capture_on_commit_callbacks
):
    settings.ENVIRONMENT_NAME = "production"
    settings.NOTIFICATIONS_ALLOWED_DOMAINS = ["example.com"]
    _submit(clinician, django_capture_on_commit_callbacks, additional_access=("someone@gmail.com",))
    assert sorted(m.to[0] for m in mail.outbox) == ["mary.thompson@example.com", "someone@gmail.com"]
    assert not any(m.subject.startswith("[") for m in mail.outbox)


def test_broker_down_submission_succeeds_at_once_and_the_sweeper_delivers_once_later(clinician):
    """The broker refuses connections while the application is submitted (real autocommit transaction, so
    the on-commit publish really runs): the submission returns at once, the rows stay pending. When the
    broker is back, the sweeper delivers each exactly once."""
    application = notifications_draft_with_access(user=clinician, additional_access=("jane@example.com",))
    with broker_at(CLOSED_PORT_BROKER, eager=False):
        started = time.monotonic()
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            services.application_submit(
                application=application, actor=clinician, certified=True, now=IN_WINDOW
            )
        elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"submission took {elapsed:.2f}s with the broker down"
    application.refresh_from_db()
    assert application.status == "submitted"
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.PENDING}
    assert mail.outbox == []

    # The broker is back (eager here); two minutes later the beat-driven sweeper runs, twice for good measure.
    _age(121)
    sweep_notifications.apply()
    sweep_notifications.apply()
    assert sorted(m.to[0] for m in mail.outbox) == ["jane@example.com", "mary.thompson@example.com"]
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_sweeper_publish_failure_leaves_rows_pending(clinician, django_capture_on_commit_callbacks):
    application = notifications_draft_with_access(user=clinician)
    with django_capture_on_commit_callbacks(execute=False):
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    _age(300)
    with broker_at(CLOSED_PORT_BROKER, eager=False):
        result = notifications.notifications_sweep()
    assert (result.due, result.queued) == (1, 0)
    assert Notification.objects.get().status == NotificationStatus.PENDING
    # The next attempt time moved to "now": it is overdue again two minutes later, not before.
    assert notifications.notifications_sweep().due == 0
    _age(121)
    assert notifications.notifications_sweep().queued == 1
    assert len(mail.outbox) == 1


def test_resend_brings_back_a_failed_row(
    clinician, flaky_email, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    flaky_email.failures = -1
    _submit(clinician, django_capture_on_commit_callbacks)
    row = Notification.objects.get()
    assert row.status == NotificationStatus.FAILED
    flaky_email.failures = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notification_resend(notification=row, actor=clinician) is True
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 1
    assert len(mail.outbox) == 1
    # A sent row is not resendable.
    assert notifications.notification_resend(notification=row, actor=clinician) is False
