"""Demo windows and applications for ``python manage.py load_demo_data`` (idempotent, on any date).

Windows (ADR 0004, "The demo on any date"): the past years CMS published keep their real dates (PY2023 with
its two Change Healthcare reopenings, field notes; PY2024 from May 13 to December 31, 2024 at 8 p.m. ET, seed
002_… and seed 003_…, Step 2), and every later year up to this one gets a window in the same spring season,
so this year's window is open today. Between January 1 and this year's spring opening the demo opens this
year's window on January 1 instead: CMS's real window would not be open yet, but a demo must let a visitor
file at once. Loading again on a later date adds the years that are missing and changes nothing else; a
window that exists is never moved (an administrator may have edited it).

Applications are filed through the services (the only writers) by the demo accounts, on participants and
years the browser tests don't use: 2025 approved, denied and pending, a 2024 withdrawn one, and an EUC draft
for this year filed by the intermediary for NPI 1000000053.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User

from . import policy, selectors, services
from .models import Application, ApplicationWindow, WindowReopening

ET = ZoneInfo("America/New_York")


def _et(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=ET)


# Windows CMS published, with their real dates. PY2023's deadline was January 2, 2024 at 8 p.m. ET (its April
# opening day is a demo choice); PY2024: seed 002_… ("available through December 31, 2024, at 8:00 PM ET") and
# seed 003_…, Step 2 (opens May 13, 2024).
PUBLISHED_WINDOWS = {
    2023: (_et(2023, 4, 3), _et(2024, 1, 2, 20)),
    2024: (_et(2024, 5, 13), _et(2024, 12, 31, 20)),
}
FIRST_DEMO_YEAR = min(PUBLISHED_WINDOWS)
# Field notes: PY2023 reopened twice for the Change Healthcare cyberattack only, to April 15 and to
# October 11, 2024 (the opening days are demo choices).
REOPENINGS_2023 = (
    (_et(2024, 3, 27), _et(2024, 4, 15, 20), "Reopened for the Change Healthcare cyberattack"),
    (_et(2024, 9, 3), _et(2024, 10, 11, 20), "Reopened again for the Change Healthcare cyberattack"),
)


def spring_opening(year: int) -> dt.datetime:
    """Assumption (demo only): later windows open like PY2024's, on the second Monday of May at midnight ET
    (May 13, 2024 was one; seed 003_…, Step 2). The closing time is CMS's: December 31 at 8 p.m. ET."""
    first = dt.date(year, 5, 1)
    first_monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    second_monday = first_monday + dt.timedelta(days=7)
    return _et(second_monday.year, second_monday.month, second_monday.day)


