"""The application wizard's views (issue 5, point 3; seed 003_452340df50752410.txt Steps 3-10).

Every step is a form plus one view that hands the cleaned answers to ``services.application_save_step``;
the review step calls ``services.application_submit``. A draft is a real row from step 1 on, so Save, Save &
Continue, Save & Close and Back all store what the user typed (when it is valid), and ``static/js/wizard.js``
autosaves through the JSON endpoint. Without JavaScript the buttons do everything.

No NPI or TIN ever appears in a URL: steps are addressed by the application's reference number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from eligibility import selectors as eligibility_selectors

from . import forms, policy, selectors, services
from .models import Application, ApplicationWindow, ExceptionType, ParticipationLevel, Status


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[forms.StepForm] | None
    template: str


# CMS's own step names (seed 003, Steps 4-10). Order = policy.WIZARD_STEPS.
STEPS: tuple[Step, ...] = (
    Step("application-type", "Application Type", forms.ApplicationTypeForm, "application_type.html"),
    Step(
        "submission-information",
        "Submission Information",
        forms.SubmissionInformationForm,
        "submission_information.html",
    ),
    Step("submitter-details", "Submitter Details", forms.SubmitterDetailsForm, "submitter_details.html"),
    Step("additional-access", "Additional Access", forms.AdditionalAccessForm, "additional_access.html"),
    Step("reason", "Reason", forms.ReasonForm, "reason.html"),
    Step("attestation", "Attestation and Description", forms.AttestationForm, "attestation.html"),
    Step("review", "Certify and Submit for Review", None, "review.html"),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
assert tuple(STEP_BY_SLUG) == policy.WIZARD_STEPS, "wizard steps and policy.WIZARD_STEPS disagree"
STEP_SLUG_PATTERN = "|".join(STEP_BY_SLUG)

ACTIONS = ("back", "save", "continue", "close")
SAVED_MESSAGE = "All changes saved"
NOT_SAVED_MESSAGE = "Not saved: fix the errors"
# Seed 003, "Submission Confirmation".
SUBMITTED_CONFIRMATION = {
    ExceptionType.PI_HARDSHIP: (
        "Your Hardship Exception application has been successfully submitted and is pending review."
    ),
    ExceptionType.EUC: (
        "Your Extreme and Uncontrollable Circumstances Exception application has been successfully submitted "
        "and is pending review."
    ),
}


# --- helpers ------------------------------------------------------------------------------------


def _window_years() -> list[int]:
    """Performance years that have an application window, newest first."""
    return list(
        ApplicationWindow.objects.order_by("-performance_year").values_list("performance_year", flat=True)
    )


def _open_year(years: list[int]) -> int | None:
    """The year whose window (or a reopening) is open now, by the server's clock."""
    now = timezone.now()
    open_years = ApplicationWindow.objects.filter(opens_at__lte=now, closes_at__gt=now).values_list(
        "performance_year", flat=True
    )
    for year in years:
        if year in open_years:
            return year
    return years[0] if years else None


def _participant_chosen(application: Application) -> bool:
    level = application.participation_level
    if level == ParticipationLevel.INDIVIDUAL:
        return bool(application.npi)
    if level == ParticipationLevel.GROUP:
        return bool(application.tin)
    if level == ParticipationLevel.VIRTUAL_GROUP:
        return bool(application.virtual_group_identifier)
    if level == ParticipationLevel.APM_ENTITY:
        return bool(application.apm_entity_identifier)
    return False


def _step_url(application: Application, slug: str) -> str:
    return reverse("applications:step", kwargs={"reference": application.reference, "step": slug})


def _detail_url(application: Application) -> str:
    return reverse("applications:detail", kwargs={"reference": application.reference})


def _editable_or_none(request: HttpRequest, application: Application) -> str | None:
    """None when the user may edit the draft, else the message to show on the detail page."""
    if application.status != Status.DRAFT:
        return (
            f"Application {application.reference} is {application.get_status_display().lower()} and can no "
            "longer be changed."
        )
    if not selectors.can_edit_application(request.user, application):
        return "You can view this application but not change it."
    return None


