"""django-axes glue: the account name of a sign-in attempt (ADR 0020)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The email address being signed in with, lower-cased.

    allauth calls ``authenticate(request, email=..., password=...)``, so axes' default lookup of a
    ``username`` credential would record an empty name and lock out by address only (field notes).
    """
    value: Any = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        data = getattr(request, "POST", None) or {}
        value = data.get("login") or data.get("username")
    if not value:
        return None
    return str(value).strip().lower()
