"""``manage.py load_demo_data`` on any date (issue 14, point 3; ADR 0004): this year's window is open and can
be filed in, past years keep their published dates, and loading again on a later date only adds."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from applications import demo, selectors, services
from applications.models import Application, ApplicationWindow, Status
from eligibility.models import IndividualScenario
from tests.factories import complete_individual_pi_draft, et

DECEMBER_1_2026 = et(2026, 12, 1, 12)
JANUARY_15_2027 = et(2027, 1, 15, 12)
JULY_4_2031 = et(2031, 7, 4, 12)


# --- the windows, as a table -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "now", "opens_at", "closes_at"),
    [
        # Published: seed 002_… and seed 003_…, Step 2 (PY2024), field notes (PY2023), whenever loaded.
        (2024, DECEMBER_1_2026, et(2024, 5, 13), et(2024, 12, 31, 20)),
        (2024, JULY_4_2031, et(2024, 5, 13), et(2024, 12, 31, 20)),
        (2023, JULY_4_2031, et(2023, 4, 3), et(2024, 1, 2, 20)),
        # Later years open on the second Monday of May, close December 31 at 8 p.m. ET.
        (2025, DECEMBER_1_2026, et(2025, 5, 12), et(2025, 12, 31, 20)),
        (2026, DECEMBER_1_2026, et(2026, 5, 11), et(2026, 12, 31, 20)),
        (2030, JULY_4_2031, et(2030, 5, 13), et(2030, 12, 31, 20)),
        (2031, JULY_4_2031, et(2031, 5, 12), et(2031, 12, 31, 20)),
        # Before this year's spring opening, this year's window opens on January 1 (a demo choice).
        (2027, JANUARY_15_2027, et(2027, 1, 1), et(2027, 12, 31, 20)),
        (2027, et(2027, 5, 9, 23), et(2027, 1, 1), et(2027, 12, 31, 20)),
        (2027, et(2027, 5, 10), et(2027, 5, 10), et(2027, 12, 31, 20)),
        # A year already past when first loaded keeps the spring season.
        (2027, JULY_4_2031, et(2027, 5, 10), et(2027, 12, 31, 20)),
    ],
)
def test_demo_window(year, now, opens_at, closes_at):
    assert demo.demo_window(year, now) == (opens_at, closes_at)


def test_the_spring_rule_gives_back_the_published_2024_opening():
    assert demo.spring_opening(2024) == et(2024, 5, 13)


@pytest.mark.parametrize("now", [DECEMBER_1_2026, JANUARY_15_2027, JULY_4_2031, et(2027, 12, 31, 19, 59, 59)])
def test_this_years_demo_window_is_open_whenever_it_is_first_loaded(now):
    opens_at, closes_at = demo.demo_window(now.year, now)
    assert opens_at <= now < closes_at
    assert list(demo.demo_years(now)) == list(range(2023, now.year + 1))


# --- the command, at several dates -------------------------------------------------------------------------


def _load(time_machine, moment) -> str:
    time_machine.move_to(moment, tick=False)
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def _file_as_the_demo_clinician() -> Application:
    """What a visitor does first: Mary Thompson files a PI hardship for the year the dashboard opens on."""
    mary = User.objects.get(email="clinician@example.com")
    year = selectors.default_performance_year()
    application = complete_individual_pi_draft(user=mary, year=year)
    services.application_submit(application=application, actor=mary, certified=True)
    application.refresh_from_db()
    return application


@pytest.mark.django_db
@pytest.mark.parametrize("moment", [DECEMBER_1_2026, JANUARY_15_2027, JULY_4_2031])
def test_a_fresh_demo_has_a_window_open_now_to_file_in(time_machine, moment):
    output = _load(time_machine, moment)

    year = moment.year
    assert selectors.default_performance_year() == year
    assert selectors.window_banner(year).is_open
    assert f"Open now: the {year} window" in output
    assert IndividualScenario.objects.filter(performance_year=year, clinician__npi="1234567893").exists()
    application = _file_as_the_demo_clinician()
    assert application.status == Status.SUBMITTED
    assert application.performance_year == year
    # The intermediary's demo draft is for the year open now.
    assert Application.objects.filter(performance_year=year, npi="1000000053", status=Status.DRAFT).exists()
    window_2024 = ApplicationWindow.objects.get(performance_year=2024)
    assert (window_2024.opens_at, window_2024.closes_at) == (et(2024, 5, 13), et(2024, 12, 31, 20))


@pytest.mark.django_db
def test_between_january_1_and_the_spring_opening_the_demo_says_it_opened_early(time_machine):
    output = _load(time_machine, JANUARY_15_2027)
    assert "Open now: the 2027 window, from January 1, 2027 until December 31, 2027 at 8 p.m. ET" in output
    assert "opened early for the demo" in output
    _load(time_machine, et(2027, 6, 1, 9))  # after the spring opening: the window is not moved
    assert ApplicationWindow.objects.get(performance_year=2027).opens_at == et(2027, 1, 1)


@pytest.mark.django_db
def test_after_8_pm_et_on_december_31_the_demo_says_no_window_is_open(time_machine):
    output = _load(time_machine, et(2026, 12, 31, 20, 30))
    assert "No window is open right now. The 2026 QPP Exception Applications window opened May 11" in output


def _snapshot() -> dict[str, dict[object, dict]]:
    """Every row of every table, by model and primary key."""
    return {
        model._meta.label: {row["pk"]: row for row in model.objects.values("pk", *_fields(model))}
        for model in apps.get_models()
        if not model._meta.proxy
    }


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key]


def _changed_and_added(before, after):
    changed = [
        f"{label} #{pk}"
        for label, rows in before.items()
        for pk, row in rows.items()
        if after[label].get(pk) != row
    ]
    added = {label: len(after[label]) - len(rows) for label, rows in before.items()}
    return changed, {label: count for label, count in added.items() if count}


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_a_later_date_only_adds(time_machine):
    _load(time_machine, DECEMBER_1_2026)
    first = _snapshot()

    _load(time_machine, DECEMBER_1_2026 + dt.timedelta(hours=2))
    assert _changed_and_added(first, _snapshot()) == ([], {})

    _load(time_machine, JANUARY_15_2027)
    changed, added = _changed_and_added(first, second := _snapshot())
    assert changed == []
    assert added["applications.ApplicationWindow"] == 1  # 2027
    assert added["eligibility.IndividualScenario"] > 0  # the 2027 participation data
    assert added["applications.Application"] == 1  # the intermediary's 2027 draft

    _load(time_machine, JULY_4_2031)
    changed, added = _changed_and_added(second, _snapshot())
    assert changed == []
    assert added["applications.ApplicationWindow"] == 4  # 2028 to 2031
    years = ApplicationWindow.objects.order_by("performance_year").values_list("performance_year", flat=True)
    assert list(years) == list(range(2023, 2032))
    assert selectors.window_banner(2031).is_open
    assert timezone.localdate() == dt.date(2031, 7, 4)
    assert _file_as_the_demo_clinician().status == Status.SUBMITTED
