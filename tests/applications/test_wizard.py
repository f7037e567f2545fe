"""The wizard walked with Django's test client (issue 5, point 3): every step saves, the buttons route,
autosave answers JSON, stale answers are cleared, and refusals happen where the rules say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from applications.models import Application, Status
from tests.factories import (
    ApplicationWindowFactory,
    UserFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    practice_user,
)

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def window():
    return ApplicationWindowFactory(performance_year=YEAR)


@pytest.fixture
def clinician(window):
    user, clinician, practice = clinician_with_access()
    return user


def step_url(application: Application, step: str) -> str:
    return reverse("applications:step", kwargs={"reference": application.reference, "step": step})


def autosave_url(application: Application, step: str) -> str:
    return reverse("applications:autosave", kwargs={"reference": application.reference, "step": step})


def start(client, exception_type: str = "pi_hardship") -> Application:
    response = client.post(
        reverse("applications:new"),
        {"performance_year": str(YEAR), "exception_type": exception_type, "action": "continue"},
    )
    assert response.status_code == 302
    application = Application.objects.latest("id")
    assert response["Location"] == step_url(application, "application-type")
    return application


def post_step(client, application, step, data, action="continue"):
    return client.post(step_url(application, step), {**data, "action": action})


def errors_of(response) -> str:
    return response.content.decode()


DATE = {"event_start_date_0": "3", "event_start_date_1": "14", "event_start_date_2": str(YEAR)}


def walk_individual_pi(client, reason_data: dict, **extra) -> Application:
    application = start(client)
    response = post_step(
        client, application, "application-type", {"participation_level": "individual", "npi": "1234567893"}
    )
    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == step_url(application, "submission-information")
    response = post_step(client, application, "submission-information", {"practice": "123450093"})
    assert response.status_code == 302, errors_of(response)
    response = post_step(
        client,
        application,
        "submitter-details",
        {
            "contact_phone": "(517) 734-2222",
            "contact_phone_extension": "12",
            "contact_email": "mary.thompson@example.com",
            "submitter_relationship": "clinician",
        },
    )
    assert response.status_code == 302, errors_of(response)
    response = post_step(
        client,
        application,
        "additional-access",
        {"emails": "Jane@Example.com, jane@example.com\nbob@example.com"},
    )
    assert response.status_code == 302, errors_of(response)
    response = post_step(client, application, "reason", reason_data)
    assert response.status_code == 302, errors_of(response)
    response = post_step(
        client, application, "attestation", {"attested": "on", "event_description": "Storm."}
    )
    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == step_url(application, "review")
    application.refresh_from_db()
    return application


def test_each_step_saves_and_submit_redirects_with_confirmation(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    assert application.participation_level == "individual"
    assert application.npi == "1234567893"
    assert application.tin == "123450093"
    assert application.participant_name == "Mary Thompson"
    assert application.contact_phone == "5177342222"
    assert application.contact_phone_extension == "12"
    assert application.pi_reason == "insufficient_internet_connectivity"
    assert application.attested is True
    assert application.event_description == "Storm."
    assert list(application.additional_access.values_list("email", flat=True)) == [
        "bob@example.com",
        "jane@example.com",
    ]
    review = client.get(step_url(application, "review"))
    assert review.status_code == 200
    page = review.content.decode()
    assert "General Notice" in page and "Disclosures" in page and "Certify &amp; Submit" in page
    assert "was(were) located in an area without sufficient internet access" in page
    response = client.post(step_url(application, "review"), {"action": "submit"}, follow=True)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert response.redirect_chain[0][0] == reverse(
        "applications:detail", kwargs={"reference": application.reference}
    )
    assert (
        "Your Hardship Exception application has been successfully submitted and is pending review."
        in response.content.decode()
    )


def test_step_pages_render_with_buttons_and_saved_indicator(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    for step in (
        "application-type",
        "submission-information",
        "submitter-details",
        "additional-access",
        "reason",
        "attestation",
    ):
        page = client.get(step_url(application, step)).content.decode()
        assert 'value="continue"' in page and 'value="save"' in page and 'value="close"' in page, step
        assert "All changes saved" in page
        assert f'data-autosave-url="{autosave_url(application, step)}"' in page
    assert (
        "Dittrich, Krajiček and Urbanová (TIN: ****0093)"
        in client.get(step_url(application, "submission-information")).content.decode()
    )


def test_save_and_close_keeps_the_draft_and_goes_to_the_dashboard(client, clinician):
    client.force_login(clinician)
    application = start(client)
    response = post_step(
        client,
        application,
        "application-type",
        {"participation_level": "individual", "npi": ""},
        action="close",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:dashboard")
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert application.participation_level == "individual"


def test_save_stays_and_back_goes_to_previous_step(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    response = post_step(
        client,
        application,
        "submitter-details",
        {
            "contact_phone": "517 734 9999",
            "contact_email": "a@example.com",
            "submitter_relationship": "clinician",
        },
        action="save",
    )
    assert response["Location"] == step_url(application, "submitter-details")
    response = post_step(
        client,
        application,
        "submitter-details",
        {
            "contact_phone": "517 734 9999",
            "contact_email": "a@example.com",
            "submitter_relationship": "clinician",
        },
        action="back",
    )
    assert response["Location"] == step_url(application, "submission-information")
    application.refresh_from_db()
    assert application.contact_phone == "5177349999"


def test_save_and_continue_requires_the_answers_but_save_keeps_a_partial_draft(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    response = post_step(
        client, application, "submitter-details", {"contact_phone": "", "contact_email": "x@example.com"}
    )
    assert response.status_code == 200
    assert "Enter the contact phone number." in response.content.decode()
    assert "usa-alert--error" in response.content.decode()
    response = post_step(
        client,
        application,
        "submitter-details",
        {"contact_phone": "", "contact_email": "x@example.com"},
        action="save",
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.contact_email == "x@example.com"
    assert application.contact_phone == ""


def test_invalid_answers_are_never_stored_even_with_save(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    response = post_step(
        client,
        application,
        "submitter-details",
        {"contact_phone": "12345", "contact_email": "x@example.com", "submitter_relationship": "clinician"},
        action="save",
    )
    assert response.status_code == 200
    assert "Not saved: fix the errors" in response.content.decode()
    application.refresh_from_db()
    assert application.contact_phone == "5177342222"
    assert application.contact_email == "mary.thompson@example.com"


def test_autosave_answers_json_200_and_400(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    ok = client.post(
        autosave_url(application, "submitter-details"),
        {
            "contact_phone": "517-734-1111",
            "contact_email": "new@example.com",
            "submitter_relationship": "consultant",
        },
    )
    assert ok.status_code == 200
    assert ok.json()["message"] == "All changes saved"
    application.refresh_from_db()
    assert application.contact_phone == "5177341111"
    assert application.submitter_relationship == "consultant"
    bad = client.post(
        autosave_url(application, "submitter-details"),
        {"contact_phone": "017-734-1111", "contact_email": "new@example.com"},
    )
    assert bad.status_code == 400
    body = bad.json()
    assert body["error"]["status"] == 400
    assert body["error"]["message"] == "Not saved: fix the errors"
    assert "contact_phone" in body["errors"]
    application.refresh_from_db()
    assert application.contact_phone == "5177341111"


def test_autosave_refuses_get_and_unknown_applications(client, clinician):
    client.force_login(clinician)
    application = start(client)
    assert client.get(autosave_url(application, "reason")).status_code == 405
    other = UserFactory()
    client.force_login(other)
    response = client.post(autosave_url(application, "reason"), {"pi_reason": "ehr_decertification"})
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_changing_the_reason_clears_the_old_answers(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(
        client,
        {
            "pi_reason": "ehr_decertification",
            **DATE,
            "onc_acb_certification_id": "15.04.04.2891.Alls.17.01.1.220101",
        },
    )
    assert application.onc_acb_certification_id == "15.04.04.2891.Alls.17.01.1.220101"
    assert application.event_start_date == dt.date(YEAR, 3, 14)
    # The old certification ID and date still sit in the (hidden) inputs: they must not be stored.
    response = post_step(
        client,
        application,
        "reason",
        {
            "pi_reason": "lack_of_control_over_cehrt",
            **DATE,
            "onc_acb_certification_id": "15.04.04.2891.Alls.17.01.1.220101",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.pi_reason == "lack_of_control_over_cehrt"
    assert application.onc_acb_certification_id == ""
    assert application.event_start_date is None


def test_unauthorized_npi_is_refused_without_revealing_it_exists(client, clinician):
    stranger_npi = "1000000004"
    clinician_with_access(npi=stranger_npi, user=UserFactory())
    client.force_login(clinician)
    application = start(client)
    for npi in (stranger_npi, "1000000012"):  # exists / doesn't exist: same answer
        response = post_step(
            client, application, "application-type", {"participation_level": "individual", "npi": npi}
        )
        assert response.status_code == 200
        assert (
            "You don&#x27;t have access to act for this NPI. Request access from your profile."
            in response.content.decode()
        )
    application.refresh_from_db()
    assert application.npi == ""


def test_unknown_npi_for_the_year_is_refused(client, window):
    user, _clinician, _practice = clinician_with_access(year=YEAR - 1)
    ApplicationWindowFactory(performance_year=YEAR)
    client.force_login(user)
    application = start(client)
    response = post_step(
        client, application, "application-type", {"participation_level": "individual", "npi": "1234567893"}
    )
    assert response.status_code == 200
    assert f"We couldn&#x27;t find NPI 1234567893 for performance year {YEAR}." in response.content.decode()


def test_apm_entity_is_refused_for_a_pi_hardship(client, clinician):
    client.force_login(clinician)
    application = start(client)
    response = post_step(
        client,
        application,
        "application-type",
        {"participation_level": "apm_entity", "apm_entity_identifier": "A1001"},
    )
    assert response.status_code == 200
    assert (
        "APM Entities can&#x27;t submit a Promoting Interoperability Hardship Exception application"
        in response.content.decode()
    )
    application.refresh_from_db()
    assert application.participation_level == ""


def test_a_duplicate_application_is_blocked(client, clinician):
    complete_individual_pi_draft(user=clinician)
    client.force_login(clinician)
    application = start(client)
    response = post_step(
        client, application, "application-type", {"participation_level": "individual", "npi": "1234567893"}
    )
    assert response.status_code == 302
    response = post_step(client, application, "submission-information", {"practice": "123450093"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "usa-alert--error" in page
    application.refresh_from_db()
    assert application.tin == ""


def test_hostile_text_is_stored_as_typed_and_shown_escaped(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    hostile = '<script>alert("x")</script>\x00\x07 & line\r\nnext\tTab'
    response = post_step(client, application, "attestation", {"attested": "on", "event_description": hostile})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.event_description == '<script>alert("x")</script> & line\nnext\tTab'
    page = client.get(step_url(application, "review")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_a_submitted_application_is_no_longer_editable(client, clinician):
    client.force_login(clinician)
    application = walk_individual_pi(client, {"pi_reason": "insufficient_internet_connectivity"})
    client.post(step_url(application, "review"), {"action": "submit"})
    response = client.get(step_url(application, "reason"))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", kwargs={"reference": application.reference})
    response = post_step(client, application, "reason", {"pi_reason": "ehr_decertification"})
    application.refresh_from_db()
    assert application.pi_reason == "insufficient_internet_connectivity"
    assert (
        client.post(autosave_url(application, "reason"), {"pi_reason": "ehr_decertification"}).status_code
        == 400
    )


def test_someone_elses_draft_is_404(client, clinician):
    client.force_login(clinician)
    application = start(client)
    client.force_login(UserFactory())
    assert client.get(step_url(application, "application-type")).status_code == 404


def test_group_needs_the_all_locations_attestation(client, window):
    user, _practice = practice_user()
    from tests.factories import accounts_bills_under, accounts_clinician, accounts_practice

    accounts_bills_under(accounts_clinician(), accounts_practice(), YEAR)
    client.force_login(user)
    application = start(client)
    # One clinician bills under the TIN: a small practice, automatically reweighted (seed 003, Appendix A).
    # The warning is shown and the user must confirm before continuing.
    response = post_step(
        client, application, "application-type", {"participation_level": "group", "tin": "123-45-0093"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before you apply" in page and "automatic reweighting" in page
    assert "I understand, continue anyway" in page
    response = post_step(
        client,
        application,
        "application-type",
        {"participation_level": "group", "tin": "123-45-0093", "acknowledge_findings": "on"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.tin == "123450093"
    page = client.get(step_url(application, "submission-information")).content.decode()
    assert "****0093" in page and "123450093" not in page
    post_step(client, application, "reason", {"pi_reason": "lack_of_control_over_cehrt"})
    response = post_step(client, application, "attestation", {"attested": "on"})
    assert response.status_code == 200
    assert "Confirm that every office location experienced the hardship." in response.content.decode()
    response = post_step(
        client, application, "attestation", {"attested": "on", "all_locations_attested": "on"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.all_locations_attested is True


def test_euc_apm_entity_must_request_all_four_categories_and_covid_is_refused(client, clinician):
    from tests.factories import accounts_practice

    practice = accounts_practice()
    from eligibility.models import APMEntity

    entity_fields = {f.name for f in APMEntity._meta.get_fields()}
    assert "entity_id" in entity_fields
    client.force_login(clinician)
    application = start(client, "euc")
    response = post_step(
        client,
        application,
        "reason",
        {
            "performance_categories": ["requests_quality"],
            "event_type": "covid_19",
            **DATE,
            "event_still_persists": "on",
        },
    )
    # The participant isn't chosen yet: the reason step sends the user back first.
    assert response.status_code == 302
    assert response["Location"] == step_url(application, "application-type")
    assert practice.tin == "123450093"
