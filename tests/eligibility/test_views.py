"""The participation-status page."""

import pytest

from eligibility import demo
from eligibility.models import Practice
from tests.factories import PracticeAccessFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/participation-status/"


@pytest.fixture
def user_client(client):
    demo.load()
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_form_and_navigation(user_client):
    response = user_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="usa-label" for="id_identifier">NPI or TIN</label>' in html
    assert '<option value="2026" selected>' in html
    assert 'href="/participation-status/"' in html  # primary navigation entry


def test_npi_lookup_shows_each_practice_and_plain_answers(user_client):
    html = user_client.post(URL, {"identifier": "1234567893", "year": "2026"}).content.decode()
    assert "Mary Thompson" in html
    assert "Doctor of Medicine" in html
    assert "Dittrich, Krajiček and Urbanová (TIN: ****0093)" in html
    assert "Gürmen - Ayaydin (TIN: ****3004)" in html
    assert "123450093" not in html and "987653004" not in html
    assert "You may apply if" in html  # large group, no special status
    assert "You don't need to apply for a PI hardship exception as an individual" in html  # small practice
    assert "2024 rule set" in html


@pytest.mark.parametrize(
    ("npi", "year", "text"),
    [
        ("1000000004", "2026", "Hospital-based"),
        ("1000000012", "2025", "Non-patient facing"),
        ("1000000020", "2024", "Ambulatory Surgical Center (ASC)-based"),
        ("1000000038", "2026", "Clinical Social Worker"),
        ("1000000061", "2026", "you aren't MIPS eligible at this practice"),
        ("1000000053", "2026", "Health Professional Shortage Area (HPSA)"),
    ],
)
def test_special_statuses_for_demo_clinicians(user_client, npi, year, text):
    html = user_client.post(URL, {"identifier": npi, "year": year}).content.decode()
    assert text in html


def test_year_without_data_says_so(user_client):
    html = user_client.post(URL, {"identifier": "1234567893", "year": "2019"}).content.decode()
    assert "We have no 2019 participation data for this NPI" in html
    assert "2019 rule set" in html


@pytest.mark.parametrize(
    ("identifier", "message"),
    [
        ("", "This field is required."),
        ("1234567890", "Enter a valid 10-digit NPI."),
        ("12345", "Enter a 10-digit NPI or a 9-digit TIN"),
        ("1000000079", "We couldn&#x27;t find a clinician with that NPI."),
        ("123450093", "We couldn&#x27;t find 2026 participation data for a TIN you can act for."),
    ],
)
def test_errors_appear_in_the_error_summary(user_client, identifier, message):
    response = user_client.post(URL, {"identifier": identifier, "year": "2026"})
    html = response.content.decode()
    assert response.status_code == 200
    summary = html[html.index('id="error-summary"') : html.index('<form class="usa-form usa-form--large"')]
    assert message in summary
    assert "Error: Participation status" in html
    assert 'id="results"' not in html


def test_bad_year_is_an_error(user_client):
    html = user_client.post(URL, {"identifier": "1234567893", "year": "2099"}).content.decode()
    assert "Select a valid choice" in html


def test_tin_lookup_for_one_of_your_tins(user_client):
    PracticeAccessFactory(user=user_client.user, practice=Practice.objects.get(tin="987653004"))
    html = user_client.post(URL, {"identifier": "987653004", "year": "2026"}).content.decode()
    assert "Gürmen - Ayaydin (TIN: ****3004)" in html
    assert "You don't need to apply for a PI hardship exception as a group" in html
    assert "Virtual group VG-000123" in html


def test_tin_lookup_of_a_large_group_with_subgroup(user_client):
    PracticeAccessFactory(user=user_client.user, practice=Practice.objects.get(tin="123450093"))
    html = user_client.post(URL, {"identifier": "123450093", "year": "2026"}).content.decode()
    assert "You may apply if" in html
    assert "Subgroup SG-000045" in html
    assert "Subgroups can&#x27;t submit an application" in html
