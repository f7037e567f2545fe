"""Load the demo data of ``make run``: idempotent, so running it twice changes nothing.

Each app owns its part in ``<app>/demo.py`` with a ``load() -> list[str]`` function returning lines
to print (for example the demo accounts). Order matters: eligibility data first, then accounts that
link to it, then applications filed by those accounts.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_MODULES = ("eligibility.demo", "accounts.demo", "applications.demo")


class Command(BaseCommand):
    help = "Load demo eligibility data, demo accounts and demo applications (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        lines: list[str] = []
        with transaction.atomic():
            for dotted in DEMO_MODULES:
                try:
                    module = import_module(dotted)
                except ModuleNotFoundError as exc:
                    if exc.name != dotted:
                        raise
                    continue
                lines.extend(module.load())
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
