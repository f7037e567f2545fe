"""Issue 7 point 9: decisions flow out. An approval shows at once in the eligibility API (`aciHardship` for a
PI hardship; `extremeHardship`, `extremeHardshipReasons` and the event type for an EUC) and on the
participation-status page; withdrawing the approved application takes it back. Nothing is cached or copied:
the eligibility read looks at approved applications on every request.
"""

from __future__ import annotations

import datetime as dt

import pytest

from applications import services
from applications.models import Application, Status
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    draft_application,
    et,
)
from tests.review.conftest import submitted

pytestmark = pytest.mark.django_db

NPI, TIN, YEAR = "1234567893", "123450093", 2026
API = f"/api/eligibility/npi/{NPI}?year={YEAR}"
ACCEPT = "application/vnd.qpp.cms.gov.v6+json"

EUC_ANSWERS: dict[str, object] = {
    "contact_phone": "5177342222",
    "contact_email": "mary.thompson@example.com",
    "submitter_relationship": "clinician",
    "event_type": "disaster",
    "event_start_date": dt.date(2026, 3, 1),
    "event_end_date": dt.date(2026, 4, 1),
    "requests_quality": True,
    "requests_promoting_interoperability": True,
    "event_description": "A tornado destroyed the clinic on March 1, 2026.",
    "attested": True,
}


def _scenario(client) -> dict[str, object]:
    """The individualScenario of the clinician at TIN 123450093 (shown masked, as in CMS's v6 API)."""
    response = client.get(API, HTTP_ACCEPT=ACCEPT)
    assert response.status_code == 200
    organizations = response.json()["data"]["organizations"]
    (org,) = [o for o in organizations if o["TIN"] == "****0093"]
    return org["individualScenario"]


def _status_page(client) -> str:
    response = client.post("/participation-status/", {"identifier": NPI, "year": str(YEAR)})
    assert response.status_code == 200
    return response.content.decode()


PI_APPROVED_TEXT = "A PI hardship exception has been approved"
EUC_APPROVED_TEXT = "An Extreme and Uncontrollable Circumstances exception has been approved"


def test_pi_hardship_approval_shows_at_once_and_withdrawal_takes_it_back(client, reviewer):
    application, applicant = submitted()  # Mary Thompson, NPI 1234567893 at TIN 123450093, PY2026
    client.force_login(applicant)

    # Pending is not approved: nothing shows yet.
    assert _scenario(client)["aciHardship"] is False
    assert PI_APPROVED_TEXT not in _status_page(client)

    services.application_approve(application=application, actor=reviewer)
    scenario = _scenario(client)
    assert scenario["aciHardship"] is True
    assert scenario["extremeHardship"] is False  # a PI hardship is not an EUC exception
    page = _status_page(client)
    assert f"{PI_APPROVED_TEXT} for {YEAR}." in page

    services.application_withdraw(application=application, actor=applicant)
    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN
    assert _scenario(client)["aciHardship"] is False
    assert PI_APPROVED_TEXT not in _status_page(client)


def test_denied_pi_hardship_never_shows(client, reviewer):
    application, applicant = submitted()
    services.application_deny(
        application=application, actor=reviewer, reason="Other", explanation="No evidence of the event."
    )
    client.force_login(applicant)
    assert _scenario(client)["aciHardship"] is False
    assert PI_APPROVED_TEXT not in _status_page(client)


def _submitted_euc():
    ApplicationWindowFactory(performance_year=YEAR)
    user, _clinician, _practice = clinician_with_access(npi=NPI, tin=TIN, year=YEAR)
    application = draft_application(
        user=user,
        exception_type="euc",
        year=YEAR,
        participation_level="individual",
        npi=NPI,
        tin=TIN,
        **EUC_ANSWERS,
    )
    services.application_submit(application=application, actor=user, certified=True, now=et(YEAR, 11, 2, 12))
    return application, user


def test_euc_approval_shows_categories_and_event_type_and_withdrawal_takes_it_back(client, reviewer):
    application, applicant = _submitted_euc()
    client.force_login(applicant)
    before = _scenario(client)
    assert before["extremeHardship"] is False
    assert before["extremeHardshipEventType"] is None
    assert before["extremeHardshipReasons"] == {
        "quality": False,
        "improvementActivities": False,
        "aci": False,
        "cost": False,
    }
    assert EUC_APPROVED_TEXT not in _status_page(client)

    services.application_approve(application=application, actor=reviewer)
    scenario = _scenario(client)
    assert scenario["extremeHardship"] is True
    # Exactly the categories requested: Quality and Promoting Interoperability (ACI is PI's old name).
    assert scenario["extremeHardshipReasons"] == {
        "quality": True,
        "improvementActivities": False,
        "aci": True,
        "cost": False,
    }
    assert scenario["extremeHardshipEventType"] == "disaster"
    assert scenario["extremeHardshipSources"] == ["exceptionApplication"]
    assert scenario["aciHardship"] is False  # an EUC approval is not a PI hardship approval
    page = _status_page(client)
    assert f"{EUC_APPROVED_TEXT} for {YEAR} (Disaster) for: Quality, Promoting Interoperability." in page

    services.application_withdraw(application=application, actor=applicant)
    after = _scenario(client)
    assert after["extremeHardship"] is False
    assert after["extremeHardshipEventType"] is None
    assert not any(after["extremeHardshipReasons"].values())
    assert EUC_APPROVED_TEXT not in _status_page(client)


def test_approval_in_another_year_does_not_show(client, reviewer):
    """The API answers per performance year: a 2026 approval is not a 2025 one."""
    application, applicant = submitted()
    clinician_with_access(npi=NPI, tin=TIN, year=2025, user=applicant)
    services.application_approve(application=application, actor=reviewer)
    client.force_login(applicant)
    response = client.get(f"/api/eligibility/npi/{NPI}?year=2025", HTTP_ACCEPT=ACCEPT)
    assert response.status_code == 200
    (org,) = [o for o in response.json()["data"]["organizations"] if o["TIN"] == "****0093"]
    assert org["individualScenario"]["aciHardship"] is False
    assert _scenario(client)["aciHardship"] is True
