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
        ]

    def __str__(self) -> str:
        kind = self.get_submitter_type_display()
        return f"{self.get_category_display()} data, {self.performance_year} ({kind})"
