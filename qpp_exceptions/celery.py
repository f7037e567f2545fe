"""Celery application (cookiecutter-django wiring).

Without CELERY_BROKER_URL the settings make every task run in-process (eager), so ``make run``
needs no Redis; with it, a real worker consumes from Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qpp_exceptions.settings.local")

app = Celery("qpp_exceptions")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
