"""Benchmark of notification delivery (issue 6). Not a test: `make bench-notifications`.

Bulk-approves 500 submitted applications with three recipients each (contact email + two Additional Access
addresses) through `applications_bulk_approve` (the admin's bulk action; one transaction per application),
with a real Celery worker (a separate `celery worker` process, prefork pool) consuming from Redis and a real
SMTP server (aiosmtpd, in this process) receiving the mail. Reports how long until all 1,500 messages were
delivered, and checks none was sent twice.

Environment: DATABASE_URL (default: the local PostgreSQL database ``qpp_bench_notifications``, created if
missing), CELERY_BROKER_URL (default redis://127.0.0.1:6379/14), BENCH_APPLICATIONS (500),
BENCH_CONCURRENCY (worker processes, default 2).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_NAME = "qpp_bench_notifications"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qpp_exceptions.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("NOTIFICATIONS_ALLOWED_DOMAINS", "example.com,example.org")

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
TIMEOUT_SECONDS = 900
REF_PREFIX = "BENCH-N-"


class Sink:
    def __init__(self) -> None:
        self.count = 0
        self.message_ids: set[str] = set()
        self.duplicates = 0
        self.last_at = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        content = envelope.original_content or b""
        message_id = ""
        for line in content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
                break
            if not line:
                break
        with self._lock:
            self.count += len(envelope.rcpt_tos)
            if message_id in self.message_ids:
                self.duplicates += 1
            self.message_ids.add(message_id)
            self.last_at = time.monotonic()
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database() -> None:
    url = urlparse(os.environ["DATABASE_URL"])
    if url.scheme not in ("postgres", "postgresql"):
        sys.exit("bench-notifications needs PostgreSQL: set DATABASE_URL=postgres://…")
    import psycopg2

    name = url.path.lstrip("/")
    conn = psycopg2.connect(url._replace(path="/postgres").geturl())
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not cursor.fetchone():
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def main() -> None:
    ensure_database()
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    # Both this process and the worker read EMAIL_URL at start-up (settings/base.py).
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from applications import services
    from applications.models import AdditionalAccessEmail, Application, Notification, NotificationStatus
    from qpp_exceptions.celery import app

    call_command("migrate", verbosity=0, interactive=False)
    app.control.purge()

    # Fresh data on every run (the bench's own rows only).
    Notification.objects.filter(application__reference__startswith=REF_PREFIX).delete()
    Notification.objects.filter(application__isnull=True, event_key__startswith="application:").delete()
    Application.objects.filter(reference__startswith=REF_PREFIX).delete()
    submitter, _ = User.objects.get_or_create(email="bench-submitter@example.com")
    reviewer, created = User.objects.get_or_create(
        email="bench-reviewer@example.com", defaults={"is_staff": True, "is_superuser": True}
    )
    # Setup data, not a transition: rows start "submitted" (the protected field accepts a constructor value).
    applications = Application.objects.bulk_create(
        [
            Application(
                reference=f"{REF_PREFIX}{i:05d}",
                exception_type="pi_hardship",
                performance_year=2026,
                participation_level="group",
                tin="123450093",
                participant_name="Dittrich, Krajiček and Urbanová",
                submitter=submitter,
                contact_email=f"contact{i}@example.com",
                pi_reason="insufficient_internet_connectivity",
                status="submitted",
            )
            for i in range(APPLICATIONS)
        ]
    )
    AdditionalAccessEmail.objects.bulk_create(
        [
            AdditionalAccessEmail(application=a, email=f"{who}{i}@example.{tld}")
            for i, a in enumerate(applications)
            for who, tld in (("staff", "com"), ("representative", "org"))
        ]
    )
    connection.close()

    worker = subprocess.Popen(  # noqa: S603  (a fixed command line: this project's own Celery worker)
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "qpp_exceptions",
            "worker",
            "--pool=prefork",
            f"--concurrency={CONCURRENCY}",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                sys.exit("The Celery worker did not start.")

        expected = APPLICATIONS * 3
        print(
            f"Approving {APPLICATIONS} applications ({expected} emails) with a {CONCURRENCY}-process worker "
            f"on {os.environ['CELERY_BROKER_URL']}…"
        )
        started = time.monotonic()
        pending = list(Application.objects.filter(reference__startswith=REF_PREFIX).order_by("pk"))
        # The admin's bulk action service (issue 7): at most BULK_DECISION_LIMIT per call, one transaction per
        # application, each writing its outbox rows and publishing them on commit.
        for start in range(0, len(pending), services.BULK_DECISION_LIMIT):
            outcome = services.applications_bulk_approve(
                applications=pending[start : start + services.BULK_DECISION_LIMIT], actor=reviewer
            )
            if outcome.skipped:
                sys.exit(f"Bulk approval skipped applications: {outcome.skipped}")
        approved_after = time.monotonic() - started

        sent = 0
        while time.monotonic() - started < TIMEOUT_SECONDS:
            sent = Notification.objects.filter(
                application__reference__startswith=REF_PREFIX, status=NotificationStatus.SENT
            ).count()
            if sent >= expected and sink.count >= expected:
                break
            time.sleep(0.1)
        delivered_after = (sink.last_at or time.monotonic()) - started
        time.sleep(2)  # anything sent twice would arrive now

        rows = Notification.objects.filter(application__reference__startswith=REF_PREFIX)
        print(f"Approvals (outbox rows written, tasks published): {approved_after:.1f} s "
              f"({APPLICATIONS / approved_after:.0f} approvals/s)")
        print(f"All {expected} messages delivered to the SMTP server after {delivered_after:.1f} s "
              f"({expected / delivered_after:.0f} messages/s)")
        print(f"Rows: {rows.count()} written, {sent} sent, "
              f"{rows.exclude(status=NotificationStatus.SENT).count()} not sent; "
              f"SMTP server received {sink.count} messages, {sink.duplicates} duplicates")
        if sent != expected or sink.count != expected or sink.duplicates:
            sys.exit("FAILED: not every message was delivered exactly once")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.control.purge()
        controller.stop()


if __name__ == "__main__":
    main()
