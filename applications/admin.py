"""Admin: application windows and reopenings (editable by CMS administrators), applications read-only.

Dates are entered and shown in Eastern Time (settings.TIME_ZONE is America/New_York), the time zone of CMS
deadlines. The application status is never editable here: it changes only through the transition services
(the review queue is issue 7).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_fsm_log.admin import StateLogInline

from accounts.authorization import is_cms_administrator

from .models import AdditionalAccessEmail, Application, ApplicationWindow, WindowReopening

ET_HELP = (
    "Eastern Time (ET). Applications are accepted from the opening time up to, not including, the closing "
    "time."
)


class CMSAdministratorOnly:
    """Windows decide who may submit: only CMS administrators may change them."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff and request.user.is_active)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_cms_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_cms_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_cms_administrator(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and request.user.is_active)


class WindowReopeningInline(CMSAdministratorOnly, admin.TabularInline):
    model = WindowReopening
    extra = 0
    fields = ("opens_at", "closes_at", "event_type", "change_healthcare_cyberattack_only", "note")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("opens_at", "closes_at") and field is not None:
            field.help_text = ET_HELP
        return field


@admin.register(ApplicationWindow)
class ApplicationWindowAdmin(CMSAdministratorOnly, admin.ModelAdmin):
    list_display = ("performance_year", "opens_at", "closes_at", "reopening_count")
    ordering = ("-performance_year",)
    inlines = [WindowReopeningInline]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("opens_at", "closes_at") and field is not None:
            field.help_text = ET_HELP
        return field

    @admin.display(description="Reopenings")
    def reopening_count(self, obj: ApplicationWindow) -> int:
        return obj.reopenings.count()


class AdditionalAccessInline(admin.TabularInline):
    model = AdditionalAccessEmail
    extra = 0
    can_delete = False
    readonly_fields = ("email",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApplicationTimelineInline(StateLogInline):
    verbose_name = "status change"
    verbose_name_plural = "Status changes"


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: what the applicant wrote never changes after submission, and the status changes only
    through the services."""

    list_display = (
        "reference",
        "exception_type",
        "performance_year",
        "participation_level",
        "participant_name",
        "masked_tin",
        "status",
        "submitted_at",
        "updated_at",
    )
    list_filter = (
        "performance_year",
        "exception_type",
        "status",
        "participation_level",
        "pi_reason",
        "event_type",
    )
    search_fields = (
        "reference",
        "participant_name",
        "npi",
        "tin",
        "virtual_group_identifier",
        "apm_entity_identifier",
    )
    ordering = ("-updated_at",)
    date_hierarchy = "created_at"
    list_select_related = ("submitter",)
    inlines = [AdditionalAccessInline, ApplicationTimelineInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields] + ["participant_key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change page is shown read-only (view permission); nothing can be saved from it.
        return False

    @admin.display(description="TIN")
    def masked_tin(self, obj: Application) -> str:
        return obj.masked_tin
