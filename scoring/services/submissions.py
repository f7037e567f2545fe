"""Data submissions (issue 8 point 4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

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


@transaction.atomic
def data_submissions_load(*, rows: list[SubmissionRow]) -> tuple[int, int]:
    """Insert validated submissions, skipping exact duplicates (so loading a file twice changes nothing).
    Returns (created, skipped)."""
    created = skipped = 0
    new: list[DataSubmission] = []
    seen: set[tuple] = set()
    for row in rows:
        identity = (
            row.npi,
            row.tin,
            row.virtual_group_identifier,
            row.apm_entity_identifier,
            row.performance_year,
            row.category,
            row.submitter_type,
            row.submitted_at,
        )
        exists = (
            identity in seen
            or DataSubmission.objects.filter(
                npi=row.npi,
                tin=row.tin,
                virtual_group_identifier=row.virtual_group_identifier,
                apm_entity_identifier=row.apm_entity_identifier,
                performance_year=row.performance_year,
                category=row.category,
                submitter_type=row.submitter_type,
                submitted_at=row.submitted_at,
            ).exists()
        )
        if exists:
            skipped += 1
            continue
        seen.add(identity)
        new.append(DataSubmission(**row.__dict__))
        created += 1
    DataSubmission.objects.bulk_create(new, batch_size=2000)
    return created, skipped
