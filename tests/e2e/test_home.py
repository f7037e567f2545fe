"""The home page in a real browser: USWDS-styled and free of serious accessibility violations."""

from tests.e2e.axe import assert_no_serious_axe_violations


def test_home_page_renders_with_uswds_and_no_serious_axe_violations(page, live_server):
    response = page.goto("/")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "QPP Exception Applications"
    # The official-government banner and the skip link are present.
    assert page.get_by_text("An official website of the United States government").first.is_visible()
    assert page.locator("a.usa-skipnav").count() == 1
    # USWDS CSS really loaded (served from static/, not a CDN): the banner has its USWDS background.
    background = page.eval_on_selector(".usa-banner", "el => getComputedStyle(el).backgroundColor")
    assert background not in ("", "rgba(0, 0, 0, 0)")
    assert_no_serious_axe_violations(page)
