"""applications.policy: pure rules and CMS texts, table-driven, no database."""

import dataclasses
import datetime as dt

import pytest

from applications import policy
from applications.models import EventType, ExceptionType, ParticipationLevel, PIHardshipReason, Status

SEED_003 = "/work/shared/seeds/003_452340df50752410.txt"


def _seed_text() -> str:
    try:
        with open(SEED_003, encoding="utf-8") as handle:
            return " ".join(handle.read().split())
    except FileNotFoundError:
        pytest.skip("seed documents not available")


def test_choice_values_match_models():
    """policy keeps plain strings (no ORM); they must stay the models' values."""
    assert set(policy.PI_REASON_LABELS) == set(PIHardshipReason.values)
    assert dict(PIHardshipReason.choices) == policy.PI_REASON_LABELS
    assert dict(EventType.choices) == policy.EVENT_TYPE_LABELS
    assert dict(ExceptionType.choices) == policy.EXCEPTION_TYPE_LABELS
    assert set(policy.STATUS_DESCRIPTIONS) == set(Status.values)
    assert {policy.INDIVIDUAL, policy.GROUP, policy.VIRTUAL_GROUP, policy.APM_ENTITY} == set(
        ParticipationLevel.values
    )


@pytest.mark.parametrize(
    "text",
    [
        policy.PI_REASON_ATTESTATIONS[policy.INSUFFICIENT_INTERNET_CONNECTIVITY],
        policy.PI_REASON_ATTESTATIONS[policy.LACK_OF_CONTROL_OVER_CEHRT],
        policy.PI_REASON_ATTESTATIONS[policy.EHR_DECERTIFICATION],
        policy.PI_EUC_ATTESTATIONS[policy.DISASTER],
        *[policy.PI_REASON_EXPLANATIONS[r] for r in policy.pi_reasons_for(2024)],
        *policy.EXCEPTION_TYPE_EXPLANATIONS.values(),
        policy.GENERAL_NOTICE,
        policy.DISCLOSURES,
        *[
            line
            for lines in policy.STATUS_DESCRIPTIONS.values()
            for line in lines
            if "Continue application" not in line
        ],
    ],
)
def test_cms_texts_are_word_for_word_from_seed_003(text):
    # The seed has one explanation with "eligible clinician (s)" in Step 8 and "clinician(s)" in Step 9.
    assert text in _seed_text().replace("clinician (s)", "clinician(s)").replace("–", "-")


def test_truncated_seed_texts_start_as_the_seed_does():
    seed = _seed_text()
    assert policy.NOTICE.split(" and may also")[0] in seed
    assert policy.CERTIFICATION_STATEMENTS["pi_hardship"].split(" the clinician, group")[0] in seed


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2017, ["small_practice", "insufficient_internet_connectivity"]),
        (2019, ["small_practice", "insufficient_internet_connectivity"]),
        (2020, ["insufficient_internet_connectivity"]),
        (2024, ["insufficient_internet_connectivity"]),
    ],
)
def test_pi_reasons_per_year(year, expected):
    reasons = policy.pi_reasons_for(year)
    assert reasons[: len(expected)] == expected
    assert {
        "extreme_and_uncontrollable_circumstances",
        "lack_of_control_over_cehrt",
        "ehr_decertification",
    } <= set(reasons)
    assert ("small_practice" in reasons) == (year <= 2019)


@pytest.mark.parametrize(
    ("exception_type", "year", "covid", "ransom"),
    [
        ("euc", 2022, True, True),
        ("euc", 2023, True, True),
        ("euc", 2024, False, True),
        ("euc", 2026, False, True),
        ("pi_hardship", 2023, False, False),
        ("pi_hardship", 2024, False, False),
    ],
)
def test_event_types(exception_type, year, covid, ransom):
    types = policy.event_types_for(exception_type, year)
    assert ("covid_19" in types) == covid
    assert ("ransom_malware" in types) == ransom
    if exception_type == "pi_hardship":
        assert types == [
            "disaster",
            "practice_or_hospital_closure",
            "severe_financial_distress",
            "vendor_issue",
        ]


def test_apm_entity_only_for_euc():
    assert "apm_entity" not in policy.participation_levels_for("pi_hardship")
    assert "apm_entity" in policy.participation_levels_for("euc")


@pytest.mark.parametrize(
    ("exception_type", "year", "event_type", "asks"),
    [
        ("euc", 2024, "ransom_malware", True),
        ("euc", 2023, "ransom_malware", False),
        ("euc", 2024, "disaster", False),
    ],
)
def test_change_healthcare_question(exception_type, year, event_type, asks):
    assert policy.asks_change_healthcare(exception_type, year, event_type) is asks


