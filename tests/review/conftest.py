"""Fixtures for the CMS review tests (issue 7)."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from tests.factories import (
    COMPLETE_PI_ANSWERS,
    ApplicationWindowFactory,
    UserFactory,
    clinician_with_access,
    draft_application,
    et,
    valid_npi,
)

SECRET = "QPPDEMOREVIEWERTOTPSECRETKEYAAAA"


def staff(email: str, group: str | None = None, **extra):
    from accounts.services import ensure_role_groups

    ensure_role_groups()
    user = UserFactory(email=email, is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    TOTP.activate(user, SECRET)  # the admin requires MFA (accounts issue)
    return user


@pytest.fixture
def reviewer(db):
    return staff("rene@example.com", "CMS Reviewer", first_name="Rene", last_name="Castillo")


@pytest.fixture
def second_reviewer(db):
    return staff("sam@example.com", "CMS Reviewer", first_name="Sam", last_name="Ortiz")


@pytest.fixture
def administrator(db):
    return staff("ada@example.com", "CMS Administrator", first_name="Ada", last_name="Whitfield")


def submitted(n: int = 0, *, year: int = 2026, tin: str = "123450093", **answers):
    """A submitted individual PI hardship application for a fresh clinician; returns (application, user)."""
    from applications import services

    ApplicationWindowFactory(performance_year=year)
    npi = "1234567893" if n == 0 else valid_npi(f"{300000000 + n:09d}")
    user, _clinician, _practice = clinician_with_access(npi=npi, tin=tin, year=year)
    values = {**COMPLETE_PI_ANSWERS, **answers}
    application = draft_application(
        user=user, year=year, participation_level="individual", npi=npi, tin=tin, **values
    )
    services.application_submit(application=application, actor=user, certified=True, now=et(year, 11, 2, 12))
    return application, user
