"""CMS review (issue 7): assignment, bulk decisions, corrections on the applicant's behalf."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts import authorization

from .. import policy
from ..models import Application, Status
from .access import _is_decider, _require_decider
from .drafts import _TEXT_FIELDS, _validate_choice_changes
from .errors import ApplicationError, TransitionNotAllowed
from .rows import _lock, _sync
from .transitions import application_approve, application_deny

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
    if locked.status == Status.APPROVED:
        # A corrected approval (its reason, event, identifiers) changes participation-status answers
        # (eligibility.cache, ADR 0074).
        from eligibility.cache import eligibility_data_changed

        eligibility_data_changed()
    _sync(application, locked)
    return application
