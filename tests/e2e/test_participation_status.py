"""The participation-status lookup in a real browser, for each demo clinician and one of the user's TINs."""

import pytest
from playwright.sync_api import expect

from eligibility import demo
from eligibility.models import Practice
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import NPILinkFactory, PracticeAccessFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# NPI → text the page must show for 2026 (special status or plain answer).
DEMO_CLINICIANS = {
    "1234567893": ("Mary Thompson", "You may apply if"),
    "1000000004": ("Samuel Okafor", "Hospital-based"),
    "1000000012": ("Priya Raman", "Non-patient facing"),
    "1000000020": ("Luis Herrera", "Ambulatory Surgical Center (ASC)-based"),
    "1000000038": ("Grace Whitfield", "Clinical Social Worker"),
    "1000000046": ("Daniel Kowalski", "You may apply if"),
    "1000000053": ("Hannah Bergstrom", "Health Professional Shortage Area (HPSA)"),
    "1000000061": ("Omar Haddad", "you aren't MIPS eligible at this practice"),
}


@pytest.fixture
def practice_user():
    demo.load()
    user = UserFactory(email="practice-e2e@example.com")
    PracticeAccessFactory(user=user, practice=Practice.objects.get(tin="123450093"), role="security_official")
    NPILinkFactory(user=user)
    return user


def lookup(page, identifier: str, year: str = "2026") -> None:
    page.get_by_label("NPI or TIN").fill(identifier)
    page.get_by_label("Performance year").select_option(year)
    with page.expect_navigation():  # read the answer, not the page being left
        page.get_by_role("button", name="Look up").click()


def test_lookup_each_demo_clinician(page, live_server, sign_in, practice_user):
    sign_in(practice_user)
    page.goto("/")
    page.get_by_role("link", name="Participation status").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participation status")
    assert_no_serious_axe_violations(page)
    for npi, (name, text) in DEMO_CLINICIANS.items():
        lookup(page, npi)
        results = page.locator("#results")
        assert results.get_by_role("heading", level=2).inner_text() == name
        assert text in results.inner_text(), npi
        assert "****0093" in results.inner_text()
        assert "123450093" not in page.content()
    # Mary bills under two practices; the small one reweights her automatically.
    lookup(page, "1234567893")
    assert page.locator(".usa-card").count() == 2
    assert "You don't need to apply for a PI hardship exception" in page.locator("#results").inner_text()
    assert_no_serious_axe_violations(page)


def test_lookup_one_of_your_tins_and_errors(page, live_server, sign_in, practice_user):
    sign_in(practice_user)
    page.goto("/participation-status/")
    lookup(page, "123450093", "2025")
    results = page.locator("#results")
    assert "Dittrich, Krajiček and Urbanová (TIN: ****0093)" in results.inner_text()
    assert "Subgroup SG-000045" in results.inner_text()
    assert_no_serious_axe_violations(page)

    lookup(page, "1234567890")
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Enter a valid 10-digit NPI" in summary.inner_text()
    assert page.locator("#results").count() == 0
    assert_no_serious_axe_violations(page)

    lookup(page, "987653004")  # a TIN this user has no access to
    assert "a TIN you can act for" in page.locator("#error-summary").inner_text()
