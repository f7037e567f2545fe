"""Scoring data in the Django admin: data submissions and cost determinations are editable; participant
outcomes are read-only (only scoring.services writes them)."""

from django.contrib import admin

from eligibility.admin import ParticipationDataAdmin

from .forms import DataSubmissionAdminForm
from .models import CostAttribution, DataSubmission, ParticipantReweighting


@admin.register(DataSubmission)
class DataSubmissionAdmin(ParticipationDataAdmin):
    form = DataSubmissionAdminForm
    list_display = (
        "performance_year",
        "submitter_type",
        "category",
        "npi",
        "tin",
        "virtual_group_identifier",
        "apm_entity_identifier",
        "submitted_at",
    )
    list_filter = ("performance_year", "submitter_type", "category")
    search_fields = ("=npi", "=tin", "virtual_group_identifier", "apm_entity_identifier")
    date_hierarchy = "submitted_at"
    show_full_result_count = False


@admin.register(CostAttribution)
class CostAttributionAdmin(ParticipationDataAdmin):
    list_display = (
        "performance_year",
        "participant_type",
        "npi",
        "tin",
        "virtual_group_identifier",
        "apm_entity_identifier",
        "measures_attributed",
        "measures_meeting_case_minimum",
    )
    list_filter = ("performance_year", "participant_type")
    search_fields = ("=npi", "=tin", "virtual_group_identifier", "apm_entity_identifier")
    show_full_result_count = False


@admin.register(ParticipantReweighting)
class ParticipantReweightingAdmin(admin.ModelAdmin):
    list_display = (
        "performance_year",
        "participant_type",
        "npi",
        "masked_tin",
        "virtual_group_identifier",
        "apm_entity_identifier",
        "subgroup_identifier",
        "quality",
        "cost",
        "improvement_activities",
        "promoting_interoperability",
        "track",
        "neutral",
        "computed_at",
    )
    list_filter = (
        "performance_year",
        "participant_type",
        "neutral",
        "track",
        "promoting_interoperability",
        "cost",
        "quality",
        "improvement_activities",
    )
    search_fields = (
        "=npi",
        "=tin",
        "virtual_group_identifier",
        "apm_entity_identifier",
        "subgroup_identifier",
    )
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
