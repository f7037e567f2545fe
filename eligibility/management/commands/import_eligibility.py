"""``python manage.py import_eligibility FILE --year YYYY``: load QPP Eligibility API v6 JSON or a CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from eligibility import rules
from eligibility.importers import ImportFailed, parse_file
from eligibility.services import import_participation_records


class Command(BaseCommand):
    help = (
        "Import participation data for one performance year: a QPP Eligibility API v6 NPI document, a JSON "
        "list of them, or a CSV with one row per TIN/NPI. All-or-nothing; re-importing updates in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a .json or .csv file")
        parser.add_argument("--year", type=int, required=True, help="performance year, e.g. 2026")

    def handle(self, *args, file: str, year: int, **options):
        try:
            rules.rule_set_for_year(year)
        except rules.UnsupportedPerformanceYear as exc:
            raise CommandError(str(exc)) from exc
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text") from exc
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror})") from exc
        try:
            records = parse_file(path.name, text)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(f"{len(exc.errors)} error(s) in {file}; nothing was imported.") from exc
        summary = import_participation_records(records, performance_year=year)
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {len(records)} TIN/NPI record(s) for {year}."))
