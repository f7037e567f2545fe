"""``python manage.py generate_participants --clinicians N --seed S``: synthetic population for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from eligibility import generate, rules
from eligibility.cache import eligibility_data_changed
from eligibility.forms import current_performance_year


class Command(BaseCommand):
    help = (
        "Create N synthetic clinicians with practices (solo to thousands), special statuses, virtual groups "
        "and APM Entities for one performance year. Uses COPY on PostgreSQL, bulk inserts elsewhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinicians", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--year", type=int, default=None, help="performance year (default: current)")
        parser.add_argument(
            "--replace", action="store_true", help="delete previously generated participants first"
        )

    def handle(self, *args, clinicians: int, seed: int, year: int | None, replace: bool, **options):
        year = year or current_performance_year()
        if clinicians < 1:
            raise CommandError("--clinicians must be at least 1.")
        try:
            rules.rule_set_for_year(year)
        except rules.UnsupportedPerformanceYear as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()
        if replace:
            generate.remove_generated()
        verbosity = options.get("verbosity", 1)

        def progress(name: str, count: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {name}: {count:,}")

        try:
            counts = generate.generate(
                clinicians=clinicians, seed=seed, performance_year=year, on_flush=progress
            )
        except generate.GeneratedDataExists as exc:
            raise CommandError(str(exc)) from exc
        eligibility_data_changed()  # cached participation-status answers are forgotten (ADR 0074)
        elapsed = time.monotonic() - started
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {clinicians:,} clinicians for {year} in {elapsed:.1f} s (seed {seed})."
            )
        )
