"""The ``uswds`` template pack in a real browser: no serious axe-core violations with and without errors,
focus on the error summary, summary links that reach their controls, and the USWDS character counter.

The form page is rendered in the test (inside templates/base.html) and served on a route of the Playwright
page, so no URL of the project is needed; static files come from live_server.
"""

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template
from django.test import RequestFactory

from qpp_exceptions.forms import DescribedRadioSelect, MemorableDateField
from tests.e2e.axe import assert_no_serious_axe_violations

PAGE_PATH = "/__uswds-pack-test__/"


class SampleForm(forms.Form):
    npi = forms.CharField(label="National Provider Identifier (NPI)", help_text="10 digits.", max_length=10)
    email = forms.EmailField(label="Email address")
    year = forms.ChoiceField(label="Performance year", choices=[("", "- Select -"), ("2026", "2026")])
    reason = forms.ChoiceField(
        label="Reason for the exception",
        choices=[("decertified_ehr", "Decertified EHR technology"), ("other", "Other")],
        widget=DescribedRadioSelect(descriptions={"decertified_ehr": "Your CEHRT was decertified."}),
    )
    categories = forms.MultipleChoiceField(
        label="Categories",
        choices=[("quality", "Quality"), ("cost", "Cost")],
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = MemorableDateField(label="Start date of the event")
    explanation = forms.CharField(
        label="Explanation",
        max_length=50,
        widget=forms.Textarea(attrs={"data-character-count": "true", "rows": 3}),
    )
    attest = forms.BooleanField(label="I attest that the information is true.")


def serve(page, form):
    request = RequestFactory().get(PAGE_PATH)
    request.user = AnonymousUser()
    html = Template(
        '{% extends "base.html" %}{% load crispy_forms_tags %}{% block title %}Form test{% endblock %}'
        "{% block content %}<h1>Form test</h1>{% crispy form %}{% endblock %}"
    ).render(RequestContext(request, {"form": form}))
    page.route(
        f"**{PAGE_PATH}",
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    page.goto(PAGE_PATH)


@pytest.mark.parametrize("bound", [False, True], ids=["blank", "with-errors"])
def test_form_has_no_serious_axe_violations(page, live_server, bound):
    form = SampleForm(
        data={"start_date_0": "2", "start_date_1": "30", "start_date_2": "2024"} if bound else None
    )
    serve(page, form)
    # USWDS CSS applied to the pack's markup (radios are restyled, the real input is moved off-screen).
    assert page.locator(".usa-radio__label").first.is_visible()
    assert_no_serious_axe_violations(page)


def test_error_summary_gets_focus_and_links_reach_controls(page, live_server):
    serve(page, SampleForm(data={}))
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.get_by_role("link", name="Reason for the exception: This field is required.").click()
    assert page.evaluate("document.activeElement.id") == "id_reason_0"
    page.get_by_role("link", name="Start date of the event: Enter a date.").click()
    assert page.evaluate("document.activeElement.id") == "id_start_date_0"


def test_character_counter_counts_down(page, live_server):
    serve(page, SampleForm())
    page.fill("#id_explanation", "Twelve chars")
    status = page.locator(".usa-character-count__status")
    status.wait_for()
    assert "38 characters left" in status.inner_text()
