"""The queue itself: the Application changelist and read-only change page for CMS reviewers, with its
columns, permissions and URLs. The decision panel, the bulk actions and the CSV export are mixed in from
their own modules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from .. import policy, prechecks
from ..models import AdditionalAccessEmail, Application, ExceptionType, Status
from .actions import BulkActionsMixin
from .changelist import ReviewChangeList, days_pending, participant_text, reason_text
from .decision_panel import DecisionPanelMixin
from .export import CsvExportMixin
from .filters import AssignedReviewerFilter, FindingsFilter, MultiStatusFilter, PerformanceYearFilter
from .permissions import can_review


class AdditionalAccessInline(admin.TabularInline):
    model = AdditionalAccessEmail
    extra = 0
    can_delete = False
    readonly_fields = ("email",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationReviewAdmin(DecisionPanelMixin, BulkActionsMixin, CsvExportMixin, SimpleHistoryAdmin):
    """Read-only answers; decisions, assignment and corrections through their services."""

    change_form_template = "admin/applications/application/review_change_form.html"
    change_list_template = "admin/applications/application/review_change_list.html"
    list_display = (
        "reference",
        "participant",
        "type_short",
        "reason_or_categories",
        "status",
        "submitted_at",
        "days_pending_display",
        "assigned_reviewer",
        "findings_display",
    )
    list_display_links = ("reference",)
    list_filter = (
        PerformanceYearFilter,
        "exception_type",
        MultiStatusFilter,
        "pi_reason",
        "event_type",
        "participation_level",
        AssignedReviewerFilter,
        FindingsFilter,
    )
    search_fields = (
        "reference",
        "=npi",
        "=tin",
        "virtual_group_identifier",
        "apm_entity_identifier",
        "participant_name",
        "contact_email",
        "submitter__email",
        "submitter__first_name",
        "submitter__last_name",
    )
    search_help_text = (
        "Reference, NPI, full TIN, virtual group or APM Entity identifier, participant or submitter name, "
        "or email address."
    )
    # Oldest submission first = most days pending first.
    ordering = ("submitted_at", "id")
    list_per_page = 100
    show_full_result_count = False
    list_select_related = ("assigned_reviewer",)
    actions = ("assign_to_me", "unassign", "approve_selected", "deny_selected")
    inlines = [AdditionalAccessInline]
    history_list_display = ("history_change_reason",)
    fieldsets = (
        (
            "Application",
            {
                "fields": (
                    "reference",
                    "exception_type",
                    "performance_year",
                    "participation_level",
                    "status",
                    "submitted_at",
                    "assigned_reviewer",
                    "decided_at",
                    "decided_by",
                    "denial_reason",
                    "denial_explanation",
                    "withdrawn_at",
                )
            },
        ),
        (
            "Participant",
            {
                "fields": (
                    "participant_name",
                    "npi",
                    "masked_tin",
                    "practice_not_listed",
                    "virtual_group_identifier",
                    "apm_entity_identifier",
                )
            },
        ),
        (
            "Submitter",
            {
                "fields": (
                    "submitter",
                    "contact_phone",
                    "contact_phone_extension",
                    "contact_email",
                    "submitter_relationship",
                    "submitter_relationship_other",
                )
            },
        ),
        (
            "Reason",
            {
                # The reason's answers; the attestations have their own fieldset below.
                "fields": tuple(
                    f for f in policy.REASON_FIELDS if f not in ("attested", "all_locations_attested")
                )
            },
        ),
        (
            "Attestation and description",
            {
                "fields": (
                    "attested",
                    "all_locations_attested",
                    "event_description",
                    "attestation_text",
                    "certified_statement",
                )
            },
        ),
    )

    # --- permissions (issue 7 point 8) ---

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_review(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_review(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The change page is read-only: the status and the answers never change from a form here.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return can_review(request.user)

    def has_correct_permission(self, request: HttpRequest) -> bool:
        return can_review(request.user) and request.user.has_perm("applications.correct_application")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for _title, spec in self.fieldsets for name in spec["fields"]]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        # Drafts are the applicant's work in progress: not CMS's to see until submitted.
        return (
            super()
            .get_queryset(request)
            .exclude(status=Status.DRAFT)
            .select_related("assigned_reviewer", "decided_by", "submitter")
        )

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ReviewChangeList

    # --- columns ---

    def action_checkbox(self, obj: Application) -> str:
        """Django's own checkbox markup, written directly: Django renders a form widget through the template
        engine for each of the 100 rows, a quarter of the queue's rendering time (issue 9, ADR 0076)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            str(obj),
        )

    @admin.display(description="Participant")
    def participant(self, obj: Application) -> str:
        return participant_text(obj)

    @admin.display(description="Type", ordering="exception_type")
    def type_short(self, obj: Application) -> str:
        return "PI hardship" if obj.exception_type == ExceptionType.PI_HARDSHIP else "EUC"

    @admin.display(description="Reason or EUC categories")
    def reason_or_categories(self, obj: Application) -> str:
        return reason_text(obj)

    @admin.display(description="Days pending", ordering="submitted_at")
    def days_pending_display(self, obj: Application) -> str:
        days = days_pending(obj)
        return "—" if days is None else str(days)

    @admin.display(description="Pre-check findings")
    def findings_display(self, obj: Application) -> str:
        found = getattr(obj, "precheck_findings", None)
        if found is None:
            found = prechecks.findings_for([obj]).get(obj.pk, ())
        if not found:
            return mark_safe('<span class="review-clean">None</span>')  # noqa: S308 (constant markup)  # nosec B308 B703
        return format_html(
            '<span class="review-findings"><strong>{}</strong>: {}</span>',
            len(found),
            "; ".join(f.label for f in found),
        )

    @admin.display(description="TIN")
    def masked_tin(self, obj: Application) -> str:
        return obj.masked_tin

    # --- URLs ---

    def get_urls(self) -> list[Any]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name=f"{prefix}_export"),
            path("<path:object_id>/decide/", wrap(self.decide_view), name=f"{prefix}_decide"),
            path("<path:object_id>/assign/", wrap(self.assign_view), name=f"{prefix}_assign"),
            path("<path:object_id>/correct/", wrap(self.correct_view), name=f"{prefix}_correct"),
            *super().get_urls(),
        ]
