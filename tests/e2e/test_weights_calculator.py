"""The weights calculator in a real browser: the numbers, the bar chart, the error summary, and axe."""

from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import UserFactory


def test_weights_calculator_computes_and_passes_axe(page, live_server, sign_in):
    sign_in(UserFactory())
    page.goto("/weights-calculator/")
    assert page.get_by_role("heading", level=1).inner_text() == "Weights calculator"
    assert_no_serious_axe_violations(page)

    page.get_by_label("Performance year").select_option("2024")
    page.get_by_text("Traditional MIPS or MVPs", exact=False).first.click()
    page.locator("label[for='id_reweighted_1']", has_text="Cost").click()
    page.locator("label[for='id_reweighted_3']", has_text="Promoting Interoperability").click()
    page.get_by_label("Quality score (optional)").fill("80")
    page.get_by_label("Cost score (optional)").fill("50")
    page.get_by_label("Improvement Activities score (optional)").fill("100")
    page.get_by_label("Promoting Interoperability score (optional)").fill("60")
    page.get_by_role("button", name="Calculate").click()

    assert page.locator('td[data-category="quality"]').inner_text() == "85%"
    assert page.locator('td[data-category="cost"]').inner_text() == "0%"
    assert page.locator('td[data-category="improvement_activities"]').inner_text() == "15%"
    assert page.locator('td[data-category="promoting_interoperability"]').inner_text() == "0%"
    assert page.get_by_test_id("final-score").inner_text() == "83"
    assert page.locator(".scoring-chart__bar").count() == 4
    # An SVG bar (no inline style under the Content Security Policy, ADR 0080): 85% of the track drawn.
    width = page.eval_on_selector(".scoring-chart__bar--quality", "el => el.getAttribute('width')")
    assert width == "85%"
    drawn = page.eval_on_selector(
        ".scoring-chart__bar--quality",
        "el => el.getBoundingClientRect().width / el.ownerSVGElement.getBoundingClientRect().width",
    )
    assert abs(drawn - 0.85) < 0.01
    assert_no_serious_axe_violations(page)


def test_weights_calculator_error_summary_passes_axe(page, live_server, sign_in):
    sign_in(UserFactory())
    page.goto("/weights-calculator/?year=2024&track=app&reweighted=improvement_activities")
    summary = page.locator(".usa-alert--error")
    assert summary.is_visible()
    assert "no row for reweighting Improvement Activities" in summary.inner_text()
    assert_no_serious_axe_violations(page)
