"""Sign-in in a real browser: statement of truth, TOTP for the reviewer, lockout (issue 4)."""

import base64
import hashlib
import hmac
import struct
import time

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
SECRET = "QPPDEMOREVIEWERTOTPSECRETKEYAAAA"


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), written out so the test does not trust allauth's own code."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


def _user(email: str, **extra):
    user = UserFactory(email=email, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _is_sign_in_post(response) -> bool:
    return response.request.method == "POST" and "/accounts/login/" in response.url


def _fill(page, email: str, password: str = PASSWORD, agree: bool = True, goto: bool = True) -> int:
    """Fill and send the sign-in form; returns the status of the server's answer once it has arrived. The
    checks that follow wait (expect) for the new page rather than read the one being left."""
    if goto:
        page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    if agree:
        page.get_by_text("Yes, I agree").click()  # USWDS hides the real checkbox: click its label
    with page.expect_response(_is_sign_in_post) as answer:
        page.get_by_role("button", name="Sign in").click()
    return answer.value.status


@pytest.mark.django_db(transaction=True)
def test_sign_in_requires_the_statement_of_truth(page, live_server):
    from accounts.models import StatementOfTruthAcceptance

    user = _user("mary@example.com", first_name="Mary", last_name="Thompson")
    page.goto("/accounts/login/")
    assert page.get_by_text("I certify to the best of my knowledge").is_visible()
    assert_no_serious_axe_violations(page)

    assert _fill(page, user.email, agree=False) == 200
    expect(page.get_by_text("You must agree to the statement of truth to sign in.").first).to_be_visible()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert not StatementOfTruthAcceptance.objects.exists()

    _fill(page, user.email)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".portal-account__who").inner_text().startswith("Signed in as Mary Thompson")
    assert StatementOfTruthAcceptance.objects.filter(user=user).count() == 1
    page.goto("/profile/")
    assert page.get_by_role("heading", name="Profile and access").is_visible()
    assert_no_serious_axe_violations(page)


@pytest.mark.django_db(transaction=True)
def test_reviewer_signs_in_with_totp(page, live_server):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from accounts.services import ensure_role_groups

    ensure_role_groups()
    reviewer = _user("reviewer@example.com", is_staff=True, first_name="Rene", last_name="Castillo")
    reviewer.groups.add(Group.objects.get(name="CMS Reviewer"))
    TOTP.activate(reviewer, SECRET)

    page.goto("/admin/")
    page.wait_for_url("**/accounts/login/**")
    _fill(page, reviewer.email, goto=False)  # keeps ?next=/admin/
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    assert_no_serious_axe_violations(page)
    assert page.get_by_role("heading", name="Two-Factor Authentication").is_visible()
    page.locator("#id_code").fill(totp(SECRET))
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_text("Site administration").first.is_visible()


@pytest.mark.django_db(transaction=True)
def test_five_failed_sign_ins_lock_the_account(page, live_server):
    user = _user("locked@example.com")
    locked = page.get_by_role("heading", name="Your account is temporarily locked")

    for _ in range(4):
        assert _fill(page, user.email, password="not the password 1") == 200
        message = "The email address and/or password you specified are not correct."
        expect(page.get_by_text(message).first).to_be_visible()
    assert _fill(page, user.email, password="not the password 1") == 429
    expect(locked).to_be_visible()
    # Even the right password is refused while locked.
    assert _fill(page, user.email) == 429
    expect(locked).to_be_visible()
    assert_no_serious_axe_violations(page)
