"""A database that goes away mid-request answers a clean 503, not a 500 (issue 10, point 4; ADR 0082).

PostgreSQL restarts (failover, upgrade, crash) break every open connection. The request in flight cannot be
completed, but the user should see a plain "try again in a minute" page (JSON under ``/api/``), and the next
request must work again without restarting the portal: ``CONN_HEALTH_CHECKS`` (settings) makes Django test
a persistent connection before reusing it, and the broken one is closed here.

The 503 page is a self-contained template (like 500.html): rendering ``base.html`` would ask the database
for the signed-in user again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
MESSAGE = "The service is temporarily unavailable. Nothing you saved was lost. Try again in a minute."


def is_database_unavailable(exc: BaseException | None) -> bool:
    """True for the errors a lost or refused database connection raises (psycopg2 and SQLite alike)."""
    return isinstance(exc, DATABASE_ERRORS)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    # Close broken connections now so the next request opens a fresh one.
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DATABASE_ERRORS:
            conn.connection = None
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"error": {"status": 503, "message": MESSAGE}}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns OperationalError / InterfaceError raised by a view into the 503 response.

    Errors raised by other middleware (the session or user lookup) are caught by ``handler500``
    (``qpp_exceptions.views.server_error``), which answers the same 503 for them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning(
            "database unavailable during %s %s: %s", request.method, request.path, type(exception).__name__
        )
        return database_unavailable_response(request)
