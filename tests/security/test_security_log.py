"""The security log and privacy of every log line and URL (issue 10, point 5; ADR 0083).

A full flow runs through real HTTP requests (sign-in with a wrong password until lockout, sign-in, TOTP
set-up, an access request approved by the Security Official, an application filed, decided and exported, a
TIN looked up, sign-out). The project's own log handlers (with their configured filters and formatters) are
pointed at buffers for the duration, so the test reads exactly what production would write. Then:

- the security log is JSON lines, every line with a UTC timestamp, an event and the actor, and each kind of
  event of the issue is there;
- no line of any log holds a full TIN known to the database, a password, the TOTP secret, the session key
  or the CSRF token; no URL the browser was sent to holds a TIN or a secret.
"""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse

from accounts.models import PracticeAccess
from applications import services as application_services
from eligibility.models import Practice
from qpp_exceptions.security_log import RedactingFilter, redact
from tests.factories import (
    ApplicationWindowFactory,
    UserFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    reviewer_user,
)

# Transactional: the security events of grants and decisions are written once their transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Correct-Horse-Battery-9"
WRONG_PASSWORDS = [f"Wrong-Password-{n}!" for n in range(6)]


class Capture:
    """Points the configured handlers of the root and security loggers at buffers (filters and formatters
    unchanged), and records every URL the client requested or was redirected to."""

    def __init__(self) -> None:
        self.buffers: dict[str, io.StringIO] = {}
        self._saved: list[tuple[logging.StreamHandler, object]] = []
        self.urls: list[str] = []

    def __enter__(self) -> Capture:
        for name in ("", "qpp.security"):
            for handler in logging.getLogger(name).handlers:
                if any(isinstance(f, RedactingFilter) for f in handler.filters) and isinstance(
                    handler, logging.StreamHandler
                ):
                    buffer = io.StringIO()
                    self._saved.append((handler, handler.setStream(buffer)))
                    self.buffers[name or "root"] = buffer
        assert set(self.buffers) == {"root", "qpp.security"}, "the project's log handlers were not found"
        return self

    def __exit__(self, *exc: object) -> None:
        for handler, stream in self._saved:
            handler.setStream(stream)

    def client(self, **defaults: object) -> Client:
        capture = self

        class RecordingClient(Client):
            def request(self, **request):
                url = request["PATH_INFO"] + (
                    "?" + request["QUERY_STRING"] if request.get("QUERY_STRING") else ""
                )
                capture.urls.append(url)
                response = super().request(**request)
                if response.get("Location"):
                    capture.urls.append(response["Location"])
                return response

        return RecordingClient(**defaults)

    def lines(self, name: str) -> list[str]:
        return [line for line in self.buffers[name].getvalue().splitlines() if line.strip()]


def _user(**kwargs):
    user = UserFactory(**kwargs)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _sign_in(client: Client, user) -> None:
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, "statement_of_truth": "on"}
    )
    assert response.status_code == 302, response.content[:500]


