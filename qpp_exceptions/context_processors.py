"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

# The primary navigation for signed-in users, as (label, URL name). Apps add their pages here.
SIGNED_IN_NAV: list[tuple[str, str]] = [
    ("Participation status", "participation_status"),
    ("Exception Applications", "applications:dashboard"),
    ("Profile", "accounts:profile"),
    ("Weights calculator", "scoring:weights_calculator"),
]


def portal(request: HttpRequest) -> dict[str, object]:
    current = getattr(getattr(request, "resolver_match", None), "view_name", None)
    nav = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        nav = [
            {"label": label, "url": reverse(name), "current": name == current}
            for label, name in SIGNED_IN_NAV
        ]
    return {
        "PORTAL_NAME": "QPP Exception Applications",
        "ENVIRONMENT_NAME": settings.ENVIRONMENT_NAME,
        "NAV_ITEMS": nav,
        "LOGIN_URL_PATH": reverse("account_login"),
        "LOGOUT_URL": reverse("account_logout"),
    }
