"""The streamed computation: one row per participant of a year within a scope."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from eligibility import rules
from eligibility.models import IndividualScenario

from .. import engine
from ..models import ParticipantType
from ..policy import APP, SMALL_PRACTICE, TRADITIONAL
from .constants import STREAM_CHUNK
from .facts import ApprovedApplication, Facts, load_facts, with_applications
from .keys import apm_entity_key, group_key, individual_key, subgroup_key, virtual_group_key
from .outcome import _Calculator

# --- the streamed computation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Limits a recompute. ``tins`` are the TINs whose scenarios are read (None: all); ``keys`` the
    participant keys written (None: all)."""

    tins: frozenset[str] | None = None
    keys: frozenset[str] | None = None
    virtual_groups: frozenset[str] = frozenset()
    apm_entities: frozenset[str] = frozenset()


def _group_facts(stored: tuple | None, members: list[rules.ClinicianFacts]) -> rules.GroupFacts:
    # As eligibility.selectors._group_facts: CMS's stored group flags and counts when present.
    if stored is not None:
        count, hb, npf, asc, small, asc_flag, hb_flag, npf_flag = stored
        return rules.GroupFacts(
            clinician_count=count,
            hospital_based_count=hb,
            non_patient_facing_count=npf,
            ambulatory_surgical_center_count=asc,
            small_practice=small,
            ambulatory_surgical_center=asc_flag,
            hospital_based=hb_flag,
            non_patient_facing=npf_flag,
            members=tuple(members),
        )
    return rules.GroupFacts(
        clinician_count=len(members),
        hospital_based_count=sum(m.hospital_based for m in members),
        non_patient_facing_count=sum(m.non_patient_facing for m in members),
        ambulatory_surgical_center_count=sum(m.ambulatory_surgical_center for m in members),
        members=tuple(members),
    )


def _scenario_queryset(year: int, tins: frozenset[str] | None) -> Any:
    qs = IndividualScenario.objects.filter(performance_year=year)
    if tins is not None:
        qs = qs.filter(practice__tin__in=tins)
    return (
        qs.order_by("practice_id", "clinician_id")
        .values_list("practice_id", "practice__tin", "clinician__npi", *rules.SCENARIO_FACT_COLUMNS)
    )


def _scenario_rows(year: int, tins: frozenset[str] | None, *, separate_connection: bool) -> Iterator[tuple]:
    """The TIN/NPI scenarios ordered by practice, streamed with a server-side cursor. With
    ``separate_connection`` (the PostgreSQL batch) they are read on a second connection, so the main one can
    run one COPY for the output at the same time: PostgreSQL writes on one core while Python computes on the
    other (ADR 0041)."""
    queryset = _scenario_queryset(year, tins)
    if not separate_connection:
        yield from queryset.iterator(chunk_size=STREAM_CHUNK)
        return
    sql, params = queryset.query.sql_with_params()
    reader = connection.copy()
    try:
        reader.ensure_connection()
        raw = reader.connection
        raw.autocommit = False
        with raw.cursor(name="scoring_scenarios") as cursor:
            cursor.itersize = STREAM_CHUNK
            cursor.execute(sql, params)
            yield from cursor
        raw.rollback()
    finally:
        reader.close()


def compute_rows(
    year: int,
    *,
    scope: Scope | None = None,
    extra_applications: Iterable[ApprovedApplication] = (),
    on_participant: Callable[[], None] | None = None,
    separate_connection: bool = False,
    computed_at: Any = None,
    facts: Facts | None = None,
) -> Iterator[tuple]:
    """One row (``COLUMNS``) per participant of the year within the scope. The bulk facts are read here,
    before the first row is asked for (the PostgreSQL batch streams the rows into a COPY on the main
    connection, which then can't run other queries), unless ``facts`` already read for this year and scope
    are given (the "if approved" preview reads them once for its two rows)."""
    engine.policy_for(year)  # refuse years without policy data before reading anything
    scope = scope or Scope()
    if facts is None:
        facts = load_facts(year, tins=scope.tins, extra=extra_applications)
    elif extra_applications:
        facts = with_applications(facts, extra_applications)
    calc = _Calculator(facts, computed_at or timezone.now())
    scenarios = _scenario_rows(year, scope.tins, separate_connection=separate_connection)
    return _rows(year, scope, facts, calc, scenarios, on_participant)


