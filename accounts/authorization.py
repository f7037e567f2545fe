"""The one place that answers "may this user see / act for this NPI, TIN, virtual group, APM Entity?".

Every view, form, API and admin action asks these functions; none of them re-derives access from the
grant tables. Rules (issue 4; seed 003_452340df50752410.txt, Overview: third-party intermediaries file
"with permission from the clinician or practice"):

* A clinician acts for the NPI their account is linked to (an active ``NPILink``).
* Practice access (Security Official or Staff User) to a TIN lets the user act for that TIN and for
  every NPI that bills under it in any performance year (``eligibility.IndividualScenario``).
* A third-party intermediary acts only for the NPIs and TINs of its active ``IntermediaryGrant`` rows;
  a TIN grant also covers the NPIs billing under that TIN, as practice access does.
* A virtual group or APM Entity: the user may act for it when they may act for at least one of its
  member / participant TINs in that performance year (ADR 0022).

Nothing is cached: every call reads the database, so a revoked or denied grant stops working at once.
Inactive and anonymous users may act for nothing. CMS reviewers and administrators do not act for
clinicians (they decide applications in the admin); they get no implicit access here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, QuerySet

from eligibility.models import APMParticipant, Clinician, IndividualScenario, Practice, VirtualGroup

from .models import GrantStatus, IntermediaryGrant, NPILink, PracticeAccess

if TYPE_CHECKING:
    from .models import User

CMS_REVIEWER_GROUP = "CMS Reviewer"
CMS_ADMINISTRATOR_GROUP = "CMS Administrator"
# Defined by the applications app in ``Application.Meta.permissions``.
DECIDE_APPLICATION_APP_LABEL = "applications"
DECIDE_APPLICATION_CODENAME = "decide_application"

ACTIVE = GrantStatus.ACTIVE


def _is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _accessible_practices(user: User) -> QuerySet[Practice]:
    """Practices reached through practice access (either role) or an intermediary TIN grant (lazy)."""
    return Practice.objects.filter(pk__in=_practice_ids_query(user))


def _practice_ids_query(user: User) -> QuerySet[Any]:
    # A UNION of the user's own grant rows (index lookups by user), never an OR across joins: with 150,000
    # practices that OR became a scan with DISTINCT on every signed-in page (issue 9, docs/benchmarks.md).
    return (
        PracticeAccess.objects.filter(user=user, status=ACTIVE)
        .order_by()
        .values("practice_id")
        .union(
            IntermediaryGrant.objects.filter(user=user, status=ACTIVE, practice__isnull=False)
            .order_by()
            .values("practice_id")
        )
    )


def _direct_clinician_ids_query(user: User) -> QuerySet[Any]:
    # Issue 9: start from the user's grants, never from the clinicians. An EXISTS per clinician scanned all
    # 1,000,000 clinicians (4 to 7 s per page at national scale, docs/benchmarks.md).
    return (
        NPILink.objects.filter(user=user, status=ACTIVE)
        .order_by()
        .values("clinician_id")
        .union(
            IntermediaryGrant.objects.filter(user=user, status=ACTIVE, clinician__isnull=False)
            .order_by()
            .values("clinician_id")
        )
    )


def _practice_granted(user: User, practice: str = "practice") -> Q:
    """For a query whose rows name a practice (in the column ``practice``): the user holds practice access to
    it or an intermediary grant for it. Two EXISTS in one query rather than two queries (issue 9: every
    wizard save asks)."""
    return Exists(
        PracticeAccess.objects.filter(user=user, practice=OuterRef(practice), status=ACTIVE)
    ) | Exists(IntermediaryGrant.objects.filter(user=user, practice=OuterRef(practice), status=ACTIVE))


def can_act_for_tin(user: Any, tin: str) -> bool:
    """Practice access (Security Official or Staff User) or an active intermediary grant for the TIN."""
    if not _is_signed_in(user) or not tin:
        return False
    return (
        Practice.objects.filter(tin=tin).filter(_practice_granted(user, practice="pk")).exists()
    )


def _has_direct_npi_access(user: User, npi: str) -> bool:
    """The clinician's own account link, or an intermediary grant for that NPI itself (one query)."""
    return (
        Clinician.objects.filter(npi=npi)
        .filter(
            Exists(NPILink.objects.filter(user=user, clinician=OuterRef("pk"), status=ACTIVE))
            | Exists(IntermediaryGrant.objects.filter(user=user, clinician=OuterRef("pk"), status=ACTIVE))
        )
        .exists()
    )


