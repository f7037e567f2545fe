"""Participant reweighting: which categories are reweighted for every participant and year, why, and the
resulting weights (issue 8 point 3; ADR 0041). The only writer of ``ParticipantReweighting``.

One computation serves the batch recompute (every participant of a year: bulk reads, one streamed pass over
the TIN/NPI scenarios, COPY on PostgreSQL), the incremental recompute after a decision (only the participants
an application affects) and the "if approved" preview (nothing written). Per participant:

    reweighted = (automatic PI reweighting  ∪  approved PI hardship (PI)  ∪  approved EUC (its categories)
                  ∪  cost that cannot be scored)  −  categories with submitted data

"data submission overrides approved reweighting on a category-by-category basis" (seed
002_a56a46789770f819.txt), and reporting PI data overrides the automatic reweighting (seed
001_ede0be81fe1df585.txt), except an APM Entity's EUC reweighting, which submitted data does not override
(field notes; seed 002: APM Entities "must apply for all performance categories"). A group application
applies at the group level only; a subgroup inherits its group's outcome (seed 003_452340df50752410.txt,
subgroups can't apply).

The code lives in submodules (house style: a module past ~400 lines becomes a package); this package
re-exports the names other code and tests use, so ``from scoring import services`` and
``scoring.services.<name>`` keep working.
"""

from __future__ import annotations

from .constants import (
    AUTOMATIC,
    COPY_BATCH,
    COST_BIT,
    COST_NOT_SCORABLE,
    COST_NOT_SCORABLE_DETAIL,
    EUC,
    INHERITED,
    PI_BIT,
    PI_HARDSHIP,
    STREAM_CHUNK,
    ProgressCallback,
    ReweightingError,
)
from .facts import ApprovedApplication, Facts, application_mask, approved_application_from, load_facts
from .incremental import (
    queue_recompute_for_application,
    reweighting_recompute_for_application,
    scope_for_application,
)
from .keys import apm_entity_key, group_key, individual_key, subgroup_key, virtual_group_key
from .outcome import COLUMNS
from .stream import Scope, compute_rows
from .submissions import SubmissionRow, data_submissions_load
from .writes import RecomputeResult, participant_count, reweighting_recompute_year

__all__ = [
    "AUTOMATIC",
    "COLUMNS",
    "COPY_BATCH",
    "COST_BIT",
    "COST_NOT_SCORABLE",
    "COST_NOT_SCORABLE_DETAIL",
    "EUC",
    "INHERITED",
    "PI_BIT",
    "PI_HARDSHIP",
    "STREAM_CHUNK",
    "ApprovedApplication",
    "Facts",
    "ProgressCallback",
    "RecomputeResult",
    "ReweightingError",
    "Scope",
    "SubmissionRow",
    "apm_entity_key",
    "application_mask",
    "approved_application_from",
    "compute_rows",
    "load_facts",
    "data_submissions_load",
    "group_key",
    "individual_key",
    "participant_count",
    "queue_recompute_for_application",
    "reweighting_recompute_for_application",
    "reweighting_recompute_year",
    "scope_for_application",
    "subgroup_key",
    "virtual_group_key",
]
