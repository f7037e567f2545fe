"""Generating and removing the synthetic population: ``generate`` draws practices, clinicians, their
individual and group scenarios, virtual groups and APM Entities from one seeded ``random.Random`` and writes
them through the batched writer; ``remove_generated`` deletes them again by their identifier ranges
(``NPI_BASE``, ``TIN_BASE``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction

from .. import rules
from ..models import (
    APMEntity,
    APMParticipant,
    Clinician,
    ClinicianType,
    GroupScenario,
    IndividualScenario,
    Practice,
    PracticeLocation,
    VirtualGroup,
)
from ..validators import npi_check_digit
from .distributions import FIRST_NAMES, LAST_NAMES, SPECIALTIES, STATES, TYPE_MIX, _pick, _practice_sizes
from .writer import ORDER, _Writer

NPI_BASE = 300_000_000
TIN_BASE = 700_000_000


class GeneratedDataExists(Exception):
    pass


def generate(
    *, clinicians: int, seed: int, performance_year: int, on_flush: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Create ``clinicians`` clinicians with practices, scenarios, virtual groups and APM Entities."""
    rules.rule_set_for_year(performance_year)
    if clinicians < 1:
        raise ValueError("clinicians must be at least 1")
    first_npi = f"{NPI_BASE:09d}" + str(npi_check_digit(f"{NPI_BASE:09d}"))
    if Clinician.objects.filter(npi=first_npi).exists():
        raise GeneratedDataExists(
            "Generated participants already exist in this database; use a fresh database (or --replace)."
        )
    rng = random.Random(seed)
    use_copy = connection.vendor == "postgresql"
    with transaction.atomic():
        if use_copy:
            with connection.cursor() as cursor:
                tables = ", ".join(f'"{m._meta.db_table}"' for m in ORDER)
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        writer = _Writer(use_copy, on_flush)
        made = 0
        practice_index = 0
        small_practices: list[int] = []
        practices_for_apm: list[tuple[int, list[int]]] = []
        for size in _practice_sizes(rng, clinicians):
            practice_id = writer.new_id(Practice)
            tin = f"{TIN_BASE + practice_index:09d}"
            writer.add(
                Practice,
                (
                    practice_id,
                    tin,
                    f"{rng.choice(LAST_NAMES)} {rng.choice(SPECIALTIES)} Associates {practice_index}",
                ),
            )
            writer.add(
                PracticeLocation,
                (
                    writer.new_id(PracticeLocation),
                    practice_id,
                    f"{rng.randint(1, 9999)} Main Street",
                    "",
                    f"Town {practice_index % 5000}",
                    rng.choice(STATES),
                    f"{rng.randint(10000, 99999)}",
                    rng.random() > 0.06,
                ),
            )
            small = rules.is_small_practice(size)
            # A few practices are hospital or non-patient-facing practices (most clinicians share it).
            hospital_practice = rng.random() < 0.04
            npf_practice = rng.random() < 0.02
            asc_practice = rng.random() < 0.01
            rural_practice = rng.random() < 0.15
            counts = {"hb": 0, "npf": 0, "asc": 0, "eligible": 0, "rural": 0, "hpsa": 0, "fac": 0}
            totals = [Decimal(0), 0, 0]
            members: list[int] = []
            for _ in range(size):
                first_nine = f"{NPI_BASE + made:09d}"
                npi = first_nine + str(npi_check_digit(first_nine))
                clinician_id = writer.new_id(Clinician)
                ctype = _pick(rng, TYPE_MIX, ClinicianType.DOCTOR_OF_MEDICINE)
                writer.add(
                    Clinician,
                    (
                        clinician_id,
                        npi,
                        rng.choice(FIRST_NAMES),
                        rng.choice(LAST_NAMES),
                        str(ctype),
                        rng.choice(SPECIALTIES),
                    ),
                )
                hb = rng.random() < (0.9 if hospital_practice else 0.08)
                npf = rng.random() < (0.9 if npf_practice else 0.04)
                asc = rng.random() < (0.9 if asc_practice else 0.015)
                rural = rng.random() < (0.8 if rural_practice else 0.03)
                hpsa = rng.random() < 0.08
                facility = hb and rng.random() < 0.7
                low_volume = rng.random() < 0.14
                if low_volume:
                    charges = Decimal(rng.randint(1000, 89000))
                    patients, services = rng.randint(5, 199), rng.randint(5, 400)
                else:
                    charges = Decimal(rng.randint(90001, 900000))
                    patients, services = rng.randint(201, 3000), rng.randint(201, 9000)
                totals[0] += charges
                totals[1] += patients
                totals[2] += services
                eligible = not low_volume
                counts["hb"] += hb
                counts["npf"] += npf
                counts["asc"] += asc
                counts["eligible"] += eligible
                counts["rural"] += rural
                counts["hpsa"] += hpsa
                counts["fac"] += facility
                writer.add(
                    IndividualScenario,
                    (
                        writer.new_id(IndividualScenario),
                        performance_year,
                        clinician_id,
                        practice_id,
                        hb,
                        npf,
                        asc,
                        small,
                        rural,
                        hpsa,
                        facility,
                        f"{charges:.2f}",
                        patients,
                        services,
                        low_volume,
                        json.dumps(["Below the low-volume threshold"] if low_volume else []),
                        False,
                        eligible,
                        True,
                        False,
                        False,
                    ),
                )
                members.append(clinician_id)
                made += 1
            group_eligible = rules.mips_eligibility(
                rules.LowVolumeFacts(totals[0], totals[1], totals[2]), performance_year
            ).eligible
            writer.add(
                GroupScenario,
                (
                    writer.new_id(GroupScenario),
                    performance_year,
                    practice_id,
                    rules.more_than_75_percent(counts["hb"], size),
                    rules.more_than_75_percent(counts["npf"], size),
                    rules.more_than_75_percent(counts["asc"], size),
                    small,
                    rules.more_than_75_percent(counts["rural"], size),
                    rules.more_than_75_percent(counts["hpsa"], size),
                    rules.more_than_75_percent(counts["fac"], size),
                    f"{totals[0]:.2f}",
                    totals[1],
                    totals[2],
                    not group_eligible,
                    "[]",
                    False,
                    size,
                    counts["eligible"],
                    counts["hb"],
                    counts["npf"],
                    counts["asc"],
                    group_eligible,
                    GroupScenario.Source.DERIVED,
                ),
            )
            if size <= 10:
                small_practices.append(practice_id)
            if rng.random() < 0.3:
                practices_for_apm.append((practice_id, members))
            practice_index += 1  # noqa: SIM113 (sizes come from a generator)

        # Virtual groups: about 2% of practices of 10 or fewer clinicians join one, 2 to 5 TINs each.
        joining = [p for p in small_practices if rng.random() < 0.02]
        vg_index = 0
        while joining:
            take = min(len(joining), rng.randint(2, 5))
            vg_id = writer.new_id(VirtualGroup)
            writer.add(
                VirtualGroup,
                (
                    vg_id,
                    f"VG-{900000 + vg_index:06d}",
                    performance_year,
                    f"Synthetic virtual group {vg_index}",
                ),
            )
            for practice_id in joining[:take]:
                writer.add(
                    VirtualGroup.practices.through,
                    (writer.new_id(VirtualGroup.practices.through), vg_id, practice_id),
                )
            joining = joining[take:]
            vg_index += 1

        # APM Entities: roughly 30% of practices participate, 1 to 40 TINs per entity.
        apm_index = 0
        while practices_for_apm:
            take = min(len(practices_for_apm), rng.randint(1, 40))
            entity_id = writer.new_id(APMEntity)
            writer.add(
                APMEntity,
                (
                    entity_id,
                    rng.choice(("08", "22", "E8")),
                    "Synthetic APM",
                    f"Z{apm_index:06d}",
                    f"Synthetic APM Entity {apm_index}",
                    performance_year,
                ),
            )
            for practice_id, members in practices_for_apm[:take]:
                for clinician_id in members:
                    writer.add(
                        APMParticipant, (writer.new_id(APMParticipant), entity_id, practice_id, clinician_id)
                    )
            practices_for_apm = practices_for_apm[take:]
            apm_index += 1
        writer.flush_all()
        writer.reset_sequences()
    return {model._meta.verbose_name_plural: writer.tables.counts.get(model, 0) for model in ORDER}


