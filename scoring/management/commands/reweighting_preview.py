"""``python manage.py reweighting_preview --year 2024 --track traditional --reweighted cost,pi [--scores …]``:
print the weights (and, with scores, the final score) as one JSON object. Bad input: one line on stderr,
exit status 2 (issue 8 point 6)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from scoring import engine


class Command(BaseCommand):
    help = "Preview MIPS category weights after reweighting, as JSON (same numbers as the API and the page)."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="performance year, e.g. 2024")
        parser.add_argument("--track", required=True, help="traditional, small_practice or app")
        parser.add_argument(
            "--reweighted",
            default="",
            help="comma-separated categories: quality, cost, ia|improvement_activities, "
            "pi|promoting_interoperability",
        )
        parser.add_argument(
            "--scores",
            default=None,
            help="optional: quality=80,cost=50,improvement_activities=100,promoting_interoperability=60",
        )

    def handle(self, *args, year: str, track: str, reweighted: str, scores: str | None, **options):
        try:
            result = engine.preview(year=year, track=track, reweighted=reweighted, scores=scores)
        except engine.PolicyError as exc:
            # One line on stderr and status 2, like a usage error (CommandError would print a traceback
            # hint and exit 1).
            self.stderr.write(f"error: {str(exc).splitlines()[0]}")
            sys.exit(2)
        self.stdout.write(json.dumps(result.as_dict()))
