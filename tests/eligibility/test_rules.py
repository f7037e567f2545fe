"""Table-driven tests of the pure policy rules (no database)."""

from decimal import Decimal

import pytest

from eligibility import rules
from eligibility.rules import ClinicianFacts, GroupFacts, LowVolumeFacts

MD = "doctor_of_medicine"
NP = "nurse_practitioner"
PA = "physician_assistant"
CNS = "clinical_nurse_specialist"
CRNA = "certified_registered_nurse_anesthetist"
CSW = "clinical_social_worker"


# --- rule-set selection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "rule_set", "category"),
    [
        (2017, "2017", "Advancing Care Information"),
        (2018, "2017", "Advancing Care Information"),
        (2019, "2019", "Promoting Interoperability"),
        (2023, "2019", "Promoting Interoperability"),
        (2024, "2024", "Promoting Interoperability"),
        (2025, "2024", "Promoting Interoperability"),
        (2026, "2024", "Promoting Interoperability"),
    ],
)
def test_rule_set_and_category_name_by_year(year, rule_set, category):
    assert rules.rule_set_for_year(year) == rule_set
    assert rules.category_name(year) == category
    result = rules.individual_reweighting(ClinicianFacts(clinician_type=MD), year)
    assert result.rule_set == rule_set
    assert result.category == category


def test_years_before_the_qpp_are_rejected():
    with pytest.raises(rules.UnsupportedPerformanceYear):
        rules.rule_set_for_year(2016)


# --- individual special statuses by year ---------------------------------------------------------------

INDIVIDUAL_CASES = [
    # (year, facts, expected reasons)
    (2017, ClinicianFacts(MD), ()),
    (2017, ClinicianFacts(MD, hospital_based=True), ("Hospital-based MIPS-eligible clinician",)),
    (2017, ClinicianFacts(PA), ("Physician Assistant",)),
    (2017, ClinicianFacts(NP), ("Nurse Practitioner",)),
    (2017, ClinicianFacts(CNS), ("Clinical Nurse Specialist",)),
    (2017, ClinicianFacts(CRNA), ("Certified Registered Nurse Anesthetist",)),
    (2017, ClinicianFacts(MD, non_patient_facing=True), ("Non-patient facing clinician",)),
    # ASC-based was only proposed for year 2 in 2017 (seed 000), small practice and CSW are not 2017 statuses.
    (2017, ClinicianFacts(MD, ambulatory_surgical_center=True), ()),
    (2017, ClinicianFacts(MD, small_practice=True), ()),
    (2017, ClinicianFacts(CSW), ()),
    (
        2019,
        ClinicianFacts(MD, ambulatory_surgical_center=True),
        ("Ambulatory Surgical Center (ASC)-based MIPS-eligible clinician",),
    ),
    (2019, ClinicianFacts(NP), ("Nurse Practitioner",)),
    (
        2019,
        ClinicianFacts(PA, hospital_based=True),
        ("Hospital-based MIPS-eligible clinician", "Physician Assistant"),
    ),
    (
        2019,
        ClinicianFacts(MD, small_practice=True),
        (),
    ),  # in 2019 small practice is a reason to APPLY (seed 001)
    (2019, ClinicianFacts(CSW), ()),
    (2024, ClinicianFacts(CSW), ("Clinical Social Worker",)),
    (2024, ClinicianFacts(MD, small_practice=True), ("Small Practice",)),
    (2024, ClinicianFacts(MD, ambulatory_surgical_center=True), ("Ambulatory Surgical Center (ASC)-based",)),
    (2024, ClinicianFacts(MD, hospital_based=True), ("Hospital-based",)),
    (2024, ClinicianFacts(MD, non_patient_facing=True), ("Non-patient facing",)),
    # PAs, NPs, CNSs and CRNAs are no longer special in 2024 (seed 003 Appendix A).
    (2024, ClinicianFacts(NP), ()),
    (2024, ClinicianFacts(PA), ()),
    (2024, ClinicianFacts(CNS), ()),
    (2024, ClinicianFacts(CRNA), ()),
    (2024, ClinicianFacts(MD), ()),
    (
        2024,
        ClinicianFacts(
            CSW,
            small_practice=True,
            hospital_based=True,
            non_patient_facing=True,
            ambulatory_surgical_center=True,
        ),
        (
            "Clinical Social Worker",
            "Small Practice",
            "Ambulatory Surgical Center (ASC)-based",
            "Hospital-based",
            "Non-patient facing",
        ),
    ),
    (2026, ClinicianFacts(CSW), ("Clinical Social Worker",)),
    (2026, ClinicianFacts(NP), ()),
]


@pytest.mark.parametrize(("year", "facts", "reasons"), INDIVIDUAL_CASES)
def test_individual_reweighting(year, facts, reasons):
    result = rules.individual_reweighting(facts, year)
    assert result.reasons == reasons
    assert result.reweighted is bool(reasons)
    assert result.participation_level == "individual"
    assert result.needs_application is (not reasons)


