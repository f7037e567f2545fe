"""Participation data, named after the fields of CMS's QPP Eligibility (Participation Status) API v6.

The v6 camelCase names become snake_case fields (``hospitalBasedClinician`` → ``hospital_based_clinician``).
These rows are the facts CMS holds about a clinician or practice for a performance year; the policy that
turns them into "automatically reweighted or not" lives in ``eligibility/rules.py`` (pure, no ORM), so the
tables hold inputs, never computed answers (ADR 0010).
"""

from __future__ import annotations

from fractions import Fraction

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .validators import mask_tin, validate_npi, validate_tin

# The QPP began with performance year 2017 (seed 000_533d06a0a7debed5.txt).
FIRST_PERFORMANCE_YEAR = 2017
LAST_PERFORMANCE_YEAR = 2100


def performance_year_field(**kwargs: object) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(FIRST_PERFORMANCE_YEAR), MaxValueValidator(LAST_PERFORMANCE_YEAR)],
        db_index=True,
        **kwargs,
    )


class ClinicianType(models.TextChoices):
    """Clinician types as CMS lists them (v6 ``specialty.typeDescription``; seeds 000, 001, 003)."""

    DOCTOR_OF_MEDICINE = "doctor_of_medicine", "Doctor of Medicine"
    DOCTOR_OF_OSTEOPATHY = "doctor_of_osteopathy", "Doctor of Osteopathy"
    DOCTOR_OF_DENTAL_MEDICINE = "doctor_of_dental_medicine", "Doctor of Dental Medicine"
    DOCTOR_OF_DENTAL_SURGERY = "doctor_of_dental_surgery", "Doctor of Dental Surgery"
    DOCTOR_OF_PODIATRIC_MEDICINE = "doctor_of_podiatric_medicine", "Doctor of Podiatric Medicine"
    OPTOMETRIST = "optometrist", "Optometrist"
    CHIROPRACTOR = "chiropractor", "Chiropractor"
    PHYSICIAN_ASSISTANT = "physician_assistant", "Physician Assistant"
    NURSE_PRACTITIONER = "nurse_practitioner", "Nurse Practitioner"
    CLINICAL_NURSE_SPECIALIST = "clinical_nurse_specialist", "Clinical Nurse Specialist"
    CERTIFIED_REGISTERED_NURSE_ANESTHETIST = (
        "certified_registered_nurse_anesthetist",
        "Certified Registered Nurse Anesthetist",
    )
    CERTIFIED_NURSE_MIDWIFE = "certified_nurse_midwife", "Certified Nurse Midwife"
    CLINICAL_SOCIAL_WORKER = "clinical_social_worker", "Clinical Social Worker"
    CLINICAL_PSYCHOLOGIST = "clinical_psychologist", "Clinical Psychologist"
    PHYSICAL_THERAPIST = "physical_therapist", "Physical Therapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational Therapist"
    SPEECH_LANGUAGE_PATHOLOGIST = "speech_language_pathologist", "Qualified Speech-Language Pathologist"
    AUDIOLOGIST = "audiologist", "Qualified Audiologist"
    REGISTERED_DIETITIAN = "registered_dietitian", "Registered Dietitian or Nutrition Professional"


class Clinician(models.Model):
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    clinician_type = models.CharField(
        max_length=64, choices=ClinicianType.choices, default=ClinicianType.DOCTOR_OF_MEDICINE
    )
    specialty = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "npi"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="elig_clinician_name_idx")]

    def __str__(self) -> str:
        return f"{self.full_name} (NPI: {self.npi})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Practice(models.Model):
    # Stored whole (it identifies the practice); shown masked wherever the full TIN is not needed.
    tin = models.CharField("TIN", max_length=9, unique=True, validators=[validate_tin])
    legal_name = models.CharField(max_length=255)

    class Meta:
        ordering = ["legal_name", "tin"]
        indexes = [models.Index(fields=["legal_name"], name="elig_practice_name_idx")]

    def __str__(self) -> str:
        return f"{self.legal_name} (TIN: {self.masked_tin})"

    @property
    def masked_tin(self) -> str:
        return mask_tin(self.tin)


