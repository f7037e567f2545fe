"""Reads for the accounts pages (profile, requests, practice access lists)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from eligibility.models import IndividualScenario, Practice

from . import authorization
from .models import AccessRequest, GrantStatus, IntermediaryGrant, NPILink, PracticeAccess

ACTIVE = GrantStatus.ACTIVE


def active_npi_link(user: Any) -> NPILink | None:
    return NPILink.objects.select_related("clinician").filter(user=user, status=ACTIVE).first()


def active_practice_accesses(user: Any) -> QuerySet[PracticeAccess]:
    return PracticeAccess.objects.select_related("practice").filter(user=user, status=ACTIVE)


def active_intermediary_grants(user: Any) -> QuerySet[IntermediaryGrant]:
    return IntermediaryGrant.objects.select_related("clinician", "practice").filter(user=user, status=ACTIVE)


def requests_of(user: Any) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.select_related("clinician", "practice", "decided_by").filter(requester=user)


def requests_waiting_on(user: Any) -> list[AccessRequest]:
    """Pending requests the user may approve or deny (Security Official, linked clinician, CMS admin)."""
    if not user.is_authenticated:
        return []
    so_practices = PracticeAccess.objects.filter(user=user, role="security_official", status=ACTIVE).values(
        "practice_id"
    )
    my_npis = NPILink.objects.filter(user=user, status=ACTIVE).values("clinician_id")
    npis_under_my_tins = IndividualScenario.objects.filter(practice_id__in=so_practices).values(
        "clinician_id"
    )
    scope = (
        Q(kind__in=["practice", "intermediary"], practice_id__in=so_practices)
        | Q(kind="intermediary", clinician_id__in=my_npis)
        | Q(kind="intermediary", clinician_id__in=npis_under_my_tins)
    )
    if authorization.is_cms_administrator(user):
        # Administrators see everything pending; the per-row check keeps only those without a manager.
        scope = Q()
    candidates = (
        AccessRequest.objects.select_related("clinician", "practice", "requester")
        .filter(scope, status="pending")
        .exclude(requester=user)
        .order_by("created_at")
    )
    return [r for r in candidates if authorization.can_decide_access_request(user, r)]


def managed_practices(user: Any) -> QuerySet[Practice]:
    """Practices whose access the user manages as Security Official."""
    return Practice.objects.filter(
        access_grants__user=user, access_grants__role="security_official", access_grants__status=ACTIVE
    ).distinct()


def practice_access_list(practice: Practice) -> dict[str, list[Any]]:
    """Who holds access to a practice: practice users and intermediaries (active only)."""
    return {
        "practice_users": list(
            PracticeAccess.objects.select_related("user").filter(practice=practice, status=ACTIVE)
            .order_by("role", "user__email")
        ),
        "intermediaries": list(
            IntermediaryGrant.objects.select_related("user").filter(practice=practice, status=ACTIVE)
            .order_by("user__email")
        ),
    }