def test_an_approved_hardship_is_not_automatic_reweighting_for_the_individual():
    result = rules.individual_reweighting(ClinicianFacts(MD, approved_pi_hardship=True), 2024)
    assert result.reweighted is False


def test_plain_answers():
    yes = rules.individual_reweighting(ClinicianFacts(CSW), 2024)
    no = rules.individual_reweighting(ClinicianFacts(MD), 2024)
    assert yes.answer == "You don't need to apply for a PI hardship exception"
    assert no.answer.startswith("You may apply for a PI hardship exception if")


def test_2019_notes_the_group_caveat_and_2024_the_group_scoring():
    r2019 = rules.individual_reweighting(ClinicianFacts(NP), 2019)
    assert any("lose the automatic reweighting" in n for n in r2019.notes)
    r2024 = rules.individual_reweighting(ClinicianFacts(CSW), 2024)
    assert any("participating as a group or virtual group" in n for n in r2024.notes)


# --- group rules -----------------------------------------------------------------------------------------


def _group(count, hb=0, npf=0, asc=0, members=(), small=None):
    return GroupFacts(
        clinician_count=count,
        hospital_based_count=hb,
        non_patient_facing_count=npf,
        ambulatory_surgical_center_count=asc,
        small_practice=small,
        members=tuple(members),
    )


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, False), (1, True), (15, True), (16, False), (100, False)],
)
def test_small_practice_boundary(count, expected):
    assert rules.is_small_practice(count) is expected
    result = rules.group_reweighting(_group(count), 2024)
    assert ("Small Practice" in result.reasons) is expected


@pytest.mark.parametrize(
    ("hb", "total", "expected"),
    [
        (75, 100, False),  # exactly 75% does not qualify
        (76, 100, True),
        (3, 4, False),  # exactly 75%
        (13, 16, True),  # 81.25%
        (12, 16, False),  # 75%
        (16, 16, True),
        (0, 16, False),
    ],
)
def test_hospital_based_group_needs_more_than_75_percent(hb, total, expected):
    result = rules.group_reweighting(_group(total, hb=hb), 2024)
    hospital = [r for r in result.reasons if r.startswith("Hospital-based")]
    assert bool(hospital) is expected
    assert rules.more_than_75_percent(hb, total) is expected


@pytest.mark.parametrize(("npf", "total", "expected"), [(15, 20, False), (16, 20, True), (150, 200, False)])
def test_non_patient_facing_group_needs_more_than_75_percent(npf, total, expected):
    result = rules.group_reweighting(_group(total, npf=npf), 2024)
    assert any(r.startswith("Non-patient facing") for r in result.reasons) is expected


@pytest.mark.parametrize(
    ("asc", "total", "flag", "expected"), [(15, 20, False, False), (16, 20, False, True), (0, 20, True, True)]
)
def test_asc_based_group(asc, total, flag, expected):
    group = GroupFacts(
        clinician_count=total, ambulatory_surgical_center_count=asc, ambulatory_surgical_center=flag
    )
    result = rules.group_reweighting(group, 2024)
    assert ("Ambulatory Surgical Center (ASC)-based" in result.reasons) is expected


def test_cms_small_practice_flag_wins_over_partial_counts():
    # An imported group scenario: we hold 3 of its clinicians but CMS says it isn't small.
    assert rules.group_reweighting(_group(3, small=False), 2024).reweighted is False


ALL_QUALIFY = "All of the MIPS eligible clinicians in your group qualify"


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        # any mix of special status, clinician type and approved hardship
        (
            (
                ClinicianFacts(CSW),
                ClinicianFacts(MD, hospital_based=True),
                ClinicianFacts(MD, approved_pi_hardship=True),
            ),
            True,
        ),
        # one clinician who qualifies for nothing breaks it
        ((ClinicianFacts(CSW), ClinicianFacts(MD)), False),
        # ...unless that clinician isn't MIPS eligible: only eligible clinicians count
        ((ClinicianFacts(CSW), ClinicianFacts(MD, mips_eligible=False)), True),
        # no eligible clinicians at all is not "all qualify"
        ((ClinicianFacts(MD, mips_eligible=False),), False),
        ((), False),
        # NPs are not a special clinician type in 2024
        ((ClinicianFacts(NP), ClinicianFacts(CSW)), False),
    ],
)
def test_group_all_clinicians_qualify_individually_2024(members, expected):
    # 20 clinicians so the small-practice rule stays out of the way.
    result = rules.group_reweighting(_group(20, members=members), 2024)
    assert any(r.startswith(ALL_QUALIFY) for r in result.reasons) is expected
    assert result.reweighted is expected


@pytest.mark.parametrize("year", [2017, 2019])
def test_2017_2019_group_caveat_special_status_with_non_special_loses_reweighting(year):
    mixed = _group(20, hb=19, members=[ClinicianFacts(NP)] * 19 + [ClinicianFacts(MD)])
    assert rules.group_reweighting(mixed, year).reweighted is False
    all_special = _group(2, members=[ClinicianFacts(NP), ClinicianFacts(PA)])
    result = rules.group_reweighting(all_special, year)
    assert result.reweighted is True
    # approved hardships are not a special status in these years
    with_hardship = _group(2, members=[ClinicianFacts(NP), ClinicianFacts(MD, approved_pi_hardship=True)])
    assert rules.group_reweighting(with_hardship, year).reweighted is False


