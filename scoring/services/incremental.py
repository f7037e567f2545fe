"""Incremental recompute: the participants one application affects."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from eligibility.models import Subgroup, VirtualGroup

from .. import engine
from ..models import ParticipantReweighting
from .keys import apm_entity_key, group_key, individual_key, subgroup_key, virtual_group_key
from .stream import Scope, compute_rows
from .writes import RecomputeResult, _write

# The logger keeps the name it had before the module became a package.
logger = logging.getLogger("scoring.services")

# --- incremental: the participants one application affects -------------------------------------------------


def scope_for_application(application: Any) -> Scope | None:
    """Which participants an application's decision can change, and which TINs must be read to know.

    - individual (TIN/NPI): that TIN/NPI; its group (an approved individual PI hardship counts toward "all
      MIPS eligible clinicians qualify", seed 003 Appendix A) and so the group's subgroups; and every virtual
      group the TIN belongs to (read with all member TINs).
    - group: the group and its subgroups only (a group application applies at the group level).
    - virtual group / APM Entity: that participant.
    """
    year = application.performance_year
    level = application.participation_level
    tin, npi = application.tin, application.npi
    if level == "individual" and tin and npi:
        vgs = list(
            VirtualGroup.objects.filter(performance_year=year, practices__tin=tin).values_list(
                "identifier", flat=True
            )
        )
        member_tins = set(
            VirtualGroup.practices.through.objects.filter(
                virtualgroup__performance_year=year, virtualgroup__identifier__in=vgs
            ).values_list("practice__tin", flat=True)
        )
        subgroups = Subgroup.objects.filter(performance_year=year, practice__tin=tin).values_list(
            "identifier", flat=True
        )
        keys = {individual_key(tin, npi), group_key(tin)}
        keys |= {subgroup_key(s) for s in subgroups} | {virtual_group_key(v) for v in vgs}
        return Scope(tins=frozenset({tin} | member_tins), keys=frozenset(keys))
    if level == "group" and tin:
        subgroups = Subgroup.objects.filter(performance_year=year, practice__tin=tin).values_list(
            "identifier", flat=True
        )
        keys = {group_key(tin)} | {subgroup_key(s) for s in subgroups}
        return Scope(tins=frozenset({tin}), keys=frozenset(keys))
    if level == "virtual_group" and application.virtual_group_identifier:
        identifier = application.virtual_group_identifier
        member_tins = set(
            VirtualGroup.practices.through.objects.filter(
                virtualgroup__performance_year=year, virtualgroup__identifier__iexact=identifier
            ).values_list("practice__tin", flat=True)
        )
        return Scope(tins=frozenset(member_tins), keys=frozenset({virtual_group_key(identifier)}))
    if level == "apm_entity" and application.apm_entity_identifier:
        return Scope(tins=frozenset(), keys=frozenset({apm_entity_key(application.apm_entity_identifier)}))
    return None


@transaction.atomic
def reweighting_recompute_for_application(*, application_id: int) -> RecomputeResult:
    """Recompute only the participants an application affects (after approve, deny or withdraw).
    Idempotent: it reads the current facts and replaces those participants' rows."""
    from applications.models import Application

    application = Application.objects.filter(pk=application_id).first()
    year = application.performance_year if application is not None else 0
    if application is None or year not in engine.policy.POLICIES:
        return RecomputeResult(year, 0, {})
    scope = scope_for_application(application)
    if scope is None:
        return RecomputeResult(year, 0, {})
    rows = list(compute_rows(year, scope=scope))
    # Lock the rows being replaced so two recomputes of one participant serialize.
    list(
        ParticipantReweighting.objects.select_for_update()
        .filter(performance_year=year, participant_key__in=scope.keys)
        .values_list("pk", flat=True)
    )
    ParticipantReweighting.objects.filter(performance_year=year, participant_key__in=scope.keys).delete()
    counts = _write(rows)
    return RecomputeResult(year, sum(counts.values()), counts)


def queue_recompute_for_application(application: Any) -> None:
    """Queue the incremental recompute once the surrounding transaction commits (Celery 5.4+
    ``delay_on_commit``; eager in tests and ``make run``)."""
    application_id = application.pk
    transaction.on_commit(lambda: _publish_recompute(application_id))


def _publish_recompute(application_id: int) -> None:
    """Publish after commit; a broker outage must not turn a committed decision into an error page (issue 10,
    point 4: found by tests/reliability/test_redis_outage.py, where ``delay_on_commit`` raised kombu's
    OperationalError out of the reviewer's approval). The lost message is logged; the year's batch
    recompute (``manage.py compute_reweighting``) rebuilds every participant from the stored decisions."""
    from kombu.exceptions import OperationalError as BrokerUnavailable

    from ..tasks import recompute_reweighting_for_application

    try:
        recompute_reweighting_for_application.apply_async(args=[application_id], retry=False)
    except BrokerUnavailable:
        logger.warning(
            "Could not queue the reweighting recompute for application %s (broker unavailable); the next "
            "batch recompute brings its participants up to date",
            application_id,
            exc_info=True,
        )
