"""allauth adapter: records the statement of truth on every completed sign-in (ADR 0020)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from . import services


class AccountAdapter(DefaultAccountAdapter):
    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        # post_login runs once every stage (email verification, TOTP) has passed, so a sign-in that
        # stops at the TOTP prompt or fails records nothing. The only forms that lead here require the
        # statement of truth (accounts.forms), seed 003_452340df50752410.txt Step 1.
        try:
            ip_address: str | None = self.get_client_ip(request)
        except PermissionDenied:
            ip_address = None
        services.statement_of_truth_record(user=user, ip_address=ip_address)
        services.session_mark_signed_in(request=request)
        return super().post_login(request, user, **kwargs)
