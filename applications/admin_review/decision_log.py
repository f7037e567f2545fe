"""The decision log (issue 7 point 6): every status change of every application, searchable."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django_fsm_log.models import StateLog

from ..models import Application, ApplicationDecision, Status
from .permissions import can_review

# --- the decision log (issue 7 point 6) ---------------------------------------------------------------------


@admin.register(ApplicationDecision)
class ApplicationDecisionAdmin(admin.ModelAdmin):
    """Every status change of every application: who, when, from, to, note; searchable."""

    list_display = (
        "timestamp",
        "application_reference",
        "transition",
        "from_status",
        "to_status",
        "by",
        "note",
    )
    list_filter = ("transition", "state")
    search_fields = ("by__email", "by__first_name", "by__last_name", "description")
    search_help_text = "Application reference, reviewer name or email, or words in the note."
    date_hierarchy = "timestamp"
    ordering = ("-timestamp", "-pk")
    list_select_related = ("by",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[StateLog]:
        content_type = ContentType.objects.get_for_model(Application)
        reference = Application.objects.filter(pk=OuterRef("object_id")).values("reference")[:1]
        return (
            super()
            .get_queryset(request)
            .filter(content_type=content_type)
            .annotate(application_reference_value=Subquery(reference))
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[StateLog], search_term: str
    ) -> tuple[QuerySet[StateLog], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            results |= queryset.filter(application_reference_value__icontains=term)
        return results, may_have_duplicates

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_review(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_review(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Application", ordering="application_reference_value")
    def application_reference(self, obj: StateLog) -> str:
        reference = getattr(obj, "application_reference_value", "")
        if not reference:
            return "—"
        url = reverse("admin:applications_application_change", args=[obj.object_id])
        return format_html('<a href="{}">{}</a>', url, reference)

    @admin.display(description="From")
    def from_status(self, obj: StateLog) -> str:
        return str(dict(Status.choices).get(obj.source_state, obj.source_state or "—"))

    @admin.display(description="To")
    def to_status(self, obj: StateLog) -> str:
        return str(dict(Status.choices).get(obj.state, obj.state))

    @admin.display(description="Note")
    def note(self, obj: StateLog) -> str:
        return obj.description or ""