def test_2019_group_caveat_note_when_not_reweighted():
    mixed = _group(2, members=[ClinicianFacts(NP), ClinicianFacts(MD)])
    result = rules.group_reweighting(mixed, 2019)
    assert any("lose the automatic reweighting" in n for n in result.notes)


def test_small_practice_is_not_automatic_for_groups_before_2024():
    assert rules.group_reweighting(_group(5, members=[ClinicianFacts(MD)] * 5), 2019).reweighted is False


def test_virtual_group_combines_member_tins():
    a = _group(10, hb=9, members=[ClinicianFacts(MD, hospital_based=True)] * 9 + [ClinicianFacts(MD)])
    b = _group(10, hb=7, members=[ClinicianFacts(MD, hospital_based=True)] * 7 + [ClinicianFacts(MD)] * 3)
    result = rules.virtual_group_reweighting([a, b], 2024)
    # 16 of 20 = 80% hospital-based → reweighted; 20 clinicians → not a small practice.
    assert result.participation_level == "virtual_group"
    assert result.reasons == (
        "Hospital-based: more than 75% of the clinicians in the virtual group are hospital-based",
    )
    c = _group(10, hb=5, members=[ClinicianFacts(MD)] * 10)
    assert rules.virtual_group_reweighting([a, c], 2024).reweighted is False  # 14 of 20 = 70%


def test_small_virtual_group():
    result = rules.virtual_group_reweighting([_group(5), _group(10)], 2024)
    assert "Small Practice" in result.reasons
    assert rules.virtual_group_reweighting([_group(6), _group(10)], 2024).reweighted is False


def test_subgroup_inherits_group_reweighting():
    group = rules.group_reweighting(_group(5), 2024)
    subgroup = rules.subgroup_reweighting(group)
    assert subgroup.reweighted is True
    assert subgroup.reasons == group.reasons
    assert subgroup.participation_level == "subgroup"
    assert "can't submit" in subgroup.notes[0]
    assert rules.subgroup_reweighting(rules.group_reweighting(_group(30), 2024)).reweighted is False


# --- low-volume threshold ----------------------------------------------------------------------------------

D = Decimal


@pytest.mark.parametrize(
    ("year", "charges", "patients", "services", "opted_in", "eligible", "excluded", "opt_in_allowed"),
    [
        # 2017: at or below $30,000 OR 100 patients is excluded (seed 004)
        (2017, D("30000"), 500, None, False, False, True, False),
        (2017, D("30000.01"), 101, None, False, True, False, False),
        (2017, D("90000"), 100, None, False, False, True, False),
        (2017, D("30000"), 500, None, True, False, True, False),  # voluntary, not eligible
        # 2018: $90,000 or 200 patients
        (2018, D("90000"), 500, None, False, False, True, False),
        (2018, D("90000.01"), 201, None, False, True, False, False),
        (2018, D("100000"), 200, None, False, False, True, False),
        # 2019 onward: also 200 covered services
        (2019, D("90000.01"), 201, 201, False, True, False, False),
        (2019, D("90000.01"), 201, 200, False, False, True, True),
        (2024, D("90000"), 200, 200, False, False, True, False),  # exceeds nothing → no opt-in
        (2024, D("90000"), 200, 200, True, False, True, False),  # opting in is not allowed then
        (2026, D("500000"), 150, 1000, True, True, True, True),  # opted in → eligible
        (2026, D("500000"), 150, 1000, False, False, True, True),
    ],
)
def test_low_volume_threshold(
    year, charges, patients, services, opted_in, eligible, excluded, opt_in_allowed
):
    result = rules.mips_eligibility(LowVolumeFacts(charges, patients, services, opted_in=opted_in), year)
    assert result.eligible is eligible
    assert result.low_volume_excluded is excluded
    assert result.opt_in_allowed is opt_in_allowed
    assert result.determined_by == "rules"


def test_2017_voluntary_reporter_is_flagged():
    result = rules.mips_eligibility(LowVolumeFacts(D("100"), 5, None, opted_in=True), 2017)
    assert result.voluntary_reporter is True
    assert result.eligible is False


def test_unknown_amounts_fall_back_to_cms_determination():
    facts = LowVolumeFacts(None, None, None, cms_eligible=False, cms_low_volume_switch=True)
    result = rules.mips_eligibility(facts, 2026)
    assert result.eligible is False
    assert result.low_volume_excluded is True
    assert result.determined_by == "cms"
    assert rules.mips_eligibility(LowVolumeFacts(None, None, None, cms_eligible=True), 2026).eligible is True
    assert rules.mips_eligibility(LowVolumeFacts(None, None, None), 2026).eligible is False
