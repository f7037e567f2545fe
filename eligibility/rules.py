"""Special-status and low-volume rules by performance year. Pure policy: dataclasses in, results out, no ORM.

Rule sets (ADR 0011):
- "2017": seed 000_533d06a0a7debed5.txt (the category is called Advancing Care Information). Used for 2017 and
  2018 (2018 is still "Advancing Care Information"; the ASC-based status was only *proposed* for year 2 in
  seed 000, and no seed states the final 2018 list).
- "2019": seed 001_ede0be81fe1df585.txt (Promoting Interoperability; adds ASC-based; a special-status
  clinician reporting in a group with non-special-status clinicians loses the automatic
  reweighting). Used 2019–2023.
- "2024": seed 003_452340df50752410.txt Appendix A. Used for 2024 and every later year (2025, 2026) until a
  cited CMS source says otherwise; every result says which rule set applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# --- rule-set selection --------------------------------------------------------------------------------

RULE_SET_2017 = "2017"
RULE_SET_2019 = "2019"
RULE_SET_2024 = "2024"
FIRST_PERFORMANCE_YEAR = 2017

# Individual-level clinician types that carry a special status on their own (seed 000 for 2017,
# seed 001 for 2019, seed 003 Appendix A for 2024). Values match eligibility.models.ClinicianType.
PHYSICIAN_ASSISTANT = "physician_assistant"
NURSE_PRACTITIONER = "nurse_practitioner"
CLINICAL_NURSE_SPECIALIST = "clinical_nurse_specialist"
CERTIFIED_REGISTERED_NURSE_ANESTHETIST = "certified_registered_nurse_anesthetist"
CLINICAL_SOCIAL_WORKER = "clinical_social_worker"


class UnsupportedPerformanceYear(ValueError):
    """The QPP started with performance year 2017 (seed 000): there are no rules before it."""


def rule_set_for_year(performance_year: int) -> str:
    if performance_year < FIRST_PERFORMANCE_YEAR:
        raise UnsupportedPerformanceYear(
            f"Performance year {performance_year} is before the Quality Payment Program began (2017)."
        )
    if performance_year < 2019:
        return RULE_SET_2017
    if performance_year < 2024:
        return RULE_SET_2019
    return RULE_SET_2024


def category_name(performance_year: int) -> str:
    """CMS renamed Advancing Care Information to Promoting Interoperability from 2019 (seed 001: "Promoting
    Interoperability (formerly Advancing Care Information)")."""
    return "Advancing Care Information" if performance_year < 2019 else "Promoting Interoperability"


# --- inputs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicianFacts:
    """One clinician billing under one TIN in one year (v6 individualScenario flags)."""

    clinician_type: str
    hospital_based: bool = False
    non_patient_facing: bool = False
    ambulatory_surgical_center: bool = False
    small_practice: bool = False
    # Whether the clinician is MIPS eligible at this TIN (the group rule counts only eligible clinicians).
    mips_eligible: bool = True
    # A PI hardship exception approved for this TIN/NPI (the applications issue supplies the fact).
    approved_pi_hardship: bool = False


@dataclass(frozen=True)
class GroupFacts:
    """One TIN (or, aggregated, one virtual group) in one year."""

    clinician_count: int
    hospital_based_count: int = 0
    non_patient_facing_count: int = 0
    ambulatory_surgical_center_count: int = 0
    # CMS's own group flags where known (v6 groupScenario); the counts decide as well.
    small_practice: bool | None = None
    ambulatory_surgical_center: bool = False
    # CMS's own group designations (v6 groupScenario) when imported; the >75% counts decide as well.
    hospital_based: bool = False
    non_patient_facing: bool = False
    members: tuple[ClinicianFacts, ...] = ()


# --- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReweightingResult:
    reweighted: bool
    reasons: tuple[str, ...]
    rule_set: str
    performance_year: int
    participation_level: str  # "individual" | "group" | "virtual_group" | "subgroup"
    category: str = "Promoting Interoperability"
    notes: tuple[str, ...] = ()

    @property
    def needs_application(self) -> bool:
        """An application is unnecessary when PI is automatically reweighted (seed 003 Appendix A)."""
        return not self.reweighted

    @property
    def answer(self) -> str:
        """The plain answer shown on the participation status page."""
        # "PI" throughout: in 2017 and 2018 CMS called the category Advancing Care Information (seed 000).
        if self.reweighted:
            return "You don't need to apply for a PI hardship exception"
        return (
            "You may apply for a PI hardship exception if you have a qualifying reason (for example "
            "insufficient internet connectivity, extreme and uncontrollable circumstances, or lack of "
            "control over the availability of certified EHR technology)"
        )


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    reasons: tuple[str, ...]
    rule_set: str
    performance_year: int
    opted_in: bool = False
    low_volume_excluded: bool = False
    opt_in_allowed: bool = False
    voluntary_reporter: bool = False
    determined_by: str = "rules"  # "rules" (from the amounts) or "cms" (CMS's imported determination)


# --- individual reweighting ----------------------------------------------------------------------------

# Each entry: (predicate, reason in CMS's words). Order is the order CMS lists them.
_2017_INDIVIDUAL = (
    # seed 000_533d06a0a7debed5.txt, "For 2017, Special Status clinicians include the following"
    (lambda c: c.hospital_based, "Hospital-based MIPS-eligible clinician"),
    (lambda c: c.clinician_type == PHYSICIAN_ASSISTANT, "Physician Assistant"),
    (lambda c: c.clinician_type == NURSE_PRACTITIONER, "Nurse Practitioner"),
    (lambda c: c.clinician_type == CLINICAL_NURSE_SPECIALIST, "Clinical Nurse Specialist"),
    (
        lambda c: c.clinician_type == CERTIFIED_REGISTERED_NURSE_ANESTHETIST,
        "Certified Registered Nurse Anesthetist",
    ),
    (lambda c: c.non_patient_facing, "Non-patient facing clinician"),
)

_2019_INDIVIDUAL = _2017_INDIVIDUAL + (
    # seed 001_ede0be81fe1df585.txt, the list of participants who "will NOT need to submit": adds ASC-based.
    (
        lambda c: c.ambulatory_surgical_center,
        "Ambulatory Surgical Center (ASC)-based MIPS-eligible clinician",
    ),
)

_2024_INDIVIDUAL = (
    # seed 003_452340df50752410.txt Appendix A, "Reason for Reweighting (Individual Clinicians)".
    # PAs, NPs, CNSs and CRNAs are no longer listed: they must apply like any other clinician type.
    (lambda c: c.clinician_type == CLINICAL_SOCIAL_WORKER, "Clinical Social Worker"),
    (lambda c: c.small_practice, "Small Practice"),
    (lambda c: c.ambulatory_surgical_center, "Ambulatory Surgical Center (ASC)-based"),
    (lambda c: c.hospital_based, "Hospital-based"),
    (lambda c: c.non_patient_facing, "Non-patient facing"),
)

_INDIVIDUAL_RULES = {
    RULE_SET_2017: _2017_INDIVIDUAL,
    RULE_SET_2019: _2019_INDIVIDUAL,
    RULE_SET_2024: _2024_INDIVIDUAL,
}

_INDIVIDUAL_NOTES = {
    RULE_SET_2017: (),
    # seed 001: "If a special status clinician is reporting MIPS as a group with other non-Special Status
    # clinicians, they will lose their automatic re-weighting."
    RULE_SET_2019: (
        "If you report as a group with clinicians who are not special status, you lose the automatic "
        "reweighting.",
    ),
    # seed 003 Appendix A, "Action Needed by the Individual".
    RULE_SET_2024: (
        "You're automatically excepted from having to submit data for this performance category as an "
        "individual, though you may still choose to do so.",
        "You'll be scored in this performance category if your practice is participating as a group or "
        "virtual group and doesn't qualify for reweighting.",
    ),
}

# seed 001: "If any Promoting Interoperability data is reported, the automatic re-weighting will be
# overridden" (and seed 003 Appendix A, "though you may still choose to do so").
DATA_OVERRIDES_NOTE = "If you submit data for this category anyway, the automatic reweighting is overridden."


def individual_special_status_reasons(facts: ClinicianFacts, performance_year: int) -> tuple[str, ...]:
    rules = _INDIVIDUAL_RULES[rule_set_for_year(performance_year)]
    return tuple(reason for predicate, reason in rules if predicate(facts))


def individual_reweighting(facts: ClinicianFacts, performance_year: int) -> ReweightingResult:
    """Automatic PI (ACI) reweighting for one clinician reporting individually."""
    rule_set = rule_set_for_year(performance_year)
    reasons = individual_special_status_reasons(facts, performance_year)
    notes = (_INDIVIDUAL_NOTES[rule_set] + (DATA_OVERRIDES_NOTE,)) if reasons else ()
    return ReweightingResult(
        reweighted=bool(reasons),
        reasons=reasons,
        rule_set=rule_set,
        performance_year=performance_year,
        participation_level="individual",
        category=category_name(performance_year),
        notes=notes,
    )


def _qualifies_individually(member: ClinicianFacts, performance_year: int) -> bool:
    return member.approved_pi_hardship or bool(individual_special_status_reasons(member, performance_year))


# --- group and virtual-group reweighting ---------------------------------------------------------------


def more_than_75_percent(count: int, total: int) -> bool:
    """Exactly 75% does not qualify (seed 003 Appendix A: "more than 75%"). Integers, no rounding."""
    return total > 0 and count * 4 > total * 3


# Small practice: 15 or fewer clinicians (seed 004_e04a1ded3c26ad2c.txt, "Small practices are defined as
# practices with 15 or fewer clinicians"; v6 smallGroupPractitioner).
SMALL_PRACTICE_MAX_CLINICIANS = 15


def is_small_practice(clinician_count: int) -> bool:
    return 0 < clinician_count <= SMALL_PRACTICE_MAX_CLINICIANS


def _all_eligible_members_qualify(group: GroupFacts, performance_year: int) -> bool:
    eligible = [m for m in group.members if m.mips_eligible]
    return bool(eligible) and all(_qualifies_individually(m, performance_year) for m in eligible)


def _group_reasons_2017_2019(group: GroupFacts, performance_year: int) -> tuple[str, ...]:
    # seed 000 lists special statuses for "MIPS-eligible clinicians and groups" without a group threshold;
    # seed 001 clarifies that a special-status clinician reporting in a group with non-special-status
    # clinicians loses the reweighting. So a group keeps it only when every MIPS eligible clinician in it has
    # a special status (approved hardships are separate applications in these years, not special status).
    eligible = [m for m in group.members if m.mips_eligible]
    if eligible and all(individual_special_status_reasons(m, performance_year) for m in eligible):
        return ("All MIPS eligible clinicians in the group are special status clinicians",)
    return ()


def _group_reasons_2024(group: GroupFacts, performance_year: int, noun: str) -> tuple[str, ...]:
    # seed 003_452340df50752410.txt Appendix A, "Reason for Reweighting (Groups and Virtual Groups)".
    reasons: list[str] = []
    asc = group.ambulatory_surgical_center or more_than_75_percent(
        group.ambulatory_surgical_center_count, group.clinician_count
    )
    if asc:
        reasons.append("Ambulatory Surgical Center (ASC)-based")
    small = (
        group.small_practice if group.small_practice is not None else is_small_practice(group.clinician_count)
    )
    if small:
        reasons.append("Small Practice")
    if group.hospital_based or more_than_75_percent(group.hospital_based_count, group.clinician_count):
        reasons.append(f"Hospital-based: more than 75% of the clinicians in the {noun} are hospital-based")
    if group.non_patient_facing or more_than_75_percent(
        group.non_patient_facing_count, group.clinician_count
    ):
        reasons.append(
            f"Non-patient facing: more than 75% of the clinicians in the {noun} are non-patient facing"
        )
    if _all_eligible_members_qualify(group, performance_year):
        reasons.append(
            f"All of the MIPS eligible clinicians in your {noun} qualify for reweighting as individuals "
            "(through any combination of special statuses, clinician type, and approved hardship exceptions)"
        )
    return tuple(reasons)


_GROUP_NOTE_2024 = (
    "You'll be scored in this performance category if your practice is participating as a group or virtual "
    "group and doesn't qualify for reweighting."
)


def _group_like_reweighting(group: GroupFacts, performance_year: int, level: str) -> ReweightingResult:
    rule_set = rule_set_for_year(performance_year)
    noun = "virtual group" if level == "virtual_group" else "group"
    if rule_set == RULE_SET_2024:
        reasons = _group_reasons_2024(group, performance_year, noun)
        notes = (_GROUP_NOTE_2024,) if not reasons else (DATA_OVERRIDES_NOTE,)
    else:
        reasons = _group_reasons_2017_2019(group, performance_year)
        notes = (_INDIVIDUAL_NOTES[RULE_SET_2019][0],) if rule_set == RULE_SET_2019 and not reasons else ()
    return ReweightingResult(
        reweighted=bool(reasons),
        reasons=reasons,
        rule_set=rule_set,
        performance_year=performance_year,
        participation_level=level,
        category=category_name(performance_year),
        notes=notes,
    )


def group_reweighting(group: GroupFacts, performance_year: int) -> ReweightingResult:
    """Automatic PI (ACI) reweighting for a TIN reporting as a group."""
    return _group_like_reweighting(group, performance_year, "group")


def virtual_group_reweighting(members: list[GroupFacts], performance_year: int) -> ReweightingResult:
    """A virtual group is judged on all clinicians of its member TINs together (seed 003 Appendix A applies
    the same special statuses and 75% thresholds to "Groups and Virtual Groups")."""
    combined = combine_groups(members)
    return _group_like_reweighting(combined, performance_year, "virtual_group")


def combine_groups(groups: list[GroupFacts]) -> GroupFacts:
    count = sum(g.clinician_count for g in groups)
    return GroupFacts(
        clinician_count=count,
        hospital_based_count=sum(g.hospital_based_count for g in groups),
        non_patient_facing_count=sum(g.non_patient_facing_count for g in groups),
        ambulatory_surgical_center_count=sum(g.ambulatory_surgical_center_count for g in groups),
        # Whole-virtual-group size decides "small practice" (15 or fewer clinicians in total, seed 004).
        small_practice=is_small_practice(count),
        ambulatory_surgical_center=False,
        members=tuple(m for g in groups for m in g.members),
    )


def subgroup_reweighting(parent_group_result: ReweightingResult) -> ReweightingResult:
    """Subgroups can't apply; they inherit their affiliated group's reweighting (seed 003, subgroups)."""
    return ReweightingResult(
        reweighted=parent_group_result.reweighted,
        reasons=parent_group_result.reasons,
        rule_set=parent_group_result.rule_set,
        performance_year=parent_group_result.performance_year,
        participation_level="subgroup",
        category=parent_group_result.category,
        notes=(
            "Subgroups can't submit an application; a subgroup has the same reweighting as its affiliated "
            "group.",
        ),
    )


# --- MIPS eligibility by the low-volume threshold ------------------------------------------------------


@dataclass(frozen=True)
class LowVolumeThreshold:
    allowed_charges: Decimal
    part_b_patients: int
    covered_services: int | None  # None: not a criterion that year
    source: str


def low_volume_threshold(performance_year: int) -> LowVolumeThreshold:
    rule_set_for_year(performance_year)  # rejects years before 2017
    if performance_year == 2017:
        # seed 004_e04a1ded3c26ad2c.txt: "less than or equal to $30,000 in Medicare Part B allowed charges OR
        # less than or equal to 100 Medicare Part B patients, you will not have to participate in MIPS".
        return LowVolumeThreshold(Decimal("30000"), 100, None, "seed 004 (2017)")
    if performance_year == 2018:
        # issue 3: 2018 is $90,000 or 200 patients.
        return LowVolumeThreshold(Decimal("90000"), 200, None, "issue 3 (2018)")
    # issue 3: 2019 onward adds 200 covered professional services.
    return LowVolumeThreshold(Decimal("90000"), 200, 200, "issue 3 (2019 onward)")


@dataclass(frozen=True)
class LowVolumeFacts:
    allowed_charges: Decimal | None
    part_b_patients: int | None
    covered_services: int | None
    opted_in: bool = False
    # CMS's own determination (v6 isEligible / lowVolumeSwitch), used when the amounts are unknown.
    cms_eligible: bool | None = None
    cms_low_volume_switch: bool | None = None


def mips_eligibility(facts: LowVolumeFacts, performance_year: int) -> EligibilityResult:
    rule_set = rule_set_for_year(performance_year)
    threshold = low_volume_threshold(performance_year)
    amounts_known = (
        facts.allowed_charges is not None
        and facts.part_b_patients is not None
        and (threshold.covered_services is None or facts.covered_services is not None)
    )
    if not amounts_known:
        if facts.cms_eligible is None:
            return EligibilityResult(
                eligible=False,
                reasons=("No low-volume data is on file for this performance year",),
                rule_set=rule_set,
                performance_year=performance_year,
                determined_by="cms",
            )
        excluded = bool(facts.cms_low_volume_switch) and not facts.cms_eligible
        reasons = (
            ("CMS determined you are MIPS eligible",)
            if facts.cms_eligible
            else ("CMS determined you are not MIPS eligible",)
        )
        if excluded:
            reasons += ("At or below the low-volume threshold",)
        return EligibilityResult(
            eligible=facts.cms_eligible,
            reasons=reasons,
            rule_set=rule_set,
            performance_year=performance_year,
            opted_in=facts.opted_in,
            low_volume_excluded=excluded,
            determined_by="cms",
        )

    # A clinician is excluded when AT OR BELOW any one criterion (seed 004 "less than or equal to").
    below: list[str] = []
    exceeded = 0
    if facts.allowed_charges <= threshold.allowed_charges:
        below.append(f"Medicare Part B allowed charges at or below ${threshold.allowed_charges:,.0f}")
    else:
        exceeded += 1
    if facts.part_b_patients <= threshold.part_b_patients:
        below.append(f"{threshold.part_b_patients} or fewer Medicare Part B patients")
    else:
        exceeded += 1
    if threshold.covered_services is not None:
        if facts.covered_services <= threshold.covered_services:
            below.append(f"{threshold.covered_services} or fewer covered professional services")
        else:
            exceeded += 1

    if not below:
        return EligibilityResult(
            eligible=True,
            reasons=("Exceeds the low-volume threshold",),
            rule_set=rule_set,
            performance_year=performance_year,
        )

    if performance_year < 2019:
        # seed 004: "For 2017 and 2018 ... excluded ... have the option to voluntarily participate in MIPS ...
        # they would not be subject to a MIPS payment adjustment." Voluntary reporting is not eligibility.
        reasons = tuple(below) + (
            ("Voluntary participant: not subject to a MIPS payment adjustment",) if facts.opted_in else ()
        )
        return EligibilityResult(
            eligible=False,
            reasons=reasons,
            rule_set=rule_set,
            performance_year=performance_year,
            opted_in=False,
            low_volume_excluded=True,
            opt_in_allowed=False,
            voluntary_reporter=facts.opted_in,
        )

    # From 2019 an excluded clinician may opt in and is then subject to the payment adjustment (seed 004,
    # "Starting in 2019 ... opt-in"); CMS allows it when at least one criterion is exceeded (CY 2019
    # Physician Fee Schedule final rule; ADR 0011).
    opt_in_allowed = exceeded >= 1
    if facts.opted_in and opt_in_allowed:
        return EligibilityResult(
            eligible=True,
            reasons=tuple(below) + ("Opted in to MIPS",),
            rule_set=rule_set,
            performance_year=performance_year,
            opted_in=True,
            low_volume_excluded=True,
            opt_in_allowed=True,
        )
    return EligibilityResult(
        eligible=False,
        reasons=tuple(below),
        rule_set=rule_set,
        performance_year=performance_year,
        low_volume_excluded=True,
        opt_in_allowed=opt_in_allowed,
    )


# The IndividualScenario columns (ORM lookups) the rules read, in the order clinician_facts_from_columns
# takes them. Every set-based reader (eligibility group facts, the review pre-checks, the scoring batch)
# selects these.
SCENARIO_FACT_COLUMNS: tuple[str, ...] = (
    "clinician__clinician_type",
    "hospital_based_clinician",
    "non_patient_facing",
    "ambulatory_surgical_center",
    "small_group_practitioner",
    "allowed_charges",
    "part_b_patients",
    "covered_services",
    "opted_in",
    "is_eligible_individual",
    "low_volume_switch",
)


def clinician_facts_from_columns(
    columns: tuple, performance_year: int, *, approved_pi_hardship: bool
) -> tuple[ClinicianFacts, EligibilityResult]:
    """One TIN/NPI scenario, read as ``eligibility.selectors.SCENARIO_FACT_COLUMNS`` (plain values, so a
    practice with thousands of clinicians is read without model instances), turned into the rules' facts and
    its MIPS eligibility (the low-volume threshold, seed 004_…)."""
    ctype, hospital_based, non_patient_facing, asc, small, charges, patients, services, opted_in, cms, lvs = (
        columns
    )
    eligibility = mips_eligibility(
        LowVolumeFacts(charges, patients, services, opted_in, cms, lvs), performance_year
    )
    facts = ClinicianFacts(
        clinician_type=ctype,
        hospital_based=hospital_based,
        non_patient_facing=non_patient_facing,
        ambulatory_surgical_center=asc,
        small_practice=small,
        mips_eligible=eligibility.eligible,
        approved_pi_hardship=approved_pi_hardship,
    )
    return facts, eligibility
