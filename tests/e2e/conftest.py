"""Browser-test fixtures: Playwright's sync API drives Debian's Chromium against live_server."""

import os

import pytest
from playwright.sync_api import expect

# Assertions wait as long as actions do (tests/conftest.py's page timeout): the machine is shared, and a
# page answered slowly is still the page a user gets.
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in the test thread; ORM calls in test bodies would otherwise
# raise SynchronousOnlyOperation (field notes). Set for the test run only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.e2e


@pytest.fixture
def sign_in(page, live_server, settings):
    """Sign a user in by session cookie (for tests whose subject is not the sign-in form itself)."""
    from django.conf import settings as django_settings
    from django.test import Client

    def _sign_in(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return _sign_in
