"""The access-control matrix: every URL pattern × every role, against the policy table (issue 10, point 2).

The resolver is walked like tests/test_url_access.py (ADR 0024), so a URL added later without an entry in
tests/security/access_policy.py fails ``test_every_url_pattern_has_a_policy_entry`` with its name. Each pair
is requested as that role (GET; POST with an empty body where the view takes only POST) inside a savepoint
that is rolled back, so an approval or revocation by one role does not change what the next role sees.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, reverse

from accounts import services as account_services
from accounts.models import IntermediaryGrant, PracticeAccess
from applications import services as application_services
from tests.factories import (
    ApplicationWindowFactory,
    UserFactory,
    accounts_bills_under,
    accounts_clinician,
    clinician_with_access,
    complete_individual_pi_draft,
)
from tests.test_url_access import _all_patterns

from . import access_policy as policy
from .conftest import FIGURES

pytestmark = pytest.mark.django_db

ADMIN_MODEL_URL = re.compile(r"^admin/(\w+)/(\w+)/")
ADMIN_MODEL_NAME = re.compile(r"^admin:(\w+?)_(\w+)_(changelist|add|history|delete|change)$")


# --- the policy for one pattern ----------------------------------------------------------------------------


def _key(regex: str, name: str) -> str:
    if name:
        return name
    if regex == "admin/(?P<url>.*)":
        return "admin:catch_all"
    match = ADMIN_MODEL_URL.match(regex)
    if match and regex.endswith("(?P<object_id>.+)/"):
        return f"admin:{match.group(1)}_{match.group(2)}_object"
    return f"(unnamed) {regex}"


def _admin_model_entry(key: str, regex: str) -> dict[str, object] | None:
    view = None
    match = ADMIN_MODEL_NAME.match(key)
    if match:
        view = match.group(3)
    elif key.endswith("_object"):
        view = "object"
    if view is None:
        return None
    url_match = ADMIN_MODEL_URL.match(regex)
    label = f"{url_match.group(1)}.{url_match.group(2)}" if url_match else ""
    if label not in policy.ADMIN_MODELS:
        return None
    reviewer_views, administrator_views = policy.ADMIN_MODELS[label]
    if view == "object":
        return policy.STAFF_OK
    return {
        **policy.ADMIN_DENIED_TO_PARTICIPANTS,
        "reviewer": "ok" if view in reviewer_views else "forbidden",
        "administrator": "ok" if view in administrator_views else "forbidden",
    }


def expected_for(regex: str, name: str) -> dict[str, object] | None:
    key = _key(regex, name)
    if key in policy.PORTAL:
        return policy.PORTAL[key]
    if key in policy.ADMIN_CUSTOM:
        return policy.ADMIN_CUSTOM[key]
    return _admin_model_entry(key, regex)


def test_every_url_pattern_has_a_policy_entry():
    missing = [
        f"{_key(regex, name)}  ({regex})"
        for regex, name, _ in _all_patterns()
        if not regex.startswith("static/") and expected_for(regex, name) is None
    ]
    assert not missing, "URL patterns without an entry in tests/security/access_policy.py:\n" + "\n".join(
        missing
    )


def test_every_entry_covers_every_role():
    for regex, name, _ in _all_patterns():
        entry = expected_for(regex, name)
        if entry is not None:
            assert set(entry) == set(policy.ROLES), f"{_key(regex, name)}: roles {sorted(entry)}"


def test_a_new_url_without_an_entry_is_reported():
    assert expected_for("reports/(?P<pk>[0-9]+)/", "reports:detail") is None
    assert expected_for("admin/newapp/newmodel/", "admin:newapp_newmodel_changelist") is None


# --- the world the roles live in ---------------------------------------------------------------------------


def _verified(user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


class World:
    def __init__(self) -> None:
        ApplicationWindowFactory(performance_year=2026)
        account_services.ensure_role_groups()
        self.users: dict[str, object] = {}
        clinician_a, clinician, practice = clinician_with_access()
        self.practice = practice
        other = accounts_clinician(npi="1000000004", first_name="Brook", last_name="Other")
        accounts_bills_under(other, practice)
        clinician_b = UserFactory()
        account_services.npi_link_grant(user=clinician_b, clinician=other, actor=None)
        staff = UserFactory()
        PracticeAccess.objects.create(user=staff, practice=practice, role="staff_user")
        official = UserFactory()
        PracticeAccess.objects.create(user=official, practice=practice, role="security_official")
        granted = UserFactory()
        self.grant = IntermediaryGrant.objects.create(
            user=granted, practice=practice, relationship="consultant"
        )
        ungranted = UserFactory()
        additional = _verified(UserFactory())
        reviewer = UserFactory(is_staff=True)
        reviewer.groups.add(Group.objects.get(name="CMS Reviewer"))
        TOTP.activate(reviewer, "QPPMATRIXREVIEWERTOTPSECRETAAAAA")
        administrator = UserFactory(is_staff=True, is_superuser=True)
        administrator.groups.add(Group.objects.get(name="CMS Administrator"))
        TOTP.activate(administrator, "QPPMATRIXADMINISTRATORTOTPSECRET")
        self.users = {
            "anonymous": None,
            "clinician_a": clinician_a,
            "clinician_b": clinician_b,
            "practice_staff": staff,
            "security_official": official,
            "intermediary_granted": granted,
            "intermediary_ungranted": ungranted,
            "additional_access": additional,
            "reviewer": reviewer,
            "administrator": administrator,
        }
        self.application = complete_individual_pi_draft(user=clinician_a)
        application_services.application_save_step(
            application=self.application, actor=clinician_a, changes={}, additional_access=[additional.email]
        )
        # A pending application for the CMS review pages (drafts are not in the review queue).
        self.submitted = complete_individual_pi_draft(user=clinician_b, npi="1000000004")
        application_services.application_submit(application=self.submitted, actor=clinician_b, certified=True)
        # One row of every admin model, so the admin checks permissions on a real object.
        account_services.statement_of_truth_record(user=clinician_a, ip_address="192.0.2.1")
        AccessAttempt.objects.create(
            username="x@example.com",
            ip_address="192.0.2.1",
            user_agent="test",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        AccessFailureLog.objects.create(username="x@example.com", ip_address="192.0.2.1", user_agent="test")
        self.access_request = account_services.access_request_create(
            requester=ungranted,
            kind="intermediary",
            tin=practice.tin,
            relationship="consultant",
            justification="We report for this practice.",
        )

    def client(self, role: str) -> Client:
        client = Client()
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client

    # Concrete paths for patterns with arguments.
    def path_for(self, key: str, regex: str, pattern: URLPattern) -> str:
        from django.contrib.contenttypes.models import ContentType

        app = self.application
        fixed = {
            "applications:detail": reverse("applications:detail", args=[app.reference]),
            "applications:withdraw": reverse("applications:withdraw", args=[app.reference]),
            "applications:export_pdf": reverse("applications:export_pdf", args=[app.reference]),
            "applications:step": reverse("applications:step", args=[app.reference, "reason"]),
            "applications:autosave": reverse("applications:autosave", args=[app.reference, "reason"]),
            "accounts:access_request_create": reverse(
                "accounts:access_request_create", args=["intermediary"]
            ),
            "accounts:access_request_detail": reverse(
                "accounts:access_request_detail", args=[self.access_request.pk]
            ),
            "accounts:access_request_approve": reverse(
                "accounts:access_request_approve", args=[self.access_request.pk]
            ),
            "accounts:access_request_deny": reverse(
                "accounts:access_request_deny", args=[self.access_request.pk]
            ),
            "accounts:grant_revoke": reverse("accounts:grant_revoke", args=["intermediary", self.grant.pk]),
            "accounts:practice_access": reverse("accounts:practice_access", args=[self.practice.pk]),
            "eligibility_npi_api": "/api/eligibility/npi/1234567893?year=2026",
            "eligibility_tin_api": "/api/eligibility/tin/123450093?year=2026",
            "account_confirm_email": "/accounts/confirm-email/not-a-real-key/",
            "account_reset_password_from_key": "/accounts/password/reset/key/1-not-a-real-key/",
            "admin:view_on_site": (f"/admin/r/{ContentType.objects.get_for_model(app).pk}/{app.pk}/"),
            "admin:app_list": "/admin/applications/",
            "admin:catch_all": "/admin/no-such-page/",
            "admin:auth_user_password_change": (
                f"/admin/accounts/user/{self.users['clinician_a'].pk}/password/"
            ),
            "admin:applications_application_simple_history": self._history_path(),
        }
        if key in fixed:
            return fixed[key]
        match = ADMIN_MODEL_URL.match(regex)
        if match and "(?P<object_id>" in regex:
            from django.apps import apps

            model = apps.get_model(match.group(1), match.group(2))
            obj = model._default_manager.order_by("pk").first()
            if model._meta.label_lower == "applications.application":
                obj = self.submitted
            object_id = obj.pk if obj is not None else 999_999
            return "/" + regex.replace("(?P<object_id>.+)", str(object_id))
        assert "(" not in regex, f"no sample path for {key} ({regex})"
        return "/" + regex.replace("\\", "")

    def _history_path(self) -> str:
        record = self.submitted.history.order_by("history_id").first()
        return f"/admin/applications/application/{self.submitted.pk}/history/{record.history_id}/"


# --- the matrix --------------------------------------------------------------------------------------------

SIGN_IN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome_of(response) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    if status in (301, 302, 303, 307) and response["Location"].startswith(SIGN_IN_PATHS):
        return "sign_in"
    if status == 401 and response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(response.content)
        if body.get("error", {}).get("status") == 401:
            return "sign_in"
    if status == 404:
        return "not_found"
    if status == 403:
        return "forbidden"
    if status == 401:
        return f"unexpected {status}"
    return "ok"


def _request(client: Client, path: str, session_key: str | None):
    # Sign-out URLs end the session: the rolled-back savepoint restores the row, this restores the cookie.
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    with transaction.atomic():
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path, {})
        transaction.set_rollback(True)
    return response


def test_access_matrix_matches_the_policy_table():
    world = World()
    clients = {role: world.client(role) for role in policy.ROLES}
    sessions = {
        role: (
            c.cookies[settings.SESSION_COOKIE_NAME].value
            if settings.SESSION_COOKIE_NAME in c.cookies
            else None
        )
        for role, c in clients.items()
    }
    problems: list[str] = []
    checked = Counter()
    patterns = [(r, n, p) for r, n, p in _all_patterns() if not r.startswith("static/")]
    for regex, name, pattern in patterns:
        key = _key(regex, name)
        entry = expected_for(regex, name)
        assert entry is not None, f"no policy entry for {key}"
        path = world.path_for(key, regex, pattern)
        for role in policy.ROLES:
            response = _request(clients[role], path, sessions[role])
            actual = outcome_of(response)
            expected = entry[role]
            allowed = expected if isinstance(expected, frozenset | set) else {expected}
            checked["pairs"] += 1
            if actual not in allowed:
                problems.append(
                    f"{key} {path} as {role}: expected {sorted(allowed)}, got {actual} "
                    f"({response.status_code} {response.get('Location', '')})"
                )
    FIGURES["URL patterns checked"] = str(len(patterns))
    FIGURES["URL pattern × role pairs checked"] = str(checked["pairs"])
    assert not problems, f"{len(problems)} of {checked['pairs']} pairs differ from the policy:\n" + "\n".join(
        problems
    )
