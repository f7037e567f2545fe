"""Shared pytest fixtures."""

import os
import shutil

import pytest

from tests.clock import suite_clock

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def _suite_clock_for_the_session():
    """Session- and module-scoped fixtures run at the suite's instant too (tests/clock.py)."""
    with suite_clock():
        yield


@pytest.fixture(autouse=True)
def _suite_clock():
    """Every test starts at the suite's instant (tests/clock.py, ADR 0004), whatever the wall clock says."""
    with suite_clock():
        yield


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which("chromium") is not None


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright; skipped with a reason where it is missing."""
    if not chromium_available():
        pytest.skip(f"Chromium not found at {CHROMIUM}: browser tests skipped (CI installs it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def celery_eager():
    """Run Celery tasks in-process for this test, even on the CI leg that configures a real broker.

    Unit tests assert a task's effect; the real worker and broker are exercised by the tests that ask for
    them explicitly (see the notifications tests).
    """
    from qpp_exceptions.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: allauth keeps rate-limit counters and used TOTP codes there, so
    one test's sign-ins must not count against (or replay into) the next one's."""
    from django.core.cache import cache

    cache.clear()
    yield
