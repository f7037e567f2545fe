"""Sign-in, lockout, sessions, the staff MFA guard and the access pages (issue 4)."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.middleware import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from accounts.models import AccessRequest, StatementOfTruthAcceptance
from tests.factories import IntermediaryGrantFactory, PracticeAccessFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def verified_user(db):
    user = UserFactory(email="mary@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _sign_in(client, email, password=PASSWORD, agree=True):
    data = {"login": email, "password": password}
    if agree:
        data["statement_of_truth"] = "on"
    return client.post(reverse("account_login"), data, REMOTE_ADDR="198.51.100.7")


def test_sign_in_page_shows_the_statement_of_truth(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "I certify to the best of my knowledge" in html
    assert "Yes, I agree" in html
    assert 'class="usa-' in html


def test_sign_in_records_the_statement_of_truth(client, verified_user):
    response = _sign_in(client, verified_user.email)
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    acceptance = StatementOfTruthAcceptance.objects.get(user=verified_user)
    assert acceptance.ip_address == "198.51.100.7"


def test_sign_in_is_refused_without_the_statement_of_truth(client, verified_user):
    response = _sign_in(client, verified_user.email, agree=False)
    assert response.status_code == 200
    assert "You must agree to the statement of truth" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not StatementOfTruthAcceptance.objects.exists()


def test_failed_sign_in_records_nothing(client, verified_user):
    _sign_in(client, verified_user.email, password="wrong password 123")
    assert "_auth_user_id" not in client.session
    assert not StatementOfTruthAcceptance.objects.exists()


def test_five_failures_lock_the_account_even_with_the_right_password(client, verified_user):
    from axes.models import AccessAttempt

    for _ in range(4):
        assert _sign_in(client, verified_user.email, password="wrong password 123").status_code == 200
    locked = _sign_in(client, verified_user.email, password="wrong password 123")
    assert locked.status_code == 429
    assert "temporarily locked" in locked.content.decode()
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "mary@example.com"  # keyed by account, not only by address
    assert attempt.failures_since_start == 5
    assert _sign_in(client, verified_user.email).status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_address(client, verified_user):
    for _ in range(5):
        _sign_in(client, verified_user.email, password="wrong password 123")
    # Another address can still sign in to the same account.
    response = client.post(
        reverse("account_login"),
        {"login": verified_user.email, "password": PASSWORD, "statement_of_truth": "on"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302


def test_admin_sign_in_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_totp_are_sent_to_set_it_up(client, cms_admin):
    client.force_login(cms_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_totp_reach_the_admin(client, cms_admin):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(cms_admin, "QPPDEMOADMINISTRATORTOTPSECRETAA")
    client.force_login(cms_admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_idle_session_ends_after_30_minutes(client, verified_user):
    client.force_login(verified_user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_session_ends_after_12_hours_even_when_active(client, verified_user):
    client.force_login(verified_user)
    client.get(reverse("accounts:profile"))
    session = client.session
    session[SIGNED_IN_AT_KEY] = time.time() - 12 * 3600 - 1
    session[LAST_ACTIVITY_KEY] = time.time() - 60
    session.save()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # The idle clock is stored at most once a minute instead of on every request (ADR 0075).
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_ACTIVITY_WRITE_SECONDS == 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 3600


def _stored_activity(client) -> float:
    return client.session[LAST_ACTIVITY_KEY]


def test_a_request_within_a_minute_writes_no_session_row(client, verified_user):
    client.force_login(verified_user)
    client.get(reverse("accounts:profile"))
    stored = _stored_activity(client)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert _stored_activity(client) == stored
    # No Set-Cookie for the session either: nothing was saved.
    assert "sessionid" not in response.cookies


def test_a_request_after_a_minute_stores_the_new_activity_time_and_renews_the_cookie(client, verified_user):
    client.force_login(verified_user)
    client.get(reverse("accounts:profile"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 61
    session.save()
    before = time.time()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert _stored_activity(client) >= before
    assert response.cookies["sessionid"]["max-age"] == 30 * 60


def test_the_warning_counts_from_the_stored_activity_time(client, verified_user):
    client.force_login(verified_user)
    client.get(reverse("accounts:profile"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 45  # stored 45 s ago: this request writes nothing
    session.save()
    html = client.get(reverse("accounts:profile")).content.decode()
    left = int(html.split('data-session-timeout="', 1)[1].split('"', 1)[0])
    assert 30 * 60 - 47 <= left <= 30 * 60 - 45


def test_stay_signed_in_always_restarts_the_idle_clock(client, verified_user):
    client.force_login(verified_user)
    client.get(reverse("accounts:profile"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 30  # within the minute: an ordinary request would not store
    session.save()
    before = time.time()
    assert client.get(reverse("accounts:session_keepalive")).json() == {"idle_seconds": 1800}
    assert _stored_activity(client) >= before


def test_idle_limit_counts_from_the_stored_time_never_later(client, verified_user):
    """Requests made within a minute of the stored time did not store theirs: the limit counts from the
    stored time, so it can only come early, never late."""
    client.force_login(verified_user)
    client.get(reverse("accounts:profile"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - 30 * 60 - 1
    session.save()
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_signed_in_pages_carry_the_session_timeout_attributes(client, verified_user):
    client.force_login(verified_user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'data-session-timeout="1800"' in html
    assert "js/session-timeout.js" in html
    assert client.get(reverse("accounts:session_keepalive")).json() == {"idle_seconds": 1800}


def test_request_access_page_creates_a_request(client, verified_user, world):
    client.force_login(verified_user)
    url = reverse("accounts:access_request_create", args=["practice"])
    response = client.post(url, {"tin": "123450093", "role": "staff_user"})
    assert response.status_code == 302
    assert AccessRequest.objects.get().requester == verified_user


def test_request_access_page_shows_errors_and_stores_nothing(client, verified_user, world):
    client.force_login(verified_user)
    url = reverse("accounts:access_request_create", args=["npi"])
    response = client.post(url, {"npi": "1234567890"})
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert not AccessRequest.objects.exists()
    assert client.get(reverse("accounts:access_request_create", args=["nope"])).status_code == 404


def test_other_peoples_requests_and_grants_answer_404(client, verified_user, world):
    from accounts.services import access_request_create

    stranger_request = access_request_create(
        requester=UserFactory(), kind="practice", tin="987653004", role="staff_user"
    )
    grant = IntermediaryGrantFactory(practice=world["large"])
    client.force_login(verified_user)
    pk = stranger_request.pk
    assert client.get(reverse("accounts:access_request_detail", args=[pk])).status_code == 404
    assert client.post(reverse("accounts:access_request_approve", args=[pk])).status_code == 404
    assert client.post(reverse("accounts:access_request_deny", args=[pk])).status_code == 404
    assert client.get(reverse("accounts:grant_revoke", args=["intermediary", grant.pk])).status_code == 404
    assert client.post(reverse("accounts:grant_revoke", args=["intermediary", grant.pk])).status_code == 404
    assert client.get(reverse("accounts:practice_access", args=[world["large"].pk])).status_code == 404


def test_security_official_approves_from_the_page(client, world):
    so = PracticeAccessFactory(practice=world["large"], role="security_official").user
    from accounts.services import access_request_create

    request = access_request_create(
        requester=UserFactory(), kind="practice", tin="123450093", role="staff_user"
    )
    client.force_login(so)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Requests waiting on you" in profile and "****0093" in profile and "123450093" not in profile
    response = client.post(reverse("accounts:access_request_approve", args=[request.pk]))
    assert response.status_code == 302
    assert AccessRequest.objects.get(pk=request.pk).status == "approved"
    page = client.get(reverse("accounts:practice_access", args=[world["large"].pk]))
    assert request.requester.email in page.content.decode()


def test_holder_revokes_own_grant_from_the_page(client, world):
    grant = IntermediaryGrantFactory(practice=world["large"])
    client.force_login(grant.user)
    assert client.get(reverse("accounts:grant_revoke", args=["intermediary", grant.pk])).status_code == 200
    response = client.post(reverse("accounts:grant_revoke", args=["intermediary", grant.pk]))
    assert response.status_code == 302
    grant_fresh = type(grant).objects.get(pk=grant.pk)
    assert grant_fresh.status == "revoked"
