"""The eligibility models are browsable and searchable in the admin by NPI, TIN and name."""

import pytest

from eligibility import demo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    from allauth.mfa.models import Authenticator

    demo.load()
    staff = UserFactory(is_staff=True, is_superuser=True)
    # Staff must have TOTP set up before they reach the admin (accounts issue).
    Authenticator.objects.create(
        user=staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        ("clinician", "1234567893", "Thompson"),
        ("clinician", "Okafor", "1000000004"),
        ("practice", "123450093", "Dittrich"),
        ("practice", "Gürmen", "****3004"),
        ("individualscenario", "1000000038", "Whitfield"),
        ("individualscenario", "987653004", "Gürmen"),
        ("groupscenario", "555550111", "Riverbend"),
        ("virtualgroup", "VG-000123", "Prairie Rivers"),
        ("apmentity", "A1001", "Lakeshore ACO"),
        ("apmentity", "1234567893", "Lakeshore ACO"),
        ("subgroup", "SG-000045", "SG-000045"),
    ],
)
def test_admin_search(admin_client_, model, query, expected):
    response = admin_client_.get(f"/admin/eligibility/{model}/", {"q": query})
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_admin_search_excludes_non_matches(admin_client_):
    html = admin_client_.get("/admin/eligibility/clinician/", {"q": "1000000004"}).content.decode()
    assert "Okafor" in html and "Thompson" not in html