def can_act_for_npi(user: Any, npi: str) -> bool:
    """The user's own linked NPI, an intermediary grant for it, or access to a TIN it bills under."""
    if not _is_signed_in(user) or not npi:
        return False
    if _has_direct_npi_access(user, npi):
        return True
    # Any performance year: practice staff manage a clinician's filings for the TINs they bill under.
    return IndividualScenario.objects.filter(
        clinician__npi=npi, practice__in=_practice_ids_query(user)
    ).exists()


def can_act_for_individual(user: Any, npi: str, tin: str) -> bool:
    """May act for one individual participant, the TIN/NPI pair (seed 003_…, Step 5: an individual
    application names the clinician's NPI and practice affiliation).

    Direct access to the NPI (the clinician's own link or an NPI grant) covers every affiliation, including
    a practice that is "Not listed". Access through a practice covers only that practice's own pair: the
    clinician must bill under that TIN. Otherwise the staff of one practice could file for, or read, what
    the clinician files under another practice they have nothing to do with.
    """
    if not _is_signed_in(user) or not npi:
        return False
    if _has_direct_npi_access(user, npi):
        return True
    if not tin:
        return False
    # Access to the TIN, and the clinician bills under it (any year), in one query.
    return (
        IndividualScenario.objects.filter(clinician__npi=npi, practice__tin=tin)
        .filter(_practice_granted(user))
        .exists()
    )


def can_act_for_virtual_group(user: Any, identifier: str, performance_year: int) -> bool:
    """May act for at least one member TIN of the virtual group in that year (ADR 0022)."""
    if not _is_signed_in(user) or not identifier:
        return False
    return VirtualGroup.objects.filter(
        identifier=identifier,
        performance_year=performance_year,
        practices__in=_practice_ids_query(user),
    ).exists()


def can_act_for_apm_entity(user: Any, entity_id: str, performance_year: int) -> bool:
    """May act for at least one participant TIN of the APM Entity in that year (ADR 0022)."""
    if not _is_signed_in(user) or not entity_id:
        return False
    return APMParticipant.objects.filter(
        apm_entity__entity_id=entity_id,
        apm_entity__performance_year=performance_year,
        practice__in=_practice_ids_query(user),
    ).exists()


def accessible_tins(user: Any) -> set[str]:
    """Every TIN the user may act for (one query)."""
    if not _is_signed_in(user):
        return set()
    return set(_accessible_practices(user).values_list("tin", flat=True).distinct())


def directly_accessible_npis(user: Any) -> set[str]:
    """NPIs the user reaches directly (own link or an NPI grant), whatever the practice (one query)."""
    if not _is_signed_in(user):
        return set()
    return set(
        Clinician.objects.filter(pk__in=_direct_clinician_ids_query(user)).values_list("npi", flat=True)
    )


def accessible_npis(user: Any) -> set[str]:
    """Every NPI the user may act for (one query)."""
    if not _is_signed_in(user):
        return set()
    billing_under_accessible_tins = (
        IndividualScenario.objects.filter(practice__in=_practice_ids_query(user))
        .order_by()
        .values("clinician_id")
    )
    clinician_ids = _direct_clinician_ids_query(user).union(billing_under_accessible_tins)
    return set(Clinician.objects.filter(pk__in=clinician_ids).values_list("npi", flat=True))


def is_security_official_for(user: Any, tin: str) -> bool:
    """Whether the user holds the Security Official role for the TIN (manages its access)."""
    if not _is_signed_in(user) or not tin:
        return False
    return PracticeAccess.objects.filter(
        user=user, practice__tin=tin, role="security_official", status=ACTIVE
    ).exists()


def is_cms_reviewer(user: Any) -> bool:
    """Member of the "CMS Reviewer" group, and that group holds ``applications.decide_application``."""
    if not _is_signed_in(user):
        return False
    return Group.objects.filter(
        name=CMS_REVIEWER_GROUP,
        user=user,
        permissions__codename=DECIDE_APPLICATION_CODENAME,
        permissions__content_type__app_label=DECIDE_APPLICATION_APP_LABEL,
    ).exists()


def is_cms_administrator(user: Any) -> bool:
    """A superuser, or a member of the "CMS Administrator" group."""
    if not _is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    return Group.objects.filter(name=CMS_ADMINISTRATOR_GROUP, user=user).exists()


def additional_access_emails_verified(user: Any) -> set[str]:
    """The user's verified email addresses, lower-cased (for an application's "additional access")."""
    if not _is_signed_in(user):
        return set()
    from allauth.account.models import EmailAddress

    return {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    }


