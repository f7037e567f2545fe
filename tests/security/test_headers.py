"""Security headers with the production settings, and no CSP violation on real pages (issue 10, point 3).

The production check runs ``qpp_exceptions.settings.base`` in a child process (the test settings relax HSTS
and secure cookies for plain HTTP), requests pages over HTTPS through Django's test client and prints the
headers and cookies as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.qpp_exceptions.test_project import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from django.conf import settings
from django.test import override_settings
# No collectstatic in CI: plain storage for the probe (the headers do not depend on it).
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
client = Client(HTTP_HOST="qpp-exceptions.example.gov")
out = {}
for path in ("/", "/accounts/login/", "/api/eligibility/npi/1234567893"):
    response = client.get(path, secure=True)
    out[path] = {"status": response.status_code, "headers": dict(response.headers)}
response = client.get("/", secure=False)
out["plain-http"] = {"status": response.status_code, "location": response.get("Location", "")}
login = client.get("/accounts/login/", secure=True)
out["cookies"] = {
    name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"]}
    for name, m in client.cookies.items()
}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        **PRODUCTION_ENV,
        # The probe needs no database: these pages are answered before any query (anonymous visitor).
        "DATABASE_URL": "sqlite:////tmp/qpp-header-probe.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _csp(headers: dict[str, str]) -> dict[str, list[str]]:
    policy = headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/eligibility/npi/1234567893"])
def test_production_responses_carry_the_security_headers(production, path):
    headers = production[path]["headers"]
    csp = _csp(headers)
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["Strict-Transport-Security"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_plain_http_is_redirected_to_https(production):
    assert production["plain-http"]["status"] == 301
    assert production["plain-http"]["location"].startswith("https://")


def test_production_cookies_are_secure_and_http_only(production):
    cookies = production["cookies"]
    assert "csrftoken" in cookies
    for name, flags in cookies.items():
        assert flags["secure"], f"{name} is not Secure"
        assert flags["httponly"], f"{name} is not HttpOnly"
        assert flags["samesite"] in ("Lax", "Strict"), name


def test_no_template_has_inline_script_or_style():
    """Pages served as HTML (emails and the PDF source are not served to browsers) carry no inline script,
    event handler or style attribute: the CSP would block them."""
    import re

    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=\"|\sstyle=\"|<style\b", re.IGNORECASE)
    for template in (ROOT / "templates").rglob("*.html"):
        relative = template.relative_to(ROOT / "templates").as_posix()
        if relative.startswith("emails/") or relative == "applications/pdf.html":
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            for match in pattern.finditer(line):
                if 'type="application/json"' in match.group(0):
                    continue
                offenders.append(f"templates/{relative}:{number}: {match.group(0)}")
    assert not offenders, "\n".join(offenders)
