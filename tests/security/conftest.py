"""Security-suite fixtures and the count of hostile inputs tried (printed in the terminal summary).

The count is reported whether or not ``-s`` is given: ``pytest_terminal_summary`` writes through pytest's
own terminal reporter (issue 10, point 1: "report how many inputs were tried in the test output").
"""

from __future__ import annotations

from collections import Counter

import pytest

HOSTILE_INPUTS: Counter[str] = Counter()
# Other figures the README's security section quotes (e.g. URL patterns × roles checked by the matrix).
FIGURES: dict[str, str] = {}


def count_input(target: str) -> None:
    HOSTILE_INPUTS[target] += 1


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    if FIGURES:
        terminalreporter.section("security figures (issue 10)")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name}: {value}")
    if not HOSTILE_INPUTS:
        return
    terminalreporter.section("hostile inputs (issue 10)")
    for target, count in sorted(HOSTILE_INPUTS.items()):
        terminalreporter.write_line(f"{target}: {count}")
    terminalreporter.write_line(f"Hostile inputs tried: {sum(HOSTILE_INPUTS.values())}")
