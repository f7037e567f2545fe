"""/healthz reports database and broker reachability."""

import pytest
from django.db import DatabaseError

from qpp_exceptions import health


@pytest.mark.django_db
def test_healthz_is_public_json_and_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken(connection):
        return {"ok": False, "vendor": "x", "error": DatabaseError.__name__}

    monkeypatch.setattr("qpp_exceptions.views.database_status", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    # A port nothing listens on: the check must fail fast, not hang.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_database_status_reports_errors_without_raising():
    class Broken:
        vendor = "postgresql"

        def cursor(self):
            raise DatabaseError("down")

    assert health.database_status(Broken()) == {"ok": False, "vendor": "postgresql", "error": "DatabaseError"}


@pytest.mark.django_db
def test_healthz_rejects_other_methods(client):
    assert client.post("/healthz").status_code == 405
