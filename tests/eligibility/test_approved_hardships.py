"""``approved_pi_hardships`` reads approved PI hardship applications lazily from the applications app."""

import pytest
from django.apps import apps

from eligibility import demo, selectors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _approved(n, **fields):
    """An approved application row, stored directly: the subject here is the read, not the review workflow."""
    application = apps.get_model("applications", "Application")
    values = {
        "reference": f"TEST-{n}",
        "exception_type": "pi_hardship",
        "performance_year": 2026,
        "status": "approved",
        "submitter": UserFactory(email="submitter@example.com"),
        **fields,
    }
    return application.objects.create(**values)


def test_approved_pi_hardships_from_application_rows():
    demo.load()
    _approved(1, participation_level="individual", tin="123450093", npi="1234567893")
    _approved(2, participation_level="group", tin="987653004", npi="")
    _approved(3, participation_level="group", tin="123450093", npi="", status="denied")
    _approved(4, participation_level="group", tin="555550111", npi="", exception_type="euc")
    _approved(5, participation_level="group", tin="555550111", npi="", performance_year=2025)
    _approved(
        6,
        participation_level="virtual_group",
        tin="",
        npi="",
        virtual_group_identifier="VG-000123",
        performance_year=2024,
    )
    tins = {"123450093", "987653004", "555550111"}
    expected = {("123450093", "1234567893"), ("987653004", None)}
    assert selectors.approved_pi_hardships(2026, tins=tins) == expected
    assert selectors.approved_pi_hardships(2026, tins={"123450093"}) == {("123450093", "1234567893")}
    assert selectors.approved_pi_hardships(2024, tins=tins) == {("987653004", None), ("555550111", None)}
    assert selectors.approved_pi_hardships(2025, tins={"123450093"}) == set()
