"""Writes: the batch recompute of a year (COPY on PostgreSQL, bulk inserts elsewhere)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from eligibility.models import IndividualScenario

from .. import engine
from ..models import ParticipantReweighting
from .constants import COPY_BATCH, ProgressCallback, ReweightingError
from .outcome import COLUMNS
from .stream import compute_rows

# --- writes -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputeResult:
    performance_year: int
    participants: int
    by_type: dict[str, int]


class _CopyStream(io.TextIOBase):
    """A file-like object COPY reads from: CSV text produced on demand from the row generator."""

    def __init__(self, rows: Iterable[tuple], counts: dict[str, int]) -> None:
        self._rows = iter(rows)
        self._counts = counts
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        if size is None or size < 0:
            size = 1 << 20
        if len(self._buffer) < size:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            counts = self._counts
            for row in self._rows:
                writer.writerow([_copy_value(v) for v in row])
                counts[row[1]] = counts.get(row[1], 0) + 1
                if out.tell() >= size * 4:
                    break
            self._buffer += out.getvalue()
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        return chunk


def _copy_value(value: object) -> object:
    if value is True:
        return "t"
    if value is False:
        return "f"
    if value is None:
        return r"\N"
    return value


def _copy_stream(rows: Iterable[tuple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f'COPY "{ParticipantReweighting._meta.db_table}" ({", ".join(COLUMNS)}) '
            "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            _CopyStream(rows, counts),
            size=1 << 16,
        )
    return counts


def _bulk_create(rows: list[tuple]) -> None:
    objects = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        values["reasons"] = json.loads(values["reasons"])
        objects.append(ParticipantReweighting(**values))
    ParticipantReweighting.objects.bulk_create(objects, batch_size=2000)


def _write(rows: Iterable[tuple]) -> dict[str, int]:
    counts: dict[str, int] = {}
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        counts[row[1]] = counts.get(row[1], 0) + 1
        if len(batch) >= COPY_BATCH:
            _bulk_create(batch)
            batch = []
    if batch:
        _bulk_create(batch)
    return counts


def participant_count(year: int) -> int:
    """How many TIN/NPI scenarios a full recompute of the year reads (for a progress bar)."""
    return IndividualScenario.objects.filter(performance_year=year).count()


def reweighting_recompute_year(
    *, performance_year: int, on_progress: ProgressCallback | None = None, progress_every: int = 10_000
) -> RecomputeResult:
    """Recompute every participant of a year, set-based: bulk reads, one streamed pass over the TIN/NPI
    scenarios, the year's rows replaced in one transaction (COPY on PostgreSQL, bulk inserts elsewhere)."""
    try:
        engine.policy_for(performance_year)
    except engine.PolicyError as exc:
        raise ReweightingError(str(exc)) from exc
    total = participant_count(performance_year)
    seen = 0

    def tick() -> None:
        nonlocal seen
        seen += 1
        if on_progress is not None and (seen % progress_every == 0 or seen == total):
            on_progress(seen, total)

    # The second reading connection only sees committed data: inside a caller's transaction (a test, or a
    # caller that just wrote eligibility rows) the scenarios must be read on this connection instead.
    read_separately = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        ParticipantReweighting.objects.filter(performance_year=performance_year)._raw_delete(connection.alias)
        now = timezone.now()
        rows = compute_rows(
            performance_year,
            on_participant=tick if on_progress else None,
            separate_connection=read_separately,
            # Formatted once: COPY takes text, and a million str(datetime) calls add up.
            computed_at=now.isoformat() if read_separately else now,
        )
        # COPY streams while the second connection reads; one connection cannot FETCH from its cursor in
        # the middle of its own COPY, so without the second reader the rows go in bulk inserts.
        counts = _copy_stream(rows) if read_separately else _write(rows)
    if on_progress is not None and total == 0:
        on_progress(0, 0)
    return RecomputeResult(performance_year, sum(counts.values()), counts)
