"""Writes for accounts: access requests and grants, role groups, statement-of-truth records.

Every state change is a transition service ``<entity>_<action>(*, …, actor)``: it locks the row
(``select_for_update``), checks that the actor may do it (``accounts.authorization``), runs the
django-fsm-2 transition, records who and when, and writes its emails to the notifications outbox in the
same transaction (``applications.notifications``; delivered by Celery after commit, ADR 0050).
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from applications import notifications
from eligibility.models import Clinician, Practice
from eligibility.validators import is_valid_npi, is_valid_tin
from qpp_exceptions.security_log import security_event_on_commit

from . import authorization
from .models import (
    AccessKind,
    AccessRequest,
    AccessRequestStatus,
    GrantStatus,
    IntermediaryGrant,
    IntermediaryRelationship,
    NPILink,
    PracticeAccess,
    PracticeRole,
    StatementOfTruthAcceptance,
    User,
)

logger = logging.getLogger(__name__)

AnyGrant = NPILink | PracticeAccess | IntermediaryGrant


# --- Role groups ------------------------------------------------------------------------------
# Apps whose data CMS staff look at in the admin.
_REVIEWED_APPS = ("applications", "eligibility", "scoring")
_ADMINISTERED_APPS = ("accounts", "applications", "eligibility", "scoring", "axes")


def ensure_role_groups() -> tuple[Group, Group]:
    """Create or refresh the "CMS Reviewer" and "CMS Administrator" groups (idempotent).

    Called by the demo loader and tests rather than a data migration, because the
    ``applications.decide_application`` permission belongs to another app's model Meta and exists only
    after that app has migrated; calling this again later picks it up.
    """
    reviewer, _ = Group.objects.get_or_create(name=authorization.CMS_REVIEWER_GROUP)
    administrator, _ = Group.objects.get_or_create(name=authorization.CMS_ADMINISTRATOR_GROUP)

    # Reviewers decide applications and may look at (not change) the facts behind them.
    reviewer_perms = Permission.objects.filter(
        Q(content_type__app_label__in=_REVIEWED_APPS, codename__startswith="view_")
        | Q(
            content_type__app_label=authorization.DECIDE_APPLICATION_APP_LABEL,
            codename=authorization.DECIDE_APPLICATION_CODENAME,
        )
    )
    reviewer.permissions.add(*reviewer_perms)

    # Administrators manage access and reference data, see sign-in attempts (axes), and decide too.
    administrator_perms = Permission.objects.filter(
        Q(content_type__app_label__in=_ADMINISTERED_APPS)
        | Q(content_type__app_label="auth", content_type__model__in=("group",), codename__startswith="view_")
    )
    administrator.permissions.add(*administrator_perms)
    return reviewer, administrator


# --- Sign-in records --------------------------------------------------------------------------
def statement_of_truth_record(*, user: User, ip_address: str | None) -> StatementOfTruthAcceptance:
    """Record that the user agreed to the statement of truth on this sign-in (seed 003_…, Step 1)."""
    return StatementOfTruthAcceptance.objects.create(user=user, ip_address=ip_address or None)


def session_mark_signed_in(*, request: HttpRequest) -> None:
    """Start the 12-hour absolute session clock (ADR 0021)."""
    from .middleware import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY

    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_ACTIVITY_KEY] = now


# --- Access requests --------------------------------------------------------------------------
def _clinician_for(npi: str) -> Clinician:
    npi = (npi or "").strip()
    if not is_valid_npi(npi):
        raise ValidationError({"npi": "Enter a valid 10-digit NPI (the last digit is a check digit)."})
    clinician = Clinician.objects.filter(npi=npi).first()
    if clinician is None:
        raise ValidationError({"npi": "We could not find this NPI in the QPP participation data."})
    return clinician


def _practice_for(tin: str) -> Practice:
    tin = (tin or "").strip().replace("-", "")
    if not is_valid_tin(tin):
        raise ValidationError({"tin": "Enter a valid 9-digit TIN."})
    practice = Practice.objects.filter(tin=tin).first()
    if practice is None:
        raise ValidationError({"tin": "We could not find this TIN in the QPP participation data."})
    return practice


@transaction.atomic
def access_request_create(
    *,
    requester: User,
    kind: str,
    npi: str = "",
    tin: str = "",
    role: str = "",
    relationship: str = "",
    relationship_other: str = "",
    justification: str = "",
) -> AccessRequest:
    """File an access request; emails the requester and whoever may decide it."""
    if not requester.is_authenticated or not requester.is_active:
        raise PermissionDenied
    clinician: Clinician | None = None
    practice: Practice | None = None
    if kind == AccessKind.NPI_LINK:
        clinician = _clinician_for(npi)
        if NPILink.objects.filter(user=requester, status=GrantStatus.ACTIVE).exists():
            raise ValidationError({"npi": "Your account is already linked to an NPI."})
        if NPILink.objects.filter(clinician=clinician, status=GrantStatus.ACTIVE).exists():
            raise ValidationError(
                {"npi": "This NPI is already linked to another account. Contact the QPP Service Center."}
            )
        role = relationship = relationship_other = ""
    elif kind == AccessKind.PRACTICE:
        practice = _practice_for(tin)
        if role not in PracticeRole.values:
            raise ValidationError({"role": "Choose a role."})
        if PracticeAccess.objects.filter(
            user=requester, practice=practice, role=role, status=GrantStatus.ACTIVE
        ).exists():
            raise ValidationError({"tin": "You already have this role for this practice."})
        relationship = relationship_other = ""
    elif kind == AccessKind.INTERMEDIARY:
        if bool(npi) == bool(tin):
            raise ValidationError("Enter either an NPI or a TIN, not both.")
        if npi:
            clinician = _clinician_for(npi)
            existing = IntermediaryGrant.objects.filter(user=requester, clinician=clinician)
        else:
            practice = _practice_for(tin)
            existing = IntermediaryGrant.objects.filter(user=requester, practice=practice)
        if existing.filter(status=GrantStatus.ACTIVE).exists():
            raise ValidationError("You already act for this NPI or TIN as an intermediary.")
        if relationship not in IntermediaryRelationship.values:
            raise ValidationError({"relationship": "Choose your relationship."})
        if relationship == IntermediaryRelationship.OTHER and not relationship_other.strip():
            raise ValidationError({"relationship_other": "Describe your relationship."})
        if relationship != IntermediaryRelationship.OTHER:
            relationship_other = ""
        role = ""
    else:
        raise ValidationError({"kind": "Choose the kind of access."})

    pending = AccessRequest.objects.filter(
        requester=requester, kind=kind, clinician=clinician, practice=practice,
        status=AccessRequestStatus.PENDING,
    )
    if pending.exists():
        raise ValidationError("You already have a pending request for this access.")

    access_request = AccessRequest.objects.create(
        requester=requester,
        kind=kind,
        clinician=clinician,
        practice=practice,
        role=role,
        relationship=relationship,
        relationship_other=relationship_other.strip(),
        justification=justification.strip(),
    )
    notifications.notifications_record_access_request_created(
        access_request=access_request, approvers=authorization.access_request_approvers(access_request)
    )
    return access_request


def _lock_request(access_request: AccessRequest) -> AccessRequest:
    # Lock the request row only: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins that
    # select_related makes for the optional clinician and practice.
    return (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("clinician", "practice", "requester")
        .get(pk=access_request.pk)
    )


@transaction.atomic
def access_request_approve(*, access_request: AccessRequest, actor: User) -> AnyGrant:
    """Approve a pending request and create the grant it asks for."""
    locked = _lock_request(access_request)
    if not authorization.can_decide_access_request(actor, locked):
        raise PermissionDenied
    locked.approve(actor=actor)
    locked.save()
    grant = _grant_for_request(locked, actor=actor)
    _sync(access_request, locked)
    security_event_on_commit(
        "access_granted", actor=actor, access_request=locked.pk, grant=f"{type(grant).__name__}:{grant.pk}"
    )
    notifications.notifications_record_access_request_decided(access_request=locked, actor=actor)
    return grant


@transaction.atomic
def access_request_deny(*, access_request: AccessRequest, actor: User, reason: str = "") -> AccessRequest:
    """Deny a pending request."""
    locked = _lock_request(access_request)
    if not authorization.can_decide_access_request(actor, locked):
        raise PermissionDenied
    locked.deny(actor=actor, reason=reason.strip())
    locked.save()
    _sync(access_request, locked)
    security_event_on_commit("access_request_denied", actor=actor, access_request=locked.pk)
    notifications.notifications_record_access_request_decided(access_request=locked, actor=actor)
    return locked


def _grant_for_request(access_request: AccessRequest, *, actor: User) -> AnyGrant:
    common = {"granted_by": actor, "access_request": access_request, "user": access_request.requester}
    if access_request.kind == AccessKind.NPI_LINK:
        if NPILink.objects.filter(
            Q(user=access_request.requester) | Q(clinician=access_request.clinician),
            status=GrantStatus.ACTIVE,
        ).exists():
            raise ValidationError("This account or this NPI is already linked.")
        return NPILink.objects.create(clinician=access_request.clinician, **common)
    if access_request.kind == AccessKind.PRACTICE:
        # A new role replaces the user's current role for the practice (e.g. Staff User → Security Official).
        for current in PracticeAccess.objects.select_for_update().filter(
            user=access_request.requester, practice=access_request.practice, status=GrantStatus.ACTIVE
        ):
            current.revoke(actor=actor)
            current.save()
        return PracticeAccess.objects.create(
            practice=access_request.practice, role=access_request.role, **common
        )
    return IntermediaryGrant.objects.create(
        clinician=access_request.clinician,
        practice=access_request.practice,
        relationship=access_request.relationship,
        relationship_other=access_request.relationship_other,
        **common,
    )


@transaction.atomic
def access_grant_revoke(*, grant: AnyGrant, actor: User) -> AnyGrant:
    """Revoke an active grant; it stops working at once (authorization reads the database every time)."""
    locked = type(grant).objects.select_for_update().get(pk=grant.pk)
    if not authorization.can_revoke_grant(actor, locked):
        raise PermissionDenied
    locked.revoke(actor=actor)
    locked.save()
    if locked.access_request_id:
        request_row = AccessRequest.objects.select_for_update().get(pk=locked.access_request_id)
        if request_row.status == AccessRequestStatus.APPROVED:
            request_row.revoke(actor=actor)
            request_row.save()
    _sync(grant, locked)
    security_event_on_commit("access_revoked", actor=actor, grant=f"{type(locked).__name__}:{locked.pk}")
    notifications.notifications_record_access_removed(grant=locked, actor=actor)
    return locked


# --- Direct grants (demo data and CMS administrators) ------------------------------------------
@transaction.atomic
def npi_link_grant(*, user: User, clinician: Clinician, actor: User | None) -> NPILink:
    """Link an account to an NPI without a request (demo data); idempotent."""
    existing = NPILink.objects.filter(user=user, clinician=clinician, status=GrantStatus.ACTIVE).first()
    if existing:
        return existing
    return NPILink.objects.create(user=user, clinician=clinician, granted_by=actor)


@transaction.atomic
def practice_access_grant(*, user: User, practice: Practice, role: str, actor: User | None) -> PracticeAccess:
    """Give practice access without a request (demo data); idempotent."""
    existing = PracticeAccess.objects.filter(user=user, practice=practice, status=GrantStatus.ACTIVE).first()
    if existing and existing.role == role:
        return existing
    if existing:
        existing.revoke(actor=actor)
        existing.save()
    return PracticeAccess.objects.create(user=user, practice=practice, role=role, granted_by=actor)


@transaction.atomic
def intermediary_grant(
    *,
    user: User,
    relationship: str,
    actor: User | None,
    clinician: Clinician | None = None,
    practice: Practice | None = None,
) -> IntermediaryGrant:
    """Give an intermediary access without a request (demo data); idempotent."""
    existing = IntermediaryGrant.objects.filter(
        user=user, clinician=clinician, practice=practice, status=GrantStatus.ACTIVE
    ).first()
    if existing:
        return existing
    return IntermediaryGrant.objects.create(
        user=user, clinician=clinician, practice=practice, relationship=relationship, granted_by=actor
    )


def _sync(stale: object, fresh: object) -> None:
    """Bring the caller's instance up to date with the locked, saved row.

    ``refresh_from_db`` cannot be used: django-fsm's protected status field refuses assignment, so the
    values are copied into the instance's ``__dict__`` as Django's own loading does.
    """
    if stale is fresh:
        return
    for model_field in type(fresh)._meta.concrete_fields:  # type: ignore[attr-defined]
        stale.__dict__[model_field.attname] = getattr(fresh, model_field.attname)
