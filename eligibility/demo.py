"""Demo participation data for ``python manage.py load_demo_data`` (idempotent: update_or_create only).

Every performance year from 2024 to this one (ET), so the year whose window the demo keeps open has
participation data on any date (ADR 0004); loading on a later date adds the new years. The identifiers are
the ones every engineer uses (shared context):
TIN 123450093 is a large group (20+ clinicians), 987653004 and 555550111 are small practices, one clinician
per
special status, virtual group VG-000123, APM Entity A1001 and a subgroup.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import (
    APMEntity,
    APMParticipant,
    Clinician,
    ClinicianType,
    IndividualScenario,
    Practice,
    PracticeLocation,
    Subgroup,
    VirtualGroup,
)
from .services import derive_group_scenario
from .validators import npi_check_digit

FIRST_DEMO_YEAR = 2024
LARGE_TIN = "123450093"
SMALL_TIN = "987653004"
RIVERBEND_TIN = "555550111"

PRACTICES = {
    LARGE_TIN: "Dittrich, Krajiček and Urbanová",
    SMALL_TIN: "Gürmen - Ayaydin",
    RIVERBEND_TIN: "Riverbend Family Medicine",
}
LOCATIONS = (
    # (tin, address, city, state, zip, broadband available)
    (LARGE_TIN, "1200 Lakeshore Drive", "Chicago", "IL", "60611", True),
    (LARGE_TIN, "45 Prairie Road", "Joliet", "IL", "60431", True),
    (SMALL_TIN, "7 County Road 12", "Galena", "IL", "61036", False),
    (RIVERBEND_TIN, "300 River Street", "Peoria", "IL", "61602", True),
)

ELIGIBLE_AMOUNTS = {
    "allowed_charges": Decimal("250000.00"),
    "part_b_patients": 640,
    "covered_services": 1800,
}

# npi, first, last, clinician type, specialty, flags for the TIN/NPI pair
NAMED_CLINICIANS = (
    ("1234567893", "Mary", "Thompson", ClinicianType.DOCTOR_OF_MEDICINE, "Internal Medicine", {}),
    (
        "1000000004",
        "Samuel",
        "Okafor",
        ClinicianType.DOCTOR_OF_MEDICINE,
        "Hospitalist",
        {"hospital_based_clinician": True, "is_facility_based": True},
    ),
    (
        "1000000012",
        "Priya",
        "Raman",
        ClinicianType.DOCTOR_OF_MEDICINE,
        "Pathology",
        {"non_patient_facing": True},
    ),
    (
        "1000000020",
        "Luis",
        "Herrera",
        ClinicianType.DOCTOR_OF_OSTEOPATHY,
        "Anesthesiology",
        {"ambulatory_surgical_center": True},
    ),
    ("1000000038", "Grace", "Whitfield", ClinicianType.CLINICAL_SOCIAL_WORKER, "Clinical Social Work", {}),
    ("1000000046", "Daniel", "Kowalski", ClinicianType.NURSE_PRACTITIONER, "Family Practice", {}),
    (
        "1000000053",
        "Hannah",
        "Bergstrom",
        ClinicianType.DOCTOR_OF_MEDICINE,
        "Family Medicine",
        {"rural_clinician": True, "hpsa_clinician": True},
    ),
    (
        "1000000061",
        "Omar",
        "Haddad",
        ClinicianType.PHYSICAL_THERAPIST,
        "Physical Therapy",
        {"below_low_volume": True},
    ),
)
FILLER_FIRST = (
    "Ava",
    "Noah",
    "Mia",
    "Ethan",
    "Zoe",
    "Liam",
    "Ivy",
    "Owen",
    "Nora",
    "Caleb",
    "Ella",
    "Jonah",
    "Ruth",
    "Felix",
    "Iris",
    "Amir",
    "Lena",
    "Tomas",
    "Sofia",
    "Kenji",
    "Maya",
    "Eli",
)
FILLER_LAST = (
    "Anders",
    "Baptiste",
    "Castillo",
    "Delacroix",
    "Eriksen",
    "Fontaine",
    "Gallagher",
    "Hoang",
    "Ibsen",
    "Jaramillo",
    "Kaur",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Osei",
    "Petrov",
    "Quintero",
    "Rossi",
    "Sato",
    "Tanaka",
    "Umarov",
    "Varga",
)
SMALL_PRACTICE_FILLERS = {SMALL_TIN: 2, RIVERBEND_TIN: 3}


def _filler_npi(index: int) -> str:
    first_nine = f"{200000000 + index:09d}"
    return first_nine + str(npi_check_digit(first_nine))


def _filler_specs() -> list[tuple[str, str, str, str, str, str]]:
    """(tin, npi, first, last, type, specialty): 22 more clinicians make 123450093 a large group (29)."""
    specs = []
    for i in range(22):
        specs.append(
            (
                LARGE_TIN,
                _filler_npi(i),
                FILLER_FIRST[i],
                FILLER_LAST[i],
                ClinicianType.DOCTOR_OF_MEDICINE if i % 3 else ClinicianType.PHYSICIAN_ASSISTANT,
                "Family Medicine" if i % 2 else "Cardiology",
            )
        )
    offset = 100
    for tin, count in SMALL_PRACTICE_FILLERS.items():
        for j in range(count):
            i = offset + j
            specs.append(
                (
                    tin,
                    _filler_npi(i),
                    FILLER_FIRST[(i + 5) % 22],
                    FILLER_LAST[(i + 9) % 22],
                    ClinicianType.DOCTOR_OF_MEDICINE,
                    "Family Medicine",
                )
            )
        offset += 100
    return specs


def _scenario(clinician: Clinician, practice: Practice, year: int, flags: dict, small: bool) -> None:
    values = {
        "hospital_based_clinician": False,
        "non_patient_facing": False,
        "ambulatory_surgical_center": False,
        "rural_clinician": False,
        "hpsa_clinician": False,
        "is_facility_based": False,
        **{k: v for k, v in flags.items() if k != "below_low_volume"},
        "small_group_practitioner": small,
        "is_eligible_group": True,
        "opted_in": False,
        "low_volume_status_reasons": [],
    }
    if flags.get("below_low_volume"):
        # Below every low-volume criterion: not MIPS eligible and not allowed to opt in (issue 3 thresholds).
        values.update(
            allowed_charges=Decimal("18500.00"),
            part_b_patients=42,
            covered_services=65,
            is_eligible_individual=False,
            low_volume_switch=True,
            low_volume_status_reasons=["Below the low-volume threshold"],
        )
    else:
        values.update(ELIGIBLE_AMOUNTS, is_eligible_individual=True, low_volume_switch=False)
    IndividualScenario.objects.update_or_create(
        performance_year=year, clinician=clinician, practice=practice, defaults=values
    )


def demo_years() -> range:
    return range(FIRST_DEMO_YEAR, timezone.localdate().year + 1)


@transaction.atomic
def load() -> list[str]:
    years = demo_years()
    practices = {
        tin: Practice.objects.update_or_create(tin=tin, defaults={"legal_name": name})[0]
        for tin, name in PRACTICES.items()
    }
    for tin, address, city, state, zip_code, broadband in LOCATIONS:
        PracticeLocation.objects.update_or_create(
            practice=practices[tin],
            address_line_1=address,
            city=city,
            state=state,
            zip_code=zip_code,
            defaults={"broadband_available": broadband},
        )
    clinicians: dict[str, Clinician] = {}
    for npi, first, last, ctype, specialty, _flags in NAMED_CLINICIANS:
        clinicians[npi] = Clinician.objects.update_or_create(
            npi=npi,
            defaults={
                "first_name": first,
                "last_name": last,
                "clinician_type": ctype,
                "specialty": specialty,
            },
        )[0]
    fillers = _filler_specs()
    for _tin, npi, first, last, ctype, specialty in fillers:
        clinicians[npi] = Clinician.objects.update_or_create(
            npi=npi,
            defaults={
                "first_name": first,
                "last_name": last,
                "clinician_type": ctype,
                "specialty": specialty,
            },
        )[0]

    for year in years:
        for npi, _first, _last, _ctype, _specialty, flags in NAMED_CLINICIANS:
            _scenario(clinicians[npi], practices[LARGE_TIN], year, flags, small=False)
        # Mary Thompson also bills under the small practice, where she is automatically reweighted.
        _scenario(clinicians["1234567893"], practices[SMALL_TIN], year, {}, small=True)
        for tin, npi, *_rest in fillers:
            _scenario(clinicians[npi], practices[tin], year, {}, small=tin != LARGE_TIN)
        for practice in practices.values():
            derive_group_scenario(practice=practice, performance_year=year)

        vg, _ = VirtualGroup.objects.update_or_create(
            identifier="VG-000123",
            performance_year=year,
            defaults={"name": "Prairie Rivers Virtual Group"},
        )
        vg.practices.set([practices[SMALL_TIN], practices[RIVERBEND_TIN]])

        entity, _ = APMEntity.objects.update_or_create(
            entity_id="A1001",
            performance_year=year,
            defaults={"apm_id": "08", "apm_name": "Medicare Shared Savings Program", "name": "Lakeshore ACO"},
        )
        for scenario in IndividualScenario.objects.filter(
            practice=practices[LARGE_TIN], performance_year=year
        ):
            APMParticipant.objects.get_or_create(
                apm_entity=entity, practice=practices[LARGE_TIN], clinician_id=scenario.clinician_id
            )

        subgroup, _ = Subgroup.objects.update_or_create(
            identifier="SG-000045", performance_year=year, defaults={"practice": practices[LARGE_TIN]}
        )
        subgroup.clinicians.set(
            [clinicians["1234567893"], clinicians["1000000004"], clinicians[_filler_npi(0)]]
        )

    large = 8 + 22
    return [
        f"Eligibility: {len(clinicians)} clinicians, {len(practices)} practices for performance years "
        f"{years[0]} to {years[-1]}",
        f"  TIN ****0093 {PRACTICES[LARGE_TIN]}: {large} clinicians (large group); "
        f"****3004 and ****0111 small practices",
        "  NPI 1234567893 Mary Thompson; special statuses on 1000000004 (hospital-based), 1000000012 "
        "(non-patient facing), 1000000020 (ASC-based), 1000000038 (clinical social worker), 1000000046 "
        "(nurse practitioner), 1000000053 (rural/HPSA), 1000000061 (not MIPS eligible)",
        "  Virtual group VG-000123, APM Entity A1001 Lakeshore ACO, subgroup SG-000045",
    ]
