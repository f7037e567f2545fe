"""The CMS review in a real browser (issue 7, "Done when"): the reviewer signs in at /admin/ with the
statement of truth and TOTP, filters the queue to clean pending applications, opens one, sees its findings
panel and approves it, then denies another with a reason and an explanation; the applicant then sees both
outcomes, the denial reason and the timeline on their application pages.

The reviewer and the applicant use separate browser contexts (separate cookie jars), as two people would.
"""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress

from applications import prechecks, services
from applications.models import Application, Status
from eligibility.models import IndividualScenario
from tests.e2e.axe import assert_no_serious_axe_violations, axe_violations
from tests.e2e.test_sign_in import PASSWORD, SECRET, totp
from tests.factories import UserFactory, draft_application, et
from tests.review.conftest import submitted

pytestmark = pytest.mark.django_db(transaction=True)

QUEUE = "/admin/applications/application/"
NOTE = "Internal: checked the broadband map for the practice address."
EXPLANATION = "The event dates you gave are before the clinic opened; we found no record of the event."
DENIAL_REASON = "Does not meet the criteria for the selected reason"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()  # allauth's sign-in rate limits live in the cache


def _reviewer():
    """Like the demo reviewer (accounts/demo.py): staff, CMS Reviewer group, verified email, TOTP set up."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from accounts.services import ensure_role_groups

    ensure_role_groups()
    reviewer = UserFactory(
        email="reviewer@example.com", is_staff=True, first_name="Rene", last_name="Castillo"
    )
    EmailAddress.objects.create(user=reviewer, email=reviewer.email, verified=True, primary=True)
    reviewer.groups.add(Group.objects.get(name="CMS Reviewer"))
    TOTP.activate(reviewer, SECRET)
    return reviewer


def _applications():
    """Two clean pending applications of Mary Thompson's (a PI hardship and an EUC exception) and one
    pending application with a pre-check finding (another clinician's, not MIPS eligible)."""
    pi, applicant = submitted()
    euc = draft_application(
        user=applicant,
        exception_type="euc",
        year=2026,
        participation_level="individual",
        npi=pi.npi,
        tin=pi.tin,
        contact_phone="5177342222",
        contact_email="mary.thompson@example.com",
        submitter_relationship="clinician",
        event_type="disaster",
        event_start_date=dt.date(2026, 3, 1),
        event_end_date=dt.date(2026, 4, 1),
        requests_quality=True,
        requests_improvement_activities=True,
        event_description="A tornado destroyed the clinic on March 1, 2026.",
        attested=True,
    )
    services.application_submit(application=euc, actor=applicant, certified=True, now=et(2026, 11, 3, 9))
    flagged, _ = submitted(2)
    # Below the low-volume threshold at this TIN: the "Not MIPS eligible" pre-check finding.
    IndividualScenario.objects.filter(clinician__npi=flagged.npi, performance_year=2026).update(
        allowed_charges=1,
        part_b_patients=1,
        covered_services=1,
        is_eligible_individual=False,
        low_volume_switch=True,
    )
    found = prechecks.findings_for(Application.objects.filter(pk__in=[pi.pk, euc.pk, flagged.pk]))
    # The scenario this test is about: two clean, one with findings.
    assert found[pi.pk] == () and found[euc.pk] == () and found[flagged.pk] != ()
    return pi, euc, flagged, applicant


def _sign_in_with_totp(page, live_server, email: str) -> None:
    page.goto("/admin/")
    page.wait_for_url("**/accounts/login/**")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_text("Yes, I agree").click()  # the statement of truth; USWDS hides the real checkbox
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.locator("#id_code").fill(totp(SECRET))
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/")


def _change_page(application) -> re.Pattern[str]:
    """The change page, with or without the admin's preserved-filters query string."""
    return re.compile(rf"/admin/applications/application/{application.pk}/change/(\?.*)?$")


def _open_clean_pending_queue(page) -> None:
    page.goto(QUEUE)
    page.get_by_role("link", name="Clean (no findings)").click()
    page.wait_for_url("**findings=clean**")
    page.get_by_role("link", name="Submitted - Pending Approval").click()
    page.wait_for_url("**status=submitted**")
    assert "findings=clean" in page.url


def test_reviewer_approves_and_denies_and_the_applicant_sees_both(browser, live_server, page, sign_in):
    pi, euc, flagged, applicant = _applications()
    _reviewer()

    reviewer_context = browser.new_context(base_url=live_server.url)
    try:
        admin = reviewer_context.new_page()
        admin.set_default_timeout(15_000)
        _sign_in_with_totp(admin, live_server, "reviewer@example.com")
        assert admin.get_by_text("Site administration").first.is_visible()

        # The queue, filtered to clean pending applications: the flagged one is not in it.
        _open_clean_pending_queue(admin)
        results = admin.locator("#result_list")
        assert results.get_by_role("link", name=pi.reference).is_visible()
        assert results.get_by_role("link", name=euc.reference).is_visible()
        assert results.get_by_role("link", name=flagged.reference).count() == 0
        assert "****0093" in results.inner_text() and "123450093" not in results.inner_text()

        # Open the PI hardship: the findings panel says there is nothing to look at; approve it.
        results.get_by_role("link", name=pi.reference).click()
        admin.wait_for_url(_change_page(pi))
        assert admin.get_by_role("heading", name="Pre-check findings (0)").is_visible()
        assert admin.get_by_text("No findings: nothing in the answers").is_visible()
        assert admin.locator('[name="status"]').count() == 0  # never editable
        admin.locator("#id_note").fill(NOTE)
        with admin.expect_navigation(url=_change_page(pi)):
            admin.get_by_role("button", name="Approve", exact=True).click()
        assert admin.locator(".messagelist").get_by_text(f"{pi.reference} approved.").is_visible()
        assert admin.get_by_role("heading", name=f"{pi.reference}: Approved").is_visible()
        history = admin.locator("section", has=admin.get_by_role("heading", name="Status history"))
        assert "Rene Castillo (reviewer@example.com)" in history.inner_text()
        assert NOTE in history.inner_text()  # reviewers see their internal note

        # Back to the filtered queue: only the EUC is still pending and clean; deny it with a reason.
        _open_clean_pending_queue(admin)
        results = admin.locator("#result_list")
        assert results.get_by_role("link", name=pi.reference).count() == 0
        results.get_by_role("link", name=euc.reference).click()
        admin.wait_for_url(_change_page(euc))
        assert admin.get_by_role("heading", name="Pre-check findings (0)").is_visible()
        admin.locator("#id_reason").select_option(label=DENIAL_REASON)
        admin.locator("#id_explanation").fill(EXPLANATION)
        with admin.expect_navigation(url=_change_page(euc)):
            admin.get_by_role("button", name="Deny", exact=True).click()
        assert admin.locator(".messagelist").get_by_text(f"{euc.reference} denied.").is_visible()
        assert admin.get_by_role("heading", name=f"{euc.reference}: Denied").is_visible()

        # The flagged application shows its finding, with reason and source, on its own page.
        admin.goto(f"/admin/applications/application/{flagged.pk}/change/")
        findings = admin.locator(".review-findings-list")
        assert findings.is_visible() and "Source:" in findings.inner_text()

        admin_violations = [v for v in axe_violations(admin) if v.get("impact") in ("serious", "critical")]
        # The Django admin (our review templates included) has no serious or critical axe violations; if
        # Django's own templates ever bring one we can't fix, this names it.
        assert admin_violations == [], [(v["id"], v["help"]) for v in admin_violations]
    finally:
        reviewer_context.close()

    assert Application.objects.get(pk=pi.pk).status == Status.APPROVED
    assert Application.objects.get(pk=euc.pk).status == Status.DENIED
    assert Application.objects.get(pk=flagged.pk).status == Status.SUBMITTED

    # The applicant, in their own browser context.
    sign_in(applicant)
    page.goto("/exceptions/?year=2026")
    main = page.locator("main")
    assert main.get_by_role("link", name=pi.reference).is_visible()
    assert main.get_by_role("link", name=euc.reference).is_visible()
    assert_no_serious_axe_violations(page)

    main.get_by_role("link", name=pi.reference).click()
    page.wait_for_url(f"**/exceptions/{pi.reference}/")
    assert page.get_by_role("heading", name="Status: Approved").is_visible()
    timeline = page.locator("ol.usa-process-list")
    steps = timeline.locator(".usa-process-list__heading").all_inner_texts()
    assert steps == ["Draft created", "Submitted - Pending Approval", "Approved"]
    assert "By CMS" in timeline.locator("li").nth(2).inner_text()  # the decision, by role, not by name
    body = page.locator("main").inner_text()
    assert NOTE not in body and "Rene Castillo" not in body and "reviewer@example.com" not in body
    assert_no_serious_axe_violations(page)

    page.goto("/exceptions/?year=2026")
    page.locator("main").get_by_role("link", name=euc.reference).click()
    page.wait_for_url(f"**/exceptions/{euc.reference}/")
    assert page.get_by_role("heading", name="Status: Denied").is_visible()
    summary = page.locator(".usa-summary-box").inner_text()
    assert f"Reason for denial: {DENIAL_REASON}" in summary
    assert EXPLANATION in summary
    timeline = page.locator("ol.usa-process-list")
    steps = timeline.locator(".usa-process-list__heading").all_inner_texts()
    assert steps == ["Draft created", "Submitted - Pending Approval", "Denied"]
    assert "By CMS" in timeline.locator("li").nth(2).inner_text()
    assert "Rene Castillo" not in page.locator("main").inner_text()
    assert_no_serious_axe_violations(page)
