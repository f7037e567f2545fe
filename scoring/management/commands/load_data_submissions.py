"""``python manage.py load_data_submissions FILE.csv``: record that performance data was submitted.

Columns (header row required): ``submitter_type, npi, tin, virtual_group_identifier, apm_entity_identifier,
performance_year, category, submitted_at``. Every row is validated first; one bad row stores nothing.
Loading the same file twice changes nothing (exact duplicates are skipped).
"""

from __future__ import annotations

import csv
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from eligibility.validators import is_valid_npi, is_valid_tin
from scoring import engine, services
from scoring.models import SubmitterType

EASTERN = ZoneInfo("America/New_York")
REQUIRED = ("submitter_type", "performance_year", "category", "submitted_at")


def parse_row(raw: dict[str, str]) -> services.SubmissionRow:
    """Validate one CSV row; raises ValueError with a message fit for the user."""
    values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
    for name in REQUIRED:
        if not values.get(name):
            raise ValueError(f"{name} is required")
    submitter_type = values["submitter_type"].lower()
    if submitter_type not in SubmitterType.values:
        raise ValueError(f"submitter_type must be one of {', '.join(SubmitterType.values)}")
    npi, tin = values.get("npi", ""), values.get("tin", "")
    vg = values.get("virtual_group_identifier", "").upper()
    apm = values.get("apm_entity_identifier", "").upper()
    if npi and not is_valid_npi(npi):
        raise ValueError("npi must be a valid 10-digit NPI (the last digit is a check digit)")
    if tin and not is_valid_tin(tin):
        raise ValueError("tin must be 9 digits")
    needs = {
        "individual": (npi and tin, "an individual submission needs npi and tin"),
        "group": (tin, "a group submission needs tin"),
        "virtual_group": (vg, "a virtual group submission needs virtual_group_identifier"),
        "apm_entity": (apm, "an APM Entity submission needs apm_entity_identifier"),
    }
    present, message = needs[submitter_type]
    if not present:
        raise ValueError(message)
    year_text = values["performance_year"]
    if not (year_text.isdigit() and len(year_text) == 4) or int(year_text) < 2017:
        raise ValueError("performance_year must be a year from 2017")
    try:
        category = engine.normalize_category(values["category"])
    except engine.PolicyError as exc:
        raise ValueError(str(exc)) from None
    text = values["submitted_at"]
    moment = parse_datetime(text)
    if moment is None and parse_date(text) is not None:
        moment = parse_datetime(f"{text}T00:00:00")
    if moment is None:
        raise ValueError("submitted_at must be an ISO date or date-time, e.g. 2027-03-01T14:30:00-05:00")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=EASTERN)  # CMS deadlines and timestamps are Eastern Time
    return services.SubmissionRow(
        npi=npi if submitter_type == "individual" else "",
        tin=tin if submitter_type in ("individual", "group") else "",
        virtual_group_identifier=vg if submitter_type == "virtual_group" else "",
        apm_entity_identifier=apm if submitter_type == "apm_entity" else "",
        performance_year=int(year_text),
        category=category,
        submitter_type=submitter_type,
        submitted_at=moment,
    )


class Command(BaseCommand):
    help = "Load performance-data submissions from a CSV file (validated; duplicates skipped)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file with a header row")

    def handle(self, *args, path: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        rows: list[services.SubmissionRow] = []
        errors: list[str] = []
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in [f.strip().lower() for f in reader.fieldnames or []]]
            if missing:
                raise CommandError(f"The header row lacks: {', '.join(missing)}")
            for line, raw in enumerate(reader, start=2):
                try:
                    rows.append(parse_row(raw))
                except ValueError as exc:
                    errors.append(f"line {line}: {exc}")
        if errors:
            raise CommandError("Nothing was loaded. " + "; ".join(errors[:20]))
        created, skipped = services.data_submissions_load(rows=rows)
        self.stdout.write(self.style.SUCCESS(f"Loaded {created} submissions ({skipped} already on file)."))
