"""Admin: application windows and reopenings (editable by CMS administrators) and the CMS review queue.

Dates are entered and shown in Eastern Time (settings.TIME_ZONE is America/New_York), the time zone of CMS
deadlines. The application status is never editable here: decisions, assignments and corrections go through
applications.services, the queue and its pre-checks are in applications/admin_review/ (issue 7).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.authorization import is_cms_administrator

from .models import ApplicationWindow, WindowReopening

ET_HELP = (
    "Eastern Time (ET). Applications are accepted from the opening time up to, not including, the closing "
    "time."
)


def _is_administrator(request: HttpRequest) -> bool:
    """Memoized per request: the admin asks several times per page (sidebar, buttons); the review queue's
    query budget (issue 7 point 10) has no room for repeats."""
    cached = getattr(request, "_cms_administrator", None)
    if cached is None:
        cached = request._cms_administrator = is_cms_administrator(request.user)
    return cached


class CMSAdministratorOnly:
    """Windows decide who may submit: only CMS administrators may change them."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff and request.user.is_active)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

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


from . import admin_review  # noqa: E402,F401,I001  (issue 7: the CMS review queue)
from . import admin_notifications  # noqa: E402,F401  (issue 6: the notifications outbox)
