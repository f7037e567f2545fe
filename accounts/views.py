"""Profile, access requests, decisions and revocations. Each view parses input and calls one service.

Anything the user may not see answers 404 (issue 4, "never 403 with a hint"): objects are looked up and
then checked through ``accounts.authorization``; a failed check raises ``Http404``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from eligibility.models import Practice

from . import authorization, selectors, services
from .forms import (
    DenyAccessRequestForm,
    IntermediaryRequestForm,
    NPILinkRequestForm,
    PracticeAccessRequestForm,
)
from .models import AccessKind, AccessRequest, IntermediaryGrant, NPILink, PracticeAccess

# URL slug → (kind, form class, page title)
REQUEST_KINDS: dict[str, tuple[str, type, str]] = {
    "npi": (AccessKind.NPI_LINK, NPILinkRequestForm, "Link your account to your NPI"),
    "practice": (AccessKind.PRACTICE, PracticeAccessRequestForm, "Request access to a practice"),
    "intermediary": (
        AccessKind.INTERMEDIARY,
        IntermediaryRequestForm,
        "Request access as a third-party intermediary",
    ),
}
GRANT_MODELS: dict[str, type[Model]] = {
    "npi-link": NPILink,
    "practice": PracticeAccess,
    "intermediary": IntermediaryGrant,
}


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    from allauth.mfa.models import Authenticator

    user = request.user
    context = {
        "npi_link": selectors.active_npi_link(user),
        "practice_accesses": list(selectors.active_practice_accesses(user)),
        "intermediary_grants": list(selectors.active_intermediary_grants(user)),
        "pending_requests": list(selectors.requests_of(user).filter(status="pending")),
        "waiting_on_me": selectors.requests_waiting_on(user),
        "managed_practices": list(selectors.managed_practices(user)),
        "has_totp": Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
        "verified_emails": sorted(authorization.additional_access_emails_verified(user)),
    }
    return render(request, "accounts/profile.html", context)


@login_required
def access_request_choose(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/access_request_choose.html")


@login_required
@require_http_methods(["GET", "POST"])
def access_request_create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in REQUEST_KINDS:
        raise Http404
    access_kind, form_class, title = REQUEST_KINDS[kind]
    # Bound on every POST: an empty POST must show "this field is required", not a blank form (issue 10).
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            access_request = services.access_request_create(
                requester=request.user,
                kind=access_kind,
                npi=data.get("npi", ""),
                tin=data.get("tin", ""),
                role=data.get("role", ""),
                relationship=data.get("relationship", ""),
                relationship_other=data.get("relationship_other", ""),
                justification=data.get("justification", ""),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Your request for {access_request.access_label} for {access_request.target_label} was sent.",
            )
            return redirect("accounts:access_request_list")
    return render(request, "accounts/access_request_form.html", {"form": form, "title": title, "kind": kind})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def access_request_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/access_request_list.html",
        {
            "requests": list(selectors.requests_of(request.user)),
            "waiting_on_me": selectors.requests_waiting_on(request.user),
        },
    )


def _visible_request(request: HttpRequest, pk: int) -> AccessRequest:
    access_request = get_object_or_404(
        AccessRequest.objects.select_related("clinician", "practice", "requester", "decided_by"), pk=pk
    )
    if not authorization.can_view_access_request(request.user, access_request):
        raise Http404
    return access_request


@login_required
def access_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = _visible_request(request, pk)
    return render(
        request,
        "accounts/access_request_detail.html",
        {
            "access_request": access_request,
            "can_decide": authorization.can_decide_access_request(request.user, access_request),
            "deny_form": DenyAccessRequestForm(),
        },
    )


@login_required
@require_POST
def access_request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = _visible_request(request, pk)
    if not authorization.can_decide_access_request(request.user, access_request):
        raise Http404
    try:
        services.access_request_approve(access_request=access_request, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc, "This request can no longer be approved."))
    else:
        messages.success(request, f"You approved {access_request.requester.email}'s request.")
    return redirect("accounts:access_request_detail", pk=pk)


@login_required
@require_POST
def access_request_deny(request: HttpRequest, pk: int) -> HttpResponse:
    access_request = _visible_request(request, pk)
    if not authorization.can_decide_access_request(request.user, access_request):
        raise Http404
    form = DenyAccessRequestForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/access_request_detail.html",
            {"access_request": access_request, "can_decide": True, "deny_form": form},
            status=400,
        )
    try:
        services.access_request_deny(
            access_request=access_request, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc, "This request can no longer be denied."))
    else:
        messages.success(request, f"You denied {access_request.requester.email}'s request.")
    return redirect("accounts:access_request_detail", pk=pk)


def _message(exc: Exception, default: str) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages) or default
    return default


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke(request: HttpRequest, grant_type: str, pk: int) -> HttpResponse:
    model = GRANT_MODELS.get(grant_type)
    if model is None:
        raise Http404
    grant = get_object_or_404(model.objects.select_related("user"), pk=pk)
    if not authorization.can_revoke_grant(request.user, grant):
        raise Http404
    if request.method == "POST":
        try:
            services.access_grant_revoke(grant=grant, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _message(exc, "This access could not be removed."))
        else:
            messages.success(request, f"Access removed: {grant.access_label} for {grant.target_label}.")
        if getattr(grant, "practice_id", None) and grant.user_id != request.user.pk:
            practice = grant.practice
            if authorization.is_security_official_for(request.user, practice.tin):
                return redirect("accounts:practice_access", pk=practice.pk)
        return redirect("accounts:profile")
    return render(request, "accounts/grant_revoke.html", {"grant": grant, "grant_type": grant_type})


@login_required
def practice_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has access to a practice: only its Security Officials may see this (404 for everyone else)."""
    practice = get_object_or_404(Practice, pk=pk)
    if not authorization.is_security_official_for(request.user, practice.tin):
        raise Http404
    return render(
        request,
        "accounts/practice_access.html",
        {"practice": practice, **selectors.practice_access_list(practice)},
    )


@never_cache
@login_required
@require_GET
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """"Stay signed in": restarts the idle clock now, whenever it was last stored (accounts.middleware
    stores it at most once a minute; ADR 0075)."""
    from django.conf import settings

    from .middleware import LAST_ACTIVITY_KEY

    request.session[LAST_ACTIVITY_KEY] = timezone.now().timestamp()
    return JsonResponse({"idle_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS})
