"""Writes of participation data: importing CMS records and deriving group scenarios."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from . import rules
from .cache import eligibility_data_changed
from .models import (
    APMEntity,
    APMParticipant,
    Clinician,
    GroupScenario,
    IndividualScenario,
    Practice,
    VirtualGroup,
)

# Designation flags shared by individual and group scenarios (v6 names in snake_case).
FLAG_FIELDS = (
    "hospital_based_clinician",
    "non_patient_facing",
    "ambulatory_surgical_center",
    "small_group_practitioner",
    "rural_clinician",
    "hpsa_clinician",
    "is_facility_based",
)
LOW_VOLUME_FIELDS = ("allowed_charges", "part_b_patients", "covered_services")


@dataclass
class ParticipationRecord:
    """One TIN/NPI pair for one performance year, parsed and validated by ``eligibility.importers``."""

    npi: str
    first_name: str
    last_name: str
    clinician_type: str
    specialty: str
    tin: str
    legal_name: str
    individual: dict[str, object]  # IndividualScenario field values
    group: dict[str, object] | None = None  # GroupScenario flag values as CMS reported them
    apms: list[dict[str, str]] = field(default_factory=list)  # apm_id, apm_name, entity_id, name
    virtual_groups: list[dict[str, str]] = field(default_factory=list)  # identifier, name


@dataclass
class ImportSummary:
    clinicians_created: int = 0
    clinicians_updated: int = 0
    scenarios_created: int = 0
    scenarios_updated: int = 0
    practices: int = 0

    def lines(self) -> list[str]:
        return [
            f"Clinicians: {self.clinicians_created} created, {self.clinicians_updated} updated",
            f"Individual scenarios: {self.scenarios_created} created, {self.scenarios_updated} updated",
            f"Group scenarios derived for {self.practices} practice(s)",
        ]


def _more_than_75(count: int, total: int) -> bool:
    return rules.more_than_75_percent(count, total)


def derive_group_scenario(
    *, practice: Practice, performance_year: int, cms_group: dict[str, object] | None = None
) -> GroupScenario:
    """Recompute a TIN's group scenario from its individual scenarios for the year.

    Counts always come from the clinicians we hold. Designation flags come from CMS when an import supplied
    them (``cms_group``, or a row previously imported); otherwise they are derived: small practice is 15 or
    fewer clinicians (seed 004_e04a1ded3c26ad2c.txt), hospital-based and non-patient facing need more than 75%
    of the clinicians (seed 003_452340df50752410.txt Appendix A); ASC-based, rural, HPSA and facility-based
    use the same more-than-75% share (ADR 0011).
    """
    scenarios = list(
        IndividualScenario.objects.select_related("clinician", "practice").filter(
            practice=practice, performance_year=performance_year
        )
    )
    count = len(scenarios)
    counts = {
        "hospital_based_count": sum(s.hospital_based_clinician for s in scenarios),
        "non_patient_facing_count": sum(s.non_patient_facing for s in scenarios),
        "ambulatory_surgical_center_count": sum(s.ambulatory_surgical_center for s in scenarios),
    }
    from .selectors import individual_eligibility_from_scenario  # reads only; avoids an import cycle

    mips_eligible = sum(individual_eligibility_from_scenario(s).eligible for s in scenarios)
    values: dict[str, object] = {"clinician_count": count, "mips_eligible_count": mips_eligible, **counts}

    # Group low-volume inputs are the TIN's totals when every clinician's amounts are known.
    for name in LOW_VOLUME_FIELDS:
        amounts = [getattr(s, name) for s in scenarios]
        values[name] = (
            sum(amounts, Decimal(0) if name == "allowed_charges" else 0)
            if (amounts and all(a is not None for a in amounts))
            else None
        )

    existing = GroupScenario.objects.filter(practice=practice, performance_year=performance_year).first()
    if cms_group is not None:
        values.update(
            {
                k: v
                for k, v in cms_group.items()
                if k in {*FLAG_FIELDS, "is_eligible_group", "low_volume_switch", "opted_in"}
            }
        )
        values["low_volume_status_reasons"] = cms_group.get("low_volume_status_reasons", [])
        values["source"] = GroupScenario.Source.CMS_IMPORT
    elif existing is not None and existing.source == GroupScenario.Source.CMS_IMPORT:
        pass  # keep CMS's flags; only the counts above are refreshed
    else:
        values.update(
            {
                "small_group_practitioner": rules.is_small_practice(count),
                "hospital_based_clinician": _more_than_75(counts["hospital_based_count"], count),
                "non_patient_facing": _more_than_75(counts["non_patient_facing_count"], count),
                "ambulatory_surgical_center": _more_than_75(
                    counts["ambulatory_surgical_center_count"], count
                ),
                "rural_clinician": _more_than_75(sum(s.rural_clinician for s in scenarios), count),
                "hpsa_clinician": _more_than_75(sum(s.hpsa_clinician for s in scenarios), count),
                "is_facility_based": _more_than_75(sum(s.is_facility_based for s in scenarios), count),
                "is_eligible_group": any(s.is_eligible_group for s in scenarios),
                "source": GroupScenario.Source.DERIVED,
            }
        )
        if values["allowed_charges"] is not None:
            group_eligibility = rules.mips_eligibility(
                rules.LowVolumeFacts(
                    allowed_charges=values["allowed_charges"],  # type: ignore[arg-type]
                    part_b_patients=values["part_b_patients"],  # type: ignore[arg-type]
                    covered_services=values["covered_services"],  # type: ignore[arg-type]
                ),
                performance_year,
            )
            values["is_eligible_group"] = group_eligibility.eligible
            values["low_volume_switch"] = group_eligibility.low_volume_excluded
    group, _ = GroupScenario.objects.update_or_create(
        practice=practice, performance_year=performance_year, defaults=values
    )
    return group


def _upsert_record(record: ParticipationRecord, performance_year: int, summary: ImportSummary) -> Practice:
    clinician, created = Clinician.objects.update_or_create(
        npi=record.npi,
        defaults={
            "first_name": record.first_name,
            "last_name": record.last_name,
            "clinician_type": record.clinician_type,
            "specialty": record.specialty,
        },
    )
    if created:
        summary.clinicians_created += 1
    else:
        summary.clinicians_updated += 1
    practice, _ = Practice.objects.update_or_create(
        tin=record.tin, defaults={"legal_name": record.legal_name}
    )
    _, created = IndividualScenario.objects.update_or_create(
        performance_year=performance_year,
        clinician=clinician,
        practice=practice,
        defaults=record.individual,
    )
    if created:
        summary.scenarios_created += 1
    else:
        summary.scenarios_updated += 1
    for apm in record.apms:
        entity, _ = APMEntity.objects.update_or_create(
            entity_id=apm["entity_id"],
            performance_year=performance_year,
            defaults={"apm_id": apm["apm_id"], "apm_name": apm.get("apm_name", ""), "name": apm["name"]},
        )
        APMParticipant.objects.get_or_create(apm_entity=entity, practice=practice, clinician=clinician)
    for vg in record.virtual_groups:
        group, created = VirtualGroup.objects.get_or_create(
            identifier=vg["identifier"],
            performance_year=performance_year,
            defaults={"name": vg.get("name", "")},
        )
        if not created and vg.get("name") and group.name != vg["name"]:
            group.name = vg["name"]
            group.save(update_fields=["name"])
        group.practices.add(practice)
    return practice


@transaction.atomic
def import_participation_records(
    records: Iterable[ParticipationRecord], *, performance_year: int
) -> ImportSummary:
    """Create or update clinicians, practices and scenarios; re-importing the same data changes nothing.

    All-or-nothing: callers validate every record first (``eligibility.importers``) and this runs in one
    transaction, so a failure part-way leaves the database as it was.
    """
    rules.rule_set_for_year(performance_year)  # rejects years before 2017
    summary = ImportSummary()
    touched: dict[int, tuple[Practice, dict[str, object] | None]] = {}
    for record in records:
        practice = _upsert_record(record, performance_year, summary)
        previous = touched.get(practice.pk)
        touched[practice.pk] = (
            practice,
            record.group if record.group is not None else (previous[1] if previous else None),
        )
    for practice, cms_group in touched.values():
        derive_group_scenario(practice=practice, performance_year=performance_year, cms_group=cms_group)
    summary.practices = len(touched)
    eligibility_data_changed()  # cached participation-status answers are forgotten on commit (ADR 0074)
    return summary


@transaction.atomic
def refresh_group_scenarios(*, performance_year: int, tins: Iterable[str] | None = None) -> int:
    """Re-derive group scenarios (after clinicians were added or changed outside an import)."""
    practices = Practice.objects.filter(individual_scenarios__performance_year=performance_year)
    if tins is not None:
        practices = practices.filter(tin__in=list(tins))
    done = 0
    for practice in practices.distinct():
        derive_group_scenario(practice=practice, performance_year=performance_year)
        done += 1
    eligibility_data_changed()
    return done
