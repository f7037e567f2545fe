"""The security audit log: JSON lines with a UTC timestamp, the event, the outcome and the actor.

Issue 10, point 5 (ADR 0083). Events: sign-ins and sign-outs, failed sign-ins, lockouts, MFA changes,
password changes, access grants (approved, denied, revoked), application decisions and status changes, and
exports. Sign-in, lockout and MFA events come from the allauth, Django and django-axes signals connected in
``connect_signals`` (called from ``QppExceptionsConfig.ready``); the others are one-line ``security_event``
calls in the services and views that perform them, or receivers of the applications' own signal.

Privacy: the ``RedactingFilter`` runs on every handler of the project (settings.LOGGING), so whatever a
message contains, no full TIN (nine consecutive digits, or ``12-3456789``), password, secret, session or CSRF
token, or sign-in link key reaches a log line. TINs are shown masked as everywhere else (``*****0093``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from django.http import HttpRequest

LOGGER_NAME = "qpp.security"
logger = logging.getLogger(LOGGER_NAME)

# --- Redaction ----------------------------------------------------------------------------------------

# A TIN is nine digits (house rules); a run of exactly nine digits anywhere in a log line is treated as one.
# NPIs are ten digits and stay readable: they are public (NPPES) and reviewers need them.
_TIN = re.compile(r"(?<![\d])(\d{2})-?(\d{3})(\d{4})(?![\d])")
# key=value, key: value and "key": "value" pairs whose value is a secret (quotes kept, value replaced).
_SECRET_NAMES = (
    r"password\d?|passwd|pwd|secret|token|csrfmiddlewaretoken|csrftoken|sessionid|api[_-]?key|otp|totp|code|"
    r"key|authorization|cookie"
)
_SECRET_PAIR = re.compile(
    rf"""(?i)(["']?\b(?:{_SECRET_NAMES})["']?\s*[:=]\s*)(?:(")[^"]*"|(')[^']*'|[^\s&,;'"]+)"""
)
_SECRET_KEY_NAME = re.compile(rf"(?i)^(?:{_SECRET_NAMES})$")
# allauth's emailed links carry their secret in the path.
_SECRET_PATH = re.compile(r"(?i)(/(?:key|confirm-email|login/code)/)[^/\s?\"']+")
REDACTED = "[redacted]"


def _mask_tin(match: re.Match[str]) -> str:
    return "*****" + match.group(3)


def _redact_pair(match: re.Match[str]) -> str:
    quote = match.group(2) or match.group(3) or ""
    return f"{match.group(1)}{quote}{REDACTED}{quote}"


def redact_value(value: Any) -> Any:
    """``redact`` applied inside structured data; a value under a secret's name is replaced whole."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and _SECRET_KEY_NAME.match(key) else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


def redact(text: str) -> str:
    """The text with TINs masked and secrets replaced; idempotent."""
    text = _SECRET_PATH.sub(lambda m: m.group(1) + REDACTED, text)
    text = _SECRET_PAIR.sub(_redact_pair, text)
    # Only nine-digit runs separated from other digits; 2-7 digit grouping catches "12-3456789" too.
    return _TIN.sub(_mask_tin, text)


class RedactingFilter(logging.Filter):
    """Rewrites every record's message (and its structured event) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        event = getattr(record, "security", None)
        if isinstance(event, dict):
            record.security = redact_value(event)
        if record.exc_info:
            # Tracebacks can quote local values: format once, redact, and drop the raw exception.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: timestamp (UTC, ISO 8601 with Z), level, logger, event fields."""

    def format(self, record: logging.LogRecord) -> str:
        timestamp = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        payload: dict[str, Any] = {
            "timestamp": timestamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
        }
        event = getattr(record, "security", None)
        if isinstance(event, dict):
            payload.update(event)
        else:
            payload["message"] = record.getMessage()
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, default=str, ensure_ascii=False, sort_keys=False)


# --- Events -------------------------------------------------------------------------------------------


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_email": None}
    return {"actor_id": actor.pk, "actor_email": getattr(actor, "email", None)}


def security_event(
    event: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    outcome: str = "success",
    level: int = logging.INFO,
    **details: Any,
) -> None:
    """Write one security log line. ``actor`` is the user who acted (None for an anonymous attempt);
    ``details`` are extra JSON fields (identifiers such as an application reference, never a secret)."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    fields: dict[str, Any] = {"event": event, "outcome": outcome, **_actor_fields(actor)}
    ip = _client_ip(request)
    if ip:
        fields["ip"] = ip
    if details:
        fields["details"] = details
    logger.log(level, event, extra={"security": fields})


def security_event_on_commit(event: str, **kwargs: Any) -> None:
    """``security_event`` once the surrounding transaction commits: a rolled-back grant is not logged."""
    from django.db import transaction

    transaction.on_commit(lambda: security_event(event, **kwargs))


# --- Signal receivers ---------------------------------------------------------------------------------


def _on_signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    security_event("sign_in", actor=user, request=request)


def _on_signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    security_event("sign_out", actor=user, request=request)


def _on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the account tried; the password Django passes (already masked) is never logged.
    attempted = credentials.get("login") or credentials.get("email") or credentials.get("username")
    security_event(
        "sign_in_failed",
        request=request,
        outcome="failure",
        level=logging.WARNING,
        attempted_account=attempted,
    )


def _on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    security_event(
        "lockout", request=request, outcome="failure", level=logging.WARNING, attempted_account=username
    )


def _mfa_receiver(event: str, outcome: str = "success") -> Any:
    def receiver(
        sender: Any,
        request: HttpRequest | None = None,
        user: Any = None,
        authenticator: Any = None,
        **kwargs: Any,
    ) -> None:
        security_event(
            event,
            actor=user,
            request=request,
            outcome=outcome,
            level=logging.WARNING if outcome == "failure" else logging.INFO,
            authenticator_type=getattr(authenticator, "type", None),
        )

    receiver.__name__ = f"_on_{event}"
    return receiver


def _password_receiver(event: str) -> Any:
    def receiver(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
        security_event(event, actor=user, request=request)

    receiver.__name__ = f"_on_{event}"
    return receiver


def _on_application_status_changed(
    sender: Any, application_id: int, from_status: str, to_status: str, actor_id: int | None, **kwargs: Any
) -> None:
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError

    from applications.models import Application

    try:
        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
        reference = Application.objects.filter(pk=application_id).values_list("reference", flat=True).first()
    except DatabaseError:
        # The change is committed already: never turn it into an error page. The event is still written,
        # with the ids only.
        actor, reference = None, None
    event = {"approved": "application_approved", "denied": "application_denied"}.get(
        to_status, "application_status_changed"
    )
    security_event(
        event,
        actor=actor,
        application_id=application_id,
        actor_user_id=actor_id,
        reference=reference,
        from_status=from_status,
        to_status=to_status,
    )


_RECEIVERS: list[Any] = []  # strong references: the receivers are closures


def connect_signals() -> None:
    """Connect the receivers (idempotent: dispatch_uid)."""
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_out, user_login_failed

    from applications.signals import application_status_changed

    pairs: list[tuple[Any, Any]] = [
        (account_signals.user_logged_in, _on_signed_in),
        (user_logged_out, _on_signed_out),
        (user_login_failed, _on_sign_in_failed),
        (user_locked_out, _on_locked_out),
        (mfa_signals.authenticator_added, _mfa_receiver("mfa_authenticator_added")),
        (mfa_signals.authenticator_removed, _mfa_receiver("mfa_authenticator_removed")),
        (mfa_signals.authenticator_reset, _mfa_receiver("mfa_authenticator_reset")),
        (mfa_signals.authentication_failed, _mfa_receiver("mfa_failed", outcome="failure")),
        (account_signals.password_changed, _password_receiver("password_changed")),
        (account_signals.password_reset, _password_receiver("password_reset")),
        (application_status_changed, _on_application_status_changed),
    ]
    for signal, receiver in pairs:
        _RECEIVERS.append(receiver)
        signal.connect(receiver, dispatch_uid=f"qpp.security.{receiver.__name__}")