class PracticeLocation(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="locations")
    address_line_1 = models.CharField(max_length=255)
    address_line_2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP code", max_length=10)
    # Whether broadband internet is available at this location: the fact behind the
    # "insufficient internet connectivity" hardship reason (seed 003_452340df50752410.txt, reasons).
    broadband_available = models.BooleanField(default=True)

    class Meta:
        ordering = ["practice", "state", "city", "address_line_1"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "address_line_1", "city", "state", "zip_code"],
                name="elig_location_unique_address",
            )
        ]

    def __str__(self) -> str:
        parts = [self.address_line_1, self.address_line_2, f"{self.city}, {self.state} {self.zip_code}"]
        return ", ".join(p for p in parts if p)


class SpecialStatusFlags(models.Model):
    """The special-status flags that the v6 API reports on both individual and group scenarios."""

    hospital_based_clinician = models.BooleanField(default=False)
    non_patient_facing = models.BooleanField(default=False)
    ambulatory_surgical_center = models.BooleanField("ASC-based", default=False)
    # v6: "15 or fewer clinicians bill under the group" (small practice, seed 004_e04a1ded3c26ad2c.txt).
    small_group_practitioner = models.BooleanField("small practice", default=False)
    rural_clinician = models.BooleanField("rural", default=False)
    hpsa_clinician = models.BooleanField("HPSA", default=False)
    is_facility_based = models.BooleanField("facility-based", default=False)
    # Low-volume threshold inputs (seed 004_e04a1ded3c26ad2c.txt for 2017; issue 3 for later years).
    # Null means "not known here" (the v6 API reports CMS's determination, not the amounts): the rules then
    # fall back to CMS's own ``isEligible``/``lowVolumeSwitch`` determination.
    allowed_charges = models.DecimalField(
        "Medicare Part B allowed charges", max_digits=14, decimal_places=2, null=True, blank=True
    )
    part_b_patients = models.PositiveIntegerField("Part B patients", null=True, blank=True)
    covered_services = models.PositiveIntegerField("covered professional services", null=True, blank=True)
    # v6 ``lowVolumeSwitch``: true when CMS found the clinician/group at or below the low-volume threshold.
    low_volume_switch = models.BooleanField(default=False)
    low_volume_status_reasons = models.JSONField(default=list, blank=True)
    # Elected to opt in to MIPS although excluded by the low-volume threshold (allowed from 2019 when at
    # least one but not all criteria are exceeded; seed 004_e04a1ded3c26ad2c.txt on opting in).
    opted_in = models.BooleanField(default=False)

    class Meta:
        abstract = True


class IndividualScenario(SpecialStatusFlags):
    """v6 ``organizations[].individualScenario``: one clinician billing under one TIN in one year."""

    performance_year = performance_year_field()
    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="scenarios")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="individual_scenarios")
    # v6 ``isEligible{individual, group, mipsApm, virtualGroup}`` as CMS determined it.
    is_eligible_individual = models.BooleanField(default=True)
    is_eligible_group = models.BooleanField(default=True)
    is_eligible_mips_apm = models.BooleanField(default=False)
    is_eligible_virtual_group = models.BooleanField(default=False)

    class Meta:
        ordering = ["performance_year", "practice", "clinician"]
        constraints = [
            models.UniqueConstraint(
                fields=["performance_year", "clinician", "practice"], name="elig_individual_unique"
            )
        ]
        indexes = [models.Index(fields=["practice", "performance_year"], name="elig_ind_tin_year_idx")]

    def __str__(self) -> str:
        return f"{self.performance_year}: NPI {self.clinician.npi} under TIN {self.practice.masked_tin}"


