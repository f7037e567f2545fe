"""Drafts (issue 5): starting one and saving the wizard's answers to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import policy
from ..models import (
    EVENT_DESCRIPTION_MAX_LENGTH,
    AdditionalAccessEmail,
    Application,
    ExceptionType,
    ParticipationLevel,
)
from .access import _actor_may_act_for, _primary_identifier, actor_may_edit
from .errors import (
    ApplicationError,
    ApplicationNotEditable,
    DuplicateApplication,
    NotAuthorizedForParticipant,
)
from .rows import _lock, _open_duplicate_exists, _reference, _sync

MAX_ADDITIONAL_ACCESS_EMAILS = 50  # issue 5, Step 7: "up to 50"


# Fields the applicant writes through the wizard (model field names). Everything else (status, reference,
# submitter, decision fields, snapshots) is written only by the services below.
EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "exception_type",
        "participation_level",
        *policy.PARTICIPANT_FIELDS,
        *policy.SUBMITTER_FIELDS,
        *policy.REASON_FIELDS,
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
