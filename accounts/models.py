"""Accounts: the portal's user, signed in by email address.

The custom user model is in the very first migration, as Django recommends, so the sign-in name can
be the email address (QPP signs users in with HARP credentials; our stand-in is the email).
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: object) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: object) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields.get("is_staff") or not extra_fields.get("is_superuser"):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Designates whether the user can sign in to the admin site."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


# --- Delegated access ---------------------------------------------------------------------------
# QPP lets a person act for a clinician or a practice only once access is granted; third-party
# intermediaries file "with permission from the clinician or practice" (seed
# 003_452340df50752410.txt, Overview). Access starts as an ``AccessRequest``; approving it creates one
# of the three grants below. Every state change goes through ``accounts/services.py``.

class AccessKind(models.TextChoices):
    NPI_LINK = "npi_link", "Link my account to my NPI"
    PRACTICE = "practice", "Practice access (TIN)"
    INTERMEDIARY = "intermediary", "Third-party intermediary"


class PracticeRole(models.TextChoices):
    """QPP's practice roles (issue 4): the Security Official manages the practice's access."""

    SECURITY_OFFICIAL = "security_official", "Security Official"
    STAFF_USER = "staff_user", "Staff User"


class IntermediaryRelationship(models.TextChoices):
    """Third-party intermediaries named in seed 003_452340df50752410.txt (Overview) and issue 4."""

    CONSULTANT = "consultant", "Consultant"
    REGISTRY_QCDR = "registry_qcdr", "Registry/QCDR"
    EHR_VENDOR = "ehr_vendor", "EHR Vendor"
    OTHER = "other", "Other"


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    REVOKED = "revoked", "Revoked"


class GrantStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class AccessRequest(models.Model):
    """A user's request to link an NPI, to get practice access to a TIN, or to act as an intermediary."""

    requester = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="access_requests"
    )
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    # Foreign keys to the eligibility records, so an NPI or TIN that CMS does not know cannot be requested.
    clinician = models.ForeignKey(
        "eligibility.Clinician", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    practice = models.ForeignKey(
        "eligibility.Practice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=20, choices=PracticeRole.choices, blank=True)
    relationship = models.CharField(max_length=20, choices=IntermediaryRelationship.choices, blank=True)
    relationship_other = models.CharField("relationship (other)", max_length=200, blank=True)
    justification = models.TextField(blank=True)
    status = FSMField(
        max_length=20, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING,
        protected=True,
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="acct_request_target_matches_kind",
                condition=(
                    models.Q(kind="npi_link", clinician__isnull=False, practice__isnull=True)
                    | models.Q(kind="practice", clinician__isnull=True, practice__isnull=False)
                    | models.Q(kind="intermediary", clinician__isnull=False, practice__isnull=True)
                    | models.Q(kind="intermediary", clinician__isnull=True, practice__isnull=False)
                ),
            ),
            # One open request per user and target: asking twice only adds noise for the approver.
            models.UniqueConstraint(
                fields=["requester", "kind", "clinician"],
                condition=models.Q(status="pending", clinician__isnull=False),
                name="acct_request_one_pending_per_npi",
            ),
            models.UniqueConstraint(
                fields=["requester", "kind", "practice"],
                condition=models.Q(status="pending", practice__isnull=False),
                name="acct_request_one_pending_per_tin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_label} for {self.requester}"

    @property
    def target_label(self) -> str:
        if self.clinician_id:
            return f"NPI {self.clinician.npi}"
        if self.practice_id:
            return f"TIN {self.practice.masked_tin}"
        return ""

    @property
    def access_label(self) -> str:
        if self.kind == AccessKind.PRACTICE:
            return self.get_role_display()
        if self.kind == AccessKind.INTERMEDIARY:
            if self.relationship == IntermediaryRelationship.OTHER and self.relationship_other:
                return f"Intermediary: {self.relationship_other}"
            return f"Intermediary: {self.get_relationship_display()}"
        return "NPI link"

    # django-fsm-2 transitions: called only from accounts.services, which lock the row first.
    @transition(field=status, source=AccessRequestStatus.PENDING, target=AccessRequestStatus.APPROVED)
    def approve(self, *, actor: "User") -> None:
        self.decided_at = timezone.now()
        self.decided_by = actor

    @transition(field=status, source=AccessRequestStatus.PENDING, target=AccessRequestStatus.DENIED)
    def deny(self, *, actor: "User", reason: str = "") -> None:
        self.decided_at = timezone.now()
        self.decided_by = actor
        self.decision_reason = reason

    @transition(field=status, source=AccessRequestStatus.APPROVED, target=AccessRequestStatus.REVOKED)
    def revoke(self, *, actor: "User") -> None:
        self.revoked_at = timezone.now()
        self.revoked_by = actor


class Grant(models.Model):
    """What every kind of access has in common: who holds it, where it came from, active or revoked."""

    status = FSMField(
        max_length=20, choices=GrantStatus.choices, default=GrantStatus.ACTIVE, protected=True
    )
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    access_request = models.OneToOneField(
        AccessRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @transition(field=status, source=GrantStatus.ACTIVE, target=GrantStatus.REVOKED)
    def revoke(self, *, actor: "User") -> None:
        self.revoked_at = timezone.now()
        self.revoked_by = actor

    @property
    def is_active(self) -> bool:
        return self.status == GrantStatus.ACTIVE


class NPILink(Grant):
    """A clinician's own account linked to their NPI. One person, one NPI: both sides unique while active."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="npi_links")
    clinician = models.ForeignKey(
        "eligibility.Clinician", on_delete=models.PROTECT, related_name="npi_links"
    )

    class Meta:
        verbose_name = "NPI link"
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinician"], condition=models.Q(status="active"), name="acct_npilink_one_per_npi"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="active"), name="acct_npilink_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ NPI {self.clinician.npi}"

    @property
    def target_label(self) -> str:
        return f"NPI {self.clinician.npi}"

    @property
    def access_label(self) -> str:
        return "NPI link"


class PracticeAccess(Grant):
    """Practice access to a TIN with a QPP role (Security Official or Staff User)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="practice_accesses")
    practice = models.ForeignKey(
        "eligibility.Practice", on_delete=models.PROTECT, related_name="access_grants"
    )
    role = models.CharField(max_length=20, choices=PracticeRole.choices)

    class Meta:
        verbose_name = "practice access"
        verbose_name_plural = "practice access"
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "practice"],
                condition=models.Q(status="active"),
                name="acct_practiceaccess_one_active",
            ),
        ]
        indexes = [models.Index(fields=["practice", "role", "status"], name="acct_practice_role_idx")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} for TIN {self.practice.masked_tin}"

    @property
    def target_label(self) -> str:
        return f"TIN {self.practice.masked_tin}"

    @property
    def access_label(self) -> str:
        return self.get_role_display()


