"""Buffered writing of the generated rows: the columns written per model (``COLUMNS``), the order tables
are written in (``ORDER``), and ``_Writer``, which hands out explicit primary keys and flushes each model's
rows in batches of ``BATCH`` with PostgreSQL ``COPY`` (psycopg2 ``copy_expert``) or, elsewhere,
``bulk_create`` (ADR 0012), then resets the PostgreSQL sequences past the written keys.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models

from ..models import (
    APMEntity,
    APMParticipant,
    Clinician,
    GroupScenario,
    IndividualScenario,
    Practice,
    PracticeLocation,
    VirtualGroup,
)
from ..services import FLAG_FIELDS, LOW_VOLUME_FIELDS

BATCH = 50_000


@dataclass
class Tables:
    """Buffered rows per model, flushed in batches."""

    rows: dict[type[models.Model], list[tuple]] = field(default_factory=dict)
    counts: dict[type[models.Model], int] = field(default_factory=dict)

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.rows.setdefault(model, []).append(row)


COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Clinician: ("id", "npi", "first_name", "last_name", "clinician_type", "specialty"),
    Practice: ("id", "tin", "legal_name"),
    PracticeLocation: (
        "id",
        "practice_id",
        "address_line_1",
        "address_line_2",
        "city",
        "state",
        "zip_code",
        "broadband_available",
    ),
    IndividualScenario: (
        "id",
        "performance_year",
        "clinician_id",
        "practice_id",
        *FLAG_FIELDS,
        *LOW_VOLUME_FIELDS,
        "low_volume_switch",
        "low_volume_status_reasons",
        "opted_in",
        "is_eligible_individual",
        "is_eligible_group",
        "is_eligible_mips_apm",
        "is_eligible_virtual_group",
    ),
    GroupScenario: (
        "id",
        "performance_year",
        "practice_id",
        *FLAG_FIELDS,
        *LOW_VOLUME_FIELDS,
        "low_volume_switch",
        "low_volume_status_reasons",
        "opted_in",
        "clinician_count",
        "mips_eligible_count",
        "hospital_based_count",
        "non_patient_facing_count",
        "ambulatory_surgical_center_count",
        "is_eligible_group",
        "source",
    ),
    VirtualGroup: ("id", "identifier", "performance_year", "name"),
    VirtualGroup.practices.through: ("id", "virtualgroup_id", "practice_id"),
    APMEntity: ("id", "apm_id", "apm_name", "entity_id", "name", "performance_year"),
    APMParticipant: ("id", "apm_entity_id", "practice_id", "clinician_id"),
}
ORDER = (
    Clinician,
    Practice,
    PracticeLocation,
    IndividualScenario,
    GroupScenario,
    VirtualGroup,
    VirtualGroup.practices.through,
    APMEntity,
    APMParticipant,
)


class _Writer:
    def __init__(self, use_copy: bool, on_flush: Callable[[str, int], None] | None):
        self.use_copy = use_copy
        self.on_flush = on_flush
        self.next_id: dict[type[models.Model], int] = {}
        for model in ORDER:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next_id[model] = (last or 0) + 1
        self.tables = Tables()

    def new_id(self, model: type[models.Model]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.tables.add(model, row)
        if len(self.tables.rows[model]) >= BATCH:
            self.flush(model)

    def flush(self, model: type[models.Model]) -> None:
        rows = self.tables.rows.get(model) or []
        if not rows:
            return
        columns = COLUMNS[model]
        if self.use_copy:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow(
                    ["t" if v is True else "f" if v is False else (r"\N" if v is None else v) for v in row]
                )
            buffer.seek(0)
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg2 cursor under Django's wrapper
                raw.copy_expert(
                    f'COPY "{model._meta.db_table}" ({", ".join(columns)}) '
                    "FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                    buffer,
                )
        else:
            objects = []
            for row in rows:
                values = dict(zip(columns, row, strict=True))
                if "low_volume_status_reasons" in values:
                    values["low_volume_status_reasons"] = json.loads(values["low_volume_status_reasons"])
                objects.append(model(**values))
            model.objects.bulk_create(objects, batch_size=2000)
        self.tables.counts[model] = self.tables.counts.get(model, 0) + len(rows)
        self.tables.rows[model] = []
        if self.on_flush:
            self.on_flush(model._meta.verbose_name_plural, self.tables.counts[model])

    def flush_all(self) -> None:
        for model in ORDER:
            self.flush(model)

    def reset_sequences(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model in ORDER:
                table = model._meta.db_table
                # Table names come from our own models' Meta, never from input.
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608  # nosec B608 - model table
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
                )
