"""Project-level pages: home, help and the health check."""

import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import broker_status, database_status
from .middleware import database_unavailable_response, is_database_unavailable


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "help.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability for load balancers: 200 when usable, 503 when not."""
    database = database_status(connection)
    broker = broker_status()
    healthy = database["ok"] and broker["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


def _error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """Plain USWDS error pages: never a stack trace, never a hint about someone else's data."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"status": status, "message": message}}, status=status)
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, "Bad request", "We could not understand that request.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "Access denied", "You do not have access to this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request, 404, "Page not found", "We can’t find the page you’re looking for."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # A database lost inside a middleware (session, user) is a 503, not a 500 (ADR 0082).
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(request)
    # Rendered without a RequestContext-dependent lookup that could fail again.
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"status": 500, "message": "Something went wrong. Try again later."}}, status=500
        )
    return render(request, "500.html", status=500)
