"""Who may act on an application: the applicant side (acting for the participant) and CMS deciders."""

from __future__ import annotations

from typing import Any

from accounts import authorization

from ..models import Application, ParticipationLevel, Status
from .errors import ApplicationError


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


def actor_may_edit(actor: Any, application: Application) -> bool:
    """Drafts only, by anyone who may act for the participant (additional access is read-only). Before the
    participant is chosen only the submitter may edit; afterwards access is checked on every change, so a
    revoked grant stops working at once, even for the submitter."""
    if application.status != Status.DRAFT or not getattr(actor, "is_authenticated", False):
        return False
    if not _primary_identifier(application):
        return application.submitter_id == actor.pk
    return _actor_may_act_for(actor, application)


def actor_may_withdraw(actor: Any, application: Application) -> bool:
    """Anyone who may act for the participant (seed 003_…, Appendix E: "You can withdraw your application at
    any point in the process"); the submitter alone while no participant is chosen yet."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if not _primary_identifier(application):
        return application.submitter_id == actor.pk
    return _actor_may_act_for(actor, application)


def _is_decider(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.has_perm("applications.decide_application") or authorization.is_cms_reviewer(user))
    )


def _require_decider(actor: Any) -> None:
    if not _is_decider(actor):
        raise ApplicationError("Only CMS reviewers can approve or deny exception applications.")
