"""Exception application policy: CMS's texts and rules, pure Python (no ORM).

Dataclasses in, dataclasses out, so every rule is tested table-driven without a database. Texts are CMS's own
words from the seed documents in /work/shared/seeds; each block cites its source.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")

# The first year of the Quality Payment Program (seed 000_…: the 2017 hardship exception overview).
FIRST_PERFORMANCE_YEAR = 2017

# Values mirror applications.models choices (kept as plain strings so this module stays ORM-free).
PI_HARDSHIP = "pi_hardship"
EUC = "euc"

INDIVIDUAL = "individual"
GROUP = "group"
VIRTUAL_GROUP = "virtual_group"
APM_ENTITY = "apm_entity"

INSUFFICIENT_INTERNET_CONNECTIVITY = "insufficient_internet_connectivity"
EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES = "extreme_and_uncontrollable_circumstances"
LACK_OF_CONTROL_OVER_CEHRT = "lack_of_control_over_cehrt"
EHR_DECERTIFICATION = "ehr_decertification"
SMALL_PRACTICE = "small_practice"

DISASTER = "disaster"
PRACTICE_OR_HOSPITAL_CLOSURE = "practice_or_hospital_closure"
SEVERE_FINANCIAL_DISTRESS = "severe_financial_distress"
VENDOR_ISSUE = "vendor_issue"
RANSOM_MALWARE = "ransom_malware"
COVID_19 = "covid_19"
OTHER = "other"

EVENT_TYPE_LABELS: dict[str, str] = {
    DISASTER: "Disaster",
    PRACTICE_OR_HOSPITAL_CLOSURE: "Practice or Hospital Closure",
    SEVERE_FINANCIAL_DISTRESS: "Severe Financial Distress (bankruptcy or debt restructuring)",
    VENDOR_ISSUE: "Vendor Issue",
    RANSOM_MALWARE: "Ransom/Malware",
    COVID_19: "COVID-19",
    OTHER: "Other",
}

# ------------------------------------------------------------------------------------------------------------
# Step 3: exception types and CMS's explanation of each (seed 003_…, Step 3 "Add New Exception").
# ------------------------------------------------------------------------------------------------------------

EXCEPTION_TYPE_LABELS: dict[str, str] = {
    PI_HARDSHIP: "MIPS Promoting Interoperability Performance Category Hardship Exception",
    EUC: "Extreme and Uncontrollable Circumstances Exception",
}

EXCEPTION_TYPE_EXPLANATIONS: dict[str, str] = {
    PI_HARDSHIP: (
        "The MIPS Promoting Interoperability Performance Category Hardship Exception applications allows you "
        "to "
        "request reweighting specifically for the Promoting Interoperability performance category if you "
        "qualify "
        "for one of the reasons identified below."
    ),
    EUC: (
        "The Extreme and Uncontrollable Circumstances Exception application allows you to request "
        "reweighting for "
        "any or all performance categories if you encounter an extreme and uncontrollable circumstance or "
        "public "
        "health emergency, such as the Change Healthcare Cyberattack, that is outside of your control."
    ),
}

# Seed 003_…, Step 3: the bullet list under the PI hardship option.
PI_HARDSHIP_BULLETS: tuple[str, ...] = (
    "You have decertified EHR technology",
    "You have insufficient internet connectivity",
    "You face extreme and uncontrollable circumstances such as disaster, practice closure, severe financial "
    "distress or vendor issues",
    "You lack control over the availability of CEHRT",
)

# Seed 003_…, Step 3: shown under the EUC option.
EUC_ROUTING_NOTE = (
    "All other events such as vendor issues, decertification of EHR, etc. should be filed as a Promoting "
    "Interoperability Hardship Exception."
)

# ------------------------------------------------------------------------------------------------------------
# Step 8 / Step 9: PI hardship reasons, explanations and attestations (seed 003_…, Steps 8 and 9, word for
# word,
# including CMS's own typos such as "in the form a natural disaster" and "lacked of control").
# ------------------------------------------------------------------------------------------------------------

PI_REASON_LABELS: dict[str, str] = {
    INSUFFICIENT_INTERNET_CONNECTIVITY: "Insufficient Internet Connectivity",
    EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES: "Extreme and Uncontrollable Circumstances",
    LACK_OF_CONTROL_OVER_CEHRT: "Lack of Control over the Availability of CEHRT",
    EHR_DECERTIFICATION: "EHR Decertification",
    SMALL_PRACTICE: "Small Practice",
}

PI_REASON_EXPLANATIONS: dict[str, str] = {
    INSUFFICIENT_INTERNET_CONNECTIVITY: (
        "In order to be approved for this hardship exception, the clinician(s) must attest to practicing in "
        "an "
        "area without sufficient internet access or facing insurmountable barriers to obtaining "
        "infrastructure "
        "(e.g. lack of broadband)."
    ),
    EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES: (
        "In order to be approved for this hardship exception, the clinician(s) must attest to facing Extreme "
        "and "
        "Uncontrollable Circumstances that prevented the clinician(s) from meeting the requirements of the "
        "promoting interoperability (PI) performance category."
    ),
    LACK_OF_CONTROL_OVER_CEHRT: (
        "In order to be approved for this hardship application, the eligible clinician(s) must attest to a "
        "lack of "
        "control over the availability of CEHRT in 1 or more practice locations where more than 50 percent "
        "of the "
        "patient encounters occurred."
    ),
    EHR_DECERTIFICATION: (
        "In order to be approved for this hardship exception, the clinician(s) must attest to experiencing "
        "issues "
        "with the certification of the EHR product such as decertification."
    ),
    # Seed 001_…: in 2019 a small practice (15 or fewer clinicians) could apply; the explanation follows the
    # wording pattern of the other reasons (the 2019 portal text is not in the seeds).
    SMALL_PRACTICE: (
        "In order to be approved for this hardship exception, the clinician(s) must attest to practicing in "
        "a "
        "small practice of 15 or fewer clinicians facing overwhelming barriers to meeting the requirements "
        "of "
        "the promoting interoperability (PI) performance category."
    ),
}

# Seed 003_…, Step 9 (the "I attest that:" statements).
PI_REASON_ATTESTATIONS: dict[str, str] = {
    INSUFFICIENT_INTERNET_CONNECTIVITY: (
        "On behalf of the clinician(s) listed in this application, I am requesting this hardship exception "
        "and "
        "attest that the clinician(s) was(were) located in an area without sufficient internet access to "
        "comply "
        "with the promoting interoperability (PI) performance category objectives requiring internet "
        "connectivity, and faced insurmountable barriers to obtaining such internet connectivity."
    ),
    LACK_OF_CONTROL_OVER_CEHRT: (
        "On behalf of the clinician(s) listed in this application, I am requesting this hardship exception "
        "and "
        "attest that the clinician(s) lacked of control over the availability of CEHRT in 1 or more practice "
        "locations where more than 50 percent of the patient encounters occurred."
    ),
    EHR_DECERTIFICATION: (
        "On behalf of the clinician(s) listed in this application, I am requesting this hardship exception "
        "and "
        "attest that the clinician(s) was(were) faced with EHR decertification issues."
    ),
    # Not in the seeds (2019 reason, seed 001_…); same pattern as the 2024 statements.
    SMALL_PRACTICE: (
        "On behalf of the clinician(s) listed in this application, I am requesting this hardship exception "
        "and "
        "attest that the clinician(s) practiced in a small practice of 15 or fewer clinicians and faced "
        "overwhelming barriers to meeting the requirements of the promoting interoperability (PI) "
        "performance "
        "category."
    ),
}

# PI hardship, reason "Extreme and Uncontrollable Circumstances": the statement depends on the event type.
# Seed 003_…, Step 9 option 2 shows the Disaster statement word for word; the guide's screenshot shows only
# that
# one, so the other three follow its wording with the circumstance CMS names in the Overview ("Practice
# closure", "Severe financial distress resulting in bankruptcy or debt restructuring", "Vendor issues (such
# as a
# change in vendors during the performance period or errors with your CEHRT that your vendor is unable to
# address)").
_PI_EUC_PREFIX = (
    "On behalf of the clinician(s) listed in this application, I am requesting this hardship exception and "
    "attest "
    "that the clinician(s) faced extreme and uncontrollable circumstances in the form "
)
PI_EUC_ATTESTATIONS: dict[str, str] = {
    DISASTER: _PI_EUC_PREFIX + "a natural disaster in which the EHR system was damaged or destroyed.",
    PRACTICE_OR_HOSPITAL_CLOSURE: _PI_EUC_PREFIX + "of a practice or hospital closure.",
    SEVERE_FINANCIAL_DISTRESS: _PI_EUC_PREFIX
    + "of severe financial distress resulting in bankruptcy or debt "
    "restructuring.",
    VENDOR_ISSUE: _PI_EUC_PREFIX
    + "of vendor issues, such as a change in vendors during the performance period or "
    "errors with the CEHRT that the vendor is unable to address.",
}

PI_EUC_EVENT_TYPES: tuple[str, ...] = (
    DISASTER,
    PRACTICE_OR_HOSPITAL_CLOSURE,
    SEVERE_FINANCIAL_DISTRESS,
    VENDOR_ISSUE,
)

# ------------------------------------------------------------------------------------------------------------
# EUC application (seed 002_…): categories, event types and the attestation.
# ------------------------------------------------------------------------------------------------------------

EUC_EXPLANATION = (
    # Seed 002_…, "MIPS Extreme and Uncontrollable Circumstances Exception Application".
    "Extreme and uncontrollable circumstances are rare events entirely outside of your control and the "
    "control of "
    "the facility in which you practice. These circumstances would: cause you to be unable to collect "
    "information "
    "necessary to submit for a MIPS performance category; cause you to be unable to submit information that "
    "would "
    "be used to score a MIPS performance category for an extended period of time (for example, if you were "
    "unable "
    "to collect data for the quality performance category for 3 months); or impact your normal processes, "
    "affecting your performance on cost measures and other administrative claims measures."
)

# Seed 002_…: "data submission overrides approved reweighting on a category-by-category basis."
EUC_DATA_OVERRIDE_NOTE = (
    "If your application is approved, you won't be required to report data for the performance category or "
    "categories included in it. However, please note that data submission overrides approved reweighting on "
    "a "
    "category-by-category basis. We'll score any data you or someone on your behalf submits, and those "
    "performance "
    "categories will contribute to your final score."
)

# Seed 002_…: "Alternate Payment Model (APM) Entities can also submit applications, but they must apply for
# all
# performance categories."
APM_ENTITY_ALL_CATEGORIES_MESSAGE = "APM Entities must apply for all performance categories."

EUC_CATEGORY_FIELDS: dict[str, str] = {
    "requests_quality": "Quality",
    "requests_cost": "Cost",
    "requests_improvement_activities": "Improvement Activities",
    "requests_promoting_interoperability": "Promoting Interoperability",
}

EUC_EVENT_TYPES: tuple[str, ...] = (
    DISASTER,
    PRACTICE_OR_HOSPITAL_CLOSURE,
    SEVERE_FINANCIAL_DISTRESS,
    RANSOM_MALWARE,
    COVID_19,
    OTHER,
)

# The EUC statement; seed 002_… defines the circumstance, the statement follows the PI statements' wording.
EUC_ATTESTATION = (
    "On behalf of the clinician(s) listed in this application, I am requesting this exception and attest "
    "that the "
    "clinician(s) faced extreme and uncontrollable circumstances entirely outside of their control and the "
    "control "
    "of the facility in which they practice, which prevented them from collecting or submitting the "
    "information "
    "for, or affected their performance in, the performance categories selected in this application."
)

# Seed 003_…, Groups and Virtual Groups.
GROUP_LOCATIONS_ATTESTATION = (
    "Every office location/practice site within the taxpayer identification number (TIN) experienced the "
    "hardship."
)
VIRTUAL_GROUP_LOCATIONS_ATTESTATION = (
    "Every office location/practice site for each TIN within the virtual group experienced the hardship."
)

# Seed 003_…, Step 2 banner.
PY2024_BANNER_NOTE = (
    'Applications due to the Change Healthcare Cyberattack should include "Ransom/Malware" as the Event '
    "Type. "
    "Please note we're no longer accepting applications due to COVID-19."
)
COVID_19_REFUSED_MESSAGE = "We're no longer accepting applications due to COVID-19."
# Seed 003_…, Step 2 banner: COVID-19 refused from PY2024 (field notes: "COVID-19 is no longer accepted").
LAST_COVID_19_YEAR = 2023
# Field notes: "From PY2024 an EUC with event type Ransom/Malware asks whether it concerns the Change
# Healthcare
# cyberattack".
FIRST_CHANGE_HEALTHCARE_QUESTION_YEAR = 2024
CHANGE_HEALTHCARE_QUESTION = "Is this application due to the Change Healthcare cyberattack?"

# ------------------------------------------------------------------------------------------------------------
# Step 10 texts (seed 003_…, Step 10 "Certify and Submit for Review").
# ------------------------------------------------------------------------------------------------------------

GENERAL_NOTICE = (
    "No Quality Payment Program Promoting Interoperability performance category hardship exception may be "
    "granted "
    "unless this application is completed. If the clinician or group associated with this application "
    "reports any "
    "data as an individual or a group to the Promoting Interoperability category this application will be "
    "dismissed. If this individual or group is a participant in a MIPS Alternative Payment Model (APM) they "
    "do not "
    "need to report data for the Promoting Interoperability performance category. However, the individual or "
    "group "
    "will receive the APM entity score for Promoting Interoperability as determined by the APM scoring "
    "standard if "
    "the performance category is not reweighted for the entire APM entity."
)
# The EUC application's notice, built from seed 002_… (the PI notice above speaks only of PI).
EUC_GENERAL_NOTICE = (
    "No Quality Payment Program Extreme and Uncontrollable Circumstances exception may be granted unless "
    "this "
    "application is completed. Data submission overrides approved reweighting on a category-by-category "
    "basis: we'll "
    "score any data you or someone on your behalf submits, and those performance categories will contribute "
    "to your "
    "final score."
)
DISCLOSURES = (
    "Submission of this Promoting Interoperability performance category hardship exception application is "
    "voluntary. Failure to provide necessary information to identify the clinician or group will result in "
    "processing delays or denial of the Quality Payment Program Promoting Interoperability performance "
    "category "
    "hardship exception application."
)
EUC_DISCLOSURES = (
    "Submission of this Extreme and Uncontrollable Circumstances exception application is voluntary. Failure "
    "to "
    "provide necessary information to identify the clinician or group will result in processing delays or "
    "denial "
    "of the Quality Payment Program Extreme and Uncontrollable Circumstances exception application."
)
# The seed's screenshot text stops at "punishable under Federal and state law and"; the ending is the standard
# CMS form wording ("may also be subject to civil penalties").
NOTICE = (
    "Any person who knowingly files a statement of claim containing any false, incomplete, or misleading "
    "information may be guilty of a criminal act punishable under Federal and state law and may also be "
    "subject "
    "to civil penalties."
)
# The seed's screenshot text stops at "Furthermore, I am submitting this request as"; the ending names who the
# submitter may be (seed 003_…, Overview: the clinician, the practice, or a third party intermediary with
# permission).
CERTIFICATION_STATEMENTS: dict[str, str] = {
    PI_HARDSHIP: (
        "By submitting this Promoting Interoperability Hardship Exception Application, I am certifying that "
        "the "
        "details entered are correct to the best of my knowledge. Furthermore, I am submitting this request "
        "as the "
        "clinician, group or virtual group identified in this application, or as a third party intermediary "
        "with "
        "their permission."
    ),
    EUC: (
        "By submitting this Extreme and Uncontrollable Circumstances Exception Application, I am certifying "
        "that the "
        "details entered are correct to the best of my knowledge. Furthermore, I am submitting this request "
        "as the "
        "clinician, group, virtual group or APM Entity identified in this application, or as a third party "
        "intermediary with their permission."
    ),
}

# Seed 003_…, "We don't need documentation" note under Step 8.
DOCUMENTATION_NOTE = (
    "You don't need to submit supporting documentation with your application. However, you should retain "
    "documentation of the circumstances supporting your application for your own records in case you are "
    "selected "
    "by CMS for data validation or an audit."
)

# ------------------------------------------------------------------------------------------------------------
# Appendix E: status descriptions (seed 003_…, Appendix E).
# ------------------------------------------------------------------------------------------------------------

STATUS_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "draft": (
        "You're currently working on your application and haven't submitted it yet.",
        # The guide says "Select Manage…"; our page's button is named "Continue application".
        "Select Continue application to continue working on your application.",
    ),
    "submitted": (
        "You've successfully completed and submitted your application.",
        "Applications are reviewed in the order of which they're received.",
    ),
    "approved": ("We completed our review of your application and approved your request.",),
    "denied": ("We completed our review of your application and denied your request.",),
    "withdrawn": (
        "You've withdrawn your application. You can withdraw your application at any point in the process.",
        "An application can't be reopened after being withdrawn. You'll need to complete a new application.",
    ),
}
WITHDRAW_WARNING = (
    "An application can't be reopened after being withdrawn. You'll need to complete a new application."
)

# ------------------------------------------------------------------------------------------------------------
# Choices per year
# ------------------------------------------------------------------------------------------------------------


def pi_reasons_for(performance_year: int) -> list[str]:
    """PI hardship reasons offered for a year: the four 2024 reasons (seed 003_…, Step 8) plus Small Practice
    up to 2019 (seed 001_…; from 2020 small practices are automatically reweighted, Appendix A)."""
    reasons = [
        INSUFFICIENT_INTERNET_CONNECTIVITY,
        EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES,
        LACK_OF_CONTROL_OVER_CEHRT,
        EHR_DECERTIFICATION,
    ]
    if performance_year <= 2019:
        reasons.insert(0, SMALL_PRACTICE)
    return reasons


def event_types_for(exception_type: str, performance_year: int) -> list[str]:
    """Event types offered: PI hardship's EUC reason offers four (seed 003_…, Step 9 option 2); the EUC
    application offers COVID-19 only up to PY2023 (seed 003_…, Step 2 banner)."""
    if exception_type == PI_HARDSHIP:
        return list(PI_EUC_EVENT_TYPES)
    return [e for e in EUC_EVENT_TYPES if e != COVID_19 or performance_year <= LAST_COVID_19_YEAR]


def participation_levels_for(exception_type: str) -> list[str]:
    """Seed 003_…, MIPS APM Participants: "The Promoting Interoperability Hardship Exception application isn't
    available to APM Entities." Seed 002_…: APM Entities can file the EUC application."""
    if exception_type == PI_HARDSHIP:
        return [INDIVIDUAL, GROUP, VIRTUAL_GROUP]
    return [INDIVIDUAL, GROUP, VIRTUAL_GROUP, APM_ENTITY]


