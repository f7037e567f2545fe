"""Eligibility data in the Django admin: browsable and searchable by NPI, TIN and name (issue 3)."""

from django.contrib import admin

from .cache import eligibility_data_changed
from .models import (
    APMEntity,
    APMParticipant,
    Clinician,
    GroupScenario,
    IndividualScenario,
    Practice,
    PracticeLocation,
    Subgroup,
    VirtualGroup,
)

FLAG_FILTERS = (
    "performance_year",
    "hospital_based_clinician",
    "non_patient_facing",
    "ambulatory_surgical_center",
    "small_group_practitioner",
)


class ParticipationDataAdmin(admin.ModelAdmin):
    """Any edit made here changes participation-status answers: the cached ones are forgotten on commit
    (eligibility.cache, ADR 0074). The admin only parses input; the cache is the only side effect."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        eligibility_data_changed()  # after the row, its inlines and its many-to-many links

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        eligibility_data_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        eligibility_data_changed()


class PracticeLocationInline(admin.TabularInline):
    model = PracticeLocation
    extra = 0


@admin.register(Clinician)
class ClinicianAdmin(ParticipationDataAdmin):
    list_display = ("npi", "last_name", "first_name", "clinician_type", "specialty")
    list_filter = ("clinician_type",)
    search_fields = ("=npi", "last_name", "first_name")
    ordering = ("last_name", "first_name")
    show_full_result_count = False  # counting a million rows on every search is slow


@admin.register(Practice)
class PracticeAdmin(ParticipationDataAdmin):
    list_display = ("legal_name", "masked_tin")
    search_fields = ("=tin", "legal_name")
    inlines = [PracticeLocationInline]
    show_full_result_count = False

    @admin.display(description="TIN")
    def masked_tin(self, obj: Practice) -> str:
        return obj.masked_tin


@admin.register(IndividualScenario)
class IndividualScenarioAdmin(ParticipationDataAdmin):
    list_display = (
        "performance_year",
        "clinician",
        "practice",
        "hospital_based_clinician",
        "non_patient_facing",
        "ambulatory_surgical_center",
        "small_group_practitioner",
        "is_eligible_individual",
    )
    list_filter = FLAG_FILTERS
    search_fields = ("=clinician__npi", "=practice__tin", "clinician__last_name", "practice__legal_name")
    list_select_related = ("clinician", "practice")
    raw_id_fields = ("clinician", "practice")
    show_full_result_count = False


@admin.register(GroupScenario)
class GroupScenarioAdmin(ParticipationDataAdmin):
    list_display = (
        "performance_year",
        "practice",
        "clinician_count",
        "hospital_based_count",
        "non_patient_facing_count",
        "ambulatory_surgical_center_count",
        "small_group_practitioner",
        "source",
    )
    list_filter = (*FLAG_FILTERS, "source")
    search_fields = ("=practice__tin", "practice__legal_name")
    list_select_related = ("practice",)
    raw_id_fields = ("practice",)
    show_full_result_count = False


@admin.register(VirtualGroup)
class VirtualGroupAdmin(ParticipationDataAdmin):
    list_display = ("identifier", "performance_year", "name")
    list_filter = ("performance_year",)
    search_fields = ("identifier", "name", "=practices__tin")
    filter_horizontal = ("practices",)


class APMParticipantInline(admin.TabularInline):
    model = APMParticipant
    extra = 0
    raw_id_fields = ("practice", "clinician")


@admin.register(APMEntity)
class APMEntityAdmin(ParticipationDataAdmin):
    list_display = ("entity_id", "name", "apm_id", "apm_name", "performance_year")
    list_filter = ("performance_year", "apm_id")
    search_fields = ("entity_id", "name", "=participants__practice__tin", "=participants__clinician__npi")
    inlines = [APMParticipantInline]


@admin.register(Subgroup)
class SubgroupAdmin(ParticipationDataAdmin):
    list_display = ("identifier", "performance_year", "practice")
    list_filter = ("performance_year",)
    search_fields = ("identifier", "=practice__tin", "practice__legal_name", "=clinicians__npi")
    raw_id_fields = ("practice",)
    filter_horizontal = ("clinicians",)
