"""The queue's bulk actions: assign, unassign, approve and deny the selected applications.

Mixed into ApplicationReviewAdmin (applications.admin_review.queue): the methods use its ModelAdmin API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse

from .. import prechecks, services
from ..models import Application
from .forms import ApproveForm, DenyForm


class BulkActionsMixin:
    """Bulk assign, unassign, approve and deny, at most ``services.BULK_DECISION_LIMIT`` at a time."""

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