@pytest.mark.parametrize(
    ("exception_type", "reason", "event", "expected"),
    [
        ("pi_hardship", "insufficient_internet_connectivity", "", "without sufficient internet access"),
        ("pi_hardship", "extreme_and_uncontrollable_circumstances", "disaster", "natural disaster"),
        ("pi_hardship", "extreme_and_uncontrollable_circumstances", "vendor_issue", "vendor issues"),
        ("pi_hardship", "extreme_and_uncontrollable_circumstances", "", ""),
        ("pi_hardship", "ehr_decertification", "", "EHR decertification issues"),
        ("pi_hardship", "", "", ""),
        ("euc", "", "disaster", "extreme and uncontrollable circumstances"),
    ],
)
def test_attestation_text(exception_type, reason, event, expected):
    text = policy.attestation_text(exception_type, reason, event)
    if expected:
        assert expected in text
    else:
        assert text == ""


def test_full_attestation_adds_all_locations_for_groups():
    individual = policy.full_attestation_text("pi_hardship", "ehr_decertification", "", "individual")
    group = policy.full_attestation_text("pi_hardship", "ehr_decertification", "", "group")
    virtual = policy.full_attestation_text("pi_hardship", "ehr_decertification", "", "virtual_group")
    assert policy.GROUP_LOCATIONS_ATTESTATION not in individual
    assert group.endswith(policy.GROUP_LOCATIONS_ATTESTATION)
    assert virtual.endswith(policy.VIRTUAL_GROUP_LOCATIONS_ATTESTATION)


@pytest.mark.parametrize(
    ("level", "ids", "key"),
    [
        ("individual", {"npi": "1234567893", "tin": "123450093"}, "individual:1234567893:123450093"),
        ("individual", {"npi": "1234567893"}, ""),
        ("group", {"tin": "123450093"}, "group:123450093"),
        ("virtual_group", {"virtual_group_identifier": "vg-000123"}, "virtual_group:VG-000123"),
        ("apm_entity", {"apm_entity_identifier": "A1001"}, "apm_entity:A1001"),
        ("", {"tin": "123450093"}, ""),
    ],
)
def test_participant_key(level, ids, key):
    assert policy.participant_key(level, **ids) == key


COMPLETE_PI = policy.ApplicationAnswers(
    exception_type="pi_hardship",
    performance_year=2024,
    participation_level="individual",
    npi="1234567893",
    tin="123450093",
    contact_phone="5177342222",
    contact_email="mary@example.com",
    submitter_relationship="clinician",
    pi_reason="insufficient_internet_connectivity",
    attested=True,
)
COMPLETE_EUC = dataclasses.replace(
    COMPLETE_PI,
    exception_type="euc",
    pi_reason="",
    requests_quality=True,
    requests_cost=True,
    event_type="disaster",
    event_start_date=dt.date(2024, 3, 1),
    event_end_date=dt.date(2024, 4, 1),
)


