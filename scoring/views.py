"""The weights calculator page and the JSON preview API (issue 8 point 6)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import engine
from .forms import WeightsCalculatorForm

MAX_BODY_BYTES = 4096


def _json_error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "message": message}}, status=status)


@never_cache
@login_required
@require_GET
def weights_calculator(request: HttpRequest) -> HttpResponse:
    """GET form: a calculation has no side effects and its inputs are not sensitive, so results can be
    bookmarked and shared."""
    bound = "year" in request.GET
    form = WeightsCalculatorForm(request.GET if bound else None)
    preview = form.preview if bound and form.is_valid() else None
    return render(request, "scoring/weights_calculator.html", {"form": form, "preview": preview})


# CSRF-exempt: a pure calculation that reads and writes nothing on the server, so a forged request gains
# nothing; requiring a token would only stop API clients. Sign-in is still required.
@csrf_exempt
@never_cache
def preview_api(request: HttpRequest) -> JsonResponse:
    """``POST /api/reweighting/preview`` with ``{"year", "track", "reweighted", "scores"?}``: the same JSON
    object as ``manage.py reweighting_preview``."""
    if not request.user.is_authenticated:
        return _json_error(401, "Sign in to use this API.")
    if request.method != "POST":
        response = _json_error(405, "Use POST with a JSON body.")
        response["Allow"] = "POST"
        return response
    if len(request.body) > MAX_BODY_BYTES:
        return _json_error(400, "The request body is too large.")
    try:
        body = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _json_error(400, "The request body must be a JSON object.")
    if not isinstance(body, dict):
        return _json_error(400, "The request body must be a JSON object.")
    unknown = sorted(set(body) - {"year", "track", "reweighted", "scores"})
    if unknown:
        return _json_error(400, f"Unknown field: {unknown[0]}.")
    for name in ("year", "track"):
        if body.get(name) in (None, ""):
            return _json_error(400, f"{name} is required.")
    reweighted = body.get("reweighted", [])
    if not (
        isinstance(reweighted, str)
        or (isinstance(reweighted, list) and all(isinstance(item, str) for item in reweighted))
    ):
        return _json_error(400, "reweighted must be a list of category names or a comma-separated string.")
    scores = body.get("scores")
    if scores is not None and not isinstance(scores, dict | str):
        return _json_error(400, 'scores must be an object such as {"quality": 80}.')
    if isinstance(body["year"], float):
        return _json_error(400, "year must be a whole number such as 2024.")
    try:
        result = engine.preview(year=body["year"], track=body["track"], reweighted=reweighted, scores=scores)
    except engine.PolicyError as exc:
        return _json_error(400, str(exc))
    return JsonResponse(result.as_dict())
