"""The v6-shaped JSON APIs: ``/api/eligibility/npi/<npi>`` and ``/api/eligibility/tin/<tin>``."""

import json

import pytest
from django.core.management import call_command

from eligibility import demo, selectors
from eligibility.models import Clinician
from tests.eligibility.test_import import V6_DOCUMENT
from tests.factories import PracticeAccessFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory())
    return client


@pytest.fixture
def demo_data():
    demo.load()


def test_anonymous_visitors_are_sent_to_sign_in(client, demo_data):
    for url in ("/api/eligibility/npi/1234567893?year=2026", "/api/eligibility/tin/123450093?year=2026"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_import_then_api_returns_same_organizations_with_computed_reweighting(tmp_path, signed_in):
    path = tmp_path / "mary.json"
    path.write_text(json.dumps(V6_DOCUMENT), encoding="utf-8")
    call_command("import_eligibility", str(path), "--year", "2026")
    response = signed_in.get("/api/eligibility/npi/1234567893?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = response.json()["data"]
    assert (data["npi"], data["firstName"], data["lastName"]) == ("1234567893", "Mary", "Thompson")
    orgs = {o["prvdrOrgName"]: o for o in data["organizations"]}
    assert set(orgs) == {"Dittrich, Krajiček and Urbanová", "Gürmen - Ayaydin"}
    large, small = orgs["Dittrich, Krajiček and Urbanová"], orgs["Gürmen - Ayaydin"]
    # TINs are masked, as in CMS's public API.
    assert (large["TIN"], small["TIN"]) == ("****0093", "****3004")
    assert "123450093" not in response.content.decode()
    # CMS said aciReweighting true for the large TIN; our rules say a Doctor of Medicine in a large
    # group with no special status is not reweighted.
    assert large["individualScenario"]["aciReweighting"] is False
    assert large["individualScenario"]["hpsaClinician"] is True
    assert small["individualScenario"]["aciReweighting"] is True
    assert small["individualScenario"]["aciReweightingReasons"] == ["Small Practice"]
    assert small["individualScenario"]["ruleSet"] == "2024"
    assert small["groupScenario"]["aciReweighting"] is True
    assert large["apms"] == [
        {
            "apmId": "08",
            "apmName": "Medicare Shared Savings Program",
            "entityId": "A1001",
            "entityName": "Lakeshore ACO",
        }
    ]
    assert small["virtualGroups"][0]["virtualGroupIdentifier"] == "VG-000123"
    for scenario in (large["individualScenario"], large["groupScenario"]):
        assert scenario["aciHardship"] is False
        assert scenario["extremeHardship"] is False
        assert scenario["extremeHardshipReasons"] == {
            "quality": False,
            "improvementActivities": False,
            "aci": False,
            "cost": False,
        }


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/eligibility/npi/123456789?year=2026", 400, "valid 10-digit NPI"),
        ("/api/eligibility/npi/1234567890?year=2026", 400, "check digit"),
        ("/api/eligibility/npi/abcdefghij?year=2026", 400, "valid 10-digit NPI"),
        ("/api/eligibility/npi/1234567893?year=20x6", 400, "four-digit performance year"),
        ("/api/eligibility/npi/1234567893?year=2016", 400, "from 2017"),
        ("/api/eligibility/npi/1234567893?year=3000", 400, "from 2017"),
        ("/api/eligibility/npi/1234567893?year=", 400, "four-digit"),
        ("/api/eligibility/npi/1000000079?year=2026", 404, "No clinician"),
        ("/api/eligibility/tin/12345?year=2026", 400, "9 digits"),
        ("/api/eligibility/tin/123450093?year=abc", 400, "four-digit"),
    ],
)
def test_bad_input_gets_json_errors(signed_in, demo_data, url, status, message):
    response = signed_in.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["error"]["status"] == status
    assert message in body["error"]["message"]


def test_year_defaults_to_the_current_performance_year(signed_in, demo_data):
    data = signed_in.get("/api/eligibility/npi/1234567893").json()["data"]
    assert data["performanceYear"] == 2026
    assert len(data["organizations"]) == 2


