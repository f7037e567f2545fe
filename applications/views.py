"""Exception applications pages: dashboard, application page, withdraw confirmation and PDF export.

The wizard's step views live in applications/wizard.py. Views parse input and call one service or selector;
an application the user may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_http_methods

from qpp_exceptions.security_log import security_event
from scoring.selectors import weights_if_approved

from . import pdf, policy, selectors, services
from .models import Application, ExceptionType, Status

# USWDS tag colors with white text at AA contrast.
STATUS_TAG_CLASSES = {
    Status.DRAFT: "bg-base-dark",
    Status.SUBMITTED: "bg-primary",
    Status.APPROVED: "bg-success-darker",
    Status.DENIED: "bg-error-dark",
    Status.WITHDRAWN: "bg-base-darkest",
}


@dataclass(frozen=True)
class DashboardRow:
    """One row of the dashboard's table, its text ready: formatting 20 rows in Python rather than through
    template lookups, filters and an include per row halves the page's rendering time (issue 9)."""

    reference: str
    url: str
    type_label: str
    type_short: str
    level_label: str
    participant: str
    reason: str
    status_label: str
    tag_class: str
    updated_iso: str
    updated_display: str


_REFERENCE = "REFERENCE"


def _dashboard_rows(applications: Iterable[Application]) -> list[DashboardRow]:
    url = reverse("applications:detail", args=[_REFERENCE])
    rows = []
    for application in applications:
        updated = timezone.localtime(application.updated_at)  # Eastern Time, as the date filter shows it
        rows.append(
            DashboardRow(
                reference=application.reference,
                url=url.replace(_REFERENCE, application.reference),
                type_label=application.get_exception_type_display(),
                type_short="EUC" if application.exception_type == ExceptionType.EUC else "PI Hardship",
                level_label=(
                    application.get_participation_level_display() if application.participation_level else ""
                ),
                participant=application.participant_label,
                reason=application.reason_label,
                status_label=application.get_status_display(),
                tag_class=STATUS_TAG_CLASSES.get(application.status, ""),
                updated_iso=dateformat.format(updated, "c"),
                updated_display=dateformat.format(updated, "M j, Y, g:i A"),
            )
        )
    return rows


def _year_from(request: HttpRequest, years: list[int]) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and int(raw) in years:
        return int(raw)
    return selectors.default_performance_year()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The "Exception Application" page (seed 003_…, Step 2)."""
    years = selectors.performance_years()
    year = _year_from(request, years)
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    exception_type = request.GET.get("type", "")
    exception_type = exception_type if exception_type in ExceptionType.values else ""
    applications = _dashboard_rows(
        selectors.dashboard_applications(
            request.user, performance_year=year, status=status, exception_type=exception_type
        )
    )
    return render(
        request,
        "applications/dashboard.html",
        {
            "years": years or [year],
            "year": year,
            "banner": selectors.window_banner(year),
            "applications": applications,
            "status": status,
            "exception_type": exception_type,
            "status_choices": Status.choices,
            "type_choices": ExceptionType.choices,
            "filtered": bool(status or exception_type),
        },
    )


@login_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The application page (issue 5 point 6)."""
    application = selectors.application_for_user(request.user, reference)
    can_edit = selectors.can_edit_application(request.user, application)
    context = {
        "application": application,
        "tag_class": STATUS_TAG_CLASSES.get(application.status, ""),
        "summary": selectors.application_summary(application),
        "status_description": policy.STATUS_DESCRIPTIONS.get(application.status, ()),
        "timeline": selectors.timeline(application),
        "can_edit": can_edit,
        "can_withdraw": selectors.can_withdraw_application(request.user, application),
        "continue_step": selectors.first_incomplete_step(application) if can_edit else "",
        "window_decision": selectors.submission_decision(application) if application.is_draft else None,
        # Issue 8 point 6: "If approved, your weights would be …" for this participant.
        "weights_preview": weights_if_approved(application),
    }
    return render(request, "applications/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: the confirmation page (withdrawal is final); POST: withdraw."""
    application = selectors.application_for_user(request.user, reference)
    if not selectors.can_withdraw_application(request.user, application):
        raise Http404("No application found.")
    if request.method == "POST":
        try:
            services.application_withdraw(application=application, actor=request.user)
        except services.ApplicationError as error:
            messages.error(request, error.message)
            return redirect("applications:detail", reference=application.reference)
        messages.success(request, f"Application {application.reference} has been withdrawn.")
        return redirect("applications:detail", reference=application.reference)
    return render(
        request,
        "applications/withdraw_confirm.html",
        {"application": application, "warning": policy.WITHDRAW_WARNING},
    )


@login_required
def export_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """Export (PDF) (seed 003_…, Step 10): the submission summary as a tagged PDF download."""
    application = selectors.application_for_user(request.user, reference)
    content = pdf.render_application_pdf(application)
    security_event("application_exported", request=request, reference=application.reference, format="pdf")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{application.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