@pytest.fixture
def flow(settings):
    settings.AXES_ENABLED = True
    ApplicationWindowFactory(performance_year=2026)
    clinician = _user()
    clinician_with_access(user=clinician)
    from accounts.models import NPILink
    from eligibility.models import Clinician

    NPILink.objects.create(user=clinician, clinician=Clinician.objects.get(npi="1234567893"))
    practice = Practice.objects.get(tin="123450093")
    Practice.objects.get_or_create(tin="987653004", defaults={"legal_name": "Gürmen - Ayaydin"})
    official = _user()
    PracticeAccess.objects.create(user=official, practice=practice, role="security_official")
    intermediary = _user()
    reviewer = reviewer_user()
    secrets: list[str] = [PASSWORD, *WRONG_PASSWORDS]

    with Capture() as capture:
        # Failed sign-ins from another address until django-axes locks that account+address pair out.
        attacker = capture.client(REMOTE_ADDR="203.0.113.9")
        for wrong in WRONG_PASSWORDS:
            attacker.post(
                reverse("account_login"),
                {"login": clinician.email, "password": wrong, "statement_of_truth": "on"},
            )

        # The clinician signs in, sets up TOTP (allauth's own pages), files and exports.
        browser = capture.client()
        _sign_in(browser, clinician)
        # allauth asks for the password again before an MFA change (reauthentication).
        browser.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert browser.get(reverse("mfa_activate_totp")).status_code == 200
        totp_secret = browser.session[SECRET_SESSION_KEY]
        secrets.append(totp_secret)
        code = format_hotp_value(hotp_value(totp_secret, next(yield_hotp_counters_from_time())))
        response = browser.post(reverse("mfa_activate_totp"), {"code": code})
        assert response.status_code == 302, response.content[:800]
        secrets += [browser.cookies[settings.SESSION_COOKIE_NAME].value]

        draft = complete_individual_pi_draft(user=clinician)
        review = reverse("applications:step", kwargs={"reference": draft.reference, "step": "review"})
        response = browser.post(review, {"action": "submit", "certify": "on", "certified": "on"})
        draft.refresh_from_db()
        assert draft.status == "submitted", response.content[:1000]
        application_services.application_approve(application=draft, actor=reviewer)
        assert (
            browser.get(reverse("applications:export_pdf", kwargs={"reference": draft.reference})).status_code
            == 200
        )
        browser.post(reverse("participation_status"), {"identifier": "123450093", "year": "2026"})
        browser.post(reverse("account_logout"))

        # An intermediary asks for the practice; the Security Official approves.
        third_party = capture.client()
        _sign_in(third_party, intermediary)
        third_party.post(
            reverse("accounts:access_request_create", kwargs={"kind": "intermediary"}),
            {"tin": "123450093", "relationship": "consultant", "justification": "We report for the group."},
        )
        from accounts.models import AccessRequest

        access_request = AccessRequest.objects.get(requester=intermediary)
        officer = capture.client()
        _sign_in(officer, official)
        assert (
            officer.post(
                reverse("accounts:access_request_approve", kwargs={"pk": access_request.pk})
            ).status_code
            == 302
        )
        # A TIN the official may not act for, through the JSON API: Django logs the 404 with its path.
        assert officer.get("/api/eligibility/tin/987653004").status_code == 404
        secrets.append(officer.cookies["csrftoken"].value if "csrftoken" in officer.cookies else PASSWORD)

    return capture, secrets


def test_security_log_records_each_event_as_json_lines_with_utc_time_and_actor(flow):
    capture, _ = flow
    events = [json.loads(line) for line in capture.lines("qpp.security")]
    for event in events:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["timestamp"]), event
        assert {"event", "outcome", "actor_id", "actor_email"} <= set(event), event
    kinds = {event["event"] for event in events}
    assert {
        "sign_in_failed",
        "lockout",
        "sign_in",
        "mfa_authenticator_added",
        "application_status_changed",  # submitted
        "application_approved",
        "application_exported",
        "sign_out",
        "access_granted",
    } <= kinds, kinds
    signed_in = [e for e in events if e["event"] == "sign_in"]
    assert all(e["actor_id"] and "@" in e["actor_email"] for e in signed_in)
    failed = [e for e in events if e["event"] == "sign_in_failed"]
    assert failed and all(e["outcome"] == "failure" and e["ip"] == "203.0.113.9" for e in failed)


def test_no_log_line_or_url_holds_a_tin_password_or_token(flow):
    capture, secrets = flow
    tins = set(Practice.objects.values_list("tin", flat=True)) | {"123450093", "987653004"}
    lines = capture.lines("root") + capture.lines("qpp.security")
    assert len(lines) > 20, "the flow wrote too little to be a meaningful scan"
    leaks = [
        f"{needle!r} in: {line}"
        for line in lines
        for needle in (*tins, *secrets)
        if needle and needle in line
    ]
    assert not leaks, "\n".join(leaks[:20])
    # The masked form of the TIN looked up through the API is there: the scan really saw that line.
    assert any("*****3004" in line for line in lines)

    url_leaks = [
        url
        for url in capture.urls
        # The JSON API mirrors CMS's Eligibility API, whose path carries the identifier (ADR 0083); its log
        # lines are redacted (checked above).
        if not url.startswith("/api/eligibility/tin/")
        and any(needle and needle in url for needle in (*tins, *secrets))
    ]
    assert not url_leaks, url_leaks


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Not Found: /api/eligibility/tin/987653004", "Not Found: /api/eligibility/tin/*****3004"),
        ("tin=12-3450093 ok", "tin=*****0093 ok"),
        ("npi 1234567893 stays", "npi 1234567893 stays"),
        ('{"password": "hunter2hunter2"}', '{"password": "[redacted]"}'),
        ("POST password=abc&login=a@example.com", "POST password=[redacted]&login=a@example.com"),
        ("/accounts/password/reset/key/1-abc-123/", "/accounts/password/reset/key/[redacted]/"),
        ("sessionid=abcdef123; csrftoken=xyz", "sessionid=[redacted]; csrftoken=[redacted]"),
    ],
)
def test_redaction(raw, expected):
    assert redact(raw) == expected
    assert redact(redact(raw)) == expected
