"""Pre-checks for CMS review (issue 7 point 2): what the rules and the data already say about an application.

Two halves:

* `precheck_findings(PrecheckInput) -> tuple[Finding, ...]` is pure policy: dataclasses in, findings out, no
  ORM, tested table-driven without a database.
* `findings_for(applications)` loads the inputs for a whole page of applications in a fixed number of
  queries (never one per row, issue 7 point 10) and runs the pure function on each.

A finding never decides anything: it tells the reviewer what to look at, with its reason and its source.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eligibility import rules

# Codes (stable; the queue filter and the CSV export use them).
AUTOMATICALLY_REWEIGHTED = "automatically_reweighted"
DATA_ALREADY_SUBMITTED = "data_already_submitted"
OTHER_APPLICATION = "other_application"
EVENT_DATES_OUTSIDE_YEAR = "event_dates_outside_year"
DECERTIFIED_AFTER_PERFORMANCE_PERIOD = "decertified_after_performance_period"
COVID_19_NOT_ACCEPTED = "covid_19_not_accepted"
BROADBAND_AVAILABLE = "broadband_available"
NOT_MIPS_ELIGIBLE = "not_mips_eligible"
NO_PARTICIPATION_DATA = "no_participation_data"

CATEGORY_LABELS = {
    "quality": "Quality",
    "cost": "Cost",
    "improvement_activities": "Improvement Activities",
    "promoting_interoperability": "Promoting Interoperability",
}

# The first performance year without COVID-19 as an EUC event type (field notes: "From PY2024 … COVID-19 is
# no longer accepted").
COVID_19_LAST_YEAR = 2023


@dataclass(frozen=True)
class Finding:
    code: str
    label: str  # short, for the queue column
    message: str  # the reason, in full
    source: str  # where the fact comes from


@dataclass(frozen=True)
class OtherApplication:
    reference: str
    status: str  # "submitted" or "approved"


@dataclass(frozen=True)
class Submission:
    category: str
    submitted_on: dt.date


@dataclass(frozen=True)
class PrecheckInput:
    """One application's answers and the facts around it."""

    reference: str
    exception_type: str  # "pi_hardship" | "euc"
    performance_year: int
    participation_level: str
    pi_reason: str = ""
    event_type: str = ""
    event_start_date: dt.date | None = None
    event_end_date: dt.date | None = None
    requested_categories: frozenset[str] = frozenset()
    # Eligibility facts (None where the level has no such determination, e.g. APM Entities).
    participant_found: bool = True
    eligibility: rules.EligibilityResult | None = None
    pi_reweighting: rules.ReweightingResult | None = None
    submissions: tuple[Submission, ...] = ()
    other_applications: tuple[OtherApplication, ...] = ()
    # Practice locations (addresses) of the group/virtual group with broadband available.
    broadband_locations: tuple[str, ...] = ()


