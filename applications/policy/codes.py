"""Codes shared by the policy modules: values mirror applications.models choices as plain strings, so
the policy stays ORM-free."""

from __future__ import annotations

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
