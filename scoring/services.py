"""Participant reweighting: which categories are reweighted for every participant and year, why, and the
resulting weights (issue 8 point 3; ADR 0041). The only writer of ``ParticipantReweighting``.

One computation serves the batch recompute (every participant of a year: bulk reads, one streamed pass over
the TIN/NPI scenarios, COPY on PostgreSQL), the incremental recompute after a decision (only the participants
an application affects) and the "if approved" preview (nothing written). Per participant:

    reweighted = (automatic PI reweighting  ∪  approved PI hardship (PI)  ∪  approved EUC (its categories)
                  ∪  cost that cannot be scored)  −  categories with submitted data

"data submission overrides approved reweighting on a category-by-category basis" (seed
002_a56a46789770f819.txt), and reporting PI data overrides the automatic reweighting (seed
001_ede0be81fe1df585.txt), except an APM Entity's EUC reweighting, which submitted data does not override
(field notes; seed 002: APM Entities "must apply for all performance categories"). A group application
applies at the group level only; a subgroup inherits its group's outcome (seed 003_452340df50752410.txt,
subgroups can't apply).
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from eligibility import rules
from eligibility.models import APMEntity, GroupScenario, IndividualScenario, Subgroup, VirtualGroup

from . import engine
from .models import CostAttribution, DataSubmission, ParticipantReweighting, ParticipantType
from .policy import APP, CATEGORIES, COST, PROMOTING_INTEROPERABILITY, SMALL_PRACTICE, TRADITIONAL

logger = logging.getLogger(__name__)

PI_BIT = engine.CATEGORY_BITS[PROMOTING_INTEROPERABILITY]
COST_BIT = engine.CATEGORY_BITS[COST]
COPY_BATCH = 50_000
STREAM_CHUNK = 20_000

# Sources recorded in ParticipantReweighting.reasons.
AUTOMATIC = "automatic_pi_reweighting"
PI_HARDSHIP = "pi_hardship"
EUC = "euc"
COST_NOT_SCORABLE = "cost_not_scorable"
INHERITED = "inherited_from_group"
COST_NOT_SCORABLE_DETAIL = "No cost measure meets its case minimum"

ProgressCallback = Callable[[int, int], None]


class ReweightingError(Exception):
    """A recompute that cannot run (for example a year without policy data)."""


# --- keys -----------------------------------------------------------------------------------------------


def individual_key(tin: str, npi: str) -> str:
    return f"individual:{tin}:{npi}"


def group_key(tin: str) -> str:
    return f"group:{tin}"


def virtual_group_key(identifier: str) -> str:
    return f"virtual_group:{identifier.strip().upper()}"


def apm_entity_key(identifier: str) -> str:
    return f"apm_entity:{identifier.strip().upper()}"


def subgroup_key(identifier: str) -> str:
    return f"subgroup:{identifier.strip().upper()}"


# --- bulk facts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovedApplication:
    """What an approved (or, for a preview, would-be approved) application contributes."""

    participation_level: str
    exception_type: str
    mask: int
    reference: str
    npi: str = ""
    tin: str = ""
    virtual_group_identifier: str = ""
    apm_entity_identifier: str = ""

    @property
    def participant_key(self) -> str | None:
        level = self.participation_level
        if level == "individual" and self.tin and self.npi:
            return individual_key(self.tin, self.npi)
        if level == "group" and self.tin:
            return group_key(self.tin)
        if level == "virtual_group" and self.virtual_group_identifier:
            return virtual_group_key(self.virtual_group_identifier)
        if level == "apm_entity" and self.apm_entity_identifier:
            return apm_entity_key(self.apm_entity_identifier)
        return None


def application_mask(exception_type: str, requests: Iterable[tuple[str, bool]]) -> int:
    """PI hardship → PI (seed 003); EUC → the categories it requests (seed 002)."""
    if exception_type == "pi_hardship":
        return PI_BIT
    return engine.mask_of(name for name, wanted in requests if wanted)


def _approved_applications(year: int, tins: frozenset[str] | None = None) -> list[ApprovedApplication]:
    from django.db.models import Q

    from applications.models import Application

    qs = Application.objects.filter(performance_year=year, status="approved").order_by()
    if tins is not None:
        # A scoped computation (the "if approved" preview, an incremental recompute) reads only the
        # applications of the TINs it covers, plus the few virtual group and APM Entity ones, as
        # _data_masks does: at national scale the whole year's approvals cost 150 ms per preview (issue 9).
        qs = qs.filter(Q(tin__in=tins) | Q(participation_level__in=("virtual_group", "apm_entity")))
    rows = qs.values_list(
        "participation_level",
        "exception_type",
        "reference",
        "npi",
        "tin",
        "virtual_group_identifier",
        "apm_entity_identifier",
        "requests_quality",
        "requests_cost",
        "requests_improvement_activities",
        "requests_promoting_interoperability",
    )
    return [
        ApprovedApplication(
            level,
            etype,
            application_mask(etype, zip(CATEGORIES, (q, c, ia, pi), strict=True)),
            ref,
            npi,
            tin,
            vg,
            apm,
        )
        for level, etype, ref, npi, tin, vg, apm, q, c, ia, pi in rows
    ]


def approved_application_from(application: Any) -> ApprovedApplication:
    requests = (
        application.requests_quality,
        application.requests_cost,
        application.requests_improvement_activities,
        application.requests_promoting_interoperability,
    )
    return ApprovedApplication(
        participation_level=application.participation_level,
        exception_type=application.exception_type,
        mask=application_mask(application.exception_type, zip(CATEGORIES, requests, strict=True)),
        reference=application.reference,
        npi=application.npi,
        tin=application.tin,
        virtual_group_identifier=application.virtual_group_identifier,
        apm_entity_identifier=application.apm_entity_identifier,
    )


def _submission_key(submitter_type: str, npi: str, tin: str, vg: str, apm: str) -> str | None:
    if submitter_type == "individual" and tin and npi:
        return individual_key(tin, npi)
    if submitter_type == "group" and tin:
        return group_key(tin)
    if submitter_type == "virtual_group" and vg:
        return virtual_group_key(vg)
    if submitter_type == "apm_entity" and apm:
        return apm_entity_key(apm)
    return None


def _data_masks(year: int, tins: frozenset[str] | None) -> dict[str, int]:
    qs = DataSubmission.objects.filter(performance_year=year)
    if tins is not None:
        qs = qs.filter(tin__in=tins) | DataSubmission.objects.filter(
            performance_year=year, submitter_type__in=("virtual_group", "apm_entity")
        )
    masks: dict[str, int] = {}
    bits = engine.CATEGORY_BITS
    for stype, npi, tin, vg, apm, category in qs.values_list(
        "submitter_type", "npi", "tin", "virtual_group_identifier", "apm_entity_identifier", "category"
    ).iterator(chunk_size=STREAM_CHUNK):
        key = _submission_key(stype, npi, tin, vg, apm)
        if key is not None and category in bits:
            masks[key] = masks.get(key, 0) | bits[category]
    return masks


def _cost_not_scorable(year: int, tins: frozenset[str] | None) -> set[str]:
    qs = CostAttribution.objects.filter(performance_year=year, measures_meeting_case_minimum=0)
    if tins is not None:
        qs = qs.filter(tin__in=tins) | CostAttribution.objects.filter(
            performance_year=year,
            measures_meeting_case_minimum=0,
            participant_type__in=("virtual_group", "apm_entity"),
        )
    keys: set[str] = set()
    for ptype, npi, tin, vg, apm in qs.values_list(
        "participant_type", "npi", "tin", "virtual_group_identifier", "apm_entity_identifier"
    ).iterator(chunk_size=STREAM_CHUNK):
        key = _submission_key(ptype, npi, tin, vg, apm)
        if key is not None:
            keys.add(key)
    return keys


@dataclass
class Facts:
    """Everything but the TIN/NPI scenarios, read in bulk once per recompute."""

    year: int
    applications: dict[str, list[ApprovedApplication]]
    individual_pi_hardships: set[tuple[str, str]]
    data: dict[str, int]
    cost_not_scorable: set[str]
    groups: dict[int, tuple]  # practice_id → stored GroupScenario flags and counts
    vg_members: dict[str, list[int]]  # virtual group identifier → member practice ids
    practice_vgs: dict[int, list[str]]
    subgroups: dict[int, list[str]]  # practice_id → subgroup identifiers
    apm_entities: list[str]


def _load_facts(
    year: int,
    *,
    tins: frozenset[str] | None,
    extra: Iterable[ApprovedApplication] = (),
) -> Facts:
    applications: dict[str, list[ApprovedApplication]] = {}
    pi_hardships: set[tuple[str, str]] = set()
    for app in [*_approved_applications(year, tins), *extra]:
        key = app.participant_key
        if key is None:
            continue
        applications.setdefault(key, []).append(app)
        if app.participation_level == "individual" and app.exception_type == "pi_hardship":
            pi_hardships.add((app.tin, app.npi))
    groups_qs = GroupScenario.objects.filter(performance_year=year)
    if tins is not None:
        groups_qs = groups_qs.filter(practice__tin__in=tins)
    groups = {
        row[0]: row[1:]
        for row in groups_qs.values_list(
            "practice_id",
            "clinician_count",
            "hospital_based_count",
            "non_patient_facing_count",
            "ambulatory_surgical_center_count",
            "small_group_practitioner",
            "ambulatory_surgical_center",
            "hospital_based_clinician",
            "non_patient_facing",
        ).iterator(chunk_size=STREAM_CHUNK)
    }
    vg_members: dict[str, list[int]] = {}
    practice_vgs: dict[int, list[str]] = {}
    for identifier, practice_id in VirtualGroup.practices.through.objects.filter(
        virtualgroup__performance_year=year
    ).values_list("virtualgroup__identifier", "practice_id"):
        vg_members.setdefault(identifier, []).append(practice_id)
        practice_vgs.setdefault(practice_id, []).append(identifier)
    subgroups: dict[int, list[str]] = {}
    for identifier, practice_id in Subgroup.objects.filter(performance_year=year).values_list(
        "identifier", "practice_id"
    ):
        subgroups.setdefault(practice_id, []).append(identifier)
    return Facts(
        year=year,
        applications=applications,
        individual_pi_hardships=pi_hardships,
        data=_data_masks(year, tins),
        cost_not_scorable=_cost_not_scorable(year, tins),
        groups=groups,
        vg_members=vg_members,
        practice_vgs=practice_vgs,
        subgroups=subgroups,
        apm_entities=list(
            APMEntity.objects.filter(performance_year=year).values_list("entity_id", flat=True)
        ),
    )


# --- one participant's outcome (pure, given the facts) ----------------------------------------------------

# Row layout shared by COPY, bulk_create and previews (matches COLUMNS below).
COLUMNS = (
    "performance_year",
    "participant_type",
    "participant_key",
    "npi",
    "tin",
    "virtual_group_identifier",
    "apm_entity_identifier",
    "subgroup_identifier",
    "quality",
    "cost",
    "improvement_activities",
    "promoting_interoperability",
    "reasons",
    "track",
    "weight_quality",
    "weight_cost",
    "weight_improvement_activities",
    "weight_promoting_interoperability",
    "neutral",
    "weights_table",
    "weights_message",
    "computed_at",
)


@dataclass
class _Calculator:
    """Turns facts into rows; memoizes the pure parts (few distinct inputs across a million rows)."""

    facts: Facts
    computed_at: Any
    _weights: dict[tuple[str, int], tuple] = field(default_factory=dict)
    _json: dict[tuple, str] = field(default_factory=dict)
    _individual_rule: dict[rules.ClinicianFacts, tuple[str, ...]] = field(default_factory=dict)

    def weights(self, track: str, mask: int) -> tuple:
        key = (track, mask)
        cached = self._weights.get(key)
        if cached is None:
            try:
                result = engine.weights_for_mask(self.facts.year, track, mask)
                w = result.weights
                cached = (
                    w["quality"],
                    w["cost"],
                    w["improvement_activities"],
                    w["promoting_interoperability"],
                    result.neutral,
                    result.table,
                    "",
                )
            except engine.PolicyError as exc:
                cached = (None, None, None, None, False, "", str(exc)[:255])
            self._weights[key] = cached
        return cached

    def individual_reasons(self, facts: rules.ClinicianFacts) -> tuple[str, ...]:
        cached = self._individual_rule.get(facts)
        if cached is None:
            cached = rules.individual_reweighting(facts, self.facts.year).reasons
            self._individual_rule[facts] = cached
        return cached

    def row(
        self,
        *,
        ptype: str,
        key: str,
        track: str,
        automatic: tuple[str, ...] = (),
        npi: str = "",
        tin: str = "",
        vg: str = "",
        apm: str = "",
        sg: str = "",
        inherited_from: tuple | None = None,
    ) -> tuple:
        if inherited_from is not None:
            # A subgroup has its group's reweighting (seed 003): same categories, reasons marked inherited.
            parent = inherited_from
            reasons = json.dumps(
                [dict(r, inherited_from=parent[2]) for r in json.loads(parent[12])], ensure_ascii=False
            )
            weights = self.weights(
                track, engine.mask_of(c for c, flag in zip(CATEGORIES, parent[8:12], strict=True) if flag)
            )
            return (
                self.facts.year,
                ptype,
                key,
                npi,
                tin,
                vg,
                apm,
                sg,
                *parent[8:12],
                reasons,
                track,
                *weights,
                self.computed_at,
            )
        facts = self.facts
        data_mask = facts.data.get(key, 0)
        # (category bit, source, detail, application reference, protected from data override)
        entries: list[tuple[int, str, str, str | None, bool]] = []
        if automatic:
            entries.append((PI_BIT, AUTOMATIC, "; ".join(automatic), None, False))
        for app in facts.applications.get(key, ()):
            protected = ptype == ParticipantType.APM_ENTITY and app.exception_type == EUC
            for bit in (1, 2, 4, 8):
                if app.mask & bit:
                    entries.append((bit, app.exception_type, "", app.reference, protected))
        if key in facts.cost_not_scorable:
            entries.append((COST_BIT, COST_NOT_SCORABLE, COST_NOT_SCORABLE_DETAIL, None, False))
        mask = 0
        for bit, _source, _detail, _ref, protected in entries:
            if protected or not data_mask & bit:
                mask |= bit
        reasons = self._reasons_json(tuple(entries), data_mask)
        return (
            facts.year,
            ptype,
            key,
            npi,
            tin,
            vg,
            apm,
            sg,
            bool(mask & 1),
            bool(mask & 2),
            bool(mask & 4),
            bool(mask & 8),
            reasons,
            track,
            *self.weights(track, mask),
            self.computed_at,
        )

    def _reasons_json(self, entries: tuple, data_mask: int) -> str:
        memo_key = (entries, data_mask)
        cached = self._json.get(memo_key)
        if cached is None:
            names = dict(zip((1, 2, 4, 8), CATEGORIES, strict=True))
            cached = json.dumps(
                [
                    {
                        "category": names[bit],
                        "source": source,
                        "detail": detail,
                        "application": ref,
                        "overridden_by_data": bool(data_mask & bit) and not protected,
                    }
                    for bit, source, detail, ref, protected in entries
                ],
                ensure_ascii=False,
            )
            self._json[memo_key] = cached
        return cached


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
) -> Iterator[tuple]:
    """One row (``COLUMNS``) per participant of the year within the scope. The bulk facts are read here,
    before the first row is asked for (the PostgreSQL batch streams the rows into a COPY on the main
    connection, which then can't run other queries)."""
    engine.policy_for(year)  # refuse years without policy data before reading anything
    scope = scope or Scope()
    facts = _load_facts(year, tins=scope.tins, extra=extra_applications)
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


# --- writes -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputeResult:
    performance_year: int
    participants: int
    by_type: dict[str, int]


class _CopyStream(io.TextIOBase):
    """A file-like object COPY reads from: CSV text produced on demand from the row generator."""

    def __init__(self, rows: Iterable[tuple], counts: dict[str, int]) -> None:
        self._rows = iter(rows)
        self._counts = counts
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        if size is None or size < 0:
            size = 1 << 20
        if len(self._buffer) < size:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            counts = self._counts
            for row in self._rows:
                writer.writerow([_copy_value(v) for v in row])
                counts[row[1]] = counts.get(row[1], 0) + 1
                if out.tell() >= size * 4:
                    break
            self._buffer += out.getvalue()
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk


def _copy_value(value: object) -> object:
    if value is True:
        return "t"
    if value is False:
        return "f"
    if value is None:
        return r"\N"
    return value


def _copy_stream(rows: Iterable[tuple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f'COPY "{ParticipantReweighting._meta.db_table}" ({", ".join(COLUMNS)}) '
            "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            _CopyStream(rows, counts),
            size=1 << 16,
        )
    return counts


def _bulk_create(rows: list[tuple]) -> None:
    objects = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        values["reasons"] = json.loads(values["reasons"])
        objects.append(ParticipantReweighting(**values))
    ParticipantReweighting.objects.bulk_create(objects, batch_size=2000)


def _write(rows: Iterable[tuple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        counts[row[1]] = counts.get(row[1], 0) + 1
        if len(batch) >= COPY_BATCH:
            _bulk_create(batch)
            batch = []
    if batch:
        _bulk_create(batch)
    return counts


def participant_count(year: int) -> int:
    """How many TIN/NPI scenarios a full recompute of the year reads (for a progress bar)."""
    return IndividualScenario.objects.filter(performance_year=year).count()


def reweighting_recompute_year(
    *, performance_year: int, on_progress: ProgressCallback | None = None, progress_every: int = 10_000
) -> RecomputeResult:
    """Recompute every participant of a year, set-based: bulk reads, one streamed pass over the TIN/NPI
    scenarios, the year's rows replaced in one transaction (COPY on PostgreSQL, bulk inserts elsewhere)."""
    try:
        engine.policy_for(performance_year)
    except engine.PolicyError as exc:
        raise ReweightingError(str(exc)) from exc
    total = participant_count(performance_year)
    seen = 0

    def tick() -> None:
        nonlocal seen
        seen += 1
        if on_progress is not None and (seen % progress_every == 0 or seen == total):
            on_progress(seen, total)

    # The second reading connection only sees committed data: inside a caller's transaction (a test, or a
    # caller that just wrote eligibility rows) the scenarios must be read on this connection instead.
    read_separately = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        ParticipantReweighting.objects.filter(performance_year=performance_year)._raw_delete(connection.alias)
        now = timezone.now()
        rows = compute_rows(
            performance_year,
            on_participant=tick if on_progress else None,
            separate_connection=read_separately,
            # Formatted once: COPY takes text, and a million str(datetime) calls add up.
            computed_at=now.isoformat() if read_separately else now,
        )
        # COPY streams while the second connection reads; one connection cannot FETCH from its cursor in
        # the middle of its own COPY, so without the second reader the rows go in bulk inserts.
        counts = _copy_stream(rows) if read_separately else _write(rows)
    if on_progress is not None and total == 0:
        on_progress(0, 0)
    return RecomputeResult(performance_year, sum(counts.values()), counts)


# --- incremental: the participants one application affects -------------------------------------------------


def scope_for_application(application: Any) -> Scope | None:
    """Which participants an application's decision can change, and which TINs must be read to know.

    - individual (TIN/NPI): that TIN/NPI; its group (an approved individual PI hardship counts toward "all
      MIPS eligible clinicians qualify", seed 003 Appendix A) and so the group's subgroups; and every virtual
      group the TIN belongs to (read with all member TINs).
    - group: the group and its subgroups only (a group application applies at the group level).
    - virtual group / APM Entity: that participant.
    """
    year = application.performance_year
    level = application.participation_level
    tin, npi = application.tin, application.npi
    if level == "individual" and tin and npi:
        vgs = list(
            VirtualGroup.objects.filter(performance_year=year, practices__tin=tin).values_list(
                "identifier", flat=True
            )
        )
        member_tins = set(
            VirtualGroup.practices.through.objects.filter(
                virtualgroup__performance_year=year, virtualgroup__identifier__in=vgs
            ).values_list("practice__tin", flat=True)
        )
        subgroups = Subgroup.objects.filter(performance_year=year, practice__tin=tin).values_list(
            "identifier", flat=True
        )
        keys = {individual_key(tin, npi), group_key(tin)}
        keys |= {subgroup_key(s) for s in subgroups} | {virtual_group_key(v) for v in vgs}
        return Scope(tins=frozenset({tin} | member_tins), keys=frozenset(keys))
    if level == "group" and tin:
        subgroups = Subgroup.objects.filter(performance_year=year, practice__tin=tin).values_list(
            "identifier", flat=True
        )
        keys = {group_key(tin)} | {subgroup_key(s) for s in subgroups}
        return Scope(tins=frozenset({tin}), keys=frozenset(keys))
    if level == "virtual_group" and application.virtual_group_identifier:
        identifier = application.virtual_group_identifier
        member_tins = set(
            VirtualGroup.practices.through.objects.filter(
                virtualgroup__performance_year=year, virtualgroup__identifier__iexact=identifier
            ).values_list("practice__tin", flat=True)
        )
        return Scope(tins=frozenset(member_tins), keys=frozenset({virtual_group_key(identifier)}))
    if level == "apm_entity" and application.apm_entity_identifier:
        return Scope(tins=frozenset(), keys=frozenset({apm_entity_key(application.apm_entity_identifier)}))
    return None


@transaction.atomic
def reweighting_recompute_for_application(*, application_id: int) -> RecomputeResult:
    """Recompute only the participants an application affects (after approve, deny or withdraw).
    Idempotent: it reads the current facts and replaces those participants' rows."""
    from applications.models import Application

    application = Application.objects.filter(pk=application_id).first()
    year = application.performance_year if application is not None else 0
    if application is None or year not in engine.policy.POLICIES:
        return RecomputeResult(year, 0, {})
    scope = scope_for_application(application)
    if scope is None:
        return RecomputeResult(year, 0, {})
    rows = list(compute_rows(year, scope=scope))
    # Lock the rows being replaced so two recomputes of one participant serialize.
    list(
        ParticipantReweighting.objects.select_for_update()
        .filter(performance_year=year, participant_key__in=scope.keys)
        .values_list("pk", flat=True)
    )
    ParticipantReweighting.objects.filter(performance_year=year, participant_key__in=scope.keys).delete()
    counts = _write(rows)
    return RecomputeResult(year, sum(counts.values()), counts)


def queue_recompute_for_application(application: Any) -> None:
    """Queue the incremental recompute once the surrounding transaction commits (Celery 5.4+
    ``delay_on_commit``; eager in tests and ``make run``)."""
    application_id = application.pk
    transaction.on_commit(lambda: _publish_recompute(application_id))


def _publish_recompute(application_id: int) -> None:
    """Publish after commit; a broker outage must not turn a committed decision into an error page (issue 10,
    point 4: found by tests/reliability/test_redis_outage.py, where ``delay_on_commit`` raised kombu's
    OperationalError out of the reviewer's approval). The lost message is logged; the year's batch
    recompute (``manage.py compute_reweighting``) rebuilds every participant from the stored decisions."""
    from kombu.exceptions import OperationalError as BrokerUnavailable

    from .tasks import recompute_reweighting_for_application

    try:
        recompute_reweighting_for_application.apply_async(args=[application_id], retry=False)
    except BrokerUnavailable:
        logger.warning(
            "Could not queue the reweighting recompute for application %s (broker unavailable); the next "
            "batch recompute brings its participants up to date",
            application_id,
            exc_info=True,
        )


# --- data submissions (issue 8 point 4) --------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    npi: str
    tin: str
    virtual_group_identifier: str
    apm_entity_identifier: str
    performance_year: int
    category: str
    submitter_type: str
    submitted_at: Any


@transaction.atomic
def data_submissions_load(*, rows: list[SubmissionRow]) -> tuple[int, int]:
    """Insert validated submissions, skipping exact duplicates (so loading a file twice changes nothing).
    Returns (created, skipped)."""
    created = skipped = 0
    new: list[DataSubmission] = []
    seen: set[tuple] = set()
    for row in rows:
        identity = (
            row.npi,
            row.tin,
            row.virtual_group_identifier,
            row.apm_entity_identifier,
            row.performance_year,
            row.category,
            row.submitter_type,
            row.submitted_at,
        )
        exists = (
            identity in seen
            or DataSubmission.objects.filter(
                npi=row.npi,
                tin=row.tin,
                virtual_group_identifier=row.virtual_group_identifier,
                apm_entity_identifier=row.apm_entity_identifier,
                performance_year=row.performance_year,
                category=row.category,
                submitter_type=row.submitter_type,
                submitted_at=row.submitted_at,
            ).exists()
        )
        if exists:
            skipped += 1
            continue
        seen.add(identity)
        new.append(DataSubmission(**row.__dict__))
        created += 1
    DataSubmission.objects.bulk_create(new, batch_size=2000)
    return created, skipped
