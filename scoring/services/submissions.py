"""Data submissions (issue 8 point 4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from eligibility.cache import eligibility_data_changed

from ..models import DataSubmission

# --- data submissions (issue 8 point 4) --------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    npi: str
    tin: str
    virtual_group_identifier: str
    apm_entity_identifier: str
    performance_year: int
    category: str
    submitter_type: str
    submitted_at: Any


_IDENTITY_FIELDS = (
    "npi",
    "tin",
    "virtual_group_identifier",
    "apm_entity_identifier",
    "performance_year",
    "category",
    "submitter_type",
    "submitted_at",
)


@transaction.atomic
def data_submissions_load(*, rows: list[SubmissionRow]) -> tuple[int, int]:
    """Insert validated submissions, skipping exact duplicates (so loading a file twice changes nothing).
    Returns (created, skipped).

    The rows already stored are read in one query for the file's years and time span, not one query per row.
    """
    if not rows:
        return 0, 0
    times = [row.submitted_at for row in rows]
    seen: set[tuple] = set(
        DataSubmission.objects.filter(
            performance_year__in={row.performance_year for row in rows},
            submitted_at__gte=min(times),
            submitted_at__lte=max(times),
        ).values_list(*_IDENTITY_FIELDS)
    )
    new: list[DataSubmission] = []
    for row in rows:
        identity = tuple(getattr(row, name) for name in _IDENTITY_FIELDS)
        if identity in seen:
            continue
        seen.add(identity)
        new.append(DataSubmission(**row.__dict__))
    DataSubmission.objects.bulk_create(new, batch_size=2000)
    if new:
        # Submitted data overrides reweighting per category: cached "if approved" previews are forgotten
        # (eligibility.cache, ADR 0074).
        eligibility_data_changed()
    return len(new), len(rows) - len(new)
