"""Reads of participation data. Other apps call these; they never write.

Approved PI hardship exceptions reach the rules only through ``approved_pi_hardships`` (below), which looks up
the applications app's model lazily so this app does not import it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.db.models.functions import Upper

from . import cache, rules
from .models import (
    APMEntity,
    Clinician,
    GroupScenario,
    IndividualScenario,
    Practice,
    Subgroup,
    VirtualGroup,
)
from .validators import is_valid_npi, is_valid_tin

# --- identifiers ---------------------------------------------------------------------------------------


def clinician_for_npi(npi: str) -> Clinician | None:
    if not is_valid_npi(npi):
        return None
    return Clinician.objects.filter(npi=npi).first()


def practice_for_tin(tin: str) -> Practice | None:
    if not is_valid_tin(tin):
        return None
    return Practice.objects.filter(tin=tin).first()


def practices_for_npi(npi: str, performance_year: int) -> list[Practice]:
    """The practices (TINs) the clinician bills under in that performance year."""
    if not is_valid_npi(npi):
        return []
    return list(
        Practice.objects.filter(
            individual_scenarios__clinician__npi=npi,
            individual_scenarios__performance_year=performance_year,
        )
        .distinct()
        .order_by("legal_name", "tin")
    )


def practice_tins_for_npi(npi: str, performance_year: int) -> list[str]:
    return [p.tin for p in practices_for_npi(npi, performance_year)]


def clinicians_for_tin(tin: str, performance_year: int) -> list[Clinician]:
    return list(
        Clinician.objects.filter(
            scenarios__practice__tin=tin, scenarios__performance_year=performance_year
        ).distinct()
    )


def virtual_group_for_identifier(identifier: str, performance_year: int) -> VirtualGroup | None:
    return (
        VirtualGroup.objects.filter(identifier__iexact=identifier.strip(), performance_year=performance_year)
        .prefetch_related("practices")
        .first()
    )


def virtual_groups_for_tin(tin: str, performance_year: int) -> list[VirtualGroup]:
    return list(VirtualGroup.objects.filter(practices__tin=tin, performance_year=performance_year))


def apm_entity_for_identifier(entity_id: str, performance_year: int) -> APMEntity | None:
    return APMEntity.objects.filter(
        entity_id__iexact=entity_id.strip(), performance_year=performance_year
    ).first()


def apm_entities_for_participant(
    *, tin: str, npi: str | None = None, performance_year: int
) -> list[APMEntity]:
    qs = APMEntity.objects.filter(participants__practice__tin=tin, performance_year=performance_year)
    if npi:
        qs = qs.filter(participants__clinician__npi=npi)
    return list(qs.distinct())


def subgroup_for_identifier(identifier: str, performance_year: int) -> Subgroup | None:
    return (
        Subgroup.objects.filter(identifier__iexact=identifier.strip(), performance_year=performance_year)
        .select_related("practice")
        .first()
    )


def individual_scenario(npi: str, tin: str, performance_year: int) -> IndividualScenario | None:
    return (
        IndividualScenario.objects.select_related("clinician", "practice")
        .filter(clinician__npi=npi, practice__tin=tin, performance_year=performance_year)
        .first()
    )


def group_scenario(tin: str, performance_year: int) -> GroupScenario | None:
    return (
        GroupScenario.objects.select_related("practice")
        .filter(practice__tin=tin, performance_year=performance_year)
        .first()
    )


def performance_years() -> list[int]:
    """Performance years that have participation data, newest first."""
    return sorted(
        set(IndividualScenario.objects.values_list("performance_year", flat=True).distinct()), reverse=True
    )


# --- approved PI hardship exceptions (the applications issue owns the facts) --------------------------


def approved_pi_hardships(performance_year: int, *, tins: set[str]) -> set[tuple[str, str | None]]:
    """(tin, npi) pairs with an approved PI hardship exception in that year; npi is None for an approval
    that covers the whole TIN (group, virtual group). Empty until the applications app defines its model."""
    if not tins:
        return set()
    try:
        application = apps.get_model("applications", "Application")
    except LookupError:
        return set()
    try:
        for name in ("performance_year", "exception_type", "status", "participation_level", "tin", "npi"):
            application._meta.get_field(name)
    except FieldDoesNotExist:
        return set()
    has_vg_identifier = any(f.name == "virtual_group_identifier" for f in application._meta.get_fields())
    wanted = Q(tin__in=tins)
    if has_vg_identifier:
        # A virtual-group approval may name only the virtual group: it covers every member TIN that year.
        wanted |= Q(participation_level="virtual_group")
    rows = application.objects.filter(
        wanted, performance_year=performance_year, exception_type="pi_hardship", status="approved"
    ).values_list(
        "participation_level", "tin", "npi", *(("virtual_group_identifier",) if has_vg_identifier else ())
    )
    rows = list(rows)
    # The member TINs of every approved virtual group in one query, not one per approval (an N+1 that cost
    # 50 queries per lookup with national-scale data; issue 9).
    vg_members: dict[str, set[str]] = {}
    vg_identifiers = {
        vg[0].upper() for level, _t, _n, *vg in rows if level == "virtual_group" and vg and vg[0]
    }
    if vg_identifiers:
        # Only the asked TINs' memberships: the answer keeps member TINs among ``tins`` alone, and reading
        # every member of every approved virtual group cost more than the rest of the lookup (issue 9).
        for identifier, member_tin in (
            Practice.objects.annotate(vg_identifier=Upper("virtual_groups__identifier"))
            .filter(
                tin__in=tins,
                vg_identifier__in=vg_identifiers,
                virtual_groups__performance_year=performance_year,
            )
            .order_by()
            .values_list("vg_identifier", "tin")
        ):
            vg_members.setdefault(identifier, set()).add(member_tin)
    pairs: set[tuple[str, str | None]] = set()
    for level, tin, npi, *vg in rows:
        if level == "individual" and tin and npi:
            pairs.add((tin, npi))
        elif level == "group" and tin:
            pairs.add((tin, None))
        elif level == "virtual_group":
            member_tins = {tin} if tin else set()
            if vg and vg[0]:
                member_tins |= vg_members.get(vg[0].upper(), set())
            pairs |= {(t, None) for t in member_tins & tins}
        elif level == "apm_entity" and tin:
            # APM Entities can't apply for the PI hardship (seed 003 "Who"); a stored approval at that level
            # is still honoured for its TIN rather than silently dropped.
            pairs.add((tin, npi or None))
    return pairs


@dataclass(frozen=True)
class EUCApproval:
    """An approved Extreme and Uncontrollable Circumstances exception (v6 ``extremeHardship*``)."""

    quality: bool
    improvement_activities: bool
    promoting_interoperability: bool
    cost: bool
    event_type: str
    event_type_label: str = ""


def approved_euc_exceptions(
    performance_year: int, *, tins: set[str]
) -> dict[tuple[str, str | None], EUCApproval]:
    """Approved EUC exceptions touching these TINs in that year, keyed like ``approved_pi_hardships``:
    (tin, npi) for an individual, (tin, None) for a whole TIN (group, each member TIN of a virtual group, each
    participant TIN of an APM Entity). Withdrawn or denied applications never appear (issue 7 point 9)."""
    if not tins:
        return {}
    try:
        application = apps.get_model("applications", "Application")
    except LookupError:
        return {}
    from .models import APMParticipant

    rows = (
        application.objects.filter(performance_year=performance_year, exception_type="euc", status="approved")
        .filter(
            Q(participation_level__in=("individual", "group"), tin__in=tins)
            | Q(participation_level__in=("virtual_group", "apm_entity"))
        )
        .values_list(
            "participation_level",
            "tin",
            "npi",
            "virtual_group_identifier",
            "apm_entity_identifier",
            "requests_quality",
            "requests_improvement_activities",
            "requests_promoting_interoperability",
            "requests_cost",
            "event_type",
        )
    )
    vg_members: dict[str, set[str]] = {}
    for identifier, tin in Practice.objects.filter(
        tin__in=tins, virtual_groups__performance_year=performance_year
    ).values_list("virtual_groups__identifier", "tin"):
        vg_members.setdefault(identifier.upper(), set()).add(tin)
    apm_members: dict[str, set[str]] = {}
    for entity_id, tin in APMParticipant.objects.filter(
        practice__tin__in=tins, apm_entity__performance_year=performance_year
    ).values_list("apm_entity__entity_id", "practice__tin"):
        apm_members.setdefault(entity_id.upper(), set()).add(tin)

    labels = dict(application._meta.get_field("event_type").flatchoices)
    approvals: dict[tuple[str, str | None], EUCApproval] = {}
    for level, tin, npi, vg, apm, quality, ia, pi, cost, event_type in rows:
        approval = EUCApproval(quality, ia, pi, cost, event_type, str(labels.get(event_type, event_type)))
        if level == "individual" and tin and npi:
            approvals[(tin, npi)] = approval
        elif level == "group" and tin:
            approvals[(tin, None)] = approval
        elif level == "virtual_group" and vg:
            approvals.update({(t, None): approval for t in vg_members.get(vg.upper(), set())})
        elif level == "apm_entity" and apm:
            approvals.update({(t, None): approval for t in apm_members.get(apm.upper(), set())})
    return approvals


def has_approved_pi_hardship(
    approvals: set[tuple[str, str | None]], *, tin: str, npi: str | None = None
) -> bool:
    return (tin, None) in approvals or (npi is not None and (tin, npi) in approvals)


# --- facts for the rules -------------------------------------------------------------------------------


def _clinician_facts(
    scenario: IndividualScenario, approvals: set[tuple[str, str | None]]
) -> rules.ClinicianFacts:
    return rules.ClinicianFacts(
        clinician_type=scenario.clinician.clinician_type,
        hospital_based=scenario.hospital_based_clinician,
        non_patient_facing=scenario.non_patient_facing,
        ambulatory_surgical_center=scenario.ambulatory_surgical_center,
        small_practice=scenario.small_group_practitioner,
        mips_eligible=individual_eligibility_from_scenario(scenario).eligible,
        # Only an individual (TIN/NPI) approval qualifies the clinician "individually" (seed 003 Appendix A).
        approved_pi_hardship=(scenario.practice.tin, scenario.clinician.npi) in approvals,
    )


def _group_facts(
    practice: Practice, performance_year: int, approvals: set[tuple[str, str | None]]
) -> rules.GroupFacts:
    # Plain tuples rather than model instances: a TIN can have thousands of clinicians (ADR 0012).
    # No ORDER BY: the model's default ordering joins and sorts thousands of members by practice and name
    # for nothing, and made PostgreSQL scan all clinicians (480 ms per large practice; issue 9).
    scenarios = IndividualScenario.objects.filter(
        practice=practice, performance_year=performance_year
    ).order_by()
    rows = scenarios.values_list("clinician__npi", *rules.SCENARIO_FACT_COLUMNS)
    members = tuple(
        rules.clinician_facts_from_columns(
            row[1:], performance_year, approved_pi_hardship=(practice.tin, row[0]) in approvals
        )[0]
        for row in rows
    )
    stored = GroupScenario.objects.filter(practice=practice, performance_year=performance_year).first()
    if stored is not None:
        return rules.GroupFacts(
            clinician_count=stored.clinician_count,
            hospital_based_count=stored.hospital_based_count,
            non_patient_facing_count=stored.non_patient_facing_count,
            ambulatory_surgical_center_count=stored.ambulatory_surgical_center_count,
            small_practice=stored.small_group_practitioner,
            ambulatory_surgical_center=stored.ambulatory_surgical_center,
            hospital_based=stored.hospital_based_clinician,
            non_patient_facing=stored.non_patient_facing,
            members=members,
        )
    return rules.GroupFacts(
        clinician_count=len(members),
        hospital_based_count=sum(m.hospital_based for m in members),
        non_patient_facing_count=sum(m.non_patient_facing for m in members),
        ambulatory_surgical_center_count=sum(m.ambulatory_surgical_center for m in members),
        members=members,
    )


def individual_eligibility_from_scenario(scenario: IndividualScenario) -> rules.EligibilityResult:
    return rules.mips_eligibility(
        rules.LowVolumeFacts(
            allowed_charges=scenario.allowed_charges,
            part_b_patients=scenario.part_b_patients,
            covered_services=scenario.covered_services,
            opted_in=scenario.opted_in,
            cms_eligible=scenario.is_eligible_individual,
            cms_low_volume_switch=scenario.low_volume_switch,
        ),
        scenario.performance_year,
    )


def _not_found_eligibility(performance_year: int, reason: str) -> rules.EligibilityResult:
    return rules.EligibilityResult(
        eligible=False,
        reasons=(reason,),
        rule_set=rules.rule_set_for_year(performance_year),
        performance_year=performance_year,
        determined_by="cms",
    )


def _not_found_reweighting(performance_year: int, level: str, reason: str) -> rules.ReweightingResult:
    return rules.ReweightingResult(
        reweighted=False,
        reasons=(),
        rule_set=rules.rule_set_for_year(performance_year),
        performance_year=performance_year,
        participation_level=level,
        category=rules.category_name(performance_year),
        notes=(reason,),
    )


def individual_mips_eligibility(npi: str, tin: str, performance_year: int) -> rules.EligibilityResult:
    scenario = individual_scenario(npi, tin, performance_year)
    if scenario is None:
        return _not_found_eligibility(
            performance_year, "This clinician doesn't bill under this TIN in this performance year"
        )
    return individual_eligibility_from_scenario(scenario)


def group_mips_eligibility(tin: str, performance_year: int) -> rules.EligibilityResult:
    stored = group_scenario(tin, performance_year)
    if stored is None:
        return _not_found_eligibility(performance_year, "No group data is on file for this TIN and year")
    return rules.mips_eligibility(
        rules.LowVolumeFacts(
            allowed_charges=stored.allowed_charges,
            part_b_patients=stored.part_b_patients,
            covered_services=stored.covered_services,
            opted_in=stored.opted_in,
            cms_eligible=stored.is_eligible_group,
            cms_low_volume_switch=stored.low_volume_switch,
        ),
        performance_year,
    )


def individual_pi_reweighting(npi: str, tin: str, performance_year: int) -> rules.ReweightingResult:
    scenario = individual_scenario(npi, tin, performance_year)
    if scenario is None:
        return _not_found_reweighting(
            performance_year,
            "individual",
            "This clinician doesn't bill under this TIN in this performance year",
        )
    return rules.individual_reweighting(_clinician_facts(scenario, set()), performance_year)


def group_pi_reweighting(tin: str, performance_year: int) -> rules.ReweightingResult:
    practice = practice_for_tin(tin)
    if (
        practice is None
        or not IndividualScenario.objects.filter(
            practice=practice, performance_year=performance_year
        ).exists()
    ):
        return _not_found_reweighting(performance_year, "group", "No group data is on file for this TIN")
    approvals = approved_pi_hardships(performance_year, tins={tin})
    return rules.group_reweighting(_group_facts(practice, performance_year, approvals), performance_year)


def virtual_group_pi_reweighting(identifier: str, performance_year: int) -> rules.ReweightingResult:
    vg = virtual_group_for_identifier(identifier, performance_year)
    if vg is None:
        return _not_found_reweighting(
            performance_year, "virtual_group", "No virtual group with this identifier in this year"
        )
    practices = list(vg.practices.all())
    approvals = approved_pi_hardships(performance_year, tins={p.tin for p in practices})
    return rules.virtual_group_reweighting(
        [_group_facts(p, performance_year, approvals) for p in practices], performance_year
    )


def subgroup_pi_reweighting(identifier: str, performance_year: int) -> rules.ReweightingResult:
    subgroup = subgroup_for_identifier(identifier, performance_year)
    if subgroup is None:
        return _not_found_reweighting(performance_year, "subgroup", "No subgroup with this identifier")
    return rules.subgroup_reweighting(group_pi_reweighting(subgroup.practice.tin, performance_year))


# --- the participation-status lookup -------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationStatus:
    practice: Practice
    scenario: IndividualScenario | None
    group: GroupScenario | None
    eligibility: rules.EligibilityResult | None
    individual: rules.ReweightingResult | None
    group_result: rules.ReweightingResult
    group_eligibility: rules.EligibilityResult
    special_statuses: tuple[str, ...]
    aci_hardship_individual: bool
    aci_hardship_group: bool
    virtual_groups: tuple[VirtualGroup, ...]
    apm_entities: tuple[APMEntity, ...]
    subgroups: tuple[Subgroup, ...]
    # Approved EUC exceptions (issue 7 point 9): for this TIN/NPI, and for the whole TIN.
    euc_individual: EUCApproval | None = None
    euc_group: EUCApproval | None = None


def _special_status_labels(flags: object) -> tuple[str, ...]:
    labels = (
        ("hospital_based_clinician", "Hospital-based"),
        ("non_patient_facing", "Non-patient facing"),
        ("ambulatory_surgical_center", "Ambulatory Surgical Center (ASC)-based"),
        ("small_group_practitioner", "Small practice (15 or fewer clinicians)"),
        ("rural_clinician", "Rural"),
        ("hpsa_clinician", "Health Professional Shortage Area (HPSA)"),
        ("is_facility_based", "Facility-based"),
    )
    return tuple(label for attr, label in labels if getattr(flags, attr))


@dataclass(frozen=True)
class _PracticePart:
    """What every clinician of a practice shares in a year: read once per practice and cached (ADR 0074),
    so looking up one more NPI of a 4,000-clinician practice does not read all 4,000 members again."""

    approvals: frozenset[tuple[str, str | None]]
    euc: dict[tuple[str, str | None], EUCApproval]
    group: GroupScenario | None
    group_result: rules.ReweightingResult
    group_eligibility: rules.EligibilityResult
    virtual_groups: tuple[VirtualGroup, ...]


def _practice_part(practice: Practice, performance_year: int) -> _PracticePart:
    def compute() -> _PracticePart:
        tin = practice.tin
        approvals = approved_pi_hardships(performance_year, tins={tin})
        return _PracticePart(
            approvals=frozenset(approvals),
            euc=approved_euc_exceptions(performance_year, tins={tin}),
            group=GroupScenario.objects.filter(practice=practice, performance_year=performance_year).first(),
            group_result=rules.group_reweighting(
                _group_facts(practice, performance_year, approvals), performance_year
            ),
            group_eligibility=group_mips_eligibility(tin, performance_year),
            virtual_groups=tuple(virtual_groups_for_tin(tin, performance_year)),
        )

    return cache.cached_lookup("practice", practice.tin, performance_year, compute)


def _organization_status(
    practice: Practice, performance_year: int, scenario: IndividualScenario | None
) -> OrganizationStatus:
    tin = practice.tin
    shared = _practice_part(practice, performance_year)
    group = shared.group
    individual = eligibility = None
    statuses: tuple[str, ...] = ()
    if scenario is not None:
        individual = rules.individual_reweighting(_clinician_facts(scenario, set()), performance_year)
        eligibility = individual_eligibility_from_scenario(scenario)
        statuses = _special_status_labels(scenario)
    elif group is not None:
        statuses = _special_status_labels(group)
    npi = scenario.clinician.npi if scenario is not None else None
    subgroups = Subgroup.objects.filter(practice=practice, performance_year=performance_year)
    if npi:
        subgroups = subgroups.filter(clinicians__npi=npi)
    return OrganizationStatus(
        practice=practice,
        scenario=scenario,
        group=group,
        eligibility=eligibility,
        individual=individual,
        group_result=shared.group_result,
        group_eligibility=shared.group_eligibility,
        special_statuses=statuses,
        aci_hardship_individual=npi is not None and (tin, npi) in shared.approvals,
        aci_hardship_group=(tin, None) in shared.approvals,
        virtual_groups=shared.virtual_groups,
        apm_entities=tuple(apm_entities_for_participant(tin=tin, npi=npi, performance_year=performance_year)),
        subgroups=tuple(subgroups.distinct()),
        euc_individual=shared.euc.get((tin, npi)) if npi else None,
        euc_group=shared.euc.get((tin, None)),
    )


def participation_status_for_npi(npi: str, performance_year: int) -> list[OrganizationStatus]:
    """Every practice the NPI bills under in the year, with its statuses; cached under the data version
    (eligibility.cache, ADR 0074)."""
    return cache.cached_lookup(
        "npi", npi, performance_year, lambda: _participation_status_for_npi(npi, performance_year)
    )


def _participation_status_for_npi(npi: str, performance_year: int) -> list[OrganizationStatus]:
    scenarios = (
        IndividualScenario.objects.select_related("clinician", "practice")
        .filter(clinician__npi=npi, performance_year=performance_year)
        .order_by("practice__legal_name", "practice__tin")
    )
    return [_organization_status(s.practice, performance_year, s) for s in scenarios]


def participation_status_for_tin(tin: str, performance_year: int) -> OrganizationStatus | None:
    """The practice's group status in the year (None when it has no data that year); cached like the NPI
    lookup."""
    return cache.cached_lookup(
        "tin", tin, performance_year, lambda: _participation_status_for_tin(tin, performance_year)
    )


def _participation_status_for_tin(tin: str, performance_year: int) -> OrganizationStatus | None:
    practice = practice_for_tin(tin)
    if practice is None:
        return None
    if not (
        IndividualScenario.objects.filter(practice=practice, performance_year=performance_year).exists()
        or GroupScenario.objects.filter(practice=practice, performance_year=performance_year).exists()
    ):
        return None
    return _organization_status(practice, performance_year, None)
