"""Settings for the benchmark server only (``make bench``; issue 9). Never used in production.

Production settings (``qpp_exceptions.settings.base``: DEBUG off, database sessions whose idle clock is
stored at most once a minute (ADR 0075), Redis cache, the whole middleware stack) with three changes a
benchmark on 127.0.0.1 needs: plain HTTP (no TLS in front of gunicorn here), PostgreSQL ``qpp_bench`` by
default, and ``bench.urls``, which adds the bare views that measure the framework's own ceiling (anonymous)
and the floor of every signed-in page next to the real URLs.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qpp_bench")
# Redis database 13 for the cache and 14 for the Celery broker: never the ones CI or a developer uses.
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-any-deployed-environment-000")
os.environ.setdefault("QPP_ENVIRONMENT", "bench")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("DJANGO_CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from qpp_exceptions.settings.base import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
# Static files are not part of any measured page; serve them from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
