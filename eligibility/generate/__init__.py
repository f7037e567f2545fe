"""A realistic synthetic participant population for benchmarks (``generate_participants``).

Rows are produced as plain tuples with explicit primary keys and written with PostgreSQL ``COPY`` (psycopg2
``copy_expert``) or, elsewhere, ``bulk_create`` in batches; one million clinicians take minutes, not hours
(ADR 0012). Deterministic for a given ``--seed``. NPIs start at first-nine ``300000000`` and TINs at
``700000000``, so they never collide with the demo identifiers.

Split by concern: ``distributions`` (size bands, type mix, names and the draws from them), ``writer``
(columns, table order and the batched COPY / ``bulk_create`` writer) and ``population`` (``generate`` and
``remove_generated``). Import from ``eligibility.generate``; to patch a helper, patch it in the submodule
that calls it.
"""

from .distributions import (
    FIRST_NAMES,
    LAST_NAMES,
    SIZE_BANDS,
    SPECIALTIES,
    STATES,
    TYPE_MIX,
)
from .population import NPI_BASE, TIN_BASE, GeneratedDataExists, generate, remove_generated
from .writer import BATCH, COLUMNS, ORDER, Tables

__all__ = [
    "BATCH",
    "COLUMNS",
    "FIRST_NAMES",
    "LAST_NAMES",
    "NPI_BASE",
    "ORDER",
    "SIZE_BANDS",
    "SPECIALTIES",
    "STATES",
    "TIN_BASE",
    "TYPE_MIX",
    "GeneratedDataExists",
    "Tables",
    "generate",
    "remove_generated",
]
