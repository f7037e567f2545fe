# One image for web (gunicorn), worker (celery) and beat (celery beat).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=qpp_exceptions.settings.base

# WeasyPrint needs Pango; curl is for the healthcheck.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --require-hashes -r requirements.txt

COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --home /app qpp && chown -R qpp /app
USER qpp

EXPOSE 8000
# Two gthread workers per core, two threads each: pages are CPU-bound and each worker has one GIL, so workers,
# not threads, use the cores (docs/benchmarks.md, "Server shape"). Set for a 2-core host; scale with cores.
CMD ["gunicorn", "qpp_exceptions.wsgi", "--bind", "0.0.0.0:8000", "--worker-class", "gthread", \
     "--workers", "4", "--threads", "2", "--timeout", "30", "--access-logfile", "-"]
