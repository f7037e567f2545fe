"""Data builders for the query-budget tests (issue 9 point 3): rows written in bulk, as the benchmark does,
so that ten times the data costs the test little time."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ApplicationWindowFactory, UserFactory, valid_npi

YEAR = 2026
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _uncached_eligibility(settings):
    """The budgets hold the computation a cache miss runs (every first lookup after an import or a
    decision), and these tests grow the data with bulk inserts that no service announces: the
    participation-status cache (eligibility.cache, ADR 0074) is off here and tested on its own."""
    settings.ELIGIBILITY_CACHE_SECONDS = 0


@pytest.fixture
def window(db):
    return ApplicationWindowFactory(performance_year=YEAR)


def make_practice(tin: str, members: int, *, first_nine_base: int):
    """A practice with `members` clinicians billing under it in 2026 (and its group scenario)."""
    from eligibility.models import Clinician, GroupScenario, IndividualScenario, Practice

    practice, _ = Practice.objects.get_or_create(tin=tin, defaults={"legal_name": f"Practice {tin}"})
    have = IndividualScenario.objects.filter(practice=practice, performance_year=YEAR).count()
    clinicians = Clinician.objects.bulk_create(
        [
            Clinician(npi=valid_npi(f"{first_nine_base + n:09d}"), first_name="Pat", last_name=f"Member{n}")
            for n in range(have, members)
        ]
    )
    IndividualScenario.objects.bulk_create(
        [
            IndividualScenario(
                performance_year=YEAR,
                clinician=c,
                practice=practice,
                allowed_charges=250000,
                part_b_patients=640,
                covered_services=1800,
            )
            for c in clinicians
        ]
    )
    GroupScenario.objects.update_or_create(
        practice=practice, performance_year=YEAR, defaults={"clinician_count": members}
    )
    return practice


def add_applications(
    count: int,
    *,
    submitter=None,
    status: str = "submitted",
    level: str = "individual",
    npi: str = "",
    tin: str = "",
    vg: str = "",
    exception_type: str = "pi_hardship",
    year: int = YEAR,
) -> list:
    """`count` applications in one bulk insert, with the StateLog rows their transitions would have
    written. Open ones get distinct participant keys unless they are withdrawn or denied."""
    from django_fsm_log.models import StateLog

    from applications import policy
    from applications.models import Application

    submitter = submitter or UserFactory()
    now = timezone.now()
    rows = []
    for _ in range(count):
        n = next(_counter)
        key = policy.participant_key(level, npi=npi, tin=tin, virtual_group_identifier=vg)
        if status in ("draft", "submitted", "approved"):
            key = f"{key}:{n}" if key else f"bulk:{n}"
        rows.append(
            Application(
                reference=f"BULK-{year}-{n:06d}",
                exception_type=exception_type,
                performance_year=year,
                participation_level=level,
                npi=npi,
                tin=tin,
                virtual_group_identifier=vg,
                participant_key=key,
                participant_name=f"Participant {n}",
                submitter=submitter,
                contact_email=submitter.email,
                pi_reason="insufficient_internet_connectivity" if exception_type == "pi_hardship" else "",
                event_type="disaster" if exception_type == "euc" else "",
                requests_promoting_interoperability=exception_type == "euc",
                attested=True,
                status=status,
                submitted_at=None if status == "draft" else now - dt.timedelta(days=n % 30),
                decided_at=now if status in ("approved", "denied") else None,
            )
        )
    created = Application.objects.bulk_create(rows)
    content_type = ContentType.objects.get_for_model(Application)
    logs = [
        StateLog(
            timestamp=now,
            by=submitter,
            source_state="draft",
            state="submitted",
            transition="submit",
            content_type=content_type,
            object_id=a.pk,
        )
        for a in created
        if status != "draft"
    ]
    StateLog.objects.bulk_create(logs)
    return created


def count_queries(connection, call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured.captured_queries), result