def _date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def precheck_findings(inp: PrecheckInput) -> tuple[Finding, ...]:
    findings: list[Finding] = []
    year = inp.performance_year
    is_pi = inp.exception_type == "pi_hardship"
    level = inp.participation_level
    data_source = f"QPP participation data, {year}"

    # Not MIPS eligible: no exception is needed to avoid a payment adjustment (seed 004_…: the low-volume
    # threshold; eligibility rules in eligibility/rules.py).
    if not inp.participant_found and level in ("individual", "group"):
        who = "this clinician under this TIN" if level == "individual" else "this TIN"
        findings.append(
            Finding(
                NO_PARTICIPATION_DATA,
                "No participation data",
                f"There is no participation data for {who} in {year}, so MIPS eligibility can't be "
                "confirmed.",
                data_source,
            )
        )
    elif inp.eligibility is not None and not inp.eligibility.eligible and not inp.eligibility.opted_in:
        why = f" ({'; '.join(inp.eligibility.reasons)})" if inp.eligibility.reasons else ""
        findings.append(
            Finding(
                NOT_MIPS_ELIGIBLE,
                "Not MIPS eligible",
                f"The participant isn't MIPS eligible for {year}{why}: no exception is needed.",
                data_source,
            )
        )

    # Already automatically reweighted for PI (seed 003_…, Appendix A: "None – You're automatically
    # excepted" for special statuses).
    if is_pi and inp.pi_reweighting is not None and inp.pi_reweighting.reweighted:
        why = f" ({'; '.join(inp.pi_reweighting.reasons)})" if inp.pi_reweighting.reasons else ""
        findings.append(
            Finding(
                AUTOMATICALLY_REWEIGHTED,
                "Automatically reweighted",
                "The participant already qualifies for automatic reweighting of the Promoting "
                f"Interoperability performance category{why}.",
                f"{data_source}; seed 003_…, Appendix A",
            )
        )

    # Data submitted for a requested category overrides the exception for that category (seed 002_…; seed
    # 001_…); not for APM Entities, whose EUC approval data does not override (field notes).
    requested = {"promoting_interoperability"} if is_pi else set(inp.requested_categories)
    if level != "apm_entity":
        submitted = sorted(
            (s for s in inp.submissions if s.category in requested),
            key=lambda s: (s.category, s.submitted_on),
        )
        if submitted:
            parts = ", ".join(
                f"{CATEGORY_LABELS.get(s.category, s.category)} on {_date(s.submitted_on)}" for s in submitted
            )
            findings.append(
                Finding(
                    DATA_ALREADY_SUBMITTED,
                    "Data already submitted",
                    f"Performance data was already submitted for a requested category: {parts}. Data "
                    "submission overrides the exception for that category.",
                    "Data submissions; seed 002_… (data submission overrides reweighting by category)",
                )
            )

    # Another approved or pending application for the same participant, type and year (issue 5 point 5).
    for other in inp.other_applications:
        if other.reference == inp.reference:
            continue
        state = "approved" if other.status == "approved" else "pending"
        findings.append(
            Finding(
                OTHER_APPLICATION,
                "Other application",
                f"There is another {state} application of this type for this participant for {year}: "
                f"{other.reference}.",
                f"Application {other.reference}",
            )
        )

    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    decertification = is_pi and inp.pi_reason == "ehr_decertification"
    start, end = inp.event_start_date, inp.event_end_date
    # Seed 003_…, Overview (continued): "You can submit your Promoting Interoperability performance category
    # measures collected in your now-decertified EHR product if your performance period ended before the
    # decertification occurred." The performance period ends by December 31 of the performance year.
    if decertification and start is not None and start > year_end:
        findings.append(
            Finding(
                DECERTIFIED_AFTER_PERFORMANCE_PERIOD,
                "Decertified after the performance period",
                f"The EHR was decertified on {_date(start)}, after the {year} performance period ended: the "
                "clinician can still report Promoting Interoperability data collected in it.",
                "Applicant's answers (decertification date); seed 003_…, Overview (continued)",
            )
        )
    elif start is not None:
        outside = [
            f"{label} {_date(value)}"
            for label, value in (("start", start), ("end", end))
            if value is not None and not year_start <= value <= year_end
        ]
        if outside:
            findings.append(
                Finding(
                    EVENT_DATES_OUTSIDE_YEAR,
                    "Event dates outside the year",
                    f"Event {' and '.join(outside)} {'is' if len(outside) == 1 else 'are'} outside the "
                    f"{year} performance year.",
                    "Applicant's answers (event dates)",
                )
            )

    # Field notes: from PY2024 COVID-19 is no longer an accepted EUC event.
    if inp.event_type == "covid_19" and year > COVID_19_LAST_YEAR:
        findings.append(
            Finding(
                COVID_19_NOT_ACCEPTED,
                "COVID-19 from 2024",
                f"The event type is COVID-19, which isn't accepted for the {year} performance year "
                "(from 2024).",
                "Applicant's answers (event type); CMS policy from PY2024",
            )
        )

    # Seed 003_…, Groups and Virtual Groups: "if one office location is within a broadband availability area
    # but the other office(s) for the practice is not, the office with broadband availability would not
    # qualify" (and likewise a TIN of a virtual group).
    if (
        is_pi
        and inp.pi_reason == "insufficient_internet_connectivity"
        and level in ("group", "virtual_group")
        and inp.broadband_locations
    ):
        count = len(inp.broadband_locations)
        findings.append(
            Finding(
                BROADBAND_AVAILABLE,
                "Broadband available",
                f"Broadband is available at {count} practice location{'s' if count != 1 else ''}: "
                f"{'; '.join(inp.broadband_locations)}. Those locations don't qualify for this reason.",
                "QPP participation data (practice locations); seed 003_…, Groups and Virtual Groups",
            )
        )
    return tuple(findings)


# ---------------------------------------------------------------------------------------------------------
# Loading inputs for a page of applications in bulk (a fixed number of queries, whatever the page size)
# ---------------------------------------------------------------------------------------------------------