class GroupScenario(SpecialStatusFlags):
    """v6 ``organizations[].groupScenario``: one TIN in one year.

    The counts are derived from the TIN's individual scenarios (``services.derive_group_scenario``), so the
    >75% rules can be decided on exact integers rather than rounded percentages (seed 003 Appendix A).
    """

    performance_year = performance_year_field()
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="group_scenarios")
    clinician_count = models.PositiveIntegerField(default=0)
    mips_eligible_count = models.PositiveIntegerField(default=0)
    hospital_based_count = models.PositiveIntegerField(default=0)
    non_patient_facing_count = models.PositiveIntegerField(default=0)
    ambulatory_surgical_center_count = models.PositiveIntegerField(default=0)
    is_eligible_group = models.BooleanField(default=True)

    class Source(models.TextChoices):
        DERIVED = "derived", "Derived from the TIN's clinicians"
        CMS_IMPORT = "cms_import", "Imported from CMS (QPP Eligibility API v6)"

    # Where the designation flags came from: an import carries CMS's own group flags, which we keep even
    # when we hold only some of the TIN's clinicians (the counts are always derived from what we hold).
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DERIVED)

    class Meta:
        ordering = ["performance_year", "practice"]
        constraints = [
            models.UniqueConstraint(fields=["performance_year", "practice"], name="elig_group_unique")
        ]

    def __str__(self) -> str:
        return f"{self.performance_year}: TIN {self.practice.masked_tin}"

    def _share(self, count: int) -> Fraction:
        return Fraction(count, self.clinician_count) if self.clinician_count else Fraction(0)

    @property
    def hospital_based_share(self) -> Fraction:
        return self._share(self.hospital_based_count)

    @property
    def non_patient_facing_share(self) -> Fraction:
        return self._share(self.non_patient_facing_count)

    @property
    def ambulatory_surgical_center_share(self) -> Fraction:
        return self._share(self.ambulatory_surgical_center_count)


class VirtualGroup(models.Model):
    identifier = models.CharField(max_length=20, db_index=True)  # e.g. "VG-000123"
    performance_year = performance_year_field()
    name = models.CharField(max_length=255, blank=True)
    practices = models.ManyToManyField(Practice, related_name="virtual_groups", blank=True)

    class Meta:
        ordering = ["performance_year", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "performance_year"], name="elig_vg_unique")
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.performance_year})"


class APMEntity(models.Model):
    apm_id = models.CharField("APM ID", max_length=10)  # e.g. "08"
    apm_name = models.CharField("APM name", max_length=255, blank=True)  # "Medicare Shared Savings Program"
    entity_id = models.CharField("APM Entity ID", max_length=20, db_index=True)  # e.g. "A1001"
    name = models.CharField(max_length=255)
    performance_year = performance_year_field()

    class Meta:
        verbose_name = "APM Entity"
        verbose_name_plural = "APM Entities"
        ordering = ["performance_year", "entity_id"]
        constraints = [
            models.UniqueConstraint(fields=["entity_id", "performance_year"], name="elig_apm_entity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.entity_id}, {self.performance_year})"


class APMParticipant(models.Model):
    """One TIN/NPI pair on an APM Entity's participation list."""

    apm_entity = models.ForeignKey(APMEntity, on_delete=models.CASCADE, related_name="participants")
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="apm_participations")
    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="apm_participations")

    class Meta:
        verbose_name = "APM participant"
        constraints = [
            models.UniqueConstraint(
                fields=["apm_entity", "practice", "clinician"], name="elig_apm_participant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.apm_entity.entity_id}: TIN {self.practice.masked_tin} / NPI {self.clinician.npi}"


class Subgroup(models.Model):
    """An MVP subgroup of a TIN. Subgroups cannot apply and inherit their group's reweighting (seed 003)."""

    identifier = models.CharField(max_length=20, db_index=True)
    performance_year = performance_year_field()
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="subgroups")
    clinicians = models.ManyToManyField(Clinician, related_name="subgroups", blank=True)

    class Meta:
        ordering = ["performance_year", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["identifier", "performance_year"], name="elig_subgroup_unique")
        ]

    def __str__(self) -> str:
        return f"Subgroup {self.identifier} of TIN {self.practice.masked_tin} ({self.performance_year})"
