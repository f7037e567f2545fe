"""Exception applications: the MIPS Promoting Interoperability (PI) Hardship Exception and the Extreme and
Uncontrollable Circumstances (EUC) Exception, from draft to decision.

Business rules live in `applications/policy.py` (pure) and every write goes through
`applications/services.py`; the status field is protected so nothing but a django-fsm transition called
from a service can change it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, FSMModelMixin, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from django_fsm_log.models import StateLog
from simple_history.models import HistoricalRecords


class ExceptionType(models.TextChoices):
    PI_HARDSHIP = "pi_hardship", "MIPS Promoting Interoperability Performance Category Hardship Exception"
    EUC = "euc", "Extreme and Uncontrollable Circumstances Exception"


class ParticipationLevel(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"
    VIRTUAL_GROUP = "virtual_group", "Virtual Group"
    APM_ENTITY = "apm_entity", "APM Entity"


class Status(models.TextChoices):
    # Seed 003_…, Appendix E: the statuses an application shows in the portal.
    DRAFT = "draft", "Draft in Progress"
    SUBMITTED = "submitted", "Submitted - Pending Approval"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PIHardshipReason(models.TextChoices):
    # Seed 003_…, Step 8 (2024 reasons); Small Practice is a 2019 reason only (seed 001_…).
    INSUFFICIENT_INTERNET_CONNECTIVITY = (
        "insufficient_internet_connectivity",
        "Insufficient Internet Connectivity",
    )
    EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES = (
        "extreme_and_uncontrollable_circumstances",
        "Extreme and Uncontrollable Circumstances",
    )
    LACK_OF_CONTROL_OVER_CEHRT = (
        "lack_of_control_over_cehrt",
        "Lack of Control over the Availability of CEHRT",
    )
    EHR_DECERTIFICATION = "ehr_decertification", "EHR Decertification"
    SMALL_PRACTICE = "small_practice", "Small Practice"


class EventType(models.TextChoices):
    # PI hardship's EUC reason offers the first four (seed 003_…, Step 8/9 option 2); the EUC application
    # offers
    # Disaster, Practice or Hospital Closure, Severe Financial Distress, Ransom/Malware, COVID-19 (up to
    # PY2023)
    # and Other (seed 002_…; field notes).
    DISASTER = "disaster", "Disaster"
    PRACTICE_OR_HOSPITAL_CLOSURE = "practice_or_hospital_closure", "Practice or Hospital Closure"
    SEVERE_FINANCIAL_DISTRESS = (
        "severe_financial_distress",
        "Severe Financial Distress (bankruptcy or debt restructuring)",
    )
    VENDOR_ISSUE = "vendor_issue", "Vendor Issue"
    RANSOM_MALWARE = "ransom_malware", "Ransom/Malware"
    COVID_19 = "covid_19", "COVID-19"
    OTHER = "other", "Other"


class SubmitterRelationship(models.TextChoices):
    # Seed 003_…, Step 6: "Relationship to the clinician, group or virtual group".
    CLINICIAN = "clinician", "Clinician"
    CONSULTANT = "consultant", "Consultant"
    PHYSICIAN_STAFF = "physician_staff", "Physician Staff"
    REGISTRY_QCDR = "registry_qcdr", "Registry / QCDR"
    EHR_VENDOR = "ehr_vendor", "EHR Vendor"
    OTHER = "other", "Other"


OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED)

EVENT_DESCRIPTION_MAX_LENGTH = 6000


class Application(FSMModelMixin, models.Model):
    """One exception application. A draft is a real row; after submission nothing the applicant wrote
    changes."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    exception_type = models.CharField(max_length=20, choices=ExceptionType.choices)
    performance_year = models.PositiveSmallIntegerField()
    participation_level = models.CharField(max_length=20, choices=ParticipationLevel.choices, blank=True)

    # Participant identifiers (never in a URL). For individuals `tin` is the practice affiliation.
    npi = models.CharField("NPI", max_length=10, blank=True)
    tin = models.CharField("TIN", max_length=9, blank=True)
    practice_not_listed = models.BooleanField(default=False)
    virtual_group_identifier = models.CharField(max_length=20, blank=True)
    apm_entity_identifier = models.CharField("APM Entity identifier", max_length=20, blank=True)
    # Set by the service from level + identifiers; backs the one-open-application constraint.
    participant_key = models.CharField(max_length=80, blank=True, editable=False)
    participant_name = models.CharField(max_length=255, blank=True)

    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exception_applications"
    )

    # Step 6: submitter details.
    contact_phone = models.CharField(max_length=10, blank=True)
    contact_phone_extension = models.CharField(max_length=10, blank=True)
    contact_email = models.EmailField(blank=True)
    submitter_relationship = models.CharField(
        max_length=20, choices=SubmitterRelationship.choices, blank=True
    )
    submitter_relationship_other = models.CharField(max_length=100, blank=True)

    # Step 8: reason.
    pi_reason = models.CharField("reason", max_length=50, choices=PIHardshipReason.choices, blank=True)
    event_type = models.CharField(max_length=40, choices=EventType.choices, blank=True)
    change_healthcare_cyberattack = models.BooleanField(null=True, blank=True)
    requests_quality = models.BooleanField("Quality", default=False)
    requests_cost = models.BooleanField("Cost", default=False)
    requests_improvement_activities = models.BooleanField("Improvement Activities", default=False)
    requests_promoting_interoperability = models.BooleanField("Promoting Interoperability", default=False)
    event_start_date = models.DateField(null=True, blank=True)
    event_end_date = models.DateField(null=True, blank=True)
    event_still_persists = models.BooleanField(default=False)
    onc_acb_certification_id = models.CharField("ONC-ACB certification ID", max_length=40, blank=True)

    # Step 9: attestation and description.
    attested = models.BooleanField(default=False)
    all_locations_attested = models.BooleanField(default=False)
    event_description = models.TextField(max_length=EVENT_DESCRIPTION_MAX_LENGTH, blank=True)

    status = FSMField(default=Status.DRAFT, choices=Status.choices, protected=True, max_length=20)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_exception_applications",
    )
    denial_reason = models.CharField(max_length=255, blank=True)
    denial_explanation = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    certified_statement = models.TextField(blank=True)
    attestation_text = models.TextField(blank=True)

    # Issue 7 point 1: the CMS reviewer working this application ("Assign to me"); written only by
    # services.application_assign.
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_exception_applications",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Issue 7 point 6: field history for the rare corrections CMS makes on the applicant's behalf (who, when,
    # why: services.application_correct sets the reason). updated_at alone changes on every save.
    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        cascade_delete_history=False,
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("decide_application", "Can approve or deny exception applications"),
            ("correct_application", "Can correct an applicant's answers on their behalf (with a reason)"),
        ]
        constraints = [
            # Issue 5 point 5: one open application (draft, submitted or approved) per participant, exception
            # type and performance year. Drafts whose participant is not chosen yet have an empty key.
            models.UniqueConstraint(
                fields=["participant_key", "exception_type", "performance_year"],
                condition=Q(status__in=["draft", "submitted", "approved"]) & ~Q(participant_key=""),
                name="one_open_application_per_participant",
            ),
        ]
        indexes = [
            models.Index(fields=["performance_year", "status"]),
            models.Index(fields=["npi"]),
            models.Index(fields=["tin"]),
            # Issue 9 point 4 (ADR 0071): the review queue's filters and order. Year + status + the queue's
            # order (oldest submission first) lets a filtered page of 100 stop after 100 index entries.
            models.Index(
                fields=["performance_year", "status", "submitted_at", "id"], name="app_queue_year_status_idx"
            ),
            models.Index(
                fields=["submitted_at", "id"], name="app_queue_order_idx", condition=~Q(status="draft")
            ),
            models.Index(fields=["exception_type", "performance_year", "status"], name="app_type_year_idx"),
            models.Index(
                fields=["participation_level", "performance_year", "status"], name="app_level_year_idx"
            ),
            # The queue's "assigned" filter (to me, to nobody): the page count is an index-only scan
            # (24 ms → a few ms with 100,000 applications; issue 9).
            models.Index(
                fields=["assigned_reviewer", "performance_year", "status"], name="app_assigned_year_idx"
            ),
            models.Index(fields=["pi_reason"], name="app_pi_reason_idx", condition=~Q(pi_reason="")),
            models.Index(fields=["event_type"], name="app_event_type_idx", condition=~Q(event_type="")),
            models.Index(
                fields=["virtual_group_identifier"],
                name="app_vg_identifier_idx",
                condition=~Q(virtual_group_identifier=""),
            ),
            models.Index(
                fields=["apm_entity_identifier"],
                name="app_apm_identifier_idx",
                condition=~Q(apm_entity_identifier=""),
            ),
            # The dashboard's newest-first order within the visible rows.
            models.Index(
                fields=["submitter", "performance_year", "updated_at"], name="app_submitter_year_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    # --- transitions: call only from applications.services (which lock the row and record actor/time) ---
    # fsm_log_by / fsm_log_description read the `by=` / `description=` keyword arguments into the StateLog
    # row.

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self, *, by: object = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve(self, *, by: object = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.DENIED)
    def deny(self, *, by: object = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status, source=[Status.DRAFT, Status.SUBMITTED, Status.APPROVED], target=Status.WITHDRAWN
    )
    def withdraw(self, *, by: object = None, description: str | None = None) -> None:
        pass

    # --- presentation helpers (no business rules) ---

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def masked_tin(self) -> str:
        return f"****{self.tin[-4:]}" if self.tin else ""

    @property
    def participant_label(self) -> str:
        """What the dashboard shows: the name and a masked identifier (never a full TIN)."""
        name = self.participant_name
        if self.participation_level == ParticipationLevel.INDIVIDUAL and self.tin:
            return f"{name} (TIN: {self.masked_tin})" if name else f"TIN: {self.masked_tin}"
        if self.participation_level == ParticipationLevel.GROUP and self.tin:
            return f"{name} (TIN: {self.masked_tin})" if name else f"TIN: {self.masked_tin}"
        if self.participation_level == ParticipationLevel.VIRTUAL_GROUP:
            return f"{name} ({self.virtual_group_identifier})" if name else self.virtual_group_identifier
        if self.participation_level == ParticipationLevel.APM_ENTITY:
            return f"{name} ({self.apm_entity_identifier})" if name else self.apm_entity_identifier
        return name

    @property
    def reason_label(self) -> str:
        if self.exception_type == ExceptionType.PI_HARDSHIP:
            return self.get_pi_reason_display() if self.pi_reason else ""
        return self.get_event_type_display() if self.event_type else ""


class ApplicationDecision(StateLog):
    """The searchable log of every status change of an application (issue 7 point 6): django-fsm-log's rows,
    seen through a proxy so the admin can list them with their own permission."""

    class Meta:
        proxy = True
        verbose_name = "decision log entry"
        verbose_name_plural = "decision log"


class AdditionalAccessEmail(models.Model):
    """Seed 003_…, Step 7: people who may view (not edit) the application once signed in with this email."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="additional_access")
    email = models.EmailField()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="unique_additional_access_email"),
        ]

    def __str__(self) -> str:
        return self.email


class ApplicationWindow(models.Model):
    """When CMS accepts applications for a performance year (seed 002_…/003_…: 2024 opens May 13, closes
    December 31, 2024 at 8 p.m. ET). Stored as aware datetimes; the admin enters them in Eastern Time."""

    performance_year = models.PositiveSmallIntegerField(unique=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()

    class Meta:
        ordering = ["-performance_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="window_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.performance_year} window"


class WindowReopening(models.Model):
    """A later period when CMS accepts applications again, for one event type only (field notes:
    PY2023 reopened for the Change Healthcare cyberattack, to April 15 and to October 11, 2024)."""

    window = models.ForeignKey(ApplicationWindow, on_delete=models.CASCADE, related_name="reopenings")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # Change Healthcare cyberattack reopenings accept Ransom/Malware only when the applicant says it is that
    # attack.
    change_healthcare_cyberattack_only = models.BooleanField(default=False)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="reopening_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window.performance_year} reopening for {self.get_event_type_display()}"


# --- Notifications outbox (issue 6; ADR 0050) ---------------------------------------------------------


class NotificationEvent(models.TextChoices):
    # Seed 003_…, Step 10 ("You'll also receive an email notification") and Appendix E (statuses).
    APPLICATION_SUBMITTED = "application_submitted", "Application submitted"
    APPLICATION_APPROVED = "application_approved", "Application approved"
    APPLICATION_DENIED = "application_denied", "Application denied"
    APPLICATION_WITHDRAWN = "application_withdrawn", "Application withdrawn"
    ACCESS_REQUEST_RECEIVED = "access_request_received", "Access request received"
    ACCESS_REQUEST_AWAITING_DECISION = "access_request_awaiting_decision", "Access request awaiting decision"
    ACCESS_REQUEST_APPROVED = "access_request_approved", "Access request approved"
    ACCESS_REQUEST_DENIED = "access_request_denied", "Access request denied"
    ACCESS_REMOVED = "access_removed", "Access removed"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Outside production only: the recipient's domain is not on NOTIFICATIONS_ALLOWED_DOMAINS (ADR 0052).
    SKIPPED = "skipped", "Skipped (not allowed in this environment)"


class Notification(FSMModelMixin, models.Model):
    """One email to one recipient about one event: the outbox row (ADR 0050).

    Written in the same transaction as the state change it reports, so a rolled-back change sends nothing
    and a committed one is never forgotten. The message is rendered when the row is written (what was sent
    is what the row says); the delivery task only claims, sends and marks. Status changes only through
    applications.notifications.
    """

    event = models.CharField(max_length=40, choices=NotificationEvent.choices)
    # Identifies the occurrence (e.g. "application:42:approved"); with the recipient it is unique, so the
    # same event can never produce a second row (and so a second email) for the same address.
    event_key = models.CharField(max_length=120)
    recipient = models.EmailField(max_length=254)
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    access_request = models.ForeignKey(
        "accounts.AccessRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)

    status = FSMField(
        default=NotificationStatus.PENDING, choices=NotificationStatus.choices, protected=True, max_length=20
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the next delivery attempt is due; the sweeper re-queues pending rows overdue by two minutes.
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="one_notification_per_event_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} to {self.recipient}"

    # --- transitions: call only from applications.notifications / applications.tasks ---

    @transition(field=status, source=NotificationStatus.PENDING, target=NotificationStatus.SENDING)
    def claim(self) -> None:
        pass

    @transition(field=status, source=NotificationStatus.SENDING, target=NotificationStatus.SENT)
    def mark_sent(self) -> None:
        pass

    @transition(field=status, source=NotificationStatus.SENDING, target=NotificationStatus.PENDING)
    def release(self) -> None:
        """Back to pending for a later attempt (a failed attempt, or a worker that died while sending)."""

    @transition(
        field=status,
        source=[NotificationStatus.PENDING, NotificationStatus.SENDING],
        target=NotificationStatus.FAILED,
    )
    def mark_failed(self) -> None:
        pass

    @transition(field=status, source=NotificationStatus.SENDING, target=NotificationStatus.SKIPPED)
    def skip(self) -> None:
        pass

    @transition(
        field=status,
        source=[NotificationStatus.FAILED, NotificationStatus.SKIPPED],
        target=NotificationStatus.PENDING,
    )
    def resend(self) -> None:
        pass
