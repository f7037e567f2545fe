"""The shapes of the synthetic population: practice size bands, the clinician-type mix, and the names,
specialties and states the rows are drawn from, with the helpers that draw from them (``_pick``,
``_practice_sizes``). Pure data and arithmetic on a ``random.Random``: no database.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from ..models import ClinicianType

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
