"""WSGI entry point (gunicorn ``qpp_exceptions.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qpp_exceptions.settings.base")

application = get_wsgi_application()