def remove_generated() -> None:
    """Delete generated rows (NPIs from first-nine 300000000, TINs from 700000000), no per-row cascades."""
    npi_floor = f"{NPI_BASE:09d}0"
    tin_floor = f"{TIN_BASE:09d}"
    with transaction.atomic():
        APMParticipant.objects.filter(practice__tin__gte=tin_floor)._raw_delete(connection.alias)
        APMEntity.objects.filter(name__startswith="Synthetic APM Entity ")._raw_delete(connection.alias)
        VirtualGroup.practices.through.objects.filter(practice__tin__gte=tin_floor)._raw_delete(
            connection.alias
        )
        VirtualGroup.objects.filter(identifier__startswith="VG-9")._raw_delete(connection.alias)
        GroupScenario.objects.filter(practice__tin__gte=tin_floor)._raw_delete(connection.alias)
        IndividualScenario.objects.filter(practice__tin__gte=tin_floor)._raw_delete(connection.alias)
        PracticeLocation.objects.filter(practice__tin__gte=tin_floor)._raw_delete(connection.alias)
        Practice.objects.filter(tin__gte=tin_floor)._raw_delete(connection.alias)
        Clinician.objects.filter(npi__gte=npi_floor, npi__lt="4000000000")._raw_delete(connection.alias)
