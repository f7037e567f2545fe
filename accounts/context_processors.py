"""Template context for the session-timeout warning (``static/js/session-timeout.js``; ADR 0021)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .middleware import LAST_ACTIVITY_KEY


def idle_seconds_left(request: HttpRequest) -> int:
    """Seconds until the idle sign-out, counted from the activity time the session stores (it is written
    at most once a minute, ADR 0075), so the warning never promises more time than the server gives."""
    limit = settings.SESSION_IDLE_TIMEOUT_SECONDS
    last_activity = request.session.get(LAST_ACTIVITY_KEY)
    if last_activity is None:
        return limit
    return max(0, min(limit, round(limit - (timezone.now().timestamp() - last_activity))))


def session_timeout(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "SESSION_TIMEOUT": {
            "idle_seconds": idle_seconds_left(request),
            "warning_seconds": settings.SESSION_WARNING_SECONDS,
            "keepalive_url": reverse("accounts:session_keepalive"),
            "expired_url": reverse("account_login") + "?reason=timeout",
        }
    }
