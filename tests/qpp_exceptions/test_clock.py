"""One clock (ADR 0004): every "now" in the code comes from ``django.utils.timezone.now``, and the suite runs
at its stated instant whatever the machine's clock says."""

from __future__ import annotations

import ast
import datetime as dt
import time
from pathlib import Path

from django.utils import timezone

from tests.clock import SUITE_NOW

ROOT = Path(__file__).resolve().parents[2]
CODE = ("accounts", "applications", "eligibility", "scoring", "qpp_exceptions", "bench", "manage.py")
# Reading the wall clock any other way: time.time(), datetime.now(), date.today() and their relatives.
# time.monotonic() and time.perf_counter() measure durations and stay allowed.
TIME_READERS = {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime", "strftime"}
DATETIME_READERS = {"now", "utcnow", "today"}


def clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, expression) for every read of the wall clock that bypasses django.utils.timezone.now."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "time":
            names = [alias.name for alias in node.names if alias.name in TIME_READERS]
            found += [(node.lineno, f"from time import {name}") for name in names]
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
        if owner_name == "time" and isinstance(owner, ast.Name) and node.attr in TIME_READERS:
            found.append((node.lineno, f"time.{node.attr}"))
        if owner_name in {"datetime", "date"} and node.attr in DATETIME_READERS:
            found.append((node.lineno, f"{owner_name}.{node.attr}"))
    return sorted(found)


def _python_files():
    for entry in CODE:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        yield from (f for f in files if "migrations" not in f.parts)


def test_the_code_reads_the_clock_only_through_timezone_now():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {expression}"
        for path in _python_files()
        for line, expression in clock_reads(path.read_text())
    ]
    assert not offenders, "Read the clock with django.utils.timezone.now():\n" + "\n".join(offenders)


def test_templates_do_not_read_the_clock():
    templates = (ROOT / "templates").rglob("*.html")
    offenders = [str(path.relative_to(ROOT)) for path in templates if "{% now" in path.read_text()]
    assert not offenders, f"{{% now %}} reads the clock in the template: {offenders}"


def test_the_scan_finds_every_way_of_reading_the_clock():
    source = "\n".join(
        [
            "import time, datetime as dt",
            "from datetime import date, datetime",
            "from time import time_ns",
            "a = time.time()",
            "b = dt.datetime.now()",
            "c = datetime.utcnow()",
            "d = date.today()",
            "e = dt.date.today()",
            "f = time.localtime()",
            "ok = time.monotonic() + time.perf_counter()",
        ]
    )
    assert [expression for _, expression in clock_reads(source)] == [
        "from time import time_ns",
        "time.time",
        "datetime.now",
        "datetime.utcnow",
        "date.today",
        "date.today",
        "time.localtime",
    ]


def test_the_suite_runs_at_its_stated_instant():
    # Under `faketime` the machine says 2031; the suite still says November 23, 2026 at noon ET.
    assert abs(timezone.now() - SUITE_NOW) < dt.timedelta(minutes=5)
    assert abs(time.time() - SUITE_NOW.timestamp()) < 300
    assert timezone.localdate() == dt.date(2026, 11, 23)
