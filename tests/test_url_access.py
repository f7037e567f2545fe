"""Every URL pattern of the project, requested by an anonymous visitor, sends them to sign in.

The test walks the project's resolver (through every include), so a page another engineer adds later
without ``login_required`` makes it fail. Public pages are an explicit list (issue 4; ADR 0024). API
endpoints (``/api/...`` and a page's background requests such as autosave) may instead answer 401 with
the JSON error body of the house rules, and nothing else.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

pytestmark = pytest.mark.django_db

# URL names a visitor may open without signing in (issue 4: home, help, sign-in, sign-up, password
# reset, health check; plus the allauth pages that must work before sign-in).
PUBLIC_URL_NAMES = {
    "home",
    "help",
    "healthz",
    "account_login",
    "account_signup",
    "account_logout",  # signing out when already signed out just goes home
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "account_confirm_login_code",  # allauth sign-in stages (they answer only within a sign-in)
    "account_request_login_code",
    "account_verify_phone",
    "mfa_authenticate",
    "mfa_trust",
    "mfa_login_webauthn",
    "mfa_signup_webauthn",
    "admin:login",  # wrapped by secure_admin_login: redirects to the allauth sign-in
    "admin:logout",
    "admin:jsi18n",
    "admin:view_on_site",  # redirects to the object's own page, which is checked on its own
}
PUBLIC_PATH_PREFIXES = ("/static/",)


def _sample_values() -> list[str]:
    labels = [config.label for config in apps.get_app_configs()]
    models = [model._meta.model_name for model in apps.get_models()]
    return ["1", "sample", "1234567893", "123450093", str(uuid.UUID(int=1)), "2026", *labels, *models]


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, object]]:
    """Yield (regex of the whole path, qualified name, pattern) for every leaf pattern."""
    for entry in resolver.url_patterns:
        regex = _pattern_regex(entry.pattern)
        if isinstance(entry, URLResolver):
            child_ns = namespace
            if entry.namespace:
                child_ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry, prefix + regex, child_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + regex, name, entry


def _pattern_regex(pattern: RoutePattern | RegexPattern) -> str:
    return pattern.regex.pattern.lstrip("^").rstrip("$").replace(r"\Z", "")


def _group_alternatives(regex: str) -> dict[str, list[str]]:
    """Literal alternatives of named groups such as ``(?P<step>reason|review)``."""
    found: dict[str, list[str]] = {}
    for match in re.finditer(r"\(\?P<(\w+)>", regex):
        depth, start = 1, match.end()
        for index in range(start, len(regex)):
            if regex[index] == "(" and regex[index - 1] != "\\":
                depth += 1
            elif regex[index] == ")" and regex[index - 1] != "\\":
                depth -= 1
                if depth == 0:
                    inner = regex[start:index]
                    if re.fullmatch(r"[\w-]+(\|[\w-]+)*", inner):
                        found[match.group(1)] = inner.split("|")
                    break
    return found


def _candidate_paths(full_regex: str) -> Iterator[str]:
    values = _sample_values()
    alternatives = _group_alternatives(full_regex)
    for template, params in normalize(full_regex):
        if not params:
            yield "/" + template
            continue
        generic = values if len(params) <= 2 else values[:6]
        pools = [alternatives.get(param, generic) for param in params]
        for combo in itertools.product(*pools):
            yield "/" + template % dict(zip(params, combo, strict=True))


def _sample_path(full_regex: str, pattern: URLPattern) -> str | None:
    """A concrete path that resolves to this very pattern's view."""
    for path in _candidate_paths(full_regex):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.func == pattern.callback or getattr(match.func, "__wrapped__", None) == pattern.callback:
            return path
        if match.route and match.route == full_regex:
            return path
    return None


def _all_patterns() -> list[tuple[str, str, URLPattern]]:
    return list(_walk(get_resolver()))


def _sign_in_paths() -> tuple[str, ...]:
    return (reverse("account_login"), reverse("admin:login"))


def test_walk_finds_the_project_pages():
    names = {name for _, name, _ in _all_patterns()}
    # A sanity check that the walk really goes through includes and namespaces.
    assert {"home", "account_login", "accounts:profile", "admin:index", "mfa_index"} <= names


def test_every_non_public_url_sends_an_anonymous_visitor_to_sign_in():
    problems, unresolvable, checked = _check_anonymous_access(PUBLIC_URL_NAMES)
    assert not unresolvable, f"no sample path could be built for: {unresolvable}"
    assert checked > 20
    assert not problems, "pages reachable without sign-in:\n" + "\n".join(problems)


def test_the_walk_reports_a_page_that_does_not_require_sign_in():
    # The help page is public on purpose; dropped from the list, the walk must flag it.
    problems, _, _ = _check_anonymous_access(PUBLIC_URL_NAMES - {"help"})
    assert problems == ["/help/ (help) answered 200"]


def _check_anonymous_access(public_names: set[str]) -> tuple[list[str], list[str], int]:
    client = Client(enforce_csrf_checks=False)
    problems: list[str] = []
    unresolvable: list[str] = []
    checked = 0
    for regex, name, pattern in _all_patterns():
        if name in public_names:
            continue
        path = _sample_path(regex, pattern)
        if path is None:
            unresolvable.append(f"{name or '(unnamed)'} {regex}")
            continue
        if path.startswith(PUBLIC_PATH_PREFIXES):
            continue
        checked += 1
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        if _sends_to_sign_in(response) or _json_unauthorized(response):
            continue
        problems.append(f"{path} ({name or 'unnamed'}) answered {response.status_code}")
    return problems, unresolvable, checked


def test_public_pages_answer_without_sign_in():
    client = Client()
    for name in ("home", "help", "healthz", "account_login", "account_signup", "account_reset_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name


def _sends_to_sign_in(response) -> bool:
    if response.status_code not in (301, 302, 303, 307):
        return False
    return response["Location"].startswith(_sign_in_paths())


def _json_unauthorized(response) -> bool:
    """A JSON endpoint (an API, or a page's background request) may answer 401 with the house error body
    instead of redirecting a script to an HTML page (ADR 0024)."""
    if response.status_code != 401 or not response.get("Content-Type", "").startswith("application/json"):
        return False
    body = json.loads(response.content)
    return body.get("error", {}).get("status") == 401 and bool(body["error"].get("message"))