def _prerequisite_redirect(application: Application, step: Step) -> tuple[str, str] | None:
    """Later steps need the participant (and the attestation needs a reason): send the user back with a
    message instead of showing a page that cannot be answered."""
    index = policy.WIZARD_STEPS.index(step.slug)
    if index > 0 and not _participant_chosen(application):
        return "application-type", "Choose the application type and enter the identifier first."
    if step.slug in ("attestation",):
        has_reason = (
            bool(application.pi_reason)
            if application.exception_type == ExceptionType.PI_HARDSHIP
            else bool(application.event_type)
        )
        if not has_reason:
            return "reason", "Choose the reason first: the attestation depends on it."
    return None


def _initial(application: Application, step: Step) -> dict[str, Any]:
    if step.slug == "application-type":
        return {
            "participation_level": application.participation_level,
            "npi": application.npi,
            "tin": application.tin if application.participation_level == ParticipationLevel.GROUP else "",
            "virtual_group_identifier": application.virtual_group_identifier,
            "apm_entity_identifier": application.apm_entity_identifier,
        }
    if step.slug == "submission-information":
        return forms.submission_information_initial(application)
    if step.slug == "submitter-details":
        return {
            "contact_phone": forms.format_us_phone(application.contact_phone),
            "contact_phone_extension": application.contact_phone_extension,
            "contact_email": application.contact_email,
            "submitter_relationship": application.submitter_relationship,
            "submitter_relationship_other": application.submitter_relationship_other,
        }
    if step.slug == "additional-access":
        emails = application.additional_access.values_list("email", flat=True)
        return {"emails": "\n".join(emails)}
    if step.slug == "reason":
        return forms.reason_initial(application)
    if step.slug == "attestation":
        return {
            "attested": application.attested,
            "all_locations_attested": application.all_locations_attested,
            "event_description": application.event_description,
        }
    return {}


def _build_form(
    request: HttpRequest, application: Application, step: Step, *, data: Any = None, require_complete: bool
) -> forms.StepForm:
    assert step.form_class is not None
    context = forms.StepContext(application=application, user=request.user, require_complete=require_complete)
    if data is None:
        return step.form_class(context=context, initial=_initial(application, step))
    return step.form_class(data, context=context, initial=_initial(application, step))


def _participant_details(application: Application) -> dict[str, Any]:
    """What eligibility data says about the participant (seed 003, Step 5), for display only."""
    year = application.performance_year
    details: dict[str, Any] = {}
    level = application.participation_level
    if level == ParticipationLevel.INDIVIDUAL and application.npi:
        clinician = eligibility_selectors.clinician_for_npi(application.npi)
        if clinician is not None:
            details["clinician_name"] = clinician.full_name
            details["clinician_type"] = clinician.get_clinician_type_display()
    elif level == ParticipationLevel.GROUP and application.tin:
        practice = eligibility_selectors.practice_for_tin(application.tin)
        details["practice_name"] = practice.legal_name if practice else ""
        details["masked_tin"] = application.masked_tin
    elif level == ParticipationLevel.VIRTUAL_GROUP and application.virtual_group_identifier:
        group = eligibility_selectors.virtual_group_for_identifier(application.virtual_group_identifier, year)
        if group is not None:
            details["virtual_group_name"] = getattr(group, "name", "")
            details["member_practices"] = [
                {"name": practice.legal_name, "masked_tin": practice.masked_tin}
                for practice in group.practices.all()
            ]
    elif level == ParticipationLevel.APM_ENTITY and application.apm_entity_identifier:
        entity = eligibility_selectors.apm_entity_for_identifier(application.apm_entity_identifier, year)
        if entity is not None:
            details["apm_entity_name"] = getattr(entity, "name", "")
            details["apm_id"] = getattr(entity, "apm_id", "")
            details["apm_name"] = getattr(entity, "apm_name", "")
    return details


