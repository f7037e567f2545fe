"""Status transitions: submit, approve, deny, withdraw. Each locks the row, runs the django-fsm transition
(logged with `by=actor`), records who and when, and sends `application_status_changed` after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed

from .. import policy
from ..models import Application, Status
from ..notifications import notifications_record_status_change
from ..signals import application_status_changed
from .access import _actor_may_act_for, _require_decider, actor_may_edit, actor_may_withdraw
from .errors import (
    ApplicationError,
    ApplicationNotEditable,
    DuplicateApplication,
    IncompleteApplication,
    NotAuthorizedForParticipant,
    TransitionNotAllowed,
    WindowClosed,
)
from .rows import _lock, _open_duplicate_exists, _sync, answers_of, window_spec


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


def _refuse_if_changed(application: Application, locked: Application, action: str) -> None:
    """Issue 7 point 4: the caller decided on the status it saw. If another transaction changed it in the
    meantime (two reviewers, or a reviewer and the withdrawing applicant), the later one is refused and told
    who changed it and when, rather than acting on a state it never saw."""
    if application.status != locked.status:
        raise TransitionNotAllowed(application=locked, action=action)


def _approved_set_changed() -> None:
    """What is approved feeds the participation-status answers (eligibility.cache, ADR 0074): once this
    transaction commits, cached answers are forgotten."""
    from eligibility.cache import eligibility_data_changed

    eligibility_data_changed()


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
    _approved_set_changed()
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
    if from_status == Status.APPROVED:
        _approved_set_changed()  # an approval withdrawn no longer reweights anyone
    notifications_record_status_change(
        application=locked, from_status=from_status, to_status=Status.WITHDRAWN, actor=actor
    )
    _emit_on_commit(application=locked, from_status=from_status, to_status=Status.WITHDRAWN, actor=actor)
    _sync(application, locked)
    return application
