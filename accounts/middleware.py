"""Session limits and the staff MFA guard (ADR 0021, ADR 0023).

* Idle: signed out 30 minutes after the last recorded activity (``SESSION_IDLE_TIMEOUT_SECONDS``). The
  activity time is stored at most once a minute (``SESSION_ACTIVITY_WRITE_SECONDS``, ADR 0075): a request
  less than a minute after the stored time writes nothing, one after it stores the new time, which also
  renews the session cookie and the stored session's expiry (``SESSION_COOKIE_AGE``). So the limit can
  only come up to a minute early, never late; the page's warning counts from the stored time
  (accounts.context_processors), and "Stay signed in" always stores it. The middleware checks the stored
  time itself, so a copied cookie cannot outlive the limit either.
* Absolute: signed out 12 hours after signing in, whatever the activity (ASVS 3.3.2, level 2).
* CMS reviewers and administrators (staff) must have TOTP before any admin page: they are sent to set
  it up first (issue 4, "they cannot reach the admin without it").
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

SIGNED_IN_AT_KEY = "accounts_signed_in_at"
LAST_ACTIVITY_KEY = "accounts_last_activity"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            signed_in_at = session.get(SIGNED_IN_AT_KEY)
            last_activity = session.get(LAST_ACTIVITY_KEY)
            if signed_in_at is None:
                # Sessions created outside the sign-in form (e.g. force_login in tests) start now.
                session[SIGNED_IN_AT_KEY] = signed_in_at = now
            idle = last_activity is not None and now - last_activity > settings.SESSION_IDLE_TIMEOUT_SECONDS
            expired = now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle or expired:
                return self._sign_out(request, absolute=expired and not idle)
            if last_activity is None or now - last_activity >= settings.SESSION_ACTIVITY_WRITE_SECONDS:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, *, absolute: bool) -> HttpResponse:
        logout(request)
        if absolute:
            text = "For your security you were signed out after 12 hours. Please sign in again."
        else:
            text = "For your security you were signed out after 30 minutes without activity."
        messages.info(request, text)
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse(
                {"error": {"status": 401, "message": "Your session has ended. Sign in again."}}, status=401
            )
        login_url = reverse("account_login")
        if request.method == "GET":
            login_url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(login_url)


class StaffMFARequiredMiddleware:
    """Send signed-in staff without an authenticator to set up TOTP before any admin page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and request.path.startswith(reverse("admin:index"))
            and not _has_totp(user)
        ):
            messages.warning(
                request,
                "CMS reviewers and administrators must set up two-factor authentication before using "
                "the review site.",
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
