"""The applicant's answers: which belong to which choice, which are missing, and the shared validation
helpers (pure; forms and services call them)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .codes import (
    APM_ENTITY,
    EHR_DECERTIFICATION,
    EUC,
    EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES,
    GROUP,
    INDIVIDUAL,
    OTHER,
    PI_HARDSHIP,
    VIRTUAL_GROUP,
)
from .texts import (
    EUC_CATEGORY_FIELDS,
    asks_change_healthcare,
    event_types_for,
    participation_levels_for,
    pi_reasons_for,
)

# ------------------------------------------------------------------------------------------------------------
# Answers, stale fields and completeness
# ------------------------------------------------------------------------------------------------------------

REASON_FIELDS: tuple[str, ...] = (
    "pi_reason",
    "event_type",
    "change_healthcare_cyberattack",
    "requests_quality",
    "requests_cost",
    "requests_improvement_activities",
    "requests_promoting_interoperability",
    "event_start_date",
    "event_end_date",
    "event_still_persists",
    "onc_acb_certification_id",
    "attested",
    "all_locations_attested",
)
PARTICIPANT_FIELDS: tuple[str, ...] = (
    "npi",
    "tin",
    "practice_not_listed",
    "virtual_group_identifier",
    "apm_entity_identifier",
    "participant_name",
)
SUBMITTER_FIELDS: tuple[str, ...] = (
    "contact_phone",
    "contact_phone_extension",
    "contact_email",
    "submitter_relationship",
    "submitter_relationship_other",
)

# When a choice changes, the answers that belonged to the old choice are cleared (issue 5: "Changing the
# reason clears the answers that belonged to the old reason; nothing stale is stored"). The attestation is
# cleared too: the applicant attested to a different statement.
STALE_FIELDS: dict[str, tuple[str, ...]] = {
    "exception_type": (*REASON_FIELDS, "participation_level", *PARTICIPANT_FIELDS),
    "participation_level": (*PARTICIPANT_FIELDS, "all_locations_attested", "attested"),
    "pi_reason": tuple(
        f for f in REASON_FIELDS if f not in ("pi_reason", "requests_promoting_interoperability")
    ),
    "event_type": (
        "change_healthcare_cyberattack",
        "event_start_date",
        "event_end_date",
        "event_still_persists",
        "attested",
    ),
}

# The empty value of each clearable field.
FIELD_EMPTY_VALUES: dict[str, object] = {
    "participation_level": "",
    "npi": "",
    "tin": "",
    "practice_not_listed": False,
    "virtual_group_identifier": "",
    "apm_entity_identifier": "",
    "participant_name": "",
    "pi_reason": "",
    "event_type": "",
    "change_healthcare_cyberattack": None,
    "requests_quality": False,
    "requests_cost": False,
    "requests_improvement_activities": False,
    "requests_promoting_interoperability": False,
    "event_start_date": None,
    "event_end_date": None,
    "event_still_persists": False,
    "onc_acb_certification_id": "",
    "attested": False,
    "all_locations_attested": False,
}


@dataclass(frozen=True)
class ApplicationAnswers:
    """A snapshot of everything the applicant answered (model field names)."""

    exception_type: str
    performance_year: int
    participation_level: str = ""
    npi: str = ""
    tin: str = ""
    practice_not_listed: bool = False
    virtual_group_identifier: str = ""
    apm_entity_identifier: str = ""
    contact_phone: str = ""
    contact_phone_extension: str = ""
    contact_email: str = ""
    submitter_relationship: str = ""
    submitter_relationship_other: str = ""
    pi_reason: str = ""
    event_type: str = ""
    change_healthcare_cyberattack: bool | None = None
    requests_quality: bool = False
    requests_cost: bool = False
    requests_improvement_activities: bool = False
    requests_promoting_interoperability: bool = False
    event_start_date: dt.date | None = None
    event_end_date: dt.date | None = None
    event_still_persists: bool = False
    onc_acb_certification_id: str = ""
    attested: bool = False
    all_locations_attested: bool = False
    event_description: str = ""


ANSWER_FIELDS: tuple[str, ...] = tuple(ApplicationAnswers.__dataclass_fields__)

WIZARD_STEPS: tuple[str, ...] = (
    "application-type",
    "submission-information",
    "submitter-details",
    "additional-access",
    "reason",
    "attestation",
    "review",
)

# Which wizard step asks for each field (used to send the applicant back to the first incomplete step).
FIELD_STEPS: dict[str, str] = {
    "exception_type": "application-type",
    "participation_level": "application-type",
    "npi": "application-type",
    "tin": "submission-information",
    "virtual_group_identifier": "application-type",
    "apm_entity_identifier": "application-type",
    "contact_phone": "submitter-details",
    "contact_email": "submitter-details",
    "submitter_relationship": "submitter-details",
    "submitter_relationship_other": "submitter-details",
    "pi_reason": "reason",
    "event_type": "reason",
    "change_healthcare_cyberattack": "reason",
    "requests_quality": "reason",
    "event_start_date": "reason",
    "event_end_date": "reason",
    "onc_acb_certification_id": "reason",
    "attested": "attestation",
    "all_locations_attested": "attestation",
}

MISSING_MESSAGES: dict[str, str] = {
    "participation_level": "Select an application type.",
    "npi": "Enter the clinician NPI.",
    "tin": "Select the practice affiliation (TIN).",
    "virtual_group_identifier": "Enter the virtual group identifier.",
    "apm_entity_identifier": "Enter the APM Entity identifier.",
    "contact_phone": "Enter a contact phone number.",
    "contact_email": "Enter a contact email address.",
    "submitter_relationship": "Select your relationship to the clinician, group or virtual group.",
    "submitter_relationship_other": "Describe your relationship.",
    "pi_reason": "Select the reason for the Promoting Interoperability hardship.",
    "event_type": "Select the event type.",
    "change_healthcare_cyberattack": (
        "Answer whether this application is due to the Change Healthcare cyberattack."
    ),
    "requests_quality": "Select at least one performance category.",
    "event_start_date": "Enter the event start date.",
    "event_end_date": "Enter the event end date or select Still persists.",
    "onc_acb_certification_id": "Enter the ONC-ACB certification ID.",
    "attested": "Select I attest to confirm the attestation.",
    "all_locations_attested": "Confirm that every location experienced the hardship.",
}


def participant_key(
    participation_level: str,
    *,
    npi: str = "",
    tin: str = "",
    virtual_group_identifier: str = "",
    apm_entity_identifier: str = "",
) -> str:
    """The identity the one-open-application constraint is keyed on; empty until the participant is
    complete."""
    if participation_level == INDIVIDUAL and npi and tin:
        return f"individual:{npi}:{tin}"
    if participation_level == GROUP and tin:
        return f"group:{tin}"
    if participation_level == VIRTUAL_GROUP and virtual_group_identifier:
        return f"virtual_group:{virtual_group_identifier.upper()}"
    if participation_level == APM_ENTITY and apm_entity_identifier:
        return f"apm_entity:{apm_entity_identifier.upper()}"
    return ""


def missing_answers(answers: ApplicationAnswers) -> list[str]:
    """Field names still missing (or invalid) before the application can be submitted, in wizard order."""
    a = answers
    missing: list[str] = []
    if a.participation_level not in participation_levels_for(a.exception_type):
        missing.append("participation_level")
    elif a.participation_level == INDIVIDUAL:
        if not a.npi:
            missing.append("npi")
        if not a.tin:
            missing.append("tin")
    elif a.participation_level == GROUP:
        if not a.tin:
            missing.append("tin")
    elif a.participation_level == VIRTUAL_GROUP:
        if not a.virtual_group_identifier:
            missing.append("virtual_group_identifier")
    elif a.participation_level == APM_ENTITY and not a.apm_entity_identifier:
        missing.append("apm_entity_identifier")

    # Seed 003_…, Step 6 / seed 004_…: contact details are required.
    if len(a.contact_phone) != 10 or not a.contact_phone.isdigit():
        missing.append("contact_phone")
    if not a.contact_email:
        missing.append("contact_email")
    if not a.submitter_relationship:
        missing.append("submitter_relationship")
    elif a.submitter_relationship == OTHER and not a.submitter_relationship_other.strip():
        missing.append("submitter_relationship_other")

    needs_event_dates = False
    if a.exception_type == PI_HARDSHIP:
        if a.pi_reason not in pi_reasons_for(a.performance_year):
            missing.append("pi_reason")
        elif a.pi_reason == EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES:
            if a.event_type not in event_types_for(PI_HARDSHIP, a.performance_year):
                missing.append("event_type")
            needs_event_dates = True
        elif a.pi_reason == EHR_DECERTIFICATION:
            if not a.event_start_date:
                missing.append("event_start_date")
            if not is_chpl_id(a.onc_acb_certification_id):
                missing.append("onc_acb_certification_id")
    else:
        categories = [getattr(a, f) for f in EUC_CATEGORY_FIELDS]
        if not any(categories) or (a.participation_level == APM_ENTITY and not all(categories)):
            missing.append("requests_quality")
        if a.event_type not in event_types_for(EUC, a.performance_year):
            missing.append("event_type")
        elif asks_change_healthcare(a.exception_type, a.performance_year, a.event_type) and (
            a.change_healthcare_cyberattack is None
        ):
            missing.append("change_healthcare_cyberattack")
        needs_event_dates = True

    if needs_event_dates:
        if not a.event_start_date:
            missing.append("event_start_date")
        if (
            not a.event_still_persists
            and not a.event_end_date
            or a.event_start_date
            and event_date_errors(
                a.event_start_date, None if a.event_still_persists else a.event_end_date, a.performance_year
            )
        ):
            missing.append("event_end_date")

    if not a.attested:
        missing.append("attested")
    if a.participation_level in (GROUP, VIRTUAL_GROUP) and not a.all_locations_attested:
        missing.append("all_locations_attested")
    return missing


def first_incomplete_step(answers: ApplicationAnswers) -> str:
    """The wizard step a draft should resume at: the first step with a missing answer, else review."""
    missing = missing_answers(answers)
    steps = {FIELD_STEPS.get(name, "review") for name in missing}
    for step in WIZARD_STEPS:
        if step in steps:
            return step
    return "review"


# ------------------------------------------------------------------------------------------------------------
# Validation helpers shared by forms and services
# ------------------------------------------------------------------------------------------------------------

# ONC's Certified Health IT Product List (CHPL) identifiers. A CHPL product number (listing ID) has nine
# dot-separated parts, e.g. "15.04.04.2891.Alls.AC.03.1.221231" (edition, ONC-ACB code, ATL code, developer
# code, product code, version code, ICS code, additional-software flag, certification date YYMMDD); the older
# "CMS EHR Certification ID" shown by the CHPL cart is 15 upper-case letters and digits, e.g.
# "0015E8XNZ7KJ5Q1".
CHPL_PRODUCT_NUMBER_RE = re.compile(
    r"^\d{2}\.\d{2}\.\d{2}\.\d{4}\.[A-Za-z0-9_]{4}\.[A-Za-z0-9_]{2}\.\d{2}\.[01]\.\d{6}$"
)
CMS_EHR_CERTIFICATION_ID_RE = re.compile(r"^[0-9A-Z]{15}$")
CHPL_ID_MESSAGE = (
    "Enter the ONC-ACB certification ID as it appears on the Certified Health IT Product List (CHPL), for "
    "example "
    "15.04.04.2891.Alls.AC.03.1.221231 or 0015E8XNZ7KJ5Q1."
)


def is_chpl_id(value: str) -> bool:
    value = (value or "").strip()
    return bool(CHPL_PRODUCT_NUMBER_RE.match(value) or CMS_EHR_CERTIFICATION_ID_RE.match(value))


def event_date_errors(start: dt.date | None, end: dt.date | None, performance_year: int) -> list[str]:
    """Issue 5 point 8: dates must be real (the form parses them), start on or before end, and overlap the
    performance year. `end=None` means the event still persists."""
    errors: list[str] = []
    if start is None:
        return ["Enter the event start date."]
    if end is not None and start > end:
        errors.append("The event start date must be on or before the end date.")
    year_start, year_end = dt.date(performance_year, 1, 1), dt.date(performance_year, 12, 31)
    if start > year_end or (end is not None and end < year_start):
        errors.append(f"The event dates must overlap the {performance_year} performance year.")
    return errors


_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Strip control characters (keeping tab, newline, carriage return); markup is stored as typed and escaped
    on output."""
    return _CONTROL_CHARS_RE.sub("", value or "")