def asks_change_healthcare(exception_type: str, performance_year: int, event_type: str) -> bool:
    return (
        exception_type == EUC
        and event_type == RANSOM_MALWARE
        and performance_year >= FIRST_CHANGE_HEALTHCARE_QUESTION_YEAR
    )


def attestation_text(exception_type: str, pi_reason: str = "", event_type: str = "") -> str:
    """The "I attest that:" statement for the chosen reason; empty when the reason is not chosen yet."""
    if exception_type == EUC:
        return EUC_ATTESTATION
    if pi_reason == EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES:
        return PI_EUC_ATTESTATIONS.get(event_type, "")
    return PI_REASON_ATTESTATIONS.get(pi_reason, "")


def reason_explanation(exception_type: str, pi_reason: str = "") -> str:
    if exception_type == EUC:
        return EUC_EXPLANATION
    return PI_REASON_EXPLANATIONS.get(pi_reason, "")


def locations_attestation_text(participation_level: str) -> str:
    if participation_level == GROUP:
        return GROUP_LOCATIONS_ATTESTATION
    if participation_level == VIRTUAL_GROUP:
        return VIRTUAL_GROUP_LOCATIONS_ATTESTATION
    return ""


def full_attestation_text(
    exception_type: str, pi_reason: str, event_type: str, participation_level: str
) -> str:
    """What the applicant attested to, as snapshotted at submission (statement + all-locations statement)."""
    parts = [attestation_text(exception_type, pi_reason, event_type)]
    locations = locations_attestation_text(participation_level)
    if locations:
        parts.append(locations)
    return "\n\n".join(p for p in parts if p)


