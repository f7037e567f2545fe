"""``python manage.py compute_reweighting --year YYYY``: recompute every participant of a performance year,
set-based, with a progress bar (issue 8 point 5)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from scoring import services


class Command(BaseCommand):
    help = "Recompute the reweighted categories and weights of every participant of a performance year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="performance year, e.g. 2026")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")

    def handle(self, *args, year: int, no_progress: bool, **options):
        started = time.monotonic()
        err = self.stderr
        draw = not no_progress and options.get("verbosity", 1) > 0

        def progress(done: int, total: int) -> None:
            width = 30
            share = done / total if total else 1.0
            filled = int(width * share)
            elapsed = time.monotonic() - started
            rate = done / elapsed if elapsed > 0 else 0.0
            end = "\n" if done >= total else ""
            err.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {share:6.1%}  {done:,}/{total:,} TIN/NPI  "
                f"{rate:,.0f}/s",
                ending=end,
            )
            err.flush()

        try:
            result = services.reweighting_recompute_year(
                performance_year=year, on_progress=progress if draw else None
            )
        except services.ReweightingError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        for ptype, count in sorted(result.by_type.items()):
            self.stdout.write(f"{ptype}: {count:,}")
        rate = result.participants / elapsed if elapsed > 0 else 0.0
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {result.participants:,} participants for {year} in {elapsed:.1f} s "
                f"({rate:,.0f} participants/s)."
            )
        )
        sys.stderr.flush()
