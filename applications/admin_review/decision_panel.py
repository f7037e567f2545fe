"""The change page's decision panel (issue 7 point 3), assignment, and corrections with a reason (point 6).

Mixed into ApplicationReviewAdmin (applications.admin_review.queue): the methods use its ModelAdmin API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django_fsm_log.models import StateLog

from .. import prechecks, services
from ..models import Application, Status
from .changelist import days_pending, participant_text
from .forms import ApproveForm, CorrectionForm, DenyForm
from .permissions import can_review


class DecisionPanelMixin:
    """The change page's decision panel and the decide, assign and correct views behind it."""

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
