"""Scoring data: what has already been submitted for a participant, category and performance year.

Seed 002_… and 001_…: data submitted for a performance category overrides an approved exception for that
category (except for APM Entities, field notes), so the wizard warns the applicant before they apply.
"""

from django.db import models


class PerformanceCategory(models.TextChoices):
    QUALITY = "quality", "Quality"
    COST = "cost", "Cost"
    IMPROVEMENT_ACTIVITIES = "improvement_activities", "Improvement Activities"
    PROMOTING_INTEROPERABILITY = "promoting_interoperability", "Promoting Interoperability"


class SubmitterType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"
    VIRTUAL_GROUP = "virtual_group", "Virtual Group"
    APM_ENTITY = "apm_entity", "APM Entity"


class DataSubmission(models.Model):
    """One submission of MIPS data for a category (identifiers of the participant that submitted it)."""

    npi = models.CharField("NPI", max_length=10, blank=True)
    tin = models.CharField("TIN", max_length=9, blank=True)
    virtual_group_identifier = models.CharField(max_length=20, blank=True)
    apm_entity_identifier = models.CharField("APM Entity identifier", max_length=20, blank=True)
    performance_year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=30, choices=PerformanceCategory.choices)
    submitter_type = models.CharField(max_length=20, choices=SubmitterType.choices)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["performance_year", "category"]),
            models.Index(fields=["npi"]),
            models.Index(fields=["tin"]),
            # Issue 9: the scoped preview reads a year's virtual group and APM Entity submissions.
            models.Index(fields=["performance_year", "submitter_type"], name="scoring_ds_year_type_idx"),
            # Issue 9: the review queue's pre-checks read a page's TINs' group submissions; without it
            # PostgreSQL ANDs the TIN index with every submission of the year (8 ms per queue page).
            models.Index(
                fields=["tin", "submitter_type", "performance_year"], name="scoring_ds_tin_type_idx"
            ),
        ]

    def __str__(self) -> str:
        kind = self.get_submitter_type_display()
        return f"{self.get_category_display()} data, {self.performance_year} ({kind})"


class ParticipantType(models.TextChoices):
    INDIVIDUAL = "individual", "Individual (TIN/NPI)"
    GROUP = "group", "Group (TIN)"
    VIRTUAL_GROUP = "virtual_group", "Virtual Group"
    APM_ENTITY = "apm_entity", "APM Entity"
    SUBGROUP = "subgroup", "Subgroup"


class CostAttribution(models.Model):
    """How many cost measures met their case minimum for a participant and year (CMS computes cost from
    claims; nothing is submitted). With none, cost cannot be scored and is reweighted (issue 8 point 3).
    No row means CMS has not determined it yet: cost is then not reweighted (ADR 0041)."""

    participant_type = models.CharField(max_length=20, choices=ParticipantType.choices)
    npi = models.CharField("NPI", max_length=10, blank=True)
    tin = models.CharField("TIN", max_length=9, blank=True)
    virtual_group_identifier = models.CharField(max_length=20, blank=True)
    apm_entity_identifier = models.CharField("APM Entity identifier", max_length=20, blank=True)
    performance_year = models.PositiveSmallIntegerField()
    measures_attributed = models.PositiveSmallIntegerField(default=0)
    measures_meeting_case_minimum = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["performance_year", "participant_type", "tin", "npi"]
        indexes = [
            models.Index(fields=["performance_year", "participant_type"], name="scoring_cost_year_type_idx"),
            models.Index(fields=["tin"], name="scoring_cost_tin_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(measures_meeting_case_minimum__lte=models.F("measures_attributed")),
                name="scoring_cost_meeting_lte_attributed",
            )
        ]

    def __str__(self) -> str:
        return f"Cost {self.performance_year} ({self.get_participant_type_display()})"

    @property
    def scorable(self) -> bool:
        return self.measures_meeting_case_minimum > 0


class ParticipantReweighting(models.Model):
    """The stored outcome for one participant and year: which categories are reweighted and why, and the
    resulting weights. Written only by scoring.services (batch and incremental recompute)."""

    performance_year = models.PositiveSmallIntegerField()
    participant_type = models.CharField(max_length=20, choices=ParticipantType.choices)
    # "individual:<tin>:<npi>", "group:<tin>", "virtual_group:<id>", "apm_entity:<id>", "subgroup:<id>".
    participant_key = models.CharField(max_length=80)
    npi = models.CharField("NPI", max_length=10, blank=True)
    tin = models.CharField("TIN", max_length=9, blank=True)
    virtual_group_identifier = models.CharField(max_length=20, blank=True)
    apm_entity_identifier = models.CharField("APM Entity identifier", max_length=20, blank=True)
    subgroup_identifier = models.CharField(max_length=20, blank=True)

    quality = models.BooleanField("Quality reweighted", default=False)
    cost = models.BooleanField("Cost reweighted", default=False)
    improvement_activities = models.BooleanField("Improvement Activities reweighted", default=False)
    promoting_interoperability = models.BooleanField("Promoting Interoperability reweighted", default=False)
    # [{"category", "source", "detail", "application", "overridden_by_data"}]: every rule or application
    # that asked for a category, including those overridden by submitted data.
    reasons = models.JSONField(default=list, blank=True)

    track = models.CharField(max_length=20)
    weight_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_cost = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_improvement_activities = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_promoting_interoperability = models.PositiveSmallIntegerField(null=True, blank=True)
    neutral = models.BooleanField(default=False)
    weights_table = models.CharField(max_length=10, blank=True)
    # Why weights are missing: the combination is not covered by the policy data (never guessed).
    weights_message = models.CharField(max_length=255, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["performance_year", "participant_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["performance_year", "participant_key"], name="scoring_reweighting_unique_participant"
            )
        ]
        indexes = [
            models.Index(fields=["performance_year", "tin"], name="scoring_rw_year_tin_idx"),
            models.Index(fields=["npi"], name="scoring_rw_npi_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.performance_year} {self.participant_key}"

    @property
    def reweighted_categories(self) -> tuple[str, ...]:
        names = ("quality", "cost", "improvement_activities", "promoting_interoperability")
        return tuple(name for name in names if getattr(self, name))

    @property
    def masked_tin(self) -> str:
        return f"****{self.tin[-4:]}" if self.tin else ""
