"""Constants, the error and the callback type shared by the reweighting submodules."""

from __future__ import annotations

from collections.abc import Callable

from .. import engine
from ..policy import COST, PROMOTING_INTEROPERABILITY

PI_BIT = engine.CATEGORY_BITS[PROMOTING_INTEROPERABILITY]
COST_BIT = engine.CATEGORY_BITS[COST]
COPY_BATCH = 50_000
STREAM_CHUNK = 20_000

# Sources recorded in ParticipantReweighting.reasons.
AUTOMATIC = "automatic_pi_reweighting"
PI_HARDSHIP = "pi_hardship"
EUC = "euc"
COST_NOT_SCORABLE = "cost_not_scorable"
INHERITED = "inherited_from_group"
COST_NOT_SCORABLE_DETAIL = "No cost measure meets its case minimum"

ProgressCallback = Callable[[int, int], None]


class ReweightingError(Exception):
    """A recompute that cannot run (for example a year without policy data)."""
