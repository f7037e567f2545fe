"""The suite's clock (ADR 0004): every test runs at one stated instant, whatever the wall clock says.

The suite's data is for performance year 2026 (the factories' default year, the 2026 window of the tests),
so the clock stands in that year's window: Monday, November 23, 2026 at noon ET. It ticks from there, so
durations, timeouts and sleeps behave as usual. The live server of the browser tests runs in the test
process and shares this clock; Chromium runs on the machine's clock (ADR 0004), which no page relies on.

A test that needs another instant moves the clock with the ``time_machine`` fixture
(``time_machine.move_to(et(2026, 12, 31, 19, 59, 59), tick=False)``), never by patching ``timezone.now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine

SUITE_NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("America/New_York"))


@contextmanager
def suite_clock() -> Iterator[None]:
    # Given in UTC: a ZoneInfo destination would make time-machine rewrite the process's TZ variable.
    with time_machine.travel(SUITE_NOW.astimezone(dt.UTC), tick=True):
        yield
