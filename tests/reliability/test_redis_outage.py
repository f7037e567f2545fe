"""Redis stopped (and hung) while applicants file and reviewers decide (issue 10, point 4; ADR 0082).

The Celery app is pointed at a redis-server this test started on a free port. With it stopped, then frozen
(SIGSTOP: connections are accepted but nothing answers), pages keep working and no request takes more than
a few seconds; every change is committed and its emails wait in the outbox. When Redis is back, a real
worker and the outbox sweeper deliver every email exactly once. The machine's own Redis is never touched.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Notification, NotificationStatus
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    reviewer_user,
)

from .conftest import services_leg_only

pytestmark = [services_leg_only, pytest.mark.django_db(transaction=True)]

FEW_SECONDS = 8.0  # the broker's connect and socket timeouts are 3 s (settings.CELERY_BROKER_*)


@contextmanager
def celery_on(url: str):
    """Publish to and consume from ``url``. Both read and write URLs are set: the CELERY_BROKER_URL
    environment variable of the CI leg wins over ``broker_url``. The app caches its pools: dropped here."""
    from qpp_exceptions.celery import app

    saved = (app.conf.get("broker_read_url"), app.conf.get("broker_write_url"), app.conf.task_always_eager)

    def switch(read, write, eager):
        app.conf.broker_read_url, app.conf.broker_write_url, app.conf.task_always_eager = read, write, eager
        app._pool = None
        app.amqp._producer_pool = None

    switch(url, url, False)
    try:
        yield app
    finally:
        switch(*saved)


def timed(what: str, call):
    started = time.monotonic()
    result = call()
    elapsed = time.monotonic() - started
    assert elapsed < FEW_SECONDS, f"{what} took {elapsed:.1f}s with Redis unavailable"
    return result, elapsed


def _browse(client: Client, reference: str) -> None:
    for path in (
        reverse("applications:dashboard"),
        reverse("applications:detail", kwargs={"reference": reference}),
        reverse("participation_status"),
        "/api/eligibility/npi/1234567893?year=2026",
    ):
        response, _ = timed(f"GET {path}", lambda p=path: client.get(p))
        assert response.status_code == 200, f"{path} answered {response.status_code}"


def test_redis_down_then_back_pages_work_and_every_email_goes_out_once(own_redis, settings):
    settings.CELERY_BROKER_URL = own_redis.url  # what /healthz checks
    ApplicationWindowFactory(performance_year=2026)
    applicant, _, _ = clinician_with_access()
    other, _, _ = clinician_with_access(npi="1000000004")
    reviewer = reviewer_user()
    filed = complete_individual_pi_draft(user=applicant)
    decided = complete_individual_pi_draft(user=other, npi="1000000004")
    browser = Client()
    browser.force_login(applicant)
    mail.outbox = []

    with celery_on(own_redis.url) as app:
        app.control.purge()
        services.application_submit(application=decided, actor=other, certified=True)

        # 1. Redis stopped (its queued messages are lost with it: it keeps nothing on disk).
        own_redis.stop()
        _browse(browser, filed.reference)
        review = reverse("applications:step", kwargs={"reference": filed.reference, "step": "review"})
        response, _ = timed("submitting", lambda: browser.post(review, {"action": "submit"}))
        assert response.status_code == 302, response.content[:500]
        filed.refresh_from_db()
        assert filed.status == "submitted"
        timed("approving", lambda: services.application_approve(application=decided, actor=reviewer))
        decided.refresh_from_db()
        assert decided.status == "approved"
        health, _ = timed("/healthz", lambda: Client().get("/healthz"))
        assert health.status_code == 503 and health.json()["broker"]["ok"] is False

        # 2. Redis hung: it accepts connections but never answers.
        own_redis.start()
        own_redis.freeze()
        try:
            _browse(browser, filed.reference)
            withdraw = reverse("applications:withdraw", kwargs={"reference": filed.reference})
            response, _ = timed("withdrawing", lambda: browser.post(withdraw))
            assert response.status_code == 302
            filed.refresh_from_db()
            assert filed.status == "withdrawn"
        finally:
            own_redis.thaw()

        rows = Notification.objects.all()
        assert rows.count() >= 3  # submitted and withdrawn for one, approved for the other, at least
        assert mail.outbox == []

        # 3. Redis is back: a real worker and the sweeper (beat runs it every minute) deliver everything.
        from celery.contrib.testing.worker import start_worker
        from celery.signals import task_postrun
        from django.db import connections

        def close_connections(**kwargs):
            connections.close_all()

        task_postrun.connect(close_connections, weak=False)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                # Test-only: age the rows past the sweeper's grace period instead of waiting two minutes.
                Notification.objects.filter(status=NotificationStatus.PENDING).update(
                    next_attempt_at=timezone.now() - dt.timedelta(minutes=3)
                )
                from applications.tasks import sweep_notifications

                sweep_notifications.delay()
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    if not Notification.objects.exclude(
                        status__in=[NotificationStatus.SENT, NotificationStatus.SKIPPED]
                    ).exists():
                        break
                    time.sleep(0.2)
                # A second sweep, as beat would run it: nothing is sent twice.
                sweep_notifications.delay()
                time.sleep(1.0)
        finally:
            task_postrun.disconnect(close_connections)
            app.control.purge()

    statuses = sorted(Notification.objects.values_list("status", flat=True))
    assert set(statuses) == {NotificationStatus.SENT}, statuses
    sent = Notification.objects.count()
    assert len(mail.outbox) == sent, f"{len(mail.outbox)} emails for {sent} outbox rows"
    message_ids = [message.extra_headers.get("Message-ID") for message in mail.outbox]
    assert len(set(message_ids)) == len(message_ids)
    subjects = " ".join(message.subject for message in mail.outbox)
    assert "submitted" in subjects and "approved" in subjects and "withdrawn" in subjects