def test_known_npi_without_data_for_the_year_has_no_organizations(signed_in, demo_data):
    data = signed_in.get("/api/eligibility/npi/1234567893?year=2019").json()["data"]
    assert data["organizations"] == []


def test_only_get_is_allowed(signed_in, demo_data):
    assert signed_in.post("/api/eligibility/npi/1234567893?year=2026").status_code == 405


def test_demo_special_statuses_via_api(signed_in, demo_data):
    expected = {
        "1000000004": ["Hospital-based"],
        "1000000012": ["Non-patient facing"],
        "1000000020": ["Ambulatory Surgical Center (ASC)-based"],
        "1000000038": ["Clinical Social Worker"],
        "1000000046": [],  # NPs aren't special status under the 2024 rule set
        "1000000053": [],  # rural/HPSA isn't a reweighting reason
        "1000000061": [],
    }
    for npi, reasons in expected.items():
        org = signed_in.get(f"/api/eligibility/npi/{npi}?year=2024").json()["data"]["organizations"][0]
        assert org["individualScenario"]["aciReweightingReasons"] == reasons, npi
    low = signed_in.get("/api/eligibility/npi/1000000061?year=2024").json()["data"]["organizations"][0]
    assert low["individualScenario"]["isEligible"]["individual"] is False


def test_aci_hardship_reflects_approved_pi_hardships(signed_in, demo_data, monkeypatch):
    monkeypatch.setattr(
        selectors,
        "approved_pi_hardships",
        lambda year, *, tins: {("123450093", "1234567893")} & {(t, "1234567893") for t in tins},
    )
    orgs = signed_in.get("/api/eligibility/npi/1234567893?year=2026").json()["data"]["organizations"]
    by_tin = {o["TIN"]: o for o in orgs}
    assert by_tin["****0093"]["individualScenario"]["aciHardship"] is True
    assert by_tin["****0093"]["groupScenario"]["aciHardship"] is False
    assert by_tin["****3004"]["individualScenario"]["aciHardship"] is False


def test_group_approval_sets_aci_hardship_on_group_and_individual(signed_in, demo_data, monkeypatch):
    monkeypatch.setattr(
        selectors,
        "approved_pi_hardships",
        lambda year, *, tins: {("123450093", None)} & {(t, None) for t in tins},
    )
    org = next(
        o
        for o in signed_in.get("/api/eligibility/npi/1234567893?year=2026").json()["data"]["organizations"]
        if o["TIN"] == "****0093"
    )
    assert org["groupScenario"]["aciHardship"] is True
    assert org["individualScenario"]["aciHardship"] is True


def test_tin_api_requires_access_to_the_tin(client, demo_data):
    outsider = UserFactory()
    client.force_login(outsider)
    response = client.get("/api/eligibility/tin/123450093?year=2026")
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "message": "No practice with this TIN was found."}}
    # An unknown TIN answers exactly the same way.
    assert client.get("/api/eligibility/tin/111111111?year=2026").json() == response.json()


def test_tin_api_for_an_authorized_user(client, demo_data):
    from eligibility.models import Practice

    user = UserFactory()
    PracticeAccessFactory(user=user, practice=Practice.objects.get(tin="987653004"))
    client.force_login(user)
    response = client.get("/api/eligibility/tin/987653004?year=2026")
    assert response.status_code == 200
    practice = response.json()["data"]["practice"]
    assert practice["TIN"] == "987653004"
    assert practice["groupScenario"]["aciReweighting"] is True
    assert "Small Practice" in practice["groupScenario"]["aciReweightingReasons"]
    assert practice["groupScenario"]["clinicianCount"] == 3
    assert practice["virtualGroups"][0]["virtualGroupIdentifier"] == "VG-000123"
    assert len(response.json()["data"]["clinicians"]) == 3
    assert client.get("/api/eligibility/tin/987653004?year=2019").status_code == 404
    assert client.get("/api/eligibility/tin/123450093?year=2026").status_code == 404


def test_clinician_count_in_demo_large_group(demo_data):
    assert (
        Clinician.objects.filter(
            scenarios__practice__tin="123450093", scenarios__performance_year=2026
        ).count()
        >= 20
    )