@pytest.mark.parametrize(
    ("base", "changes", "missing"),
    [
        (COMPLETE_PI, {}, []),
        (COMPLETE_EUC, {}, []),
        (COMPLETE_PI, {"participation_level": ""}, ["participation_level"]),
        (COMPLETE_PI, {"participation_level": "apm_entity"}, ["participation_level"]),
        (COMPLETE_PI, {"tin": ""}, ["tin"]),
        (COMPLETE_PI, {"participation_level": "group"}, ["all_locations_attested"]),
        (COMPLETE_PI, {"participation_level": "group", "all_locations_attested": True}, []),
        (
            COMPLETE_PI,
            {"participation_level": "virtual_group", "all_locations_attested": True},
            ["virtual_group_identifier"],
        ),
        (COMPLETE_PI, {"contact_phone": "517734222"}, ["contact_phone"]),
        (COMPLETE_PI, {"contact_email": ""}, ["contact_email"]),
        (COMPLETE_PI, {"submitter_relationship": "other"}, ["submitter_relationship_other"]),
        (COMPLETE_PI, {"submitter_relationship": "other", "submitter_relationship_other": "Biller"}, []),
        (COMPLETE_PI, {"pi_reason": ""}, ["pi_reason"]),
        (COMPLETE_PI, {"pi_reason": "small_practice"}, ["pi_reason"]),
        (COMPLETE_PI, {"pi_reason": "small_practice", "performance_year": 2019}, []),
        (COMPLETE_PI, {"attested": False}, ["attested"]),
        (
            COMPLETE_PI,
            {"pi_reason": "extreme_and_uncontrollable_circumstances"},
            ["event_type", "event_start_date", "event_end_date"],
        ),
        (
            COMPLETE_PI,
            {
                "pi_reason": "extreme_and_uncontrollable_circumstances",
                "event_type": "vendor_issue",
                "event_start_date": dt.date(2024, 1, 5),
                "event_still_persists": True,
            },
            [],
        ),
        (COMPLETE_PI, {"pi_reason": "ehr_decertification"}, ["event_start_date", "onc_acb_certification_id"]),
        (
            COMPLETE_PI,
            {
                "pi_reason": "ehr_decertification",
                "event_start_date": dt.date(2024, 6, 1),
                "onc_acb_certification_id": "15.04.04.2891.Alls.AC.03.1.221231",
            },
            [],
        ),
        (
            COMPLETE_PI,
            {
                "pi_reason": "ehr_decertification",
                "event_start_date": dt.date(2024, 6, 1),
                "onc_acb_certification_id": "abc",
            },
            ["onc_acb_certification_id"],
        ),
        (COMPLETE_EUC, {"requests_quality": False, "requests_cost": False}, ["requests_quality"]),
        (
            COMPLETE_EUC,
            {"participation_level": "apm_entity", "npi": "", "tin": "", "apm_entity_identifier": "A1001"},
            ["requests_quality"],
        ),
        (
            COMPLETE_EUC,
            {
                "participation_level": "apm_entity",
                "apm_entity_identifier": "A1001",
                "requests_improvement_activities": True,
                "requests_promoting_interoperability": True,
            },
            [],
        ),
        (COMPLETE_EUC, {"event_type": "covid_19"}, ["event_type"]),
        (
            COMPLETE_EUC,
            {
                "event_type": "covid_19",
                "performance_year": 2023,
                "event_start_date": dt.date(2023, 3, 1),
                "event_end_date": dt.date(2023, 4, 1),
            },
            [],
        ),
        (COMPLETE_EUC, {"event_type": "ransom_malware"}, ["change_healthcare_cyberattack"]),
        (COMPLETE_EUC, {"event_type": "ransom_malware", "change_healthcare_cyberattack": False}, []),
        (COMPLETE_EUC, {"event_end_date": None}, ["event_end_date"]),
        (COMPLETE_EUC, {"event_end_date": dt.date(2024, 2, 1)}, ["event_end_date"]),
        (
            COMPLETE_EUC,
            {"event_start_date": dt.date(2023, 1, 1), "event_end_date": dt.date(2023, 6, 1)},
            ["event_end_date"],
        ),
    ],
)
def test_missing_answers(base, changes, missing):
    assert policy.missing_answers(dataclasses.replace(base, **changes)) == missing


@pytest.mark.parametrize(
    ("changes", "step"),
    [
        ({}, "review"),
        ({"participation_level": ""}, "application-type"),
        ({"tin": ""}, "submission-information"),
        ({"contact_email": ""}, "submitter-details"),
        ({"pi_reason": ""}, "reason"),
        ({"attested": False}, "attestation"),
        ({"contact_email": "", "attested": False}, "submitter-details"),
    ],
)
def test_first_incomplete_step(changes, step):
    assert policy.first_incomplete_step(dataclasses.replace(COMPLETE_PI, **changes)) == step


@pytest.mark.parametrize(
    ("start", "end", "year", "errors"),
    [
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 2024, 0),
        (dt.date(2024, 5, 1), dt.date(2024, 5, 1), 2024, 0),
        (dt.date(2023, 6, 1), dt.date(2024, 1, 1), 2024, 0),
        (dt.date(2023, 6, 1), None, 2024, 0),
        (dt.date(2024, 5, 2), dt.date(2024, 5, 1), 2024, 1),
        (dt.date(2023, 1, 1), dt.date(2023, 12, 31), 2024, 1),
        (dt.date(2025, 1, 1), None, 2024, 1),
        (None, None, 2024, 1),
    ],
)
def test_event_date_errors(start, end, year, errors):
    assert len(policy.event_date_errors(start, end, year)) == errors


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("15.04.04.2891.Alls.AC.03.1.221231", True),
        ("15.07.04.2663.ABCD.R2.01.0.200511", True),
        ("0015E8XNZ7KJ5Q1", True),
        ("  0015E8XNZ7KJ5Q1 ", True),
        ("15.04.04.2891.Alls.AC.03.2.221231", False),
        ("15.04.04.2891.Alls.AC.03.1.22123", False),
        ("0015e8xnz7kj5q1", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_chpl_id(value, valid):
    assert policy.is_chpl_id(value) is valid


def test_clean_text_strips_control_characters_but_keeps_markup_and_newlines():
    assert policy.clean_text("<b>x</b>\x00\x1b\t\r\n") == "<b>x</b>\t\r\n"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (dt.datetime(2025, 1, 1, 1, 0, tzinfo=dt.UTC), "December 31, 2024 at 8 p.m. ET"),
        (dt.datetime(2024, 7, 1, 16, 30, tzinfo=dt.UTC), "July 1, 2024 at 12:30 p.m. ET"),
        (dt.datetime(2024, 5, 13, 4, 0, tzinfo=dt.UTC), "May 13, 2024 at 12 a.m. ET"),
    ],
)
def test_format_et(moment, text):
    assert policy.format_et(moment) == text
