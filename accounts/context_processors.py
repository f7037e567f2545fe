"""Template context for the session-timeout warning (``static/js/session-timeout.js``; ADR 0021)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def session_timeout(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "SESSION_TIMEOUT": {
            "idle_seconds": settings.SESSION_IDLE_TIMEOUT_SECONDS,
            "warning_seconds": settings.SESSION_WARNING_SECONDS,
            "keepalive_url": reverse("accounts:session_keepalive"),
            "expired_url": reverse("account_login") + "?reason=timeout",
        }
    }
