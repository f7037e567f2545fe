"""Each validation rule of the wizard's forms (issue 5, point 8), table-driven."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from applications import forms
from applications.models import Application
from tests.factories import ApplicationWindowFactory, clinician_with_access, draft_application

YEAR = 2026


# --- pure helpers (no database) --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("517-734-2222", "5177342222"),
        ("(517) 734-2222", "5177342222"),
        ("+1 517 734 2222", "5177342222"),
        ("1-517-734-2222", "5177342222"),
        ("517.734.2222", "5177342222"),
        ("5177342222", "5177342222"),
    ],
)
def test_phone_numbers_accepted(typed, stored):
    assert forms.normalize_us_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "517-734-222",
        "517-734-22222",
        "017-734-2222",
        "117-734-2222",
        "517-034-2222",
        "+44 20 7946 0958",
        "517-CALL-NOW",
        "2-517-734-2222",
    ],
)
def test_phone_numbers_refused(typed):
    with pytest.raises(ValidationError) as error:
        forms.normalize_us_phone(typed)
    assert error.value.messages == [forms.PHONE_MESSAGE]


def test_email_list_is_split_validated_and_deduplicated_case_insensitively():
    assert forms.parse_email_list("Jane@Example.com, jane@example.com\nbob@example.com;  ") == [
        "jane@example.com",
        "bob@example.com",
    ]


@pytest.mark.parametrize("bad", ["not-an-email", "jane@", "@example.com", "a@b@c.com"])
def test_email_list_error_names_the_bad_address(bad):
    with pytest.raises(ValidationError) as error:
        forms.parse_email_list(f"ok@example.com, {bad}")
    assert f"“{bad}”" in error.value.messages[0]


def test_email_list_allows_50_and_refuses_51():
    fifty = ", ".join(f"user{n}@example.com" for n in range(50))
    assert len(forms.parse_email_list(fifty)) == 50
    with pytest.raises(ValidationError) as error:
        forms.parse_email_list(fifty + ", one.more@example.com")
    assert "up to 50" in error.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("15.04.04.2891.Alls.17.01.1.220101", "15.04.04.2891.Alls.17.01.1.220101"),
        (" 15.04.04.2891.Alls.AC.03.1.221231 ", "15.04.04.2891.Alls.AC.03.1.221231"),
        ("0015E8J2H4K6L8M", "0015E8J2H4K6L8M"),
        ("0015e8j2h4k6l8m", "0015E8J2H4K6L8M"),
    ],
)
def test_certification_ids_accepted(typed, stored):
    assert forms.normalize_certification_id(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "15.04.04.2891.Alls.17.01.1",
        "15.04.04.2891.Al!s.17.01.1.220101",
        "0015E8J2H4K6L8",
        "0015E8J2H4K6L8MX",
        "<script>",
        "15-04-04-2891-Alls-17-01-1-220101",
    ],
)
def test_certification_ids_refused(typed):
    with pytest.raises(ValidationError):
        forms.normalize_certification_id(typed)


@pytest.mark.parametrize(
    ("typed", "multiline", "stored"),
    [
        ("a\x00b", True, "ab"),
        ("line 1\r\nline 2\rline 3", True, "line 1\nline 2\nline 3"),
        ("tab\there", True, "tab\there"),
        ("bell\x07 esc\x1b del\x7f c1\x85", True, "bell esc del c1"),
        ("one\nline\t", False, "oneline"),
        ("<b>markup</b> & stays", True, "<b>markup</b> & stays"),
    ],
)
def test_control_characters_are_stripped(typed, multiline, stored):
    assert forms.strip_control_characters(typed, multiline=multiline) == stored


# --- step forms (database: eligibility, access, the draft) ----------------------------------------


@pytest.fixture
def setup(db):
    ApplicationWindowFactory(performance_year=YEAR)
    user, _clinician, _practice = clinician_with_access()
    return user


def context(application: Application, user, *, complete: bool = True) -> forms.StepContext:
    return forms.StepContext(application=application, user=user, require_complete=complete)


def individual_draft(user, exception_type="pi_hardship", **changes) -> Application:
    return draft_application(
        user=user,
        exception_type=exception_type,
        participation_level="individual",
        npi="1234567893",
        tin="123450093",
        **changes,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "participation_level", "Select the application type."),
        ({"participation_level": "individual"}, "npi", "Enter the Clinician NPI."),
        ({"participation_level": "individual", "npi": "1234567890"}, "npi", "Enter a valid 10-digit NPI."),
        ({"participation_level": "individual", "npi": "12345"}, "npi", "Enter a valid 10-digit NPI."),
        ({"participation_level": "group", "tin": "12345678"}, "tin", "Enter a valid 9-digit TIN."),
        (
            {"participation_level": "virtual_group", "virtual_group_identifier": "VG123"},
            "virtual_group_identifier",
            "Enter the virtual group identifier in the format VG-000123.",
        ),
        (
            {"participation_level": "apm_entity", "apm_entity_identifier": "A1001"},
            "participation_level",
            forms.APM_ENTITY_REFUSED_FOR_PI,
        ),
        ({"participation_level": "group", "tin": "999999999"}, "tin", forms.NO_ACCESS_MESSAGES["tin"]),
        (
            {"participation_level": "virtual_group", "virtual_group_identifier": "VG-000999"},
            "virtual_group_identifier",
            forms.NO_ACCESS_MESSAGES["virtual_group_identifier"],
        ),
    ],
)
def test_application_type_rules(setup, data, field, message):
    application = draft_application(user=setup)
    form = forms.ApplicationTypeForm(data, context=context(application, setup))
    assert not form.is_valid()
    assert message in form.errors[field]


def test_application_type_partial_save_allows_blanks_but_not_bad_values(setup):
    application = draft_application(user=setup)
    partial = forms.ApplicationTypeForm(
        {"participation_level": "individual"}, context=context(application, setup, complete=False)
    )
    assert partial.is_valid(), partial.errors
    bad = forms.ApplicationTypeForm(
        {"participation_level": "individual", "npi": "1234567890"},
        context=context(application, setup, complete=False),
    )
    assert not bad.is_valid()


def test_identifiers_of_other_levels_are_dropped(setup):
    application = draft_application(user=setup)
    form = forms.ApplicationTypeForm(
        {
            "participation_level": "individual",
            "npi": "1234567893",
            "tin": "junk",
            "virtual_group_identifier": "??",
        },
        context=context(application, setup),
    )
    assert form.is_valid(), form.errors
    changes = form.changes()
    assert changes["npi"] == "1234567893"
    assert changes["virtual_group_identifier"] == "" and changes["apm_entity_identifier"] == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"practice": ""}, "practice", "Select the group practice name, or Not listed."),
        ({"practice": "555550111"}, "practice", "Select a practice from the list, or Not listed."),
        ({"practice": "not_listed"}, "other_tin", "Enter the practice TIN."),
        ({"practice": "not_listed", "other_tin": "12-345"}, "other_tin", "Enter a valid 9-digit TIN."),
    ],
)
def test_submission_information_rules(setup, data, field, message):
    application = draft_application(user=setup, participation_level="individual", npi="1234567893")
    form = forms.SubmissionInformationForm(data, context=context(application, setup))
    assert not form.is_valid()
    assert message in form.errors[field]


def test_practice_choices_show_masked_tins(setup):
    application = draft_application(user=setup, participation_level="individual", npi="1234567893")
    form = forms.SubmissionInformationForm(context=context(application, setup))
    labels = [label for _value, label in form.fields["practice"].choices]
    assert "Dittrich, Krajiček and Urbanová (TIN: ****0093)" in labels
    assert labels[-1] == "Not listed"
    assert not any("123450093" in label for label in labels)


VALID_SUBMITTER = {
    "contact_phone": "517-734-2222",
    "contact_email": "mary@example.com",
    "submitter_relationship": "clinician",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"contact_phone": ""}, "contact_phone", "Enter the contact phone number."),
        ({"contact_phone": "555-0100"}, "contact_phone", forms.PHONE_MESSAGE),
        (
            {"contact_phone_extension": "1234567"},
            "contact_phone_extension",
            "Enter the extension as up to 6 digits.",
        ),
        (
            {"contact_phone_extension": "12a"},
            "contact_phone_extension",
            "Enter the extension as up to 6 digits.",
        ),
        (
            {"contact_email": "mary@"},
            "contact_email",
            "Enter an email address in the correct format, like name@example.com.",
        ),
        (
            {"submitter_relationship": ""},
            "submitter_relationship",
            "Select your relationship to the party in this application.",
        ),
        (
            {"submitter_relationship": "friend"},
            "submitter_relationship",
            "Select your relationship from the list.",
        ),
        ({"submitter_relationship": "other"}, "submitter_relationship_other", "Describe your relationship."),
    ],
)
def test_submitter_details_rules(setup, changes, field, message):
    application = individual_draft(setup)
    form = forms.SubmitterDetailsForm({**VALID_SUBMITTER, **changes}, context=context(application, setup))
    assert not form.is_valid()
    assert message in form.errors[field]


def test_submitter_other_text_is_dropped_unless_other(setup):
    application = individual_draft(setup)
    form = forms.SubmitterDetailsForm(
        {**VALID_SUBMITTER, "submitter_relationship_other": "stale"}, context=context(application, setup)
    )
    assert form.is_valid()
    assert form.changes()["submitter_relationship_other"] == ""
    assert form.changes()["contact_phone"] == "5177342222"


def date(prefix: str, value: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(value.month), f"{prefix}_1": str(value.day), f"{prefix}_2": str(value.year)}


PI_EUC = {"pi_reason": "extreme_and_uncontrollable_circumstances", "event_type": "disaster"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "pi_reason", "Select the reason for the Promoting Interoperability hardship."),
        (
            {"pi_reason": "small_practice"},
            "pi_reason",
            f"Small Practice isn't a reason offered for performance year {YEAR}.",
        ),
        (
            {
                "pi_reason": "extreme_and_uncontrollable_circumstances",
                **date("event_start_date", dt.date(YEAR, 2, 1)),
                "event_still_persists": "on",
            },
            "event_type",
            "Select the extreme and uncontrollable circumstances event type.",
        ),
        (
            {
                **PI_EUC,
                "event_type": "ransom_malware",
                **date("event_start_date", dt.date(YEAR, 2, 1)),
                "event_still_persists": "on",
            },
            "event_type",
            "Select an event type offered for this application.",
        ),
        ({**PI_EUC, "event_still_persists": "on"}, "event_start_date", "Enter the event start date."),
        (
            {**PI_EUC, **date("event_start_date", dt.date(YEAR, 2, 1))},
            "event_end_date",
            "Enter the event end date, or select “Still persists”.",
        ),
        (
            {
                **PI_EUC,
                "event_start_date_0": "2",
                "event_start_date_1": "30",
                "event_start_date_2": str(YEAR),
                "event_still_persists": "on",
            },
            "event_start_date",
            "Enter a real date, for example 12 31 2024",
        ),
        (
            {
                **PI_EUC,
                **date("event_start_date", dt.date(YEAR, 3, 1)),
                **date("event_end_date", dt.date(YEAR, 2, 1)),
            },
            "event_end_date",
            "The event end date must be on or after the start date.",
        ),
        (
            {
                **PI_EUC,
                **date("event_start_date", dt.date(YEAR - 2, 3, 1)),
                **date("event_end_date", dt.date(YEAR - 1, 12, 31)),
            },
            "event_end_date",
            f"The event must have lasted into performance year {YEAR} (ended on or after January 1, {YEAR}).",
        ),
        (
            {
                **PI_EUC,
                **date("event_start_date", dt.date(YEAR, 3, 1)),
                **date("event_end_date", dt.date(YEAR, 4, 1)),
                "event_still_persists": "on",
            },
            "event_end_date",
            "Enter an end date or select “Still persists”, not both.",
        ),
        (
            {**PI_EUC, **date("event_start_date", dt.date(YEAR, 12, 30)), "event_still_persists": "on"},
            "event_start_date",
            "The event start date can't be in the future.",
        ),
        (
            {"pi_reason": "ehr_decertification", **date("event_start_date", dt.date(YEAR, 2, 1))},
            "onc_acb_certification_id",
            "Enter the ONC-ACB certification ID.",
        ),
        (
            {
                "pi_reason": "ehr_decertification",
                **date("event_start_date", dt.date(YEAR, 2, 1)),
                "onc_acb_certification_id": "12345",
            },
            "onc_acb_certification_id",
            forms.CERTIFICATION_ID_MESSAGE,
        ),
    ],
)
def test_pi_reason_rules(setup, data, field, message):
    application = individual_draft(setup)
    form = forms.ReasonForm(data, context=context(application, setup))
    assert not form.is_valid()
    assert message in form.errors[field], form.errors


def test_pi_reason_drops_answers_of_other_reasons(setup):
    application = individual_draft(setup)
    form = forms.ReasonForm(
        {
            "pi_reason": "insufficient_internet_connectivity",
            "event_type": "disaster",
            **date("event_start_date", dt.date(YEAR, 2, 1)),
            "onc_acb_certification_id": "garbage",
        },
        context=context(application, setup),
    )
    assert form.is_valid(), form.errors
    changes = form.changes()
    assert changes["event_type"] == "" and changes["event_start_date"] is None
    assert changes["onc_acb_certification_id"] == ""


def test_small_practice_is_offered_in_2019_only(db):
    ApplicationWindowFactory(performance_year=2019)
    user, _clinician, _practice = clinician_with_access(year=2019)
    application = draft_application(
        user=user, year=2019, participation_level="individual", npi="1234567893", tin="123450093"
    )
    form = forms.ReasonForm({"pi_reason": "small_practice"}, context=context(application, user))
    assert form.is_valid(), form.errors
    offered = [value for value, _label in form.fields["pi_reason"].widget.choices]
    assert "small_practice" in offered and len(offered) == 5


EUC_BASE = {
    "event_type": "disaster",
    **date("event_start_date", dt.date(YEAR, 2, 1)),
    "event_still_persists": "on",
}


@pytest.mark.parametrize(
    ("level", "data", "field", "message"),
    [
        ("individual", {**EUC_BASE}, "performance_categories", "Select at least one performance category."),
        (
            "apm_entity",
            {**EUC_BASE, "performance_categories": ["requests_quality", "requests_cost"]},
            "performance_categories",
            "APM Entities must apply for all performance categories.",
        ),
        (
            "individual",
            {**EUC_BASE, "performance_categories": ["requests_quality"], "event_type": "covid_19"},
            "event_type",
            "We're no longer accepting applications due to COVID-19.",
        ),
        (
            "individual",
            {**EUC_BASE, "performance_categories": ["requests_quality"], "event_type": "ransom_malware"},
            "change_healthcare_cyberattack",
            "Select whether this application is due to the Change Healthcare cyberattack.",
        ),
        (
            "individual",
            {**EUC_BASE, "performance_categories": ["requests_quality"], "event_type": ""},
            "event_type",
            "Select the event type.",
        ),
    ],
)
def test_euc_reason_rules(setup, level, data, field, message):
    if level == "apm_entity":
        from eligibility.models import APMEntity, APMParticipant, Clinician, Practice

        entity = APMEntity.objects.create(
            apm_id="08", entity_id="A1001", name="Lakeshore ACO", performance_year=YEAR
        )
        APMParticipant.objects.create(
            apm_entity=entity,
            practice=Practice.objects.get(tin="123450093"),
            clinician=Clinician.objects.get(npi="1234567893"),
        )
        from accounts.models import PracticeAccess

        PracticeAccess.objects.create(
            user=setup, practice=Practice.objects.get(tin="123450093"), role="staff_user"
        )
        application = draft_application(
            user=setup, exception_type="euc", participation_level="apm_entity", apm_entity_identifier="A1001"
        )
    else:
        application = individual_draft(setup, exception_type="euc")
    form = forms.ReasonForm(data, context=context(application, setup))
    assert not form.is_valid()
    assert message in form.errors[field], form.errors


def test_euc_reason_maps_categories_and_the_change_healthcare_answer(setup):
    application = individual_draft(setup, exception_type="euc")
    form = forms.ReasonForm(
        {
            **EUC_BASE,
            "event_type": "ransom_malware",
            "change_healthcare_cyberattack": "yes",
            "performance_categories": ["requests_quality", "requests_improvement_activities"],
        },
        context=context(application, setup),
    )
    assert form.is_valid(), form.errors
    changes = form.changes()
    assert changes["requests_quality"] and changes["requests_improvement_activities"]
    assert not changes["requests_cost"] and not changes["requests_promoting_interoperability"]
    assert changes["change_healthcare_cyberattack"] is True
    assert changes["event_end_date"] is None and changes["event_still_persists"] is True


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "attested", "Select “I attest” to confirm the attestation statement."),
        (
            {"attested": "on", "event_description": "x" * 6001},
            "event_description",
            "The event description must be 6,000 characters or fewer (it has 6001).",
        ),
    ],
)
def test_attestation_rules(setup, data, field, message):
    application = individual_draft(setup, pi_reason="insufficient_internet_connectivity")
    form = forms.AttestationForm(data, context=context(application, setup))
    assert not form.is_valid()
    assert message in form.errors[field]


def test_attestation_description_of_6000_characters_with_crlf_fits(setup):
    application = individual_draft(setup, pi_reason="insufficient_internet_connectivity")
    text = ("x" * 99 + "\r\n") * 59 + "x" * 100  # 6,000 once CRLF counts as one, as the browser counts
    form = forms.AttestationForm(
        {"attested": "on", "event_description": text}, context=context(application, setup)
    )
    assert form.is_valid(), form.errors
    assert len(form.changes()["event_description"]) == 6000


def test_attestation_shows_the_reason_statement_word_for_word(setup):
    application = individual_draft(setup, pi_reason="ehr_decertification")
    form = forms.AttestationForm(context=context(application, setup))
    assert form.attestation_text == (
        "On behalf of the clinician(s) listed in this application, I am requesting this hardship exception "
        "and attest that the clinician(s) was(were) faced with EHR decertification issues."
    )
    assert "all_locations_attested" not in form.fields


def test_new_application_form_offers_only_window_years(db):
    form = forms.NewApplicationForm(
        {"performance_year": "2020", "exception_type": "pi_hardship"}, years=[2026, 2025]
    )
    assert not form.is_valid()
    assert (
        "Select a performance year that has an exception application window."
        in form.errors["performance_year"]
    )
    assert forms.NewApplicationForm(
        {"performance_year": "2026", "exception_type": "euc"}, years=[2026]
    ).is_valid()
