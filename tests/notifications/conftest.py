import contextlib

import pytest

from tests.factories import ApplicationWindowFactory, clinician_with_access, et, reviewer_user

IN_WINDOW = et(2026, 11, 23, 12)


@pytest.fixture(autouse=True)
def _eager(celery_eager):
    """Unit tests run delivery in-process on both CI legs (the real worker is in tests/services)."""
    return celery_eager


@pytest.fixture
def window(db):
    return ApplicationWindowFactory(
        performance_year=2026, opens_at=et(2026, 5, 12), closes_at=et(2026, 12, 31, 20)
    )


@pytest.fixture
def clinician(window):
    user, _clinician, _practice = clinician_with_access()
    return user


@pytest.fixture
def reviewer(db):
    return reviewer_user()


@contextlib.contextmanager
def broker_at(url: str, *, eager: bool = False):
    """Point the Celery app's publisher at another broker for the duration (e.g. a closed port to play a
    broker outage); a worker consuming in this process keeps its own connection. Sets broker_write_url,
    because the CELERY_BROKER_URL environment variable (second CI leg) wins over conf.broker_url. The app
    caches its connection and producer pools, so they are dropped here; kombu keeps one pool per URL, so
    switching back reuses the earlier one."""
    from qpp_exceptions.celery import app

    previous = (app.conf.get("broker_write_url"), app.conf.task_always_eager)

    def _switch(write_url: str | None, always_eager: bool) -> None:
        app.conf.broker_write_url = write_url
        app.conf.task_always_eager = always_eager
        app._pool = None
        app.amqp._producer_pool = None

    _switch(url, eager)
    try:
        yield app
    finally:
        _switch(*previous)


class FlakyBackend:
    """An email backend that fails the first `failures` sends (SMTP-like errors), then delivers to
    Django's locmem outbox. `failures` < 0 fails forever."""

    failures = 0
    calls = 0

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self._locmem = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        import smtplib

        type(self).calls += 1
        if type(self).failures < 0 or type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return self._locmem.send_messages(messages)


@pytest.fixture
def flaky_email(settings):
    settings.EMAIL_BACKEND = "tests.notifications.conftest.FlakyBackend"
    FlakyBackend.failures = 0
    FlakyBackend.calls = 0
    yield FlakyBackend
    FlakyBackend.failures = 0
    FlakyBackend.calls = 0