def _step_context(request: HttpRequest, application: Application, step: Step, **extra: Any) -> dict[str, Any]:
    index = policy.WIZARD_STEPS.index(step.slug)
    steps = []
    for position, candidate in enumerate(STEPS):
        title = candidate.title
        if candidate.slug == "reason":
            title = (
                "Promoting Interoperability Hardship Details"
                if application.exception_type == ExceptionType.PI_HARDSHIP
                else "Extreme and Uncontrollable Circumstances Details"
            )
        steps.append(
            {
                "slug": candidate.slug,
                "title": title,
                "url": _step_url(application, candidate.slug),
                "state": "current" if position == index else ("complete" if position < index else ""),
            }
        )
    is_pi = application.exception_type == ExceptionType.PI_HARDSHIP
    context = {
        "application": application,
        "step": step,
        "steps": steps,
        "step_number": index + 1,
        "step_count": len(STEPS),
        "step_title": steps[index]["title"],
        "is_pi": is_pi,
        "type_abbreviation": "PI" if is_pi else "EUC",
        "previous_url": _step_url(application, STEPS[index - 1].slug) if index > 0 else "",
        "autosave_url": (
            reverse("applications:autosave", kwargs={"reference": application.reference, "step": step.slug})
            if step.form_class
            else ""
        ),
        "participant": _participant_details(application),
        "dashboard_url": reverse("applications:dashboard"),
        "detail_url": _detail_url(application),
        # CMS texts shown on the reason and attestation steps (policy catalog, seeds 002/003).
        "documentation_note": policy.DOCUMENTATION_NOTE,
        "euc_explanation": policy.EUC_EXPLANATION,
        "euc_data_override_note": policy.EUC_DATA_OVERRIDE_NOTE,
        "explanation": policy.reason_explanation(application.exception_type, application.pi_reason),
        "description_max": forms.EVENT_DESCRIPTION_MAX,
        "description_remaining": forms.EVENT_DESCRIPTION_MAX - len(application.event_description or ""),
    }
    context.update(extra)
    return context


def _render_step(
    request: HttpRequest, application: Application, step: Step, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        f"applications/wizard/{step.template}",
        _step_context(request, application, step, **extra),
        status=status,
    )


def _save(request: HttpRequest, application: Application, form: forms.StepForm) -> str | None:
    """Store the form's answers. Returns an error message (shown in the error summary) or None."""
    try:
        services.application_save_step(
            application=application,
            actor=request.user,
            changes=form.changes(),
            additional_access=form.additional_access(),
        )
    except services.ApplicationNotEditable:
        raise
    except services.ApplicationError as error:
        return error.message
    return None


# --- step 1: exception type ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_application(request: HttpRequest) -> HttpResponse:
    """Seed 003, Step 3: choose the exception type (and the performance year); Continue creates the draft."""
    years = _window_years()
    default_year = _open_year(years)
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            return redirect("applications:dashboard")
        form = forms.NewApplicationForm(request.POST, years=years)
        if form.is_valid():
            try:
                application = services.application_create_draft(
                    actor=request.user,
                    exception_type=form.cleaned_data["exception_type"],
                    performance_year=form.cleaned_data["performance_year"],
                )
            except services.ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect(_step_url(application, "application-type"))
    else:
        initial: dict[str, Any] = {}
        requested = request.GET.get("year", "")
        if requested.isdigit() and int(requested) in years:
            initial["performance_year"] = int(requested)
        elif default_year is not None:
            initial["performance_year"] = default_year
        if request.GET.get("type") in ExceptionType.values:
            initial["exception_type"] = request.GET["type"]
        form = forms.NewApplicationForm(initial=initial, years=years)
    return render(
        request,
        "applications/wizard/new.html",
        {"form": form, "years": years, "exception_type_note": forms.EXCEPTION_TYPE_NOTE},
    )


# --- steps --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    application = selectors.application_for_user(request.user, reference)  # Http404 when not visible
    current = STEP_BY_SLUG[step]
    refusal = _editable_or_none(request, application)
    if refusal:
        messages.info(request, refusal)
        return redirect(_detail_url(application))
    prerequisite = _prerequisite_redirect(application, current)
    if prerequisite:
        slug, message = prerequisite
        messages.info(request, message)
        return redirect(_step_url(application, slug))
    if current.form_class is None:
        return _review(request, application, current)

    if request.method == "GET":
        form = _build_form(request, application, current, require_complete=True)
        return _render_step(request, application, current, form=form)

    action = request.POST.get("action", "continue")
    if action not in ACTIONS:
        action = "continue"
    form = _build_form(
        request, application, current, data=request.POST, require_complete=action == "continue"
    )
    if not form.is_valid():
        return _render_step(request, application, current, form=form, save_failed=True)
    try:
        error = _save(request, application, form)
    except services.ApplicationNotEditable as refused:
        messages.info(request, refused.message)
        return redirect(_detail_url(application))
    if error:
        form.add_error(None, error)
        return _render_step(request, application, current, form=form, save_failed=True)

    index = policy.WIZARD_STEPS.index(current.slug)
    if action == "close":
        messages.success(
            request,
            f"Your draft application {application.reference} was saved. Find it under Exception Applications "
            "to continue.",
        )
        return redirect("applications:dashboard")
    if action == "save":
        messages.success(request, f"{SAVED_MESSAGE}.")
        return redirect(_step_url(application, current.slug))
    if action == "back":
        return redirect(_step_url(application, STEPS[max(index - 1, 0)].slug))
    return redirect(_step_url(application, STEPS[index + 1].slug))