# --- Managing access (who decides requests and revokes grants) ---------------------------------
# The practice's Security Official approves access to the practice; a CMS administrator does so only
# where the practice has no Security Official, and always for NPI links (issue 4). An intermediary's
# request for an NPI is the clinician's permission to give (seed 003_452340df50752410.txt, Overview:
# "with permission from the clinician or practice"): the clinician linked to the NPI, or a Security
# Official of a TIN it bills under; a CMS administrator where neither exists (ADR 0022).


def _security_officials_of_practice(practice_id: int) -> QuerySet[Any]:
    from .models import User

    return User.objects.filter(
        is_active=True,
        practice_accesses__practice_id=practice_id,
        practice_accesses__role="security_official",
        practice_accesses__status=ACTIVE,
    )


def _npi_permission_holders(clinician_id: int) -> QuerySet[Any]:
    """Users who may give permission for an NPI: its linked clinician and the SOs of its TINs."""
    from .models import User

    tins = IndividualScenario.objects.filter(clinician_id=clinician_id).values("practice_id")
    return User.objects.filter(
        Q(npi_links__clinician_id=clinician_id, npi_links__status=ACTIVE)
        | Q(
            practice_accesses__practice_id__in=tins,
            practice_accesses__role="security_official",
            practice_accesses__status=ACTIVE,
        ),
        is_active=True,
    ).distinct()


def _cms_administrators() -> QuerySet[Any]:
    from .models import User

    return User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=CMS_ADMINISTRATOR_GROUP), is_active=True
    ).distinct()


def access_request_approvers(access_request: Any) -> list[Any]:
    """The users who may approve or deny the request (for emailing them)."""
    if access_request.kind == "npi_link":
        holders: list[Any] = []
    elif access_request.practice_id:
        holders = list(_security_officials_of_practice(access_request.practice_id))
    else:
        holders = list(_npi_permission_holders(access_request.clinician_id))
    holders = [u for u in holders if u.pk != access_request.requester_id]
    if not holders:
        holders = [u for u in _cms_administrators() if u.pk != access_request.requester_id]
    return holders


def _manages_target(user: Any, *, kind: str, clinician_id: int | None, practice_id: int | None) -> bool:
    """Whether the user (not as CMS administrator) manages access to this NPI or TIN."""
    if kind == "npi_link":
        return False
    if practice_id:
        return _security_officials_of_practice(practice_id).filter(pk=user.pk).exists()
    return _npi_permission_holders(clinician_id).filter(pk=user.pk).exists()


def _has_manager(*, kind: str, clinician_id: int | None, practice_id: int | None) -> bool:
    if kind == "npi_link":
        return False
    if practice_id:
        return _security_officials_of_practice(practice_id).exists()
    return _npi_permission_holders(clinician_id).exists()


def can_decide_access_request(user: Any, access_request: Any) -> bool:
    """Whether the user may approve or deny this pending request (never their own)."""
    if not _is_signed_in(user) or access_request.requester_id == user.pk:
        return False
    if access_request.status != "pending":
        return False
    target = {
        "kind": access_request.kind,
        "clinician_id": access_request.clinician_id,
        "practice_id": access_request.practice_id,
    }
    if _manages_target(user, **target):
        return True
    return is_cms_administrator(user) and not _has_manager(**target)


def can_view_access_request(user: Any, access_request: Any) -> bool:
    """The requester, anyone who may decide it, and CMS administrators."""
    if not _is_signed_in(user):
        return False
    if access_request.requester_id == user.pk or is_cms_administrator(user):
        return True
    return _manages_target(
        user,
        kind=access_request.kind,
        clinician_id=access_request.clinician_id,
        practice_id=access_request.practice_id,
    )


def _grant_kind(grant: Any) -> str:
    if isinstance(grant, NPILink):
        return "npi_link"
    if isinstance(grant, PracticeAccess):
        return "practice"
    return "intermediary"


def can_revoke_grant(user: Any, grant: Any) -> bool:
    """The holder (giving up their own access), whoever manages the NPI or TIN, or a CMS administrator."""
    if not _is_signed_in(user) or grant.status != ACTIVE:
        return False
    if grant.user_id == user.pk or is_cms_administrator(user):
        return True
    return _manages_target(
        user,
        kind=_grant_kind(grant),
        clinician_id=getattr(grant, "clinician_id", None),
        practice_id=getattr(grant, "practice_id", None),
    )