@dataclass
class _Bulk:
    scenarios: dict[tuple[int, str], list[tuple]] = field(default_factory=lambda: defaultdict(list))
    groups: dict[tuple[int, str], tuple] = field(default_factory=dict)
    vg_tins: dict[tuple[int, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    broadband: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    submissions: list[tuple] = field(default_factory=list)
    others: dict[tuple[str, str, int], list[OtherApplication]] = field(
        default_factory=lambda: defaultdict(list)
    )


_SCENARIO_COLUMNS = ("practice__tin", "clinician__npi", *rules.SCENARIO_FACT_COLUMNS)
_GROUP_COLUMNS = (
    "practice__tin",
    "clinician_count",
    "hospital_based_count",
    "non_patient_facing_count",
    "ambulatory_surgical_center_count",
    "small_group_practitioner",
    "ambulatory_surgical_center",
    "hospital_based_clinician",
    "non_patient_facing",
    "allowed_charges",
    "part_b_patients",
    "covered_services",
    "opted_in",
    "is_eligible_group",
    "low_volume_switch",
)


def _load(applications: Sequence[Any]) -> _Bulk:
    from django.db.models import Q
    from django.db.models.functions import Upper

    from eligibility.models import GroupScenario, IndividualScenario, PracticeLocation, VirtualGroup
    from scoring.models import DataSubmission

    from .models import Application, Status

    bulk = _Bulk()
    years = {a.performance_year for a in applications}
    vg_ids = {a.virtual_group_identifier.upper() for a in applications if a.virtual_group_identifier}
    apm_ids = {a.apm_entity_identifier.upper() for a in applications if a.apm_entity_identifier}
    tins = {a.tin for a in applications if a.tin and a.participation_level in ("individual", "group")}
    npis = {a.npi for a in applications if a.npi}

    if vg_ids:
        through = VirtualGroup.practices.through
        for identifier, year, tin in (
            through.objects.annotate(ident=Upper("virtualgroup__identifier"))
            .filter(ident__in=vg_ids, virtualgroup__performance_year__in=years)
            .values_list("ident", "virtualgroup__performance_year", "practice__tin")
        ):
            bulk.vg_tins[(year, identifier)].add(tin)
    all_tins = tins | {t for members in bulk.vg_tins.values() for t in members}

    if all_tins:
        # Group designations matter only for group and virtual-group applications.
        group_tins = {a.tin for a in applications if a.participation_level == "group" and a.tin}
        group_tins |= {t for members in bulk.vg_tins.values() for t in members}
        # Every member only where a group's facts are computed; an individual application needs its own
        # TIN/NPI row only. Loading all members of every TIN on a queue page read 64,000 rows (1.2 s) at
        # national scale; .order_by() drops the model's name sort (issue 9, docs/benchmarks.md).
        # Two queries, not one with an OR: PostgreSQL cannot push an OR across the join down to the indexes.
        individual = [a for a in applications if a.participation_level == "individual" and a.tin and a.npi]
        pairs = {(a.tin, a.npi) for a in individual}
        scenario_rows = IndividualScenario.objects.filter(performance_year__in=years).order_by()
        for row in (
            scenario_rows.filter(practice__tin__in=group_tins).values_list(
                "performance_year", *_SCENARIO_COLUMNS
            )
            if group_tins
            else []
        ):
            bulk.scenarios[(row[0], row[1])].append(row[1:])
        for row in (
            scenario_rows.filter(clinician__npi__in={npi for _tin, npi in pairs}).values_list(
                "performance_year", *_SCENARIO_COLUMNS
            )
            if pairs
            else []
        ):
            # Rows of group TINs are already there (with all their members).
            if (row[1], row[2]) in pairs and row[1] not in group_tins:
                bulk.scenarios[(row[0], row[1])].append(row[1:])
        rows = (
            GroupScenario.objects.filter(
                performance_year__in=years, practice__tin__in=group_tins
            ).values_list("performance_year", *_GROUP_COLUMNS)
            if group_tins
            else []
        )
        for row in rows:
            bulk.groups[(row[0], row[1])] = row[2:]
        wants_broadband = {
            a.tin if a.participation_level == "group" else a.virtual_group_identifier.upper()
            for a in applications
            if a.pi_reason == "insufficient_internet_connectivity"
            and a.participation_level in ("group", "virtual_group")
        }
        if wants_broadband:
            for tin, line_1, city, state in PracticeLocation.objects.filter(
                practice__tin__in=all_tins, broadband_available=True
            ).values_list("practice__tin", "address_line_1", "city", "state"):
                bulk.broadband[tin].append(f"{line_1}, {city}, {state}")

    who = Q()
    if npis:
        who |= Q(submitter_type="individual", npi__in=npis)
    if tins:
        who |= Q(submitter_type="group", tin__in=tins)
    if vg_ids:
        who |= Q(submitter_type="virtual_group", virtual_group_identifier__in=vg_ids)
    if who:
        bulk.submissions = list(
            DataSubmission.objects.filter(who, performance_year__in=years).values_list(
                "submitter_type",
                "npi",
                "tin",
                "virtual_group_identifier",
                "apm_entity_identifier",
                "performance_year",
                "category",
                "submitted_at",
            )
        )

    keys = {a.participant_key for a in applications if a.participant_key}
    if keys:
        for key, exception_type, year, reference, status in Application.objects.filter(
            participant_key__in=keys,
            performance_year__in=years,
            status__in=[Status.SUBMITTED, Status.APPROVED],
        ).values_list("participant_key", "exception_type", "performance_year", "reference", "status"):
            bulk.others[(key, exception_type, year)].append(OtherApplication(reference, status))
    del apm_ids  # APM Entity data never overrides an EUC approval (field notes): nothing to load for them.
    return bulk


def _member_facts(row: tuple, year: int) -> tuple[rules.ClinicianFacts, rules.EligibilityResult]:
    # Approvals don't enter the pre-check: another approval is its own finding (OTHER_APPLICATION).
    return rules.clinician_facts_from_columns(row[2:], year, approved_pi_hardship=False)


def _group_facts(bulk: _Bulk, year: int, tin: str) -> rules.GroupFacts | None:
    rows = bulk.scenarios.get((year, tin), [])
    stored = bulk.groups.get((year, tin))
    if not rows and stored is None:
        return None
    members = tuple(_member_facts(row, year)[0] for row in rows)
    if stored is not None:
        count, hb_count, npf_count, asc_count, small, asc, hb, npf = stored[:8]
        return rules.GroupFacts(
            clinician_count=count,
            hospital_based_count=hb_count,
            non_patient_facing_count=npf_count,
            ambulatory_surgical_center_count=asc_count,
            small_practice=small,
            ambulatory_surgical_center=asc,
            hospital_based=hb,
            non_patient_facing=npf,
            members=members,
        )
    return rules.GroupFacts(
        clinician_count=len(members),
        hospital_based_count=sum(m.hospital_based for m in members),
        non_patient_facing_count=sum(m.non_patient_facing for m in members),
        ambulatory_surgical_center_count=sum(m.ambulatory_surgical_center for m in members),
        members=members,
    )


def _input_for(application: Any, bulk: _Bulk) -> PrecheckInput:
    year = application.performance_year
    level = application.participation_level
    found = True
    eligibility: rules.EligibilityResult | None = None
    reweighting: rules.ReweightingResult | None = None
    broadband: list[str] = []
    try:
        rules.rule_set_for_year(year)
        supported = True
    except rules.UnsupportedPerformanceYear:
        supported = False
    if supported and level == "individual":
        row = next(
            (r for r in bulk.scenarios.get((year, application.tin), []) if r[1] == application.npi), None
        )
        found = row is not None
        if row is not None:
            facts, eligibility = _member_facts(row, year)
            reweighting = rules.individual_reweighting(facts, year)
    elif supported and level == "group":
        group = _group_facts(bulk, year, application.tin)
        stored = bulk.groups.get((year, application.tin))
        found = group is not None
        if group is not None:
            reweighting = rules.group_reweighting(group, year)
        if stored is not None:
            charges, patients, services, opted_in, cms_ok, lvs = stored[8:]
            eligibility = rules.mips_eligibility(
                rules.LowVolumeFacts(charges, patients, services, opted_in, cms_ok, lvs), year
            )
        broadband = bulk.broadband.get(application.tin, [])
    elif supported and level == "virtual_group":
        member_tins = sorted(bulk.vg_tins.get((year, application.virtual_group_identifier.upper()), set()))
        members = [g for g in (_group_facts(bulk, year, t) for t in member_tins) if g is not None]
        if members:
            reweighting = rules.virtual_group_reweighting(members, year)
        broadband = [line for t in member_tins for line in bulk.broadband.get(t, [])]

    submissions = []
    vg = application.virtual_group_identifier.upper()
    for submitter_type, npi, tin, vg_id, _apm, s_year, category, submitted_at in bulk.submissions:
        if s_year != year or submitter_type != level:
            continue
        if (
            (level == "individual" and npi == application.npi and tin == application.tin)
            or (level == "group" and tin == application.tin)
            or (level == "virtual_group" and vg_id.upper() == vg)
        ):
            submissions.append(Submission(category, submitted_at.date()))

    categories = frozenset(
        name for name in CATEGORY_LABELS if getattr(application, f"requests_{name}", False)
    )
    return PrecheckInput(
        reference=application.reference,
        exception_type=application.exception_type,
        performance_year=year,
        participation_level=level,
        pi_reason=application.pi_reason,
        event_type=application.event_type,
        event_start_date=application.event_start_date,
        event_end_date=application.event_end_date,
        requested_categories=categories,
        participant_found=found,
        eligibility=eligibility,
        pi_reweighting=reweighting,
        submissions=tuple(submissions),
        other_applications=tuple(
            bulk.others.get((application.participant_key, application.exception_type, year), [])
        ),
        broadband_locations=tuple(broadband),
    )


def findings_for(applications: Iterable[Any]) -> dict[int, tuple[Finding, ...]]:
    """Findings for each application (by pk), loading everything they need in a fixed number of queries."""
    items = list(applications)
    if not items:
        return {}
    bulk = _load(items)
    return {a.pk: precheck_findings(_input_for(a, bulk)) for a in items}
