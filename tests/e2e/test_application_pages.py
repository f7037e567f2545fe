"""Browser checks of the core application pages (issue 5): dashboard, application page, withdraw
confirmation and PDF download, with axe-core on each page. The wizard itself is in test_file_applications.py.
"""

import subprocess

import pytest

from applications import services
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    et,
    reviewer_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clinician():
    ApplicationWindowFactory(performance_year=2026, opens_at=et(2026, 5, 11), closes_at=et(2026, 12, 31, 20))
    ApplicationWindowFactory(performance_year=2025, opens_at=et(2025, 5, 12), closes_at=et(2025, 12, 31, 20))
    user, _, _ = clinician_with_access()
    clinician_with_access(year=2025, user=user)
    return user


def test_dashboard_detail_withdraw_and_pdf(page, live_server, sign_in, clinician, tmp_path):
    draft = complete_individual_pi_draft(user=clinician)
    denied = complete_individual_pi_draft(user=clinician, year=2025)
    services.application_save_step(
        application=denied, actor=clinician, changes={"event_description": "<img src=x onerror=alert(1)>"}
    )
    services.application_submit(application=denied, actor=clinician, certified=True, now=et(2025, 11, 1, 12))
    services.application_deny(
        application=denied, actor=reviewer_user(), reason="Data was submitted", explanation=""
    )
    sign_in(clinician)

    page.goto("/exceptions/?year=2026")
    assert page.get_by_role("heading", name="Exceptions").is_visible()
    assert "will close December 31, 2026 at 8 p.m. ET" in page.locator("#window-text").inner_text()
    assert page.get_by_role("link", name="+ Add New QPP Exception").is_visible()
    assert page.get_by_role("link", name=draft.reference).is_visible()
    assert_no_serious_axe_violations(page)

    page.select_option("#id_year", "2025")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/exceptions/?year=2025*")
    assert "closed December 31, 2025 at 8 p.m. ET" in page.locator("#window-text").inner_text()
    page.get_by_role("link", name=denied.reference).click()
    page.wait_for_url(f"**/exceptions/{denied.reference}/")
    body = page.locator("main").inner_text()
    assert "We completed our review of your application and denied your request." in body
    assert "Data was submitted" in body
    assert "<img src=x onerror=alert(1)>" in body  # shown as text, not markup
    assert_no_serious_axe_violations(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export (PDF)").click()
    path = tmp_path / "export.pdf"
    download_info.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert denied.reference in text

    page.goto(f"/exceptions/{draft.reference}/")
    assert page.get_by_role("link", name="Continue application").is_visible()
    page.get_by_role("link", name="Withdraw").click()
    page.wait_for_url(f"**/exceptions/{draft.reference}/withdraw/")
    assert (
        "An application can't be reopened after being withdrawn."
        in page.locator("#withdraw-warning").inner_text()
    )
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Withdraw application").click()
    page.wait_for_url(f"**/exceptions/{draft.reference}/")
    assert "You've withdrawn your application." in page.locator("main").inner_text()
    assert_no_serious_axe_violations(page)