def _review(request: HttpRequest, application: Application, step: Step) -> HttpResponse:
    """Seed 003, Step 10: the submission summary, the notices, the certification and Certify & Submit."""
    answers = services.answers_of(application)
    missing = policy.missing_answers(answers)
    submit_errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "close":
            messages.success(request, f"Your draft application {application.reference} was saved.")
            return redirect("applications:dashboard")
        if action == "back":
            return redirect(_step_url(application, STEPS[-2].slug))
        if action == "submit":
            try:
                services.application_submit(application=application, actor=request.user, certified=True)
            except services.ApplicationNotEditable as refused:
                messages.info(request, refused.message)
                return redirect(_detail_url(application))
            except services.ApplicationError as error:
                submit_errors.append(error.message)
            else:
                messages.success(request, SUBMITTED_CONFIRMATION[ExceptionType(application.exception_type)])
                return redirect(_detail_url(application))
    missing_items = [
        {
            "message": policy.MISSING_MESSAGES.get(name, name),
            "url": _step_url(application, policy.FIELD_STEPS.get(name, "application-type")),
        }
        for name in missing
    ]
    exception_type = application.exception_type
    return _render_step(
        request,
        application,
        step,
        status=400 if submit_errors else 200,
        submit_errors=submit_errors,
        missing_items=missing_items,
        general_notice=policy.general_notice(exception_type),
        disclosures=policy.disclosures(exception_type),
        notice=policy.NOTICE,
        certification_statement=policy.certification_statement(exception_type),
        attestation=policy.full_attestation_text(
            exception_type, application.pi_reason, application.event_type, application.participation_level
        ),
        export_url=reverse("applications:export_pdf", kwargs={"reference": application.reference}),
        additional_access=list(application.additional_access.values_list("email", flat=True)),
    )


# --- autosave -----------------------------------------------------------------------------------


def _json_error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "message": message}, **extra}, status=status)


@require_POST
def autosave(request: HttpRequest, reference: str, step: str) -> JsonResponse:
    """POST the step's fields; 200 ``{"saved": true, "message": "All changes saved"}`` or 400 with the errors.

    Autosave keeps a half-done draft (blanks allowed) but never stores an invalid answer.
    """
    if not request.user.is_authenticated:
        return _json_error(401, "Sign in to save your application.")
    try:
        application = selectors.application_for_user(request.user, reference)
    except Http404:
        return _json_error(404, "Application not found.")
    current = STEP_BY_SLUG[step]
    if current.form_class is None:
        return _json_error(404, "This step has nothing to save.")
    refusal = _editable_or_none(request, application)
    if refusal:
        return _json_error(400, refusal)
    form = _build_form(request, application, current, data=request.POST, require_complete=False)
    if not form.is_valid():
        errors = {name: [str(message) for message in errors] for name, errors in form.errors.items()}
        return _json_error(400, NOT_SAVED_MESSAGE, errors=errors)
    try:
        error = _save(request, application, form)
    except services.ApplicationNotEditable as refused:
        return _json_error(400, refused.message)
    if error:
        return _json_error(400, NOT_SAVED_MESSAGE, errors={"__all__": [error]})
    return JsonResponse({"saved": True, "message": SAVED_MESSAGE, "saved_at": timezone.now().isoformat()})


# Included by applications/urls.py (``*wizard_urlpatterns``), inside app_name = "applications" under
# /exceptions/. The step slugs are spelled out so "withdraw/" and "export.pdf" never match a step.
wizard_urlpatterns = [
    path("new/", new_application, name="new"),
    re_path(
        rf"^(?P<reference>[A-Za-z0-9-]+)/(?P<step>{STEP_SLUG_PATTERN})/$",
        step_view,
        name="step",
    ),
    re_path(
        rf"^(?P<reference>[A-Za-z0-9-]+)/(?P<step>{STEP_SLUG_PATTERN})/autosave$",
        autosave,
        name="autosave",
    ),
]
