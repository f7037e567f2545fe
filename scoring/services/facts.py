"""Bulk facts: everything but the TIN/NPI scenarios, read in bulk once per recompute."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from eligibility.models import APMEntity, GroupScenario, Subgroup, VirtualGroup

from .. import engine
from ..models import CostAttribution, DataSubmission
from ..policy import CATEGORIES
from .constants import PI_BIT, STREAM_CHUNK
from .keys import apm_entity_key, group_key, individual_key, virtual_group_key

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


def _add_applications(
    applications: dict[str, list[ApprovedApplication]],
    pi_hardships: set[tuple[str, str]],
    approved: Iterable[ApprovedApplication],
) -> None:
    for app in approved:
        key = app.participant_key
        if key is None:
            continue
        applications.setdefault(key, []).append(app)
        if app.participation_level == "individual" and app.exception_type == "pi_hardship":
            pi_hardships.add((app.tin, app.npi))


def with_applications(facts: Facts, extra: Iterable[ApprovedApplication]) -> Facts:
    """The same facts with more (would-be) approved applications: the "if approved" preview reads the
    bulk facts once and asks for the participant's row with and without the application (issue 9)."""
    applications = {key: list(apps) for key, apps in facts.applications.items()}
    pi_hardships = set(facts.individual_pi_hardships)
    _add_applications(applications, pi_hardships, extra)
    return replace(facts, applications=applications, individual_pi_hardships=pi_hardships)


def load_facts(
    year: int,
    *,
    tins: frozenset[str] | None,
    extra: Iterable[ApprovedApplication] = (),
) -> Facts:
    applications: dict[str, list[ApprovedApplication]] = {}
    pi_hardships: set[tuple[str, str]] = set()
    _add_applications(applications, pi_hardships, [*_approved_applications(year, tins), *extra])
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
