"""Which environment sends the mail, and what that changes: the subject prefix outside production and the
allow-list of recipient domains that only production ignores (ADR 0052).
"""

from __future__ import annotations

from django.conf import settings


def is_production() -> bool:
    return settings.ENVIRONMENT_NAME == "production"


def subject_prefix() -> str:
    """``[LOCAL]``, ``[TEST]``… outside production, so nobody mistakes a test email for a CMS decision."""
    return "" if is_production() else f"[{settings.ENVIRONMENT_NAME.upper()}] "


def recipient_allowed(email: str) -> tuple[bool, str]:
    """Outside production only allow-listed domains (and their subdomains) receive mail (ADR 0052).

    Returns (allowed, reason-if-not)."""
    if is_production():
        return True, ""
    domain = email.rpartition("@")[2].lower().strip()
    allowed = [d.lower().strip().lstrip(".") for d in settings.NOTIFICATIONS_ALLOWED_DOMAINS if d.strip()]
    if any(domain == d or domain.endswith("." + d) for d in allowed):
        return True, ""
    return False, (
        f"Not sent: {domain} is not on NOTIFICATIONS_ALLOWED_DOMAINS and this is the "
        f"{settings.ENVIRONMENT_NAME} environment, which emails only allow-listed domains."
    )
