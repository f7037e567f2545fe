"""The real thing (issue 6 point 7): Redis as the broker, a real Celery worker (solo pool, in-process thread)
and a real SMTP server (aiosmtpd) receiving the messages.

Runs on the second CI leg (CELERY_BROKER_URL=redis://…, DATABASE_URL=postgres://…); skipped with a reason
on the first, where tests/notifications runs the same tasks eagerly. The worker thread has its own database
connection, so these tests use committed data (transactional_db).
"""

from __future__ import annotations

import datetime as dt
import email
import socket
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from applications import notifications, services
from applications.models import Notification, NotificationStatus
from applications.tasks import deliver_notification, sweep_notifications
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    et,
    notifications_draft_with_access,
    reviewer_user,
)
from tests.notifications.conftest import broker_at

pytestmark = [
    pytest.mark.skipif(
        not django_settings.CELERY_BROKER_URL.startswith("redis://"),
        reason=(
            "needs the Redis broker of the second CI leg (CELERY_BROKER_URL=redis://127.0.0.1:6379/15); "
            "the first leg runs the notification tasks eagerly in tests/notifications"
        ),
    ),
]

IN_WINDOW = et(2026, 11, 23, 12)
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"
ADDITIONAL = ("Jane.Doe@example.com", "billing@example.org")
EVERYONE = ["billing@example.org", "jane.doe@example.com", "mary.thompson@example.com"]


class SMTPSink:
    """aiosmtpd handler keeping every message it accepts. `reject_first` answers 451 (try again later) to
    that many messages first, as a busy mail relay would."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.Message]] = []
        self.rejected = 0
        self.reject_first = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self._lock:
            if self.rejected < self.reject_first:
                self.rejected += 1
                return "451 4.3.0 Try again later"
            self.messages.append(
                (list(envelope.rcpt_tos), email.message_from_bytes(envelope.original_content or b""))
            )
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(r for rcpts, _ in self.messages for r in rcpts)

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages at the SMTP sink, got {len(self.messages)}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    from aiosmtpd.controller import Controller

    handler = SMTPSink()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield handler
    controller.stop()


@pytest.fixture
def worker(transactional_db, smtp_sink):
    """A real worker consuming from the test broker. The queue is purged first: other tests on this leg
    publish there without a worker."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from qpp_exceptions.celery import app

    app.conf.task_always_eager = False
    app.control.purge()

    def _close_worker_connections(**kwargs):
        # The worker thread's own connections; closed after each task so the test database can be flushed
        # and dropped at the end.
        connections.close_all()

    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.control.purge()


@pytest.fixture
def people(transactional_db):
    ApplicationWindowFactory(performance_year=2026, opens_at=et(2026, 5, 12), closes_at=et(2026, 12, 31, 20))
    user, _clinician, _practice = clinician_with_access()
    return user, reviewer_user()


def _wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _all_sent() -> bool:
    return not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def _drain(app, seconds: float = 1.5) -> None:
    """Wait until the broker queue is empty, then a moment for the task in hand to finish."""
    with app.connection_for_write() as conn:
        _wait_until(lambda: conn.default_channel.client.llen("celery") == 0)
    time.sleep(seconds)


def test_submit_and_approve_reach_the_smtp_server_through_redis_and_a_real_worker(worker, smtp_sink, people):
    clinician, reviewer = people
    application = notifications_draft_with_access(user=clinician, additional_access=ADDITIONAL)
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    smtp_sink.wait_for(3)
    _wait_until(_all_sent)
    assert smtp_sink.recipients() == EVERYONE
    _rcpts, message = smtp_sink.messages[0]
    assert message["Subject"].startswith(f"[TEST] Application {application.reference} submitted")
    assert message["Message-ID"].startswith("<notification-")
    assert message.is_multipart()
    assert [part.get_content_type() for part in message.walk() if not part.is_multipart()] == [
        "text/plain",
        "text/html",
    ]

    services.application_approve(application=application, actor=reviewer)
    smtp_sink.wait_for(6)
    _wait_until(_all_sent)
    _drain(worker)
    assert len(smtp_sink.messages) == 6  # nothing twice
    approved = [m for _r, m in smtp_sink.messages if "approved" in m["Subject"]]
    assert len(approved) == 3
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_redelivered_task_does_not_send_again(worker, smtp_sink, people):
    """Redis hands out a message again when the worker died before acknowledging it (acks_late): the row is
    already marked sent, so the second run sends nothing."""
    clinician, _reviewer = people
    application = notifications_draft_with_access(user=clinician, additional_access=ADDITIONAL)
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    smtp_sink.wait_for(3)
    _wait_until(_all_sent)
    for notification_id in Notification.objects.values_list("pk", flat=True):
        deliver_notification.delay(notification_id)
        deliver_notification.delay(notification_id)
    _drain(worker)
    assert len(smtp_sink.messages) == 3
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_temporary_smtp_refusal_is_retried_through_the_broker(worker, smtp_sink, people, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 1
    smtp_sink.reject_first = 2
    clinician, _reviewer = people
    application = notifications_draft_with_access(user=clinician)
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    smtp_sink.wait_for(1, timeout=40)
    _wait_until(_all_sent)
    row = Notification.objects.get()
    assert row.attempts == 3 and smtp_sink.rejected == 2
    assert "451" in row.last_error
    _drain(worker)
    assert len(smtp_sink.messages) == 1


def test_broker_down_at_submission_then_the_sweeper_delivers_exactly_once(worker, smtp_sink, people):
    clinician, _reviewer = people
    application = notifications_draft_with_access(user=clinician, additional_access=ADDITIONAL)
    with broker_at(CLOSED_PORT_BROKER, eager=False):
        started = time.monotonic()
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
        elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"submission took {elapsed:.2f}s with the broker down"
    application.refresh_from_db()
    assert application.status == "submitted"
    time.sleep(0.5)
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.PENDING}
    assert smtp_sink.messages == []

    # The broker is back. Within two minutes the sweeper leaves the rows alone (their on-commit publish might
    # still be on its way)...
    sweep_notifications.delay()
    _drain(worker)
    assert smtp_sink.messages == []
    # ...after two minutes it queues them; run it twice, as beat would: each message still goes out once.
    Notification.objects.update(next_attempt_at=timezone.now() - dt.timedelta(minutes=3))
    sweep_notifications.delay()
    sweep_notifications.delay()
    smtp_sink.wait_for(3)
    _wait_until(_all_sent)
    _drain(worker)
    assert smtp_sink.recipients() == EVERYONE
    assert notifications.notifications_sweep().due == 0
