"""Settings for ``make run``: one process on 127.0.0.1 over plain HTTP, nothing external.

The embedded defaults of ``base`` already give SQLite under ``var/``, in-process Celery and console
email; this module adds what plain HTTP on a developer's machine needs.
"""

import os
import secrets
from pathlib import Path

_VAR = Path(__file__).resolve().parent.parent.parent / "var"


def _local_secret_key() -> str:
    """A random key kept in var/ so sessions survive restarts; never used in production."""
    _VAR.mkdir(exist_ok=True)
    key_file = _VAR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


os.environ.setdefault("DJANGO_SECRET_KEY", _local_secret_key())
os.environ.setdefault("QPP_ENVIRONMENT", "local")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("DJANGO_CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")

from .base import *  # noqa: E402,F403

# Serve static files straight from static/ without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
