"""PostgreSQL restarted under a running portal (issue 10, point 4; ADR 0082).

The portal runs as it does in production (gunicorn, two workers, persistent connections with health
checks) against a PostgreSQL cluster this test created with initdb on a free port. Scenarios:

1. restart between requests: every worker's persistent connection is dead; the next requests succeed;
2. database down: pages answer the clean 503 USWDS page, the JSON API and /healthz a 503 JSON body, each
   within a few seconds; nothing is a 500;
3. a request in flight when the server restarts: a withdrawal waiting on a row lock held by another session
   is cut off by the restart and answers the 503 page; the application is unchanged, and after the restart
   the same withdrawal succeeds, without restarting the portal.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import free_port, port_open, services_leg_only, wait_for

pytestmark = [services_leg_only]

ROOT = Path(__file__).resolve().parents[2]
FEW_SECONDS = 8.0

SETUP = r"""
import json
from django.test import Client
from tests.factories import ApplicationWindowFactory, clinician_with_access, complete_individual_pi_draft
ApplicationWindowFactory(performance_year=2026)
user, clinician, practice = clinician_with_access()
draft = complete_individual_pi_draft(user=user)
client = Client()
client.force_login(user)
facts = {"session": client.cookies["sessionid"].value, "reference": draft.reference, "pk": draft.pk}
print(json.dumps(facts))
"""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float


class Portal:
    def __init__(self, port: int, session: str) -> None:
        self.port = port
        self.cookies = {"sessionid": session}

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers = {"Cookie": cookie, "Host": "127.0.0.1", **(headers or {})}
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            content = raw.read().decode("utf-8", "replace")
            headers_out = {k.lower(): v for k, v in raw.getheaders()}
        finally:
            conn.close()
        for header in (v for k, v in raw.getheaders() if k.lower() == "set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(raw.status, headers_out, content, time.monotonic() - started)

    def anonymous_get(self, path: str) -> Response:
        """As a load balancer asks: no cookies."""
        saved, self.cookies = self.cookies, {}
        try:
            return self.request("GET", path)
        finally:
            self.cookies = saved

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, form_page: str, fields: dict[str, str]) -> Response:
        page = self.get(form_page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, f"no CSRF token on {form_page} ({page.status})"
        body = "&".join(f"{k}={v}" for k, v in {**fields, "csrfmiddlewaretoken": token.group(1)}.items())
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{form_page}",
            },
        )


@pytest.fixture(scope="module")
def portal(own_postgres):
    own_postgres.psql("CREATE DATABASE qpp")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CACHE_URL")},
        "DJANGO_SETTINGS_MODULE": "qpp_exceptions.settings.test",
        "DATABASE_URL": own_postgres.url("qpp"),
        "DATABASE_CONN_MAX_AGE": "600",
    }
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 300}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], **run)  # noqa: S603
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], **run)  # noqa: S603
    assert made.returncode == 0, made.stderr[-3000:]
    facts = json.loads(made.stdout.strip().splitlines()[-1])

    port = free_port()
    # The server's log goes to a file (a pipe nobody reads would fill up and block the workers).
    log = open(own_postgres.tempdir / "gunicorn.log", "w")  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "qpp_exceptions.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: port_open(port), 30, "gunicorn")
        yield Portal(port, facts["session"]), facts, own_postgres, own_postgres.tempdir / "gunicorn.log"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


PAGES = ["/exceptions/", "/participation-status/", "/profile/"]


def _all_ok(portal: Portal, rounds: int = 3) -> None:
    for _ in range(rounds):  # several rounds so both gunicorn workers answer
        for path in PAGES:
            response = portal.get(path)
            assert response.status == 200, f"{path} answered {response.status}"
            assert response.seconds < FEW_SECONDS, f"{path} took {response.seconds:.1f}s"
        api = portal.get("/api/eligibility/npi/1234567893?year=2026")
        assert api.status == 200, api.body[:300]


def test_the_portal_recovers_after_a_restart_between_requests(portal):
    client, _, postgres, _ = portal
    _all_ok(client)
    postgres.restart("fast")
    # Every worker held a persistent connection to the old server: health checks replace them.
    _all_ok(client)


def test_the_access_log_never_holds_a_full_tin(portal):
    client, _, _, log = portal
    for tin in ("123450093", "987653004"):
        assert client.get(f"/api/eligibility/tin/{tin}?year=2026").status in (200, 404)
    time.sleep(0.5)
    text = log.read_text()
    assert "/api/eligibility/tin/*****0093" in text  # the access line is there, redacted
    assert "123450093" not in text and "987653004" not in text


def test_requests_while_the_database_is_down_get_a_clean_503(portal):
    client, _, postgres, _ = portal
    _all_ok(client, rounds=1)
    postgres.stop("fast")
    try:
        for _ in range(2):
            for path in PAGES:
                response = client.get(path)
                assert response.status == 503, f"{path} answered {response.status}: {response.body[:500]}"
                assert "Service temporarily unavailable" in response.body
                assert "Traceback" not in response.body
                assert response.headers.get("retry-after") == "30"
                assert response.seconds < FEW_SECONDS, f"{path} took {response.seconds:.1f}s"
            api = client.get("/api/eligibility/npi/1234567893?year=2026")
            assert api.status == 503
            assert json.loads(api.body)["error"]["status"] == 503
            health = client.anonymous_get("/healthz")
            assert health.status == 503
            assert json.loads(health.body)["database"]["ok"] is False
    finally:
        postgres.start()
    _all_ok(client)


def test_a_request_in_flight_during_a_restart_gets_503_and_can_be_repeated(portal):
    import psycopg2

    client, facts, postgres, _ = portal
    _all_ok(client, rounds=1)
    # Another session holds the application's row lock, so the withdrawal waits inside the database.
    blocker = psycopg2.connect(postgres.url("qpp"))
    cursor = blocker.cursor()
    cursor.execute("BEGIN")
    cursor.execute("SELECT id FROM applications_application WHERE id = %s FOR UPDATE", [facts["pk"]])
    withdraw = f"/exceptions/{facts['reference']}/withdraw/"
    results: list[Response] = []
    page = client.get(withdraw)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert page.status == 200 and token

    def post() -> None:
        results.append(
            client.request(
                "POST",
                withdraw,
                body=f"csrfmiddlewaretoken={token.group(1)}",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        )

    worker = threading.Thread(target=post)
    worker.start()
    wait_for(
        lambda: postgres.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") != "0",
        15,
        "the withdrawal to wait on the row lock",
    )
    postgres.restart("fast")  # terminates every session, the waiting one included
    worker.join(timeout=30)
    with contextlib.suppress(psycopg2.Error):
        blocker.close()
    assert results, "the in-flight request never answered"
    cut_off = results[0]
    assert cut_off.status == 503, f"in-flight request answered {cut_off.status}: {cut_off.body[:500]}"
    assert "Service temporarily unavailable" in cut_off.body
    status = postgres.psql(
        f"SELECT status FROM applications_application WHERE id = {int(facts['pk'])}", "qpp"
    )
    assert status == "draft", "the cut-off request changed the application"

    # No portal restart: the same request now succeeds.
    again = client.post_form(withdraw, withdraw, {})
    assert again.status == 302, again.body[:500]
    status = postgres.psql(
        f"SELECT status FROM applications_application WHERE id = {int(facts['pk'])}", "qpp"
    )
    assert status == "withdrawn"
