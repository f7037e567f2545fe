"""CMS's texts for the application, word for word from the seeds where they give them (each block cites
its source): exception types, reasons, attestations, notices, certification and statuses."""

from __future__ import annotations

from .codes import (
    APM_ENTITY,
    COVID_19,
    DISASTER,
    EHR_DECERTIFICATION,
    EUC,
    EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES,
    GROUP,
    INDIVIDUAL,
    INSUFFICIENT_INTERNET_CONNECTIVITY,
    LACK_OF_CONTROL_OVER_CEHRT,
    OTHER,
    PI_HARDSHIP,
    PRACTICE_OR_HOSPITAL_CLOSURE,
    RANSOM_MALWARE,
    SEVERE_FINANCIAL_DISTRESS,
    SMALL_PRACTICE,
    VENDOR_ISSUE,
    VIRTUAL_GROUP,
)

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