def demo_window(year: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(opens_at, closes_at) of the demo's window for a performance year, when it is first loaded at `now`."""
    if year in PUBLISHED_WINDOWS:
        return PUBLISHED_WINDOWS[year]
    opens_at = spring_opening(year)
    if year == now.astimezone(ET).year and now < opens_at:
        opens_at = _et(year, 1, 1)  # before the spring opening: opened early, so the demo can be filed in
    return opens_at, _et(year, 12, 31, 20)


def demo_years(now: dt.datetime) -> range:
    """Every performance year the demo has a window for: the published ones up to this one (ET)."""
    return range(FIRST_DEMO_YEAR, now.astimezone(ET).year + 1)


@dataclass(frozen=True)
class DemoApplication:
    filer: str
    exception_type: str
    year: int | None  # None: this year (the one whose window the demo keeps open)
    answers: dict[str, object]
    additional_access: list[str] = field(default_factory=list)
    outcome: str = "draft"  # draft | submitted | approved | denied | withdrawn
    denial: tuple[str, str] = ("", "")


CONTACT = {"contact_phone": "5177342222", "contact_email": "mary.thompson@example.com"}

DEMO_APPLICATIONS = (
    DemoApplication(
        filer="clinician@example.com",
        exception_type="pi_hardship",
        year=2025,
        answers={
            "participation_level": "individual",
            "npi": "1234567893",
            "tin": "123450093",
            **CONTACT,
            "submitter_relationship": "clinician",
            "pi_reason": "lack_of_control_over_cehrt",
            "attested": True,
            "event_description": (
                "Our hospital-owned EHR at the Joliet site was replaced and we had no access to it."
            ),
        },
        outcome="approved",
    ),
    DemoApplication(
        filer="practice@example.com",
        exception_type="euc",
        year=2025,
        answers={
            "participation_level": "group",
            "tin": "555550111",
            "contact_phone": "3095550142",
            "contact_email": "practice@example.com",
            "submitter_relationship": "physician_staff",
            "requests_quality": True,
            "requests_improvement_activities": True,
            "event_type": "disaster",
            "event_start_date": dt.date(2025, 4, 2),
            "event_end_date": dt.date(2025, 7, 31),
            "attested": True,
            "all_locations_attested": True,
            "event_description": (
                "The Illinois River flooded our only office; we saw patients in a temporary clinic."
            ),
        },
        additional_access=["office.manager@example.com"],
        outcome="denied",
        denial=(
            "The event did not prevent data collection for the requested categories.",
            "Quality data for the full performance period was submitted by the practice.",
        ),
    ),
    DemoApplication(
        filer="practice@example.com",
        exception_type="pi_hardship",
        year=2025,
        answers={
            "participation_level": "virtual_group",
            "virtual_group_identifier": "VG-000123",
            "contact_phone": "3095550142",
            "contact_email": "practice@example.com",
            "submitter_relationship": "physician_staff",
            "pi_reason": "extreme_and_uncontrollable_circumstances",
            "event_type": "vendor_issue",
            "event_start_date": dt.date(2025, 2, 1),
            "event_still_persists": True,
            "attested": True,
            "all_locations_attested": True,
        },
        outcome="submitted",
    ),
    DemoApplication(
        filer="practice@example.com",
        exception_type="euc",
        year=2024,
        answers={
            "participation_level": "apm_entity",
            "apm_entity_identifier": "A1001",
            "contact_phone": "3125550100",
            "contact_email": "practice@example.com",
            "submitter_relationship": "other",
            "submitter_relationship_other": "ACO operations lead",
            "requests_quality": True,
            "requests_cost": True,
            "requests_improvement_activities": True,
            "requests_promoting_interoperability": True,
            "event_type": "ransom_malware",
            "change_healthcare_cyberattack": True,
            "event_start_date": dt.date(2024, 2, 21),
            "event_end_date": dt.date(2024, 4, 30),
            "attested": True,
        },
        outcome="withdrawn",
    ),
    DemoApplication(
        filer="intermediary@example.com",
        exception_type="euc",
        year=None,
        answers={
            "participation_level": "individual",
            "npi": "1000000053",
            "tin": "123450093",
            "contact_phone": "2175550188",
            "contact_email": "intermediary@example.com",
            "submitter_relationship": "consultant",
            "requests_quality": True,
            "event_type": "disaster",
        },
        outcome="draft",
    ),
)


def _windows(now: dt.datetime) -> list[str]:
    created = []
    for year in demo_years(now):
        opens_at, closes_at = demo_window(year, now)
        _window, made = ApplicationWindow.objects.get_or_create(
            performance_year=year, defaults={"opens_at": opens_at, "closes_at": closes_at}
        )
        if made:
            created.append(year)
    window_2023 = ApplicationWindow.objects.get(performance_year=2023)
    for opens_at, closes_at, note in REOPENINGS_2023:
        WindowReopening.objects.get_or_create(
            window=window_2023,
            closes_at=closes_at,
            event_type="ransom_malware",
            defaults={"opens_at": opens_at, "change_healthcare_cyberattack_only": True, "note": note},
        )
    return [
        "Application windows: "
        + ", ".join(str(y) for y in demo_years(now))
        + " (PY2023 reopened twice for the Change Healthcare cyberattack)"
        + (f"; added now: {', '.join(map(str, created))}" if created else ""),
        _open_now_line(now),
    ]


def _open_now_line(now: dt.datetime) -> str:
    year = now.astimezone(ET).year
    banner = selectors.window_banner(year, now)
    if not banner.is_open:
        # Only from 8 p.m. ET on December 31 to midnight: the year's window has closed and the next
        # performance year has not begun (drafts are for this year or earlier; applications.services).
        return f"  No window is open right now. {banner.text}"
    window = ApplicationWindow.objects.get(performance_year=year)
    line = (
        f"  Open now: the {year} window, from {policy.format_et(window.opens_at, with_time=False)} "
        f"until {policy.format_et(window.closes_at)}"
    )
    if window.opens_at < spring_opening(year):
        line += " (opened early for the demo; CMS opens it in the spring)"
    return line


def _file(demo: DemoApplication, users: dict[str, User], now: dt.datetime) -> Application | None:
    filer = users.get(demo.filer)
    if filer is None:
        return None
    year = demo.year if demo.year is not None else now.astimezone(ET).year
    answers = dict(demo.answers)
    key = policy.participant_key(
        str(answers.get("participation_level", "")),
        npi=str(answers.get("npi", "")),
        tin=str(answers.get("tin", "")),
        virtual_group_identifier=str(answers.get("virtual_group_identifier", "")),
        apm_entity_identifier=str(answers.get("apm_entity_identifier", "")),
    )
    existing = Application.objects.filter(
        participant_key=key, exception_type=demo.exception_type, performance_year=year
    ).first()
    if existing is not None:
        return existing  # idempotent: filed on an earlier run
    application = services.application_create_draft(
        actor=filer, exception_type=demo.exception_type, performance_year=year
    )
    services.application_save_step(
        application=application, actor=filer, changes=answers, additional_access=demo.additional_access
    )
    if demo.outcome == "draft":
        return application
    window = ApplicationWindow.objects.get(performance_year=year)
    # Filed while that year's window was open.
    services.application_submit(
        application=application, actor=filer, certified=True, now=window.closes_at - dt.timedelta(days=30)
    )
    reviewer = users["reviewer@example.com"]
    if demo.outcome == "approved":
        services.application_approve(application=application, actor=reviewer)
    elif demo.outcome == "denied":
        services.application_deny(
            application=application, actor=reviewer, reason=demo.denial[0], explanation=demo.denial[1]
        )
    elif demo.outcome == "withdrawn":
        services.application_withdraw(application=application, actor=filer)
    return application


def load() -> list[str]:
    now = timezone.now()
    lines = _windows(now)
    emails = {d.filer for d in DEMO_APPLICATIONS} | {"reviewer@example.com"}
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    if "reviewer@example.com" not in users:
        return [*lines, "Demo applications skipped: load the demo accounts first."]
    filed = [a for a in (_file(d, users, now) for d in DEMO_APPLICATIONS) if a is not None]
    lines.append(
        "Demo applications: " + ", ".join(f"{a.reference} ({a.get_status_display()})" for a in filed)
    )
    return lines
