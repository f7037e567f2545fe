"""Application windows and reopenings (issue 5 point 2). Fixed `now` values, never sleeps."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import policy, selectors, services
from applications.models import Application, Status
from tests.factories import (
    ApplicationWindowFactory,
    WindowReopeningFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    draft_application,
    et,
)

ET = ZoneInfo("America/New_York")
UTC = dt.UTC

# Seed 002_…: "available through December 31, 2024, at 8:00 PM ET"; seed 003_…, Step 2: opens May 13, 2024.
WINDOW_2024 = policy.WindowSpec(
    performance_year=2024,
    opens_at=dt.datetime(2024, 5, 13, tzinfo=ET),
    closes_at=dt.datetime(2024, 12, 31, 20, tzinfo=ET),
)
# Field notes: PY2023 reopened for the Change Healthcare cyberattack only, to April 15 and October 11, 2024.
WINDOW_2023 = policy.WindowSpec(
    performance_year=2023,
    opens_at=dt.datetime(2023, 4, 3, tzinfo=ET),
    closes_at=dt.datetime(2024, 1, 2, 20, tzinfo=ET),
    reopenings=(
        policy.ReopeningSpec(
            opens_at=dt.datetime(2024, 3, 27, tzinfo=ET),
            closes_at=dt.datetime(2024, 4, 15, 20, tzinfo=ET),
            event_type="ransom_malware",
            change_healthcare_cyberattack_only=True,
        ),
        policy.ReopeningSpec(
            opens_at=dt.datetime(2024, 9, 3, tzinfo=ET),
            closes_at=dt.datetime(2024, 10, 11, 20, tzinfo=ET),
            event_type="ransom_malware",
            change_healthcare_cyberattack_only=True,
        ),
    ),
)
CLOSED_2024 = (
    "The 2024 QPP Exception Applications window closed December 31, 2024 at 8 p.m. ET. "
    "You can keep this draft, but you can't submit it."
)


@pytest.mark.parametrize(
    ("now_utc", "allowed"),
    [
        # 19:59:59 ET on the closing day is 00:59:59 UTC on January 1 (EST is UTC-5): accepted.
        (dt.datetime(2025, 1, 1, 0, 59, 59, tzinfo=UTC), True),
        # 20:00:00 ET: refused.
        (dt.datetime(2025, 1, 1, 1, 0, 0, tzinfo=UTC), False),
        # Before 8 p.m. ET but already January 1 in UTC: still accepted (the check is in ET, not UTC dates).
        (dt.datetime(2025, 1, 1, 0, 30, tzinfo=UTC), True),
        # Opening moment (midnight ET, EDT is UTC-4) accepted; one second earlier refused.
        (dt.datetime(2024, 5, 13, 4, 0, 0, tzinfo=UTC), True),
        (dt.datetime(2024, 5, 13, 3, 59, 59, tzinfo=UTC), False),
        (dt.datetime(2024, 8, 1, 12, tzinfo=UTC), True),
    ],
)
def test_window_edges(now_utc, allowed):
    assert policy.window_allows_submission(WINDOW_2024, now_utc, "").allowed is allowed


def test_window_edges_given_in_eastern_time():
    accepted = dt.datetime(2024, 12, 31, 19, 59, 59, tzinfo=ET)
    refused = dt.datetime(2024, 12, 31, 20, 0, 0, tzinfo=ET)
    assert policy.window_allows_submission(WINDOW_2024, accepted, "").allowed
    decision = policy.window_allows_submission(WINDOW_2024, refused, "")
    assert not decision.allowed
    assert decision.state == "closed"
    assert decision.message == CLOSED_2024


def test_naive_now_refused():
    with pytest.raises(ValueError):
        policy.window_allows_submission(WINDOW_2024, dt.datetime(2024, 8, 1), "")


def test_before_opening_message():
    decision = policy.window_allows_submission(WINDOW_2024, dt.datetime(2024, 5, 1, tzinfo=ET), "")
    assert (decision.allowed, decision.state) == (False, "not_yet_open")
    assert "opens May 13, 2024" in decision.message


def test_no_window():
    decision = policy.window_allows_submission(
        None, dt.datetime(2024, 5, 1, tzinfo=UTC), "", performance_year=2016
    )
    assert (decision.allowed, decision.state) == (False, "no_window")
    assert "2016" in decision.message


@pytest.mark.parametrize(
    ("now_et", "event_type", "change_healthcare", "allowed", "state"),
    [
        (dt.datetime(2024, 4, 10, 12), "ransom_malware", True, True, "reopened"),
        (dt.datetime(2024, 4, 10, 12), "ransom_malware", False, False, "reopened_other_event"),
        (dt.datetime(2024, 4, 10, 12), "disaster", None, False, "reopened_other_event"),
        (dt.datetime(2024, 4, 15, 19, 59, 59), "ransom_malware", True, True, "reopened"),
        (dt.datetime(2024, 4, 15, 20, 0, 0), "ransom_malware", True, False, "closed"),
        (dt.datetime(2024, 6, 1, 12), "ransom_malware", True, False, "closed"),
        (dt.datetime(2024, 10, 11, 19, 59, 59), "ransom_malware", True, True, "reopened"),
        (dt.datetime(2024, 10, 11, 20, 0, 0), "ransom_malware", True, False, "closed"),
        (dt.datetime(2024, 1, 2, 19, 59, 59), "disaster", None, True, "open"),
    ],
)
def test_reopenings_limited_to_event_type(now_et, event_type, change_healthcare, allowed, state):
    decision = policy.window_allows_submission(
        WINDOW_2023, now_et.replace(tzinfo=ET), event_type, change_healthcare_cyberattack=change_healthcare
    )
    assert (decision.allowed, decision.state) == (allowed, state)
    if state == "reopened_other_event":
        assert "Ransom/Malware (Change Healthcare cyberattack)" in decision.message
        assert "You can keep this draft, but you can't submit it." in decision.message


@pytest.mark.parametrize(
    ("now", "is_open", "text"),
    [
        (
            dt.datetime(2024, 11, 23, 12, tzinfo=ET),
            True,
            "The 2024 QPP Exception Applications window will close December 31, 2024 at 8 p.m. ET.",
        ),
        (
            dt.datetime(2025, 2, 1, 12, tzinfo=ET),
            False,
            "The 2024 QPP Exception Applications window opened May 13, 2024 and closed December 31, 2024 at "
            "8 p.m. ET.",
        ),
        (
            dt.datetime(2024, 3, 1, 12, tzinfo=ET),
            False,
            "The 2024 QPP Exception Applications window will open May 13, 2024 and close December 31, 2024 "
            "at 8 p.m. ET.",
        ),
    ],
)
def test_banner(now, is_open, text):
    banner = policy.window_banner(WINDOW_2024, now, 2024)
    assert banner.is_open is is_open
    assert banner.text.startswith(text)
    assert (banner.opens_on, banner.closes_on) == ("May 13, 2024", "December 31, 2024")


def test_banner_during_reopening():
    banner = policy.window_banner(WINDOW_2023, dt.datetime(2024, 4, 1, tzinfo=ET), 2023)
    assert banner.is_open
    assert "reopened until April 15, 2024 at 8 p.m. ET" in banner.text


# --- through the database and the submit service -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "submitted"),
    [(et(2024, 12, 31, 19, 59, 59), True), (et(2024, 12, 31, 20, 0, 0), False)],
)
def test_submit_service_window_edge(now, submitted):
    ApplicationWindowFactory(performance_year=2024, opens_at=et(2024, 5, 13), closes_at=et(2024, 12, 31, 20))
    user, _, _ = clinician_with_access(year=2024)
    application = draft_application(
        user=user,
        year=2024,
        participation_level="individual",
        npi="1234567893",
        tin="123450093",
        contact_phone="5177342222",
        contact_email="m@example.com",
        submitter_relationship="clinician",
        pi_reason="insufficient_internet_connectivity",
        attested=True,
    )
    if submitted:
        services.application_submit(application=application, actor=user, certified=True, now=now)
        assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    else:
        with pytest.raises(services.WindowClosed) as excinfo:
            services.application_submit(application=application, actor=user, certified=True, now=now)
        assert excinfo.value.message == CLOSED_2024
        assert Application.objects.get(pk=application.pk).status == Status.DRAFT


# --- this year's deadline on the server's clock (frozen; no `now` passed anywhere) -------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("second", "submitted"), [(59, True), (60, False)])
def test_this_years_deadline_on_the_server_clock(client, time_machine, second, submitted):
    """December 31 of the suite clock's year: 19:59:59 ET is accepted, 20:00:00 ET refused, through the
    review step's Certify & Submit with the clock frozen there (seed 002_…: "through December 31 … at
    8:00 PM ET"; ADR 0031)."""
    year = timezone.localdate().year
    time_machine.move_to(et(year, 12, 31, 19, 59) + dt.timedelta(seconds=second), tick=False)
    ApplicationWindowFactory(performance_year=year, opens_at=et(year, 5, 11), closes_at=et(year, 12, 31, 20))
    user, _, _ = clinician_with_access(year=year)
    application = complete_individual_pi_draft(user=user, year=year)
    client.force_login(user)
    review = reverse("applications:step", kwargs={"reference": application.reference, "step": "review"})

    response = client.post(review, {"action": "submit"}, follow=True)

    application.refresh_from_db()
    dashboard = client.get(reverse("applications:dashboard"), {"year": year}).content.decode()
    if submitted:
        assert application.status == Status.SUBMITTED
        assert application.submitted_at == et(year, 12, 31, 19, 59, 59)
        assert f"The {year} QPP Exception Applications window will close December 31, {year}" in dashboard
    else:
        assert application.status == Status.DRAFT
        closed = (
            f"The {year} QPP Exception Applications window closed December 31, {year} at 8 p.m. ET. "
            "You can keep this draft, but you can&#x27;t submit it."
        )
        assert closed in response.content.decode()
        assert f"window opened May 11, {year} and closed December 31, {year} at 8 p.m. ET" in dashboard


@pytest.mark.django_db
def test_window_spec_reads_reopenings_from_database():
    reopening = WindowReopeningFactory()
    spec = selectors.current_window(2023)
    assert spec is not None
    assert spec.reopenings[0].closes_at == reopening.closes_at
    assert spec.reopenings[0].change_healthcare_cyberattack_only is True
    assert selectors.current_window(1999) is None


@pytest.mark.django_db
def test_window_uses_server_clock_by_default(time_machine):
    ApplicationWindowFactory(performance_year=2024, opens_at=et(2024, 5, 13), closes_at=et(2024, 12, 31, 20))
    time_machine.move_to(dt.datetime(2025, 1, 1, 1, 0, 0, tzinfo=UTC), tick=False)
    user, _, _ = clinician_with_access(year=2024)
    application = draft_application(user=user, year=2024)
    decision = selectors.submission_decision(application)
    assert decision.message == CLOSED_2024