class IntermediaryGrant(Grant):
    """A third-party intermediary's permission to act for one NPI or one TIN."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="intermediary_grants"
    )
    clinician = models.ForeignKey(
        "eligibility.Clinician", on_delete=models.PROTECT, null=True, blank=True,
        related_name="intermediary_grants",
    )
    practice = models.ForeignKey(
        "eligibility.Practice", on_delete=models.PROTECT, null=True, blank=True,
        related_name="intermediary_grants",
    )
    relationship = models.CharField(max_length=20, choices=IntermediaryRelationship.choices)
    relationship_other = models.CharField("relationship (other)", max_length=200, blank=True)

    class Meta:
        verbose_name = "intermediary grant"
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="acct_intermediary_npi_xor_tin",
                condition=(
                    models.Q(clinician__isnull=False, practice__isnull=True)
                    | models.Q(clinician__isnull=True, practice__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "clinician"],
                condition=models.Q(status="active", clinician__isnull=False),
                name="acct_intermediary_one_active_npi",
            ),
            models.UniqueConstraint(
                fields=["user", "practice"],
                condition=models.Q(status="active", practice__isnull=False),
                name="acct_intermediary_one_active_tin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.access_label} for {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.clinician_id:
            return f"NPI {self.clinician.npi}"
        return f"TIN {self.practice.masked_tin}"

    @property
    def access_label(self) -> str:
        if self.relationship == IntermediaryRelationship.OTHER and self.relationship_other:
            return self.relationship_other
        return self.get_relationship_display()


class StatementOfTruthAcceptance(models.Model):
    """Each sign-in's agreement to the statement of truth (seed 003_452340df50752410.txt, Step 1)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="statement_of_truth_acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "statement of truth acceptance"
        ordering = ["-accepted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} at {self.accepted_at:%Y-%m-%d %H:%M}"
