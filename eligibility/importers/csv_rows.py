"""CSV: one row per TIN/NPI with the columns in ``CSV_COLUMNS`` (a header is required; unknown columns are
refused), validated row by row, with duplicate TIN/NPI pairs reported against their first line.
"""

from __future__ import annotations

import csv
import io

from ..services import FLAG_FIELDS, ParticipationRecord
from ..validators import is_valid_npi, is_valid_tin
from .errors import ImportFailed, _Collector
from .values import _amount, clinician_type_from

CSV_COLUMNS = (
    "npi",
    "first_name",
    "last_name",
    "clinician_type",
    "specialty",
    "tin",
    "legal_name",
    *FLAG_FIELDS,
    "is_eligible_individual",
    "is_eligible_group",
    "allowed_charges",
    "part_b_patients",
    "covered_services",
    "low_volume_switch",
    "opted_in",
)
CSV_REQUIRED = ("npi", "first_name", "last_name", "clinician_type", "tin", "legal_name")
CSV_BOOLEANS = {
    *FLAG_FIELDS,
    "is_eligible_individual",
    "is_eligible_group",
    "low_volume_switch",
    "opted_in",
}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}


def parse_csv(text: str) -> list[ParticipationRecord]:
    collector = _Collector()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing:
        collector.add(1, "header", f"missing column(s): {', '.join(missing)}")
    if unknown:
        collector.add(1, "header", f"unknown column(s): {', '.join(unknown)}")
    if collector.errors:
        raise ImportFailed(collector.errors)
    reader.fieldnames = header
    records: list[ParticipationRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            collector.add(line, "", "more values than columns")
            continue
        row = {k: (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        before = len(collector.errors)
        if not is_valid_npi(row["npi"]):
            collector.add(line, "npi", f"{row['npi'] or 'missing'} is not a valid NPI")
        if not is_valid_tin(row["tin"]):
            collector.add(line, "tin", f"{row['tin'] or 'missing'} is not a valid 9-digit TIN")
        for column in ("first_name", "last_name", "legal_name"):
            if not row[column]:
                collector.add(line, column, "is required")
        clinician_type = clinician_type_from(row["clinician_type"]) if row["clinician_type"] else None
        if clinician_type is None:
            collector.add(line, "clinician_type", f"unknown clinician type {row['clinician_type']!r}")
        individual: dict[str, object] = {}
        for column in CSV_BOOLEANS:
            if column not in row:
                continue
            value = row[column].lower()
            if value in _TRUE:
                individual[column] = True
            elif value in _FALSE:
                if value or column not in ("is_eligible_individual", "is_eligible_group"):
                    individual[column] = False
            else:
                collector.add(line, column, f"{row[column]!r} is not true or false")
        for column in ("allowed_charges", "part_b_patients", "covered_services"):
            if column in row:
                try:
                    individual[column] = _amount(row[column], integer=column != "allowed_charges")
                except (ValueError, TypeError):
                    collector.add(line, column, f"{row[column]!r} is not a non-negative number")
        key = (row["npi"], row["tin"])
        if key in seen:
            collector.add(line, "", f"duplicate of the TIN/NPI pair on line {seen[key]}")
        seen.setdefault(key, line)
        if len(collector.errors) > before:
            continue
        records.append(
            ParticipationRecord(
                npi=row["npi"],
                first_name=row["first_name"],
                last_name=row["last_name"],
                clinician_type=clinician_type or "",
                specialty=row.get("specialty", ""),
                tin=row["tin"],
                legal_name=row["legal_name"],
                individual=individual,
            )
        )
    if not records and not collector.errors:
        collector.add(None, "", "the file holds no rows")
    if collector.errors:
        raise ImportFailed(collector.errors)
    return records
