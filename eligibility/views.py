"""Participation status: the signed-in lookup page and the v6-shaped JSON APIs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.authorization import can_act_for_tin

from . import api, rules, selectors
from .forms import ParticipationLookupForm, current_performance_year
from .validators import is_valid_npi, is_valid_tin


def _json_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "message": message}}, status=status)


def _parse_year(request: HttpRequest) -> tuple[int | None, JsonResponse | None]:
    """``?year=YYYY``; the current performance year when absent, as CMS's API does."""
    raw = request.GET.get("year")
    if raw is None:
        return current_performance_year(), None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        return None, _json_error(400, "year must be a four-digit performance year, for example 2026.")
    year = int(raw)
    if year < rules.FIRST_PERFORMANCE_YEAR or year > current_performance_year() + 1:
        return None, _json_error(
            400,
            f"year must be a performance year from {rules.FIRST_PERFORMANCE_YEAR} to "
            f"{current_performance_year() + 1}.",
        )
    return year, None


@never_cache
@login_required
@require_GET
def npi_api(request: HttpRequest, npi: str) -> JsonResponse:
    """``GET /api/eligibility/npi/<npi>?year=YYYY`` in the QPP Eligibility API v6 shape. Like CMS's public
    API it needs no access to the NPI beyond sign-in; TINs in it are masked."""
    if not is_valid_npi(npi):
        return _json_error(400, "npi must be a valid 10-digit NPI (the last digit is a check digit).")
    year, error = _parse_year(request)
    if error is not None:
        return error
    clinician = selectors.clinician_for_npi(npi)
    if clinician is None:
        return _json_error(404, "No clinician with this NPI was found.")
    return JsonResponse(api.npi_document(clinician, year), json_dumps_params={"ensure_ascii": False})


@never_cache
@login_required
@require_GET
def tin_api(request: HttpRequest, tin: str) -> JsonResponse:
    """``GET /api/eligibility/tin/<tin>?year=YYYY``: a practice's group scenario, for users who may act for
    the TIN. Everyone else gets the same 404 as for an unknown TIN (no hint that it exists)."""
    if not is_valid_tin(tin):
        return _json_error(400, "tin must be 9 digits.")
    year, error = _parse_year(request)
    if error is not None:
        return error
    if not can_act_for_tin(request.user, tin):
        return _json_error(404, "No practice with this TIN was found.")
    status = selectors.participation_status_for_tin(tin, year)
    if status is None:
        return _json_error(404, "No practice with this TIN was found.")
    return JsonResponse(api.tin_document(status, year), json_dumps_params={"ensure_ascii": False})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def participation_status(request: HttpRequest) -> HttpResponse:
    """Look up an NPI or one of your TINs. POST keeps TINs out of URLs and server logs."""
    context: dict[str, object] = {}
    if request.method == "POST":
        form = ParticipationLookupForm(request.POST)
        if form.is_valid():
            identifier = form.cleaned_data["identifier"]
            year = form.cleaned_data["year"]
            context.update(year=year, kind=form.kind, rule_set=rules.rule_set_for_year(year))
            if form.kind == "npi":
                clinician = selectors.clinician_for_npi(identifier)
                if clinician is None:
                    form.add_error(
                        "identifier", "We couldn't find a clinician with that NPI. Check the number."
                    )
                else:
                    context.update(
                        clinician=clinician,
                        organizations=selectors.participation_status_for_npi(identifier, year),
                    )
            else:
                status = (
                    selectors.participation_status_for_tin(identifier, year)
                    if can_act_for_tin(request.user, identifier)
                    else None
                )
                if status is None:
                    # The same message whether the TIN is unknown or not one of the user's (no disclosure).
                    form.add_error(
                        "identifier",
                        f"We couldn't find {year} participation data for a TIN you can act for. Enter a "
                        "TIN you have access to, or look up an NPI.",
                    )
                else:
                    context.update(
                        practice_status=status,
                        subgroup_results=[
                            (sg, selectors.subgroup_pi_reweighting(sg.identifier, year))
                            for sg in status.subgroups
                        ],
                        virtual_group_results=[
                            (vg, selectors.virtual_group_pi_reweighting(vg.identifier, year))
                            for vg in status.virtual_groups
                        ],
                    )
            if not form.is_valid():
                context = {}
    else:
        form = ParticipationLookupForm(initial={"year": current_performance_year()})
    context["form"] = form
    return render(request, "eligibility/participation_status.html", context, status=200)
