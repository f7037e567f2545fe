"""Exception applications: the only code that writes applications (issue 5).

Every state change goes through a transition service `application_<action>(*, …, actor)` that locks the row
(`select_for_update`), runs the django-fsm transition (logged by django-fsm-log with `by=actor`), records who
and when, and sends `application_status_changed` only after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed

from accounts import authorization

from . import policy
from .models import (
    EVENT_DESCRIPTION_MAX_LENGTH,
    OPEN_STATUSES,
    AdditionalAccessEmail,
    Application,
    ApplicationWindow,
    ExceptionType,
    ParticipationLevel,
    Status,
)
from .notifications import notifications_record_status_change
from .signals import application_status_changed

MAX_ADDITIONAL_ACCESS_EMAILS = 50  # issue 5, Step 7: "up to 50"


class ApplicationError(Exception):
    """Base class; `message` is safe to show to the user."""

    default_message = "This application can't be changed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ApplicationNotEditable(ApplicationError):
    default_message = "This application can't be changed: only a draft you may act for can be edited."


class NotAuthorizedForParticipant(ApplicationError):
    default_message = "You aren't authorized to file an application for this clinician, group or entity."


class WindowClosed(ApplicationError):
    default_message = "The QPP Exception Applications window is closed."


class IncompleteApplication(ApplicationError):
    def __init__(self, missing: list[str], message: str | None = None) -> None:
        self.missing = missing
        super().__init__(
            message
            or "Complete every required answer before you submit: "
            + " ".join(policy.MISSING_MESSAGES.get(name, name) for name in missing)
        )


class DuplicateApplication(ApplicationError):
    default_message = (
        "There is already an approved or pending application of this type for this participant and "
        "performance year."
    )


class TransitionNotAllowed(ApplicationError):
    """Refused: the message names the current status and who changed it to that, and when (issue 7 point 3/4).

    `message` is safe for the applicant (CMS staff appear as "CMS"); `reviewer_message` names the reviewer
    and is what the admin shows.
    """

    def __init__(self, *, application: Application, action: str) -> None:
        self.status = application.status
        self.action = action
        refusal = f"You can't {action} an application whose status is {application.get_status_display()}."
        public, internal = _last_change_sentences(application)
        self.reviewer_message = f"{refusal} {internal}".strip()
        super().__init__(f"{refusal} {public}".strip())


_STATUS_VERBS = {
    Status.SUBMITTED: "submitted",
    Status.APPROVED: "approved",
    Status.DENIED: "denied",
    Status.WITHDRAWN: "withdrawn",
}


def _last_change_sentences(application: Application) -> tuple[str, str]:
    """("It was approved by CMS on …", "It was approved by Rene Castillo (reviewer@…) on …") from the
    status log; empty strings when the status never changed (a draft)."""
    from django_fsm_log.models import StateLog

    verb = _STATUS_VERBS.get(application.status)
    if verb is None or application.pk is None:
        return "", ""
    log = (
        StateLog.objects.for_(application)
        .filter(state=application.status)
        .select_related("by")
        .order_by("-timestamp", "-pk")
        .first()
    )
    if log is None:
        return "", ""
    when = policy.format_et(log.timestamp)
    user = log.by
    if user is None:
        return (f"It was {verb} on {when}.",) * 2
    name = user.get_full_name() or user.email
    cms_staff = authorization.is_cms_reviewer(user) or authorization.is_cms_administrator(user)
    public_name = "CMS" if cms_staff else name
    return (
        f"It was {verb} by {public_name} on {when}.",
        f"It was {verb} by {name} ({user.email}) on {when}.",
    )


# Fields the applicant writes through the wizard (model field names). Everything else (status, reference,
# submitter, decision fields, snapshots) is written only by the services below.
EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "exception_type",
        "participation_level",
        "npi",
        "tin",
        "practice_not_listed",
        "virtual_group_identifier",
        "apm_entity_identifier",
        "participant_name",
        "contact_phone",
        "contact_phone_extension",
        "contact_email",
        "submitter_relationship",
        "submitter_relationship_other",
        "pi_reason",
        "event_type",
        "change_healthcare_cyberattack",
        "requests_quality",
        "requests_cost",
        "requests_improvement_activities",
        "requests_promoting_interoperability",
        "event_start_date",
        "event_end_date",
        "event_still_persists",
        "onc_acb_certification_id",
        "attested",
        "all_locations_attested",
        "event_description",
    }
)
_TEXT_FIELDS = frozenset(
    {
        "participant_name",
        "contact_phone_extension",
        "submitter_relationship_other",
        "onc_acb_certification_id",
        "event_description",
    }
)


def answers_of(application: Application) -> policy.ApplicationAnswers:
    return policy.ApplicationAnswers(**{name: getattr(application, name) for name in policy.ANSWER_FIELDS})


def window_spec(performance_year: int) -> policy.WindowSpec | None:
    window = ApplicationWindow.objects.filter(performance_year=performance_year).first()
    if window is None:
        return None
    return policy.WindowSpec(
        performance_year=window.performance_year,
        opens_at=window.opens_at,
        closes_at=window.closes_at,
        reopenings=tuple(
            policy.ReopeningSpec(
                opens_at=r.opens_at,
                closes_at=r.closes_at,
                event_type=r.event_type,
                change_healthcare_cyberattack_only=r.change_healthcare_cyberattack_only,
                note=r.note,
            )
            for r in window.reopenings.all()
        ),
    )


def _reference(application: Application) -> str:
    prefix = "PI" if application.exception_type == ExceptionType.PI_HARDSHIP else "EUC"
    return f"{prefix}-{application.performance_year}-{application.pk:06d}"


def _emit_on_commit(*, application: Application, from_status: str, to_status: str, actor: Any) -> None:
    application_id, actor_id = application.pk, getattr(actor, "pk", None)
    transaction.on_commit(
        lambda: application_status_changed.send(
            sender=Application,
            application_id=application_id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
        )
    )


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _sync(target: Application, source: Application) -> None:
    """Copy the saved, locked row back into the caller's instance, into ``__dict__`` as Django's own loading
    does (as accounts.services._sync). Not refresh_from_db: django-fsm-2's FSMModelMixin.refresh_from_db
    flips the status field's class-wide ``protected`` flag off and on, which races between the threads of a
    gthread worker ("Direct status modification is not allowed" 500s under load; issue 9, ADR 0072)."""
    if target is source:
        return
    for model_field in type(source)._meta.concrete_fields:
        target.__dict__[model_field.attname] = getattr(source, model_field.attname)
    # As refresh_from_db: forget cached related objects and prefetches, they may be stale now.
    target._state.fields_cache = {}
    target.__dict__.pop("_prefetched_objects_cache", None)


def _actor_may_act_for(actor: Any, application: Application) -> bool:
    level = application.participation_level
    year = application.performance_year
    if level == ParticipationLevel.INDIVIDUAL:
        if not application.npi:
            return False
        if application.tin:
            return authorization.can_act_for_individual(actor, application.npi, application.tin)
        # The practice affiliation is not chosen yet (wizard step 2 of a draft).
        return authorization.can_act_for_npi(actor, application.npi)
    if level == ParticipationLevel.GROUP:
        return bool(application.tin) and authorization.can_act_for_tin(actor, application.tin)
    if level == ParticipationLevel.VIRTUAL_GROUP:
        return bool(application.virtual_group_identifier) and authorization.can_act_for_virtual_group(
            actor, application.virtual_group_identifier, year
        )
    if level == ParticipationLevel.APM_ENTITY:
        return bool(application.apm_entity_identifier) and authorization.can_act_for_apm_entity(
            actor, application.apm_entity_identifier, year
        )
    return False


def _primary_identifier(application: Application) -> str:
    return {
        ParticipationLevel.INDIVIDUAL: application.npi,
        ParticipationLevel.GROUP: application.tin,
        ParticipationLevel.VIRTUAL_GROUP: application.virtual_group_identifier,
        ParticipationLevel.APM_ENTITY: application.apm_entity_identifier,
    }.get(application.participation_level, "")


def _participant_name(application: Application) -> str:
    """The name shown on the dashboard, from eligibility data (a snapshot: names change over time)."""
    from eligibility import selectors as eligibility_selectors

    level, year = application.participation_level, application.performance_year
    if level == ParticipationLevel.INDIVIDUAL and application.npi:
        clinician = eligibility_selectors.clinician_for_npi(application.npi)
        return clinician.full_name if clinician else ""
    if level == ParticipationLevel.GROUP and application.tin:
        practice = eligibility_selectors.practice_for_tin(application.tin)
        return practice.legal_name if practice else ""
    if level == ParticipationLevel.VIRTUAL_GROUP and application.virtual_group_identifier:
        vg = eligibility_selectors.virtual_group_for_identifier(application.virtual_group_identifier, year)
        return (vg.name or vg.identifier) if vg else ""
    if level == ParticipationLevel.APM_ENTITY and application.apm_entity_identifier:
        entity = eligibility_selectors.apm_entity_for_identifier(application.apm_entity_identifier, year)
        return entity.name if entity else ""
    return ""


def actor_may_edit(actor: Any, application: Application) -> bool:
    """Drafts only, by anyone who may act for the participant (additional access is read-only). Before the
    participant is chosen only the submitter may edit; afterwards access is checked on every change, so a
    revoked grant stops working at once, even for the submitter."""
    if application.status != Status.DRAFT or not getattr(actor, "is_authenticated", False):
        return False
    if not _primary_identifier(application):
        return application.submitter_id == actor.pk
    return _actor_may_act_for(actor, application)


def _check_year(performance_year: int) -> None:
    this_year = timezone.now().astimezone(policy.EASTERN).year
    if not policy.FIRST_PERFORMANCE_YEAR <= performance_year <= this_year:
        raise ApplicationError(
            f"Choose a performance year from {policy.FIRST_PERFORMANCE_YEAR} to {this_year}."
        )


@transaction.atomic
def application_create_draft(*, actor: Any, exception_type: str, performance_year: int) -> Application:
    """Start a draft (a real row in status draft) with its reference number."""
    if exception_type not in ExceptionType.values:
        raise ApplicationError("Select an exception type.")
    _check_year(performance_year)
    application = Application.objects.create(
        # A unique placeholder until the row id exists; replaced in the same transaction.
        reference=f"new-{uuid.uuid4().hex[:16]}",
        exception_type=exception_type,
        performance_year=performance_year,
        submitter=actor,
    )
    application.reference = _reference(application)
    application.save(update_fields=["reference"])
    return application


def _validate_choice_changes(application: Application, values: dict[str, Any]) -> None:
    """Domain invariants the services enforce whatever the form did (defense in depth)."""
    exception_type = values.get("exception_type", application.exception_type)
    year = application.performance_year
    if exception_type not in ExceptionType.values:
        raise ApplicationError("Select an exception type.")
    level = values.get("participation_level", application.participation_level)
    if level and level not in policy.participation_levels_for(exception_type):
        # Seed 003_…, MIPS APM Participants: the PI hardship application isn't available to APM Entities.
        raise ApplicationError(
            "The Promoting Interoperability Hardship Exception application isn't available to APM Entities."
        )
    pi_reason = values.get("pi_reason", application.pi_reason)
    if (
        exception_type == ExceptionType.PI_HARDSHIP
        and pi_reason
        and pi_reason not in policy.pi_reasons_for(year)
    ):
        raise ApplicationError(f"That reason isn't available for the {year} performance year.")
    event_type = values.get("event_type", application.event_type)
    if event_type and event_type not in policy.event_types_for(exception_type, year):
        if event_type == policy.COVID_19:
            raise ApplicationError(policy.COVID_19_REFUSED_MESSAGE)
        raise ApplicationError("Select an event type from the list.")
    description = values.get("event_description", application.event_description) or ""
    if len(description) > EVENT_DESCRIPTION_MAX_LENGTH:
        raise ApplicationError("The event description must be 6,000 characters or fewer.")
    phone = values.get("contact_phone", application.contact_phone) or ""
    if phone and (len(phone) != 10 or not phone.isdigit()):
        raise ApplicationError("Enter a 10-digit US phone number.")


def _normalize_emails(emails: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for raw in emails:
        email = (raw or "").strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ApplicationError(f"Enter a valid email address: {email}") from exc
        if email not in seen:
            seen.append(email)
    if len(seen) > MAX_ADDITIONAL_ACCESS_EMAILS:
        raise ApplicationError(f"You can add up to {MAX_ADDITIONAL_ACCESS_EMAILS} email addresses.")
    return seen


@transaction.atomic
def application_save_step(
    *,
    application: Application,
    actor: Any,
    changes: dict[str, object],
    additional_access: list[str] | None = None,
) -> Application:
    """Apply already-validated answers (model field names) to a draft the actor may edit.

    Changing the exception type, participation level, PI reason or event type clears the answers that belonged
    to the old choice (policy.STALE_FIELDS). Identifiers must be ones the actor is authorized for. Raises
    ApplicationNotEditable, NotAuthorizedForParticipant, DuplicateApplication or ApplicationError.
    """
    locked = _lock(application)
    if not actor_may_edit(actor, locked):
        raise ApplicationNotEditable()
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields can't be changed here: {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = {
        name: policy.clean_text(value) if name in _TEXT_FIELDS and isinstance(value, str) else value
        for name, value in changes.items()
    }
    _validate_choice_changes(locked, values)

    # Clear what belonged to an old choice before applying the new answers (which may refill some of it).
    for choice in ("exception_type", "participation_level", "pi_reason", "event_type"):
        if choice in values and values[choice] != getattr(locked, choice):
            for stale in policy.STALE_FIELDS[choice]:
                if stale not in values or stale == choice:
                    setattr(locked, stale, policy.FIELD_EMPTY_VALUES.get(stale, ""))
    for name, value in values.items():
        setattr(locked, name, value)
    # Answers that don't apply to the current choices are never stored.
    if locked.exception_type == ExceptionType.PI_HARDSHIP:
        for name in policy.EUC_CATEGORY_FIELDS:
            setattr(locked, name, False)
        if locked.pi_reason != policy.EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES:
            locked.event_type = ""
        locked.change_healthcare_cyberattack = None
        if locked.pi_reason not in (
            policy.EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES,
            policy.EHR_DECERTIFICATION,
        ):
            locked.event_start_date = None
            locked.event_end_date = None
            locked.event_still_persists = False
        if locked.pi_reason != policy.EHR_DECERTIFICATION:
            locked.onc_acb_certification_id = ""
        elif locked.pi_reason == policy.EHR_DECERTIFICATION:
            locked.event_end_date = None
            locked.event_still_persists = False
    elif not policy.asks_change_healthcare(locked.exception_type, locked.performance_year, locked.event_type):
        locked.change_healthcare_cyberattack = None
    if locked.exception_type == ExceptionType.EUC:
        locked.pi_reason = ""
        locked.onc_acb_certification_id = ""
    if locked.event_still_persists:
        locked.event_end_date = None
    if locked.participation_level not in (ParticipationLevel.GROUP, ParticipationLevel.VIRTUAL_GROUP):
        locked.all_locations_attested = False
    if locked.submitter_relationship != "other":
        locked.submitter_relationship_other = ""
    level = locked.participation_level
    if level and level != ParticipationLevel.INDIVIDUAL:
        locked.npi = ""
        locked.practice_not_listed = False
    if level and level not in (ParticipationLevel.INDIVIDUAL, ParticipationLevel.GROUP):
        locked.tin = ""
    if level != ParticipationLevel.VIRTUAL_GROUP:
        locked.virtual_group_identifier = ""
    if level != ParticipationLevel.APM_ENTITY:
        locked.apm_entity_identifier = ""

    # Only identifiers the actor is authorized for are accepted (accounts issue). The individual's practice
    # affiliation TIN needs no grant of its own: acting for the NPI is enough.
    identifiers_changed = any(
        name in values
        for name in ("participation_level", "npi", "tin", "virtual_group_identifier", "apm_entity_identifier")
    )
    if identifiers_changed and _primary_identifier(locked) and not _actor_may_act_for(actor, locked):
        raise NotAuthorizedForParticipant()

    if identifiers_changed and "participant_name" not in values:
        locked.participant_name = _participant_name(locked)

    locked.participant_key = policy.participant_key(
        locked.participation_level,
        npi=locked.npi,
        tin=locked.tin,
        virtual_group_identifier=locked.virtual_group_identifier,
        apm_entity_identifier=locked.apm_entity_identifier,
    )
    if locked.participant_key and _open_duplicate_exists(locked):
        raise DuplicateApplication()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise DuplicateApplication() from exc

    if additional_access is not None:
        emails = _normalize_emails(additional_access)
        locked.additional_access.exclude(email__in=emails).delete()
        existing = set(locked.additional_access.values_list("email", flat=True))
        AdditionalAccessEmail.objects.bulk_create(
            [AdditionalAccessEmail(application=locked, email=e) for e in emails if e not in existing]
        )
    _sync(application, locked)
    return application


def _open_duplicate_exists(application: Application) -> bool:
    return (
        Application.objects.filter(
            participant_key=application.participant_key,
            exception_type=application.exception_type,
            performance_year=application.performance_year,
            status__in=OPEN_STATUSES,
        )
        .exclude(pk=application.pk)
        .exists()
    )


def _run_transition(
    application: Application, action: str, actor: Any, description: str | None = None
) -> None:
    method = getattr(application, action)
    application._history_user = actor  # field history records who (django-simple-history)
    try:
        method(by=actor, description=description)
    except FSMTransitionNotAllowed as exc:
        raise TransitionNotAllowed(application=application, action=action) from exc


@transaction.atomic
def application_submit(
    *, application: Application, actor: Any, certified: bool, now: dt.datetime | None = None
) -> Application:
    """Certify & Submit (seed 003_…, Step 10): draft → submitted.

    Checks, in order: the actor may edit the draft, the status allows it, the certification box, the window
    (server clock in ET; `now` only for tests and demo data), completeness and duplicates. Snapshots the
    attestation and certification texts the applicant agreed to.
    """
    locked = _lock(application)
    if locked.status != Status.DRAFT:
        raise TransitionNotAllowed(application=locked, action="submit")
    if not actor_may_edit(actor, locked):
        raise ApplicationNotEditable()
    if not certified:
        raise ApplicationError("Certify that the details entered are correct before you submit.")
    moment = now or timezone.now()
    decision = policy.window_allows_submission(
        window_spec(locked.performance_year),
        moment,
        locked.event_type,
        change_healthcare_cyberattack=locked.change_healthcare_cyberattack,
        performance_year=locked.performance_year,
    )
    if not decision.allowed:
        raise WindowClosed(decision.message)
    missing = policy.missing_answers(answers_of(locked))
    if missing:
        raise IncompleteApplication(missing)
    if not _actor_may_act_for(actor, locked):
        raise NotAuthorizedForParticipant()
    if _open_duplicate_exists(locked):
        raise DuplicateApplication()

    _run_transition(locked, "submit", actor)
    locked.submitted_at = moment
    locked.attestation_text = policy.full_attestation_text(
        locked.exception_type, locked.pi_reason, locked.event_type, locked.participation_level
    )
    locked.certified_statement = policy.certification_statement(locked.exception_type)
    locked.save()
    notifications_record_status_change(
        application=locked, from_status=Status.DRAFT, to_status=Status.SUBMITTED, actor=actor
    )
    _emit_on_commit(application=locked, from_status=Status.DRAFT, to_status=Status.SUBMITTED, actor=actor)
    _sync(application, locked)
    return application


def _is_decider(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.has_perm("applications.decide_application") or authorization.is_cms_reviewer(user))
    )


def _require_decider(actor: Any) -> None:
    if not _is_decider(actor):
        raise ApplicationError("Only CMS reviewers can approve or deny exception applications.")


def _refuse_if_changed(application: Application, locked: Application, action: str) -> None:
    """Issue 7 point 4: the caller decided on the status it saw. If another transaction changed it in the
    meantime (two reviewers, or a reviewer and the withdrawing applicant), the later one is refused and told
    who changed it and when, rather than acting on a state it never saw."""
    if application.status != locked.status:
        raise TransitionNotAllowed(application=locked, action=action)


def _queue_scoring_recompute(application: Application) -> None:
    """Decisions flow out to scoring (issue 8): queued with delay_on_commit, so nothing runs on rollback."""
    from scoring.services import queue_recompute_for_application

    queue_recompute_for_application(application)


@transaction.atomic
def application_approve(
    *, application: Application, actor: Any, note: str = "", now: dt.datetime | None = None
) -> Application:
    """CMS reviewer approves: submitted → approved (seed 003_…, Appendix E)."""
    _require_decider(actor)
    locked = _lock(application)
    _refuse_if_changed(application, locked, "approve")
    _run_transition(locked, "approve", actor, description=policy.clean_text(note) or None)
    locked.decided_at = now or timezone.now()
    locked.decided_by = actor
    locked.save()
    _queue_scoring_recompute(locked)
    notifications_record_status_change(
        application=locked, from_status=Status.SUBMITTED, to_status=Status.APPROVED, actor=actor
    )
    _emit_on_commit(application=locked, from_status=Status.SUBMITTED, to_status=Status.APPROVED, actor=actor)
    _sync(application, locked)
    return application


@transaction.atomic
def application_deny(
    *, application: Application, actor: Any, reason: str, explanation: str, now: dt.datetime | None = None
) -> Application:
    """CMS reviewer denies: submitted → denied, with the reason shown to the applicant."""
    _require_decider(actor)
    reason = policy.clean_text(reason).strip()
    if not reason:
        raise ApplicationError("Enter the reason for the denial.")
    locked = _lock(application)
    _refuse_if_changed(application, locked, "deny")
    # The reason is the status-history note; the explanation goes to the applicant (email, application page).
    _run_transition(locked, "deny", actor, description=reason[:255])
    locked.decided_at = now or timezone.now()
    locked.decided_by = actor
    locked.denial_reason = reason[:255]
    locked.denial_explanation = policy.clean_text(explanation).strip()
    locked.save()
    _queue_scoring_recompute(locked)
    notifications_record_status_change(
        application=locked, from_status=Status.SUBMITTED, to_status=Status.DENIED, actor=actor
    )
    _emit_on_commit(application=locked, from_status=Status.SUBMITTED, to_status=Status.DENIED, actor=actor)
    _sync(application, locked)
    return application


def actor_may_withdraw(actor: Any, application: Application) -> bool:
    """Anyone who may act for the participant (seed 003_…, Appendix E: "You can withdraw your application at
    any point in the process"); the submitter alone while no participant is chosen yet."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if not _primary_identifier(application):
        return application.submitter_id == actor.pk
    return _actor_may_act_for(actor, application)


@transaction.atomic
def application_withdraw(
    *, application: Application, actor: Any, now: dt.datetime | None = None
) -> Application:
    """draft | submitted | approved → withdrawn (final: "An application can't be reopened after being
    withdrawn. You'll need to complete a new application." — seed 003_…, Appendix E)."""
    locked = _lock(application)
    if not actor_may_withdraw(actor, locked):
        raise ApplicationNotEditable("You can't withdraw this application.")
    _refuse_if_changed(application, locked, "withdraw")
    from_status = locked.status
    _run_transition(locked, "withdraw", actor)
    locked.withdrawn_at = now or timezone.now()
    locked.save()
    _queue_scoring_recompute(locked)
    notifications_record_status_change(
        application=locked, from_status=from_status, to_status=Status.WITHDRAWN, actor=actor
    )
    _emit_on_commit(application=locked, from_status=from_status, to_status=Status.WITHDRAWN, actor=actor)
    _sync(application, locked)
    return application


# ---------------------------------------------------------------------------------------------------------
# CMS review (issue 7): assignment, bulk decisions, corrections on the applicant's behalf
# ---------------------------------------------------------------------------------------------------------

BULK_DECISION_LIMIT = 500  # issue 7 point 5: "at most 500 at a time"


@transaction.atomic
def application_assign(*, application: Application, reviewer: Any | None, actor: Any) -> Application:
    """Assign a pending application to a CMS reviewer (`reviewer=None` unassigns).

    Reviewers assign to themselves ("Assign to me") and release their own assignments; CMS administrators
    may assign or release anyone's. Only pending applications are assigned: a decided one needs no reviewer.
    """
    _require_decider(actor)
    locked = _lock(application)
    if locked.status != Status.SUBMITTED:
        raise ApplicationError(
            f"Only pending applications can be assigned: {locked.reference} is {locked.get_status_display()}."
        )
    is_admin = authorization.is_cms_administrator(actor)
    if reviewer is not None:
        if not _is_decider(reviewer):
            raise ApplicationError(f"{reviewer} isn't a CMS reviewer, so can't be assigned applications.")
        if reviewer.pk != actor.pk and not is_admin:
            raise ApplicationError("You can assign applications only to yourself.")
    elif locked.assigned_reviewer_id not in (None, actor.pk) and not is_admin:
        raise ApplicationError(
            "This application is assigned to another reviewer; only a CMS administrator can unassign it."
        )
    if locked.assigned_reviewer_id == getattr(reviewer, "pk", None):
        _sync(application, locked)
        return application
    locked.assigned_reviewer = reviewer
    locked.assigned_at = timezone.now() if reviewer is not None else None
    locked._history_user = actor
    locked._change_reason = f"Assigned to {reviewer.email}" if reviewer is not None else "Unassigned"
    locked.save(update_fields=["assigned_reviewer", "assigned_at", "updated_at"])
    _sync(application, locked)
    return application


@dataclass
class BulkOutcome:
    """What a bulk decision did: counts and, per skipped application, why (reference → message)."""

    verb: str
    done: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """'Approved 480. Skipped 20: not pending.' (issue 7 point 5)."""
        text = f"{self.verb} {len(self.done)}."
        if self.skipped:
            reasons: dict[str, int] = {}
            for message in self.skipped.values():
                reasons[message] = reasons.get(message, 0) + 1
            detail = "; ".join(
                reason if count == len(self.skipped) else f"{count} {reason}"
                for reason, count in reasons.items()
            )
            text += f" Skipped {len(self.skipped)}: {detail}."
        return text


def _bulk(
    applications: Iterable[Application], verb: str, decide: Any, actor: Any
) -> BulkOutcome:
    _require_decider(actor)
    items = list(applications)
    if len(items) > BULK_DECISION_LIMIT:
        raise ApplicationError(
            f"Select at most {BULK_DECISION_LIMIT} applications at a time (you selected {len(items)})."
        )
    outcome = BulkOutcome(verb=verb)
    # Each application goes through its own transition, in its own transaction: one refusal never undoes
    # the others, and a concurrent change to one row is seen when that row is locked.
    for item in sorted(items, key=lambda a: a.pk):
        try:
            decide(item)
        except TransitionNotAllowed:
            outcome.skipped[item.reference] = "not pending"
        except ApplicationError as exc:
            outcome.skipped[item.reference] = exc.message.rstrip(".")
        else:
            outcome.done.append(item.reference)
    return outcome


def applications_bulk_approve(
    *, applications: Iterable[Application], actor: Any, note: str = ""
) -> BulkOutcome:
    """Approve each application one by one (issue 7 point 5); pending ones are approved, the rest skipped."""
    return _bulk(
        applications,
        "Approved",
        lambda a: application_approve(application=a, actor=actor, note=note),
        actor,
    )


def applications_bulk_deny(
    *, applications: Iterable[Application], actor: Any, reason: str, explanation: str
) -> BulkOutcome:
    """Deny each application one by one with one reason and explanation for all."""
    if not policy.clean_text(reason).strip():
        raise ApplicationError("Enter the reason for the denial.")
    return _bulk(
        applications,
        "Denied",
        lambda a: application_deny(application=a, actor=actor, reason=reason, explanation=explanation),
        actor,
    )


# Answers CMS may correct on the applicant's behalf (issue 7 point 6): contact details, names, dates and
# descriptions. The exception type, participant, reason and categories are what was applied for: changing
# them is a new application, not a correction (ADR 0062).
CORRECTABLE_FIELDS: tuple[str, ...] = (
    "participant_name",
    "contact_phone",
    "contact_phone_extension",
    "contact_email",
    "submitter_relationship",
    "submitter_relationship_other",
    "event_start_date",
    "event_end_date",
    "event_still_persists",
    "onc_acb_certification_id",
    "event_description",
)


@transaction.atomic
def application_correct(
    *, application: Application, actor: Any, changes: dict[str, object], reason: str
) -> Application:
    """Correct answers of a submitted (or decided) application on the applicant's behalf. Needs the
    `applications.correct_application` permission and a reason; the field history records who, when, what
    and why. The status and decision are never changed here."""
    if not (getattr(actor, "is_authenticated", False) and actor.has_perm("applications.correct_application")):
        raise ApplicationError("You don't have permission to correct applications.")
    reason = policy.clean_text(reason).strip()
    if not reason:
        raise ApplicationError("Enter the reason for the correction.")
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"These fields can't be corrected: {', '.join(sorted(unknown))}.")
    locked = _lock(application)
    if locked.status == Status.DRAFT:
        raise ApplicationError(
            "A draft is the applicant's to change: only submitted applications are corrected."
        )
    values: dict[str, Any] = {
        name: policy.clean_text(value).strip() if name in _TEXT_FIELDS and isinstance(value, str) else value
        for name, value in changes.items()
    }
    _validate_choice_changes(locked, values)
    if "contact_email" in values and values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError as exc:
            raise ApplicationError("Enter a valid email address.") from exc
    changed = {name: value for name, value in values.items() if getattr(locked, name) != value}
    if not changed:
        raise ApplicationError("Nothing was changed: the corrected values are the same as the stored ones.")
    for name, value in changed.items():
        setattr(locked, name, value)
    if locked.event_still_persists:
        locked.event_end_date = None
    if locked.event_start_date is not None and (
        "event_start_date" in changed or "event_end_date" in changed or "event_still_persists" in changed
    ):
        errors = policy.event_date_errors(
            locked.event_start_date, locked.event_end_date, locked.performance_year
        )
        if errors:
            raise ApplicationError(" ".join(errors))
    locked._history_user = actor
    locked._change_reason = reason
    locked.save()
    _sync(application, locked)
    return application
