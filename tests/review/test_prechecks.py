"""The pure pre-check function, table-driven, without a database (issue 7 point 2)."""

import datetime as dt

import pytest

from applications import prechecks as p
from eligibility import rules


def _inp(**overrides):
    values = {
        "reference": "PI-2026-000001",
        "exception_type": "pi_hardship",
        "performance_year": 2026,
        "participation_level": "individual",
        "pi_reason": "lack_of_control_over_cehrt",
    }
    values.update(overrides)
    return p.PrecheckInput(**values)


def _reweighted(yes: bool) -> rules.ReweightingResult:
    return rules.ReweightingResult(
        reweighted=yes,
        reasons=("Hospital-based",) if yes else (),
        rule_set="2024",
        performance_year=2026,
        participation_level="individual",
    )


def _eligible(yes: bool) -> rules.EligibilityResult:
    return rules.EligibilityResult(
        eligible=yes,
        reasons=() if yes else ("below the low-volume threshold",),
        rule_set="2024",
        performance_year=2026,
    )


CASES = [
    ("clean", {}, []),
    ("reweighted", {"pi_reweighting": _reweighted(True)}, [p.AUTOMATICALLY_REWEIGHTED]),
    ("not reweighted", {"pi_reweighting": _reweighted(False)}, []),
    ("reweighting is a PI matter only", {"exception_type": "euc", "pi_reweighting": _reweighted(True)}, []),
    ("not eligible", {"eligibility": _eligible(False)}, [p.NOT_MIPS_ELIGIBLE]),
    ("no data", {"participant_found": False}, [p.NO_PARTICIPATION_DATA]),
    (
        "PI data submitted",
        {"submissions": (p.Submission("promoting_interoperability", dt.date(2027, 3, 1)),)},
        [p.DATA_ALREADY_SUBMITTED],
    ),
    (
        "quality data is not requested by a PI hardship",
        {"submissions": (p.Submission("quality", dt.date(2027, 3, 1)),)},
        [],
    ),
    (
        "EUC requested category submitted",
        {
            "exception_type": "euc",
            "pi_reason": "",
            "event_type": "disaster",
            "requested_categories": frozenset({"quality"}),
            "submissions": (p.Submission("quality", dt.date(2027, 3, 1)),),
        },
        [p.DATA_ALREADY_SUBMITTED],
    ),
    (
        "APM Entity data never overrides (field notes)",
        {
            "exception_type": "euc",
            "participation_level": "apm_entity",
            "requested_categories": frozenset({"quality"}),
            "submissions": (p.Submission("quality", dt.date(2027, 3, 1)),),
        },
        [],
    ),
    (
        "other approved application",
        {"other_applications": (p.OtherApplication("PI-2026-000009", "approved"),)},
        [p.OTHER_APPLICATION],
    ),
    (
        "itself is not another",
        {"other_applications": (p.OtherApplication("PI-2026-000001", "submitted"),)},
        [],
    ),
    ("dates inside", {"event_start_date": dt.date(2026, 3, 1), "event_end_date": dt.date(2026, 4, 1)}, []),
    (
        "start before the year",
        {"event_start_date": dt.date(2025, 12, 1), "event_end_date": dt.date(2026, 1, 5)},
        [p.EVENT_DATES_OUTSIDE_YEAR],
    ),
    (
        "end after the year",
        {"event_start_date": dt.date(2026, 12, 1), "event_end_date": dt.date(2027, 1, 5)},
        [p.EVENT_DATES_OUTSIDE_YEAR],
    ),
    (
        "decertified after the period",
        {"pi_reason": "ehr_decertification", "event_start_date": dt.date(2027, 1, 15)},
        [p.DECERTIFIED_AFTER_PERFORMANCE_PERIOD],
    ),
    (
        "decertified during the year",
        {"pi_reason": "ehr_decertification", "event_start_date": dt.date(2026, 6, 1)},
        [],
    ),
    ("COVID-19 in 2026", {"exception_type": "euc", "event_type": "covid_19"}, [p.COVID_19_NOT_ACCEPTED]),
    ("COVID-19 in 2023", {"exception_type": "euc", "event_type": "covid_19", "performance_year": 2023}, []),
    (
        "group internet connectivity with broadband",
        {
            "participation_level": "group",
            "pi_reason": "insufficient_internet_connectivity",
            "broadband_locations": ("1 Main St, Lansing, MI",),
        },
        [p.BROADBAND_AVAILABLE],
    ),
    (
        "individual internet connectivity: the group rule doesn't apply",
        {
            "pi_reason": "insufficient_internet_connectivity",
            "broadband_locations": ("1 Main St, Lansing, MI",),
        },
        [],
    ),
    (
        "several at once",
        {
            "pi_reweighting": _reweighted(True),
            "eligibility": _eligible(False),
            "other_applications": (p.OtherApplication("PI-2026-000009", "submitted"),),
        },
        [p.NOT_MIPS_ELIGIBLE, p.AUTOMATICALLY_REWEIGHTED, p.OTHER_APPLICATION],
    ),
]


@pytest.mark.parametrize(("name", "overrides", "codes"), CASES, ids=[c[0] for c in CASES])
def test_precheck_findings(name, overrides, codes):
    findings = p.precheck_findings(_inp(**overrides))
    assert [f.code for f in findings] == codes
    for finding in findings:
        assert finding.message and finding.source and finding.label


def test_findings_name_their_source_and_reason():
    (finding,) = p.precheck_findings(
        _inp(pi_reason="ehr_decertification", event_start_date=dt.date(2027, 1, 15))
    )
    assert "January 15, 2027" in finding.message
    assert "seed 003_" in finding.source