def certification_statement(exception_type: str) -> str:
    return CERTIFICATION_STATEMENTS[exception_type]


def general_notice(exception_type: str) -> str:
    return GENERAL_NOTICE if exception_type == PI_HARDSHIP else EUC_GENERAL_NOTICE


def disclosures(exception_type: str) -> str:
    return DISCLOSURES if exception_type == PI_HARDSHIP else EUC_DISCLOSURES


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

# When a choice changes, the answers that belonged to the old choice are cleared (issue 5: "Changing the
# reason
# clears the answers that belonged to the old reason; nothing stale is stored"). The attestation is cleared
# too:
# the applicant attested to a different statement.
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


# ------------------------------------------------------------------------------------------------------------
# Windows (issue 5 point 2; seed 002_…: "available through December 31, 2024, at 8:00 PM ET")
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReopeningSpec:
    opens_at: dt.datetime
    closes_at: dt.datetime
    event_type: str
    change_healthcare_cyberattack_only: bool = False
    note: str = ""


@dataclass(frozen=True)
class WindowSpec:
    performance_year: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    reopenings: tuple[ReopeningSpec, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class WindowDecision:
    allowed: bool
    # "open", "reopened", "not_yet_open", "closed", "no_window", "reopened_other_event"
    state: str
    message: str = ""


def format_et(moment: dt.datetime, *, with_time: bool = True) -> str:
    """'December 31, 2024 at 8 p.m. ET' (CMS's style), in Eastern Time."""
    local = moment.astimezone(EASTERN)
    date_text = f"{local:%B} {local.day}, {local.year}"
    if not with_time:
        return date_text
    hour = local.hour % 12 or 12
    suffix = "a.m." if local.hour < 12 else "p.m."
    minutes = f":{local.minute:02d}" if local.minute else ""
    if local.hour == 0 and local.minute == 0:
        return f"{date_text} at 12 a.m. ET"
    return f"{date_text} at {hour}{minutes} {suffix} ET"


def _in(opens_at: dt.datetime, closes_at: dt.datetime, now_utc: dt.datetime) -> bool:
    # Closing time is exclusive: on the closing day 19:59:59 ET is accepted, 20:00:00 ET is refused.
    return opens_at <= now_utc < closes_at


def window_allows_submission(
    window: WindowSpec | None,
    now_utc: dt.datetime,
    event_type: str = "",
    *,
    change_healthcare_cyberattack: bool | None = None,
    performance_year: int | None = None,
) -> WindowDecision:
    """May an application be submitted now? Uses the server's clock (aware, UTC) read in Eastern Time."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    now_et = now_utc.astimezone(EASTERN)
    keep = "You can keep this draft, but you can't submit it."
    if window is None:
        year = performance_year if performance_year is not None else "this"
        return WindowDecision(
            False, "no_window", f"The {year} QPP Exception Applications window isn't open. {keep}"
        )
    year = window.performance_year
    if _in(window.opens_at, window.closes_at, now_et):
        return WindowDecision(True, "open")
    for reopening in window.reopenings:
        if not _in(reopening.opens_at, reopening.closes_at, now_et):
            continue
        accepted = event_type == reopening.event_type and (
            not reopening.change_healthcare_cyberattack_only or change_healthcare_cyberattack is True
        )
        if accepted:
            return WindowDecision(True, "reopened")
        only = EVENT_TYPE_LABELS.get(reopening.event_type, reopening.event_type)
        if reopening.change_healthcare_cyberattack_only:
            only = f"{only} (Change Healthcare cyberattack)"
        return WindowDecision(
            False,
            "reopened_other_event",
            f"The {year} QPP Exception Applications window is reopened until "
            f"{format_et(reopening.closes_at)} only "
            f"for applications with the event type {only}. {keep}",
        )
    if now_et < window.opens_at:
        return WindowDecision(
            False,
            "not_yet_open",
            f"The {year} QPP Exception Applications window opens {format_et(window.opens_at)}. {keep}",
        )
    return WindowDecision(
        False,
        "closed",
        f"The {year} QPP Exception Applications window closed {format_et(window.closes_at)}. {keep}",
    )


@dataclass(frozen=True)
class WindowBanner:
    is_open: bool
    heading: str
    text: str
    opens_on: str
    closes_on: str


def window_banner(window: WindowSpec | None, now_utc: dt.datetime, performance_year: int) -> WindowBanner:
    """The dashboard banner (seed 003_…, Step 2: "QPP Exception Application Window is Open" / "The 2024 QPP
    Exception Applications window will close December 31, 2024 at 8 p.m. ET.")."""
    if window is None:
        return WindowBanner(
            False,
            "QPP Exception Application Window is Closed",
            f"There is no QPP Exception Applications window for the {performance_year} performance year.",
            "",
            "",
        )
    opens_on, closes_on = (
        format_et(window.opens_at, with_time=False),
        format_et(window.closes_at, with_time=False),
    )
    year = window.performance_year
    if _in(window.opens_at, window.closes_at, now_utc):
        text = f"The {year} QPP Exception Applications window will close {format_et(window.closes_at)}."
        if year >= FIRST_CHANGE_HEALTHCARE_QUESTION_YEAR:
            text = f"{text} {PY2024_BANNER_NOTE}"
        return WindowBanner(True, "QPP Exception Application Window is Open", text, opens_on, closes_on)
    for reopening in window.reopenings:
        if _in(reopening.opens_at, reopening.closes_at, now_utc):
            only = EVENT_TYPE_LABELS.get(reopening.event_type, reopening.event_type)
            if reopening.change_healthcare_cyberattack_only:
                only = f"{only} (Change Healthcare cyberattack)"
            return WindowBanner(
                True,
                "QPP Exception Application Window is Reopened",
                f"The {year} QPP Exception Applications window is reopened until "
                f"{format_et(reopening.closes_at)} "
                f"only for applications with the event type {only}.",
                opens_on,
                closes_on,
            )
    if now_utc < window.opens_at:
        return WindowBanner(
            False,
            "QPP Exception Application Window is Not Open Yet",
            f"The {year} QPP Exception Applications window will open {opens_on} and close "
            f"{format_et(window.closes_at)}.",
            opens_on,
            closes_on,
        )
    return WindowBanner(
        False,
        "QPP Exception Application Window is Closed",
        f"The {year} QPP Exception Applications window opened {opens_on} and closed "
        f"{format_et(window.closes_at)}.",
        opens_on,
        closes_on,
    )
