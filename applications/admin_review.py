"""The CMS review queue in the Django admin (issue 7): the application changelist for CMS reviewers, pre-check
findings, the decision panel, assignment, bulk decisions, corrections with a reason, the decision log and the
CSV export. Imported from applications/admin.py.

Every write calls one service in applications.services; the status field is never editable. Only users with
``applications.decide_application`` (CMS Reviewer and CMS Administrator groups, superusers) see the queue.
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_fsm_log.models import StateLog
from simple_history.admin import SimpleHistoryAdmin

from qpp_exceptions.security_log import security_event

from . import policy, prechecks, services
from .models import (
    AdditionalAccessEmail,
    Application,
    ApplicationDecision,
    ExceptionType,
    ParticipationLevel,
    Status,
)


def can_review(user: Any) -> bool:
    """Issue 7 point 8: nobody without the review permission sees the queue."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("applications.decide_application")
    )


# Issue 7 point 3: the denial reasons a reviewer chooses from; the label is what the applicant reads.
DENIAL_REASONS = [
    ("does_not_meet_criteria", "Does not meet the criteria for the selected reason"),
    ("not_mips_eligible", "Not MIPS eligible"),
    ("duplicate_application", "Duplicate application"),
    ("other", "Other"),
]
DENIAL_REASON_LABELS = dict(DENIAL_REASONS)

CATEGORY_SHORT = (
    ("requests_quality", "Quality"),
    ("requests_cost", "Cost"),
    ("requests_improvement_activities", "Improvement Activities"),
    ("requests_promoting_interoperability", "Promoting Interoperability"),
)


class DenyForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for denial", choices=[("", "- Select -"), *DENIAL_REASONS], required=True
    )
    explanation = forms.CharField(
        label="Explanation for the applicant",
        help_text="Goes into the email and onto the application page.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def reason_label(self) -> str:
        return DENIAL_REASON_LABELS[self.cleaned_data["reason"]]


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Internal note (optional)",
        help_text="Shown in the status history to CMS only, never to the applicant.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class CorrectionForm(forms.ModelForm):
    reason = forms.CharField(
        label="Reason for the correction",
        help_text="Required. Recorded in the field history with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    class Meta:
        model = Application
        fields = services.CORRECTABLE_FIELDS


# --- list filters -------------------------------------------------------------------------------------------


class MultiStatusFilter(admin.SimpleListFilter):
    """Several statuses at once (?status=submitted,approved); each link toggles one status."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Status.choices if value != Status.DRAFT]

    def selected(self) -> list[str]:
        raw = self.value() or ""
        return [v for v in raw.split(",") if v in Status.values and v != Status.DRAFT]

    def choices(self, changelist: ChangeList) -> Any:
        chosen = self.selected()
        yield {
            "selected": not chosen,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }
        for value, label in self.lookup_choices:
            toggled = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
            query = (
                changelist.get_query_string({self.parameter_name: ",".join(toggled)})
                if toggled
                else changelist.get_query_string(remove=[self.parameter_name])
            )
            yield {"selected": value in chosen, "query_string": query, "display": label}

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        chosen = self.selected()
        return queryset.filter(status__in=chosen) if chosen else queryset


class PerformanceYearFilter(admin.SimpleListFilter):
    """Years from the first QPP year to the current one, without a query (issue 7 point 10)."""

    title = "performance year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year, policy.FIRST_PERFORMANCE_YEAR - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        return queryset.filter(performance_year=int(value)) if value and value.isdigit() else queryset


class AssignedReviewerFilter(admin.SimpleListFilter):
    title = "assigned reviewer"
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("me", "Assigned to me"), ("none", "Unassigned"), ("any", "Assigned to anyone")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_reviewer=request.user)
        if value == "none":
            return queryset.filter(assigned_reviewer__isnull=True)
        if value == "any":
            return queryset.filter(assigned_reviewer__isnull=False)
        return queryset


FINDINGS_CHUNK = 500


def _ids_by_findings(queryset: QuerySet[Application], *, with_findings: bool) -> list[int]:
    ids: list[int] = []
    rows = list(queryset.order_by("pk"))
    for start in range(0, len(rows), FINDINGS_CHUNK):
        chunk = rows[start : start + FINDINGS_CHUNK]
        for pk, found in prechecks.findings_for(chunk).items():
            if bool(found) == with_findings:
                ids.append(pk)
    return ids


class FindingsFilter(admin.SimpleListFilter):
    """Clean (no pre-check findings) or has findings. Findings are computed, not stored (they change as the
    data does), so this filter computes them for the filtered rows in bulk."""

    title = "pre-check findings"
    parameter_name = "findings"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("clean", "Clean (no findings)"), ("has", "Has findings")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        if value not in ("clean", "has"):
            return queryset
        return queryset.filter(pk__in=_ids_by_findings(queryset, with_findings=value == "has"))


# --- the queue ----------------------------------------------------------------------------------------------


class ReviewChangeList(ChangeList):
    """Computes the pre-check findings for the whole page at once (issue 7 point 10: no per-row queries)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        rows = list(self.result_list)
        findings = prechecks.findings_for(rows)
        for row in rows:
            row.precheck_findings = findings.get(row.pk, ())


class AdditionalAccessInline(admin.TabularInline):
    model = AdditionalAccessEmail
    extra = 0
    can_delete = False
    readonly_fields = ("email",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def participant_text(obj: Application) -> str:
    """Name, masked TIN and NPI or identifier (never the full TIN)."""
    parts = [obj.participant_name or "(no name)"]
    level = obj.participation_level
    if level in (ParticipationLevel.INDIVIDUAL, ParticipationLevel.GROUP) and obj.tin:
        parts.append(f"TIN {obj.masked_tin}")
    if level == ParticipationLevel.INDIVIDUAL and obj.npi:
        parts.append(f"NPI {obj.npi}")
    if level == ParticipationLevel.VIRTUAL_GROUP:
        parts.append(obj.virtual_group_identifier)
    if level == ParticipationLevel.APM_ENTITY:
        parts.append(f"APM Entity {obj.apm_entity_identifier}")
    return " · ".join(p for p in parts if p)


def reason_text(obj: Application) -> str:
    if obj.exception_type == ExceptionType.PI_HARDSHIP:
        return obj.get_pi_reason_display() if obj.pi_reason else ""
    categories = ", ".join(label for name, label in CATEGORY_SHORT if getattr(obj, name))
    event = obj.get_event_type_display() if obj.event_type else ""
    return f"{event}: {categories}" if event and categories else event or categories


def days_pending(obj: Application, now: Any = None) -> int | None:
    if obj.status != Status.SUBMITTED or obj.submitted_at is None:
        return None
    return ((now or timezone.now()) - obj.submitted_at).days


@admin.register(Application)
class ApplicationReviewAdmin(SimpleHistoryAdmin):
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
                "fields": (
                    "pi_reason",
                    "event_type",
                    "change_healthcare_cyberattack",
                    "requests_quality",
                    "requests_cost",
                    "requests_improvement_activities",
                    "requests_promoting_interoperability",
                    "event_start_date",
                    "event_end_date",
                    "event_still_persists",
                    "onc_acb_certification_id",
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

    def _get_or_404(self, request: HttpRequest, object_id: str) -> Application:
        if not can_review(request.user):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No application found.")
        return obj

    def _change_url(self, obj: Application) -> str:
        return reverse("admin:applications_application_change", args=[obj.pk])

    # --- change page ---

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if obj is not None and can_review(request.user):
            context.update(self._review_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context=context)

    def _review_context(
        self,
        request: HttpRequest,
        obj: Application,
        *,
        approve_form: ApproveForm | None = None,
        deny_form: DenyForm | None = None,
    ) -> dict[str, Any]:
        logs = StateLog.objects.for_(obj).select_related("by").order_by("timestamp", "pk")
        labels = dict(Status.choices)
        return {
            "review_page": True,
            "review_findings": prechecks.findings_for([obj]).get(obj.pk, ()),
            "status_history": [
                {
                    "timestamp": log.timestamp,
                    "by": (log.by.get_full_name() or log.by.email) if log.by else "System",
                    "by_email": log.by.email if log.by else "",
                    "from": labels.get(log.source_state, log.source_state or "—"),
                    "to": labels.get(log.state, log.state),
                    "note": log.description or "",
                }
                for log in logs
            ],
            "is_pending": obj.status == Status.SUBMITTED,
            "approve_form": approve_form or ApproveForm(),
            "deny_form": deny_form or DenyForm(),
            "decide_url": reverse("admin:applications_application_decide", args=[obj.pk]),
            "assign_url": reverse("admin:applications_application_assign", args=[obj.pk]),
            "correct_url": reverse("admin:applications_application_correct", args=[obj.pk]),
            "history_url": reverse("admin:applications_application_history", args=[obj.pk]),
            "can_correct": self.has_correct_permission(request) and obj.status != Status.DRAFT,
            "assigned_to_me": obj.assigned_reviewer_id == request.user.pk,
            "participant_label": participant_text(obj),
            "days_pending": days_pending(obj),
        }

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST only: Approve, or Deny with a reason and an explanation (issue 7 point 3)."""
        obj = self._get_or_404(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(obj))
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                form = ApproveForm(request.POST)
                if not form.is_valid():
                    return self._redisplay(request, obj, approve_form=form)
                services.application_approve(
                    application=obj, actor=request.user, note=form.cleaned_data["note"]
                )
                self.message_user(request, f"{obj.reference} approved.", messages.SUCCESS)
            elif decision == "deny":
                form = DenyForm(request.POST)
                if not form.is_valid():
                    return self._redisplay(request, obj, deny_form=form)
                services.application_deny(
                    application=obj,
                    actor=request.user,
                    reason=form.reason_label(),
                    explanation=form.cleaned_data["explanation"],
                )
                self.message_user(request, f"{obj.reference} denied.", messages.SUCCESS)
            else:
                self.message_user(request, "Choose Approve or Deny.", messages.ERROR)
        except services.TransitionNotAllowed as exc:
            self.message_user(request, exc.reviewer_message, messages.ERROR)
        except services.ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(self._change_url(obj))

    def _redisplay(self, request: HttpRequest, obj: Application, **forms_: Any) -> HttpResponse:
        self.message_user(request, "Correct the errors in the decision panel.", messages.ERROR)
        context = self._review_context(request, obj, **forms_)
        request.method = "GET"  # render the (read-only) change page again with the bound form
        response = super().change_view(request, str(obj.pk), extra_context=context)
        response.status_code = 400
        return response

    def assign_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._get_or_404(request, object_id)
        if request.method == "POST":
            reviewer = request.user if request.POST.get("assign") == "me" else None
            try:
                services.application_assign(application=obj, reviewer=reviewer, actor=request.user)
            except services.ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                text = "Assigned to you." if reviewer is not None else "Unassigned."
                self.message_user(request, f"{obj.reference}: {text}", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def correct_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Corrections on the applicant's behalf: a separate permission and a required reason (point 6)."""
        obj = self._get_or_404(request, object_id)
        if not self.has_correct_permission(request):
            raise PermissionDenied
        form = CorrectionForm(request.POST or None, instance=Application.objects.get(pk=obj.pk))
        if request.method == "POST" and form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "reason"}
            try:
                services.application_correct(
                    application=obj, actor=request.user, changes=changes, reason=form.cleaned_data["reason"]
                )
            except services.ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"{obj.reference} corrected.", messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(obj))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "form": form,
            "title": f"Correct {obj.reference}",
            "change_url": self._change_url(obj),
        }
        return TemplateResponse(
            request,
            "admin/applications/application/correct.html",
            context,
            status=400 if request.method == "POST" else 200,
        )

    # --- actions (issue 7 points 1 and 5) ---

    def _selected_within_limit(self, request: HttpRequest, queryset: QuerySet[Application]) -> bool:
        count = queryset.count()
        if count > services.BULK_DECISION_LIMIT:
            self.message_user(
                request,
                f"Select at most {services.BULK_DECISION_LIMIT} applications at a time "
                f"(you selected {count}). Nothing was changed.",
                messages.ERROR,
            )
            return False
        return True

    @admin.action(description="Assign selected to me", permissions=["decide"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._assign_each(request, queryset, request.user)

    @admin.action(description="Unassign selected", permissions=["decide"])
    def unassign(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        self._assign_each(request, queryset, None)

    def _assign_each(self, request: HttpRequest, queryset: QuerySet[Application], reviewer: Any) -> None:
        if not self._selected_within_limit(request, queryset):
            return
        done, skipped = 0, []
        for obj in queryset.order_by("pk"):
            try:
                services.application_assign(application=obj, reviewer=reviewer, actor=request.user)
            except services.ApplicationError as exc:
                skipped.append(f"{obj.reference}: {exc.message}")
            else:
                done += 1
        verb = "Assigned to you" if reviewer is not None else "Unassigned"
        self.message_user(request, f"{verb}: {done}.", messages.SUCCESS)
        for line in skipped[:20]:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description="Approve selected", permissions=["decide"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> Any:
        if not self._selected_within_limit(request, queryset):
            return None
        selected = list(queryset.order_by("pk"))
        findings = prechecks.findings_for(selected)
        with_findings = [(a, findings[a.pk]) for a in selected if findings.get(a.pk)]
        form = ApproveForm(request.POST if "confirm" in request.POST else None)
        if with_findings and "confirm" not in request.POST:
            return self._action_page(
                request,
                queryset,
                "admin/applications/application/bulk_approve_confirm.html",
                "approve_selected",
                {"with_findings": with_findings, "selected_count": len(selected), "form": form},
            )
        note = form.cleaned_data["note"] if form.is_bound and form.is_valid() else ""
        outcome = services.applications_bulk_approve(applications=selected, actor=request.user, note=note)
        self.message_user(request, outcome.summary, messages.SUCCESS if outcome.done else messages.WARNING)
        return None

    @admin.action(description="Deny selected (one reason for all)", permissions=["decide"])
    def deny_selected(self, request: HttpRequest, queryset: QuerySet[Application]) -> Any:
        if not self._selected_within_limit(request, queryset):
            return None
        form = DenyForm(request.POST if "confirm" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return self._action_page(
                request,
                queryset,
                "admin/applications/application/bulk_deny.html",
                "deny_selected",
                {"form": form, "selected_count": queryset.count()},
                status=400 if form.is_bound else 200,
            )
        outcome = services.applications_bulk_deny(
            applications=list(queryset.order_by("pk")),
            actor=request.user,
            reason=form.reason_label(),
            explanation=form.cleaned_data["explanation"],
        )
        self.message_user(request, outcome.summary, messages.SUCCESS if outcome.done else messages.WARNING)
        return None

    def _action_page(
        self,
        request: HttpRequest,
        queryset: QuerySet[Application],
        template: str,
        action: str,
        extra: dict[str, Any],
        status: int = 200,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Approve selected applications" if action == "approve_selected" else "Deny selected",
            "queryset": queryset.order_by("pk"),
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
            "changelist_url": reverse("admin:applications_application_changelist"),
            **extra,
        }
        return TemplateResponse(request, template, context, status=status)

    # --- CSV export (issue 7 point 7) ---

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The filtered queue (the same filters and search as the changelist) as CSV."""
        if not can_review(request.user):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        # Security log (issue 10 point 5, ADR 0083): who exported which view of the queue.
        security_event(
            "review_queue_exported", request=request, format="csv", filters=request.GET.urlencode()[:500]
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="review-queue-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "Reference",
                "Participant",
                "Participation level",
                "Exception type",
                "Performance year",
                "Reason",
                "EUC categories",
                "Status",
                "Submitted at (ET)",
                "Decided at (ET)",
                "Days pending",
                "Assigned reviewer",
                "Decided by",
                "Findings",
            ]
        )
        rows = list(queryset)
        for start in range(0, len(rows), FINDINGS_CHUNK):
            chunk = rows[start : start + FINDINGS_CHUNK]
            findings = prechecks.findings_for(chunk)
            for obj in chunk:
                writer.writerow(
                    [
                        _csv_safe(value)
                        for value in (
                            obj.reference,
                            participant_text(obj),
                            obj.get_participation_level_display(),
                            obj.get_exception_type_display(),
                            obj.performance_year,
                            obj.reason_label,
                            ", ".join(label for name, label in CATEGORY_SHORT if getattr(obj, name)),
                            obj.get_status_display(),
                            policy.format_et(obj.submitted_at) if obj.submitted_at else "",
                            policy.format_et(obj.decided_at) if obj.decided_at else "",
                            "" if days_pending(obj) is None else days_pending(obj),
                            obj.assigned_reviewer.email if obj.assigned_reviewer else "",
                            obj.decided_by.email if obj.decided_by else "",
                            "; ".join(f"{f.label}: {f.message}" for f in findings.get(obj.pk, ())),
                        )
                    ]
                )
        return response


def _csv_safe(value: Any) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


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
