"""Application windows and reopenings, decided on the server's UTC clock read in Eastern Time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .codes import (
    EASTERN,
    EVENT_TYPE_LABELS,
)
from .texts import (
    FIRST_CHANGE_HEALTHCARE_QUESTION_YEAR,
    PY2024_BANNER_NOTE,
)

# ------------------------------------------------------------------------------------------------------------
# Windows (issue 5 point 2; seed 002_…: "available through December 31, 2024, at 8:00 PM ET")
# ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReopeningSpec:
    opens_at: dt.datetime
    closes_at: dt.datetime
    event_type: str
    change_healthcare_cyberattack_only: bool = False
    note: str = ""


@dataclass(frozen=True)
class WindowSpec:
    performance_year: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    reopenings: tuple[ReopeningSpec, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class WindowDecision:
    allowed: bool
    # "open", "reopened", "not_yet_open", "closed", "no_window", "reopened_other_event"
    state: str
    message: str = ""


def format_et(moment: dt.datetime, *, with_time: bool = True) -> str:
    """'December 31, 2024 at 8 p.m. ET' (CMS's style), in Eastern Time."""
    local = moment.astimezone(EASTERN)
    date_text = f"{local:%B} {local.day}, {local.year}"
    if not with_time:
        return date_text
    hour = local.hour % 12 or 12
    suffix = "a.m." if local.hour < 12 else "p.m."
    minutes = f":{local.minute:02d}" if local.minute else ""
    if local.hour == 0 and local.minute == 0:
        return f"{date_text} at 12 a.m. ET"
    return f"{date_text} at {hour}{minutes} {suffix} ET"


def _in(opens_at: dt.datetime, closes_at: dt.datetime, now_utc: dt.datetime) -> bool:
    # Closing time is exclusive: on the closing day 19:59:59 ET is accepted, 20:00:00 ET is refused.
    return opens_at <= now_utc < closes_at


def window_allows_submission(
    window: WindowSpec | None,
    now_utc: dt.datetime,
    event_type: str = "",
    *,
    change_healthcare_cyberattack: bool | None = None,
    performance_year: int | None = None,
) -> WindowDecision:
    """May an application be submitted now? Uses the server's clock (aware, UTC) read in Eastern Time."""
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    now_et = now_utc.astimezone(EASTERN)
    keep = "You can keep this draft, but you can't submit it."
    if window is None:
        year = performance_year if performance_year is not None else "this"
        return WindowDecision(
            False, "no_window", f"The {year} QPP Exception Applications window isn't open. {keep}"
        )
    year = window.performance_year
    if _in(window.opens_at, window.closes_at, now_et):
        return WindowDecision(True, "open")
    for reopening in window.reopenings:
        if not _in(reopening.opens_at, reopening.closes_at, now_et):
            continue
        accepted = event_type == reopening.event_type and (
            not reopening.change_healthcare_cyberattack_only or change_healthcare_cyberattack is True
        )
        if accepted:
            return WindowDecision(True, "reopened")
        only = EVENT_TYPE_LABELS.get(reopening.event_type, reopening.event_type)
        if reopening.change_healthcare_cyberattack_only:
            only = f"{only} (Change Healthcare cyberattack)"
        return WindowDecision(
            False,
            "reopened_other_event",
            f"The {year} QPP Exception Applications window is reopened until "
            f"{format_et(reopening.closes_at)} only "
            f"for applications with the event type {only}. {keep}",
        )
    if now_et < window.opens_at:
        return WindowDecision(
            False,
            "not_yet_open",
            f"The {year} QPP Exception Applications window opens {format_et(window.opens_at)}. {keep}",
        )
    return WindowDecision(
        False,
        "closed",
        f"The {year} QPP Exception Applications window closed {format_et(window.closes_at)}. {keep}",
    )


@dataclass(frozen=True)
class WindowBanner:
    is_open: bool
    heading: str
    text: str
    opens_on: str
    closes_on: str


def window_banner(window: WindowSpec | None, now_utc: dt.datetime, performance_year: int) -> WindowBanner:
    """The dashboard banner (seed 003_…, Step 2: "QPP Exception Application Window is Open" / "The 2024 QPP
    Exception Applications window will close December 31, 2024 at 8 p.m. ET.")."""
    if window is None:
        return WindowBanner(
            False,
            "QPP Exception Application Window is Closed",
            f"There is no QPP Exception Applications window for the {performance_year} performance year.",
            "",
            "",
        )
    opens_on, closes_on = (
        format_et(window.opens_at, with_time=False),
        format_et(window.closes_at, with_time=False),
    )
    year = window.performance_year
    if _in(window.opens_at, window.closes_at, now_utc):
        text = f"The {year} QPP Exception Applications window will close {format_et(window.closes_at)}."
        if year >= FIRST_CHANGE_HEALTHCARE_QUESTION_YEAR:
            text = f"{text} {PY2024_BANNER_NOTE}"
        return WindowBanner(True, "QPP Exception Application Window is Open", text, opens_on, closes_on)
    for reopening in window.reopenings:
        if _in(reopening.opens_at, reopening.closes_at, now_utc):
            only = EVENT_TYPE_LABELS.get(reopening.event_type, reopening.event_type)
            if reopening.change_healthcare_cyberattack_only:
                only = f"{only} (Change Healthcare cyberattack)"
            return WindowBanner(
                True,
                "QPP Exception Application Window is Reopened",
                f"The {year} QPP Exception Applications window is reopened until "
                f"{format_et(reopening.closes_at)} "
                f"only for applications with the event type {only}.",
                opens_on,
                closes_on,
            )
    if now_utc < window.opens_at:
        return WindowBanner(
            False,
            "QPP Exception Application Window is Not Open Yet",
            f"The {year} QPP Exception Applications window will open {opens_on} and close "
            f"{format_et(window.closes_at)}.",
            opens_on,
            closes_on,
        )
    return WindowBanner(
        False,
        "QPP Exception Application Window is Closed",
        f"The {year} QPP Exception Applications window opened {opens_on} and closed "
        f"{format_et(window.closes_at)}.",
        opens_on,
        closes_on,
    )
