"""Demo accounts for ``make run`` (demo only; idempotent: running twice changes nothing).

Runs after ``eligibility.demo``, whose clinicians and practices the grants point at. The TOTP secrets
are fixed and printed so a visitor can add them to an authenticator app and sign in as the reviewer or
the administrator. Never use these accounts or secrets outside a demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group
from django.utils import timezone

from eligibility.models import Clinician, Practice

from . import authorization, services
from .models import IntermediaryRelationship, PracticeRole, User

DEMO_PASSWORD = "QppDemo!2026-pass"
# Base32, 32 characters (160 bits, RFC 6238's recommended size). Demo only.
REVIEWER_TOTP_SECRET = "QPPDEMOREVIEWERTOTPSECRETKEYAAAA"
ADMIN_TOTP_SECRET = "QPPDEMOADMINISTRATORTOTPSECRETAA"


@dataclass
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    staff: bool = False
    superuser: bool = False
    groups: list[str] = field(default_factory=list)
    totp_secret: str = ""


ACCOUNTS = [
    DemoAccount("clinician@example.com", "Mary", "Thompson", "Clinician (NPI 1234567893)"),
    DemoAccount(
        "practice@example.com", "Pat", "Okafor",
        "Security Official TIN ****0093; Staff User ****3004, ****0111",
    ),
    DemoAccount(
        "intermediary@example.com", "Ines", "Navarro", "Consultant for NPI 1000000053 and TIN ****3004"
    ),
    DemoAccount(
        "reviewer@example.com", "Rene", "Castillo", "CMS Reviewer",
        staff=True, groups=[authorization.CMS_REVIEWER_GROUP], totp_secret=REVIEWER_TOTP_SECRET,
    ),
    DemoAccount(
        "admin@example.com", "Ada", "Whitfield", "CMS Administrator (superuser)",
        staff=True, superuser=True, groups=[authorization.CMS_ADMINISTRATOR_GROUP],
        totp_secret=ADMIN_TOTP_SECRET,
    ),
]


def _user(account: DemoAccount) -> User:
    user, created = User.objects.get_or_create(
        email=account.email,
        defaults={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "is_staff": account.staff,
            "is_superuser": account.superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=account.email, defaults={"verified": True, "primary": True}
    )
    for name in account.groups:
        user.groups.add(Group.objects.get(name=name))
    if account.totp_secret:
        _ensure_totp(user, account.totp_secret)
    return user


def _ensure_totp(user: User, secret: str) -> None:
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None and decrypt(existing.data["secret"]) == secret:
        return
    if existing is not None:
        existing.delete()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)


def current_code(secret: str) -> str:
    """The TOTP code valid right now for a secret (a hint printed for the demo)."""
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def _clinician(npi: str) -> Clinician:
    try:
        return Clinician.objects.get(npi=npi)
    except Clinician.DoesNotExist as exc:
        raise RuntimeError(f"Demo NPI {npi} is missing: load eligibility.demo first.") from exc


def _practice(tin: str) -> Practice:
    try:
        return Practice.objects.get(tin=tin)
    except Practice.DoesNotExist as exc:
        raise RuntimeError(f"Demo TIN {tin} is missing: load eligibility.demo first.") from exc


def load() -> list[str]:
    services.ensure_role_groups()
    users = {account.email: _user(account) for account in ACCOUNTS}
    admin = users["admin@example.com"]

    services.npi_link_grant(
        user=users["clinician@example.com"], clinician=_clinician("1234567893"), actor=admin
    )
    practice_user = users["practice@example.com"]
    services.practice_access_grant(
        user=practice_user, practice=_practice("123450093"), role=PracticeRole.SECURITY_OFFICIAL, actor=admin
    )
    for tin in ("987653004", "555550111"):
        services.practice_access_grant(
            user=practice_user, practice=_practice(tin), role=PracticeRole.STAFF_USER, actor=admin
        )
    intermediary = users["intermediary@example.com"]
    services.intermediary_grant(
        user=intermediary, clinician=_clinician("1000000053"),
        relationship=IntermediaryRelationship.CONSULTANT, actor=admin,
    )
    services.intermediary_grant(
        user=intermediary, practice=_practice("987653004"),
        relationship=IntermediaryRelationship.CONSULTANT, actor=admin,
    )

    lines = [
        "",
        f"Demo accounts (password for all: {DEMO_PASSWORD}) — demo only:",
        f"  {'email':<26} {'role':<64} TOTP secret",
    ]
    for account in ACCOUNTS:
        lines.append(f"  {account.email:<26} {account.role:<64} {account.totp_secret or '-'}")
    lines.append(
        "  Reviewer and administrator sign in with TOTP: add the secret to your authenticator app "
        f"(current codes: reviewer {current_code(REVIEWER_TOTP_SECRET)}, "
        f"admin {current_code(ADMIN_TOTP_SECRET)}; they change every 30 seconds)."
    )
    return lines
