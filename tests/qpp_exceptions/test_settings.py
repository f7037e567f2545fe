"""Settings behave as the foundation issue promises: safe defaults, env-driven services."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from qpp_exceptions.settings.base import require_secret_key

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(module: str, env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    """Import a settings module in a clean interpreter with exactly the given environment."""
    clean_env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    code = f"import {module} as s; print(repr(({expression})))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=60
    )


def test_secret_key_is_required_when_debug_is_off():
    with pytest.raises(ImproperlyConfigured):
        require_secret_key("", debug=False)
    require_secret_key("", debug=True)
    require_secret_key("a-real-key", debug=False)


def test_base_settings_refuse_to_start_without_a_secret_key():
    result = _settings_in_subprocess("qpp_exceptions.settings.base", {}, "s.DEBUG")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = _settings_in_subprocess(
        "qpp_exceptions.settings.base", {"DJANGO_SECRET_KEY": "x" * 50}, "s.DEBUG"
    )
    assert result.stdout.strip() == "False"
    result = _settings_in_subprocess(
        "qpp_exceptions.settings.base", {"DJANGO_DEBUG": "true"}, "s.DEBUG"
    )
    assert result.stdout.strip() == "True"


def test_embedded_defaults_need_nothing_external():
    expression = (
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'].endswith('var/db.sqlite3'),"
        " s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND"
    )
    result = _settings_in_subprocess("qpp_exceptions.settings.local", {}, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "('django.db.backends.sqlite3', True, True, 'django.core.mail.backends.console.EmailBackend')"
    )


def test_environment_switches_to_real_services():
    env = {
        "DJANGO_SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/qpp",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://127.0.0.1:1025",
    }
    expression = (
        "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.EMAIL_PORT"
    )
    result = _settings_in_subprocess("qpp_exceptions.settings.base", env, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "('django.db.backends.postgresql', False, 'django.core.mail.backends.smtp.EmailBackend', 1025)"
    )


def test_times_are_stored_in_utc_and_shown_in_eastern_time():
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "America/New_York"


@pytest.mark.django_db
def test_database_leg_matches_database_url():
    """The second CI leg must really run on PostgreSQL, not silently on SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_broker_leg_matches_celery_broker_url():
    url = os.environ.get("CELERY_BROKER_URL", "")
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not url)
    if url:
        assert settings.CELERY_BROKER_URL.startswith("redis://")
