"""A realistic synthetic participant population for benchmarks (``generate_participants``).

Rows are produced as plain tuples with explicit primary keys and written with PostgreSQL ``COPY`` (psycopg2
``copy_expert``) or, elsewhere, ``bulk_create`` in batches; one million clinicians take minutes, not hours
(ADR 0012). Deterministic for a given ``--seed``. NPIs start at first-nine ``300000000`` and TINs at
``700000000``, so they never collide with the demo identifiers.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models, transaction

from . import rules
from .models import (
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
from .services import FLAG_FIELDS, LOW_VOLUME_FIELDS
from .validators import npi_check_digit

NPI_BASE = 300_000_000
TIN_BASE = 700_000_000
BATCH = 50_000

# Practice size bands (share of practices, min, max): solo practitioners to systems of thousands.
SIZE_BANDS = (
    (0.38, 1, 1),
    (0.40, 2, 15),
    (0.17, 16, 100),
    (0.045, 101, 1000),
    (0.005, 1001, 5000),
)
# Clinician-type mix (share); the rest are Doctors of Medicine.
TYPE_MIX = (
    (0.08, ClinicianType.NURSE_PRACTITIONER),
    (0.06, ClinicianType.PHYSICIAN_ASSISTANT),
    (0.08, ClinicianType.DOCTOR_OF_OSTEOPATHY),
    (0.03, ClinicianType.CLINICAL_SOCIAL_WORKER),
    (0.02, ClinicianType.CERTIFIED_REGISTERED_NURSE_ANESTHETIST),
    (0.01, ClinicianType.CLINICAL_NURSE_SPECIALIST),
    (0.04, ClinicianType.PHYSICAL_THERAPIST),
    (0.03, ClinicianType.CLINICAL_PSYCHOLOGIST),
)
SPECIALTIES = (
    "Family Medicine",
    "Internal Medicine",
    "Cardiology",
    "Radiology",
    "Pathology",
    "Anesthesiology",
    "Emergency Medicine",
    "Orthopedic Surgery",
    "Psychiatry",
    "Dermatology",
)
FIRST_NAMES = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "Wei",
    "Aisha",
    "Carlos",
    "Fatima",
    "Hiroshi",
    "Olga",
    "Kwame",
    "Ana",
    "Ravi",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Nguyen",
    "Kim",
    "Patel",
    "Okafor",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Schmidt",
    "Silva",
    "Cohen",
)
STATES = ("IL", "WI", "IN", "MI", "OH", "IA", "MN", "MO", "KY", "TX", "CA", "NY")


@dataclass
class Tables:
    """Buffered rows per model, flushed in batches."""

    rows: dict[type[models.Model], list[tuple]] = field(default_factory=dict)
    counts: dict[type[models.Model], int] = field(default_factory=dict)

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.rows.setdefault(model, []).append(row)


COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Clinician: ("id", "npi", "first_name", "last_name", "clinician_type", "specialty"),
    Practice: ("id", "tin", "legal_name"),
    PracticeLocation: (
        "id",
        "practice_id",
        "address_line_1",
        "address_line_2",
        "city",
        "state",
        "zip_code",
        "broadband_available",
    ),
    IndividualScenario: (
        "id",
        "performance_year",
        "clinician_id",
        "practice_id",
        *FLAG_FIELDS,
        *LOW_VOLUME_FIELDS,
        "low_volume_switch",
        "low_volume_status_reasons",
        "opted_in",
        "is_eligible_individual",
        "is_eligible_group",
        "is_eligible_mips_apm",
        "is_eligible_virtual_group",
    ),
    GroupScenario: (
        "id",
        "performance_year",
        "practice_id",
        *FLAG_FIELDS,
        *LOW_VOLUME_FIELDS,
        "low_volume_switch",
        "low_volume_status_reasons",
        "opted_in",
        "clinician_count",
        "mips_eligible_count",
        "hospital_based_count",
        "non_patient_facing_count",
        "ambulatory_surgical_center_count",
        "is_eligible_group",
        "source",
    ),
    VirtualGroup: ("id", "identifier", "performance_year", "name"),
    VirtualGroup.practices.through: ("id", "virtualgroup_id", "practice_id"),
    APMEntity: ("id", "apm_id", "apm_name", "entity_id", "name", "performance_year"),
    APMParticipant: ("id", "apm_entity_id", "practice_id", "clinician_id"),
}
ORDER = (
    Clinician,
    Practice,
    PracticeLocation,
    IndividualScenario,
    GroupScenario,
    VirtualGroup,
    VirtualGroup.practices.through,
    APMEntity,
    APMParticipant,
)


class GeneratedDataExists(Exception):
    pass


def _pick(rng: random.Random, table: tuple, default: object) -> object:
    roll = rng.random()
    for share, value in table:
        if roll < share:
            return value
        roll -= share
    return default


def _practice_sizes(rng: random.Random, clinicians: int) -> Iterator[int]:
    remaining = clinicians
    while remaining > 0:
        band = _pick(rng, tuple((share, (lo, hi)) for share, lo, hi in SIZE_BANDS), (1, 1))
        lo, hi = band  # type: ignore[misc]
        # Sizes within a band skew small (most groups are near the band's lower end).
        size = min(remaining, int(lo + (hi - lo) * rng.random() ** 3))
        remaining -= size
        yield size


class _Writer:
    def __init__(self, use_copy: bool, on_flush: Callable[[str, int], None] | None):
        self.use_copy = use_copy
        self.on_flush = on_flush
        self.next_id: dict[type[models.Model], int] = {}
        for model in ORDER:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next_id[model] = (last or 0) + 1
        self.tables = Tables()

    def new_id(self, model: type[models.Model]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.tables.add(model, row)
        if len(self.tables.rows[model]) >= BATCH:
            self.flush(model)

    def flush(self, model: type[models.Model]) -> None:
        rows = self.tables.rows.get(model) or []
        if not rows:
            return
        columns = COLUMNS[model]
        if self.use_copy:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow(
                    ["t" if v is True else "f" if v is False else (r"\N" if v is None else v) for v in row]
                )
            buffer.seek(0)
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg2 cursor under Django's wrapper
                raw.copy_expert(
                    f'COPY "{model._meta.db_table}" ({", ".join(columns)}) '
                    "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                    buffer,
                )
        else:
            objects = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                if "low_volume_status_reasons" in values:
                    values["low_volume_status_reasons"] = json.loads(values["low_volume_status_reasons"])
                objects.append(model(**values))
            model.objects.bulk_create(objects, batch_size=2000)
        self.tables.counts[model] = self.tables.counts.get(model, 0) + len(rows)
        self.tables.rows[model] = []
        if self.on_flush:
            self.on_flush(model._meta.verbose_name_plural, self.tables.counts[model])

    def flush_all(self) -> None:
        for model in ORDER:
            self.flush(model)

    def reset_sequences(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in ORDER:
                table = model._meta.db_table
                # Table names come from our own models' Meta, never from input.
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608  # nosec B608 - model table
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
                )


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