def _rows(
    year: int,
    scope: Scope,
    facts: Facts,
    calc: _Calculator,
    scenarios: Iterator[tuple],
    on_participant: Callable[[], None] | None,
) -> Iterator[tuple]:
    wanted = scope.keys
    pending = {k for k in facts.applications if wanted is None or k in wanted}
    vg_group_facts: dict[int, rules.GroupFacts] = {}
    vg_tins: dict[int, str] = {}
    individual_rule = calc.individual_reasons
    mips_eligibility = rules.mips_eligibility
    low_volume = rules.LowVolumeFacts
    clinician = rules.ClinicianFacts
    pi_hardships = facts.individual_pi_hardships
    individual = ParticipantType.INDIVIDUAL

    def finish_group(practice_id: int, tin: str, members: list[rules.ClinicianFacts]) -> Iterator[tuple]:
        group = _group_facts(facts.groups.get(practice_id), members)
        if practice_id in facts.practice_vgs:
            vg_group_facts[practice_id] = group
            vg_tins[practice_id] = tin
        key = group_key(tin)
        subgroups = facts.subgroups.get(practice_id, ())
        if wanted is not None and key not in wanted and not any(subgroup_key(s) in wanted for s in subgroups):
            return
        small = (
            group.small_practice
            if group.small_practice is not None
            else rules.is_small_practice(group.clinician_count)
        )
        result = rules.group_reweighting(group, year)
        row = calc.row(
            ptype=ParticipantType.GROUP,
            key=key,
            track=SMALL_PRACTICE if small else TRADITIONAL,
            automatic=result.reasons,
            tin=tin,
        )
        if wanted is None or key in wanted:
            pending.discard(key)
            yield row
        for identifier in subgroups:
            sg_key = subgroup_key(identifier)
            if wanted is None or sg_key in wanted:
                # Subgroups report MVPs: Appendix B applies (seed 003), whatever the group's size.
                yield calc.row(
                    ptype=ParticipantType.SUBGROUP,
                    key=sg_key,
                    track=TRADITIONAL,
                    tin=tin,
                    sg=identifier,
                    inherited_from=row,
                )

    current: int | None = None
    current_tin = ""
    members: list[rules.ClinicianFacts] = []
    for (
        practice_id,
        tin,
        npi,
        ctype,
        hb,
        npf,
        asc,
        small,
        charges,
        patients,
        services,
        opted_in,
        cms_ok,
        lvs,
    ) in scenarios:
        if practice_id != current:
            if current is not None:
                yield from finish_group(current, current_tin, members)
            current, current_tin, members = practice_id, tin, []
        facts_row = clinician(
            clinician_type=ctype,
            hospital_based=hb,
            non_patient_facing=npf,
            ambulatory_surgical_center=asc,
            small_practice=small,
            mips_eligible=mips_eligibility(
                low_volume(charges, patients, services, opted_in, cms_ok, lvs), year
            ).eligible,
            approved_pi_hardship=(tin, npi) in pi_hardships,
        )
        members.append(facts_row)
        key = individual_key(tin, npi)
        if on_participant is not None:
            on_participant()
        if wanted is not None and key not in wanted:
            continue
        pending.discard(key)
        yield calc.row(
            ptype=individual,
            key=key,
            track=SMALL_PRACTICE if small else TRADITIONAL,
            automatic=individual_rule(facts_row),
            npi=npi,
            tin=tin,
        )
    if current is not None:
        yield from finish_group(current, current_tin, members)

    for identifier, practice_ids in facts.vg_members.items():
        key = virtual_group_key(identifier)
        if wanted is not None and key not in wanted:
            continue
        known = [vg_group_facts[p] for p in practice_ids if p in vg_group_facts]
        automatic = rules.virtual_group_reweighting(known, year).reasons if known else ()
        pending.discard(key)
        # Appendix B covers virtual groups; Appendix C is for small practices only (seed 003).
        yield calc.row(
            ptype=ParticipantType.VIRTUAL_GROUP,
            key=key,
            track=TRADITIONAL,
            automatic=automatic,
            vg=identifier,
        )
    for entity_id in facts.apm_entities:
        key = apm_entity_key(entity_id)
        if wanted is not None and key not in wanted:
            continue
        pending.discard(key)
        # The eligibility rules define no automatic PI reweighting at the APM Entity level (ADR 0041).
        yield calc.row(ptype=ParticipantType.APM_ENTITY, key=key, track=APP, apm=entity_id)
    # Participants with an approved exception but no participation data here are still participants.
    for key in sorted(pending):
        app = facts.applications[key][0]
        level = app.participation_level
        yield calc.row(
            ptype=level,
            key=key,
            track=APP if level == ParticipantType.APM_ENTITY else TRADITIONAL,
            npi=app.npi if level == "individual" else "",
            tin=app.tin if level in ("individual", "group") else "",
            vg=app.virtual_group_identifier.upper() if level == "virtual_group" else "",
            apm=app.apm_entity_identifier.upper() if level == "apm_entity" else "",
        )
