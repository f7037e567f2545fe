"""Query budgets (issue 9 point 3): each benchmarked page runs the same number of queries when its data
grows tenfold, so an N+1 cannot come back unnoticed. The count is measured with N rows, the data is
multiplied by ten, and ``django_assert_max_num_queries`` holds the page to the first count. A fixed ceiling
per page also catches a page that became chatty everywhere."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import UserFactory, clinician_with_access, complete_individual_pi_draft
from tests.performance.conftest import YEAR, add_applications, count_queries, make_practice

pytestmark = pytest.mark.django_db

# Upper bounds with N rows (what the pages need today plus a little room): sessions, user, access checks,
# the page's own reads. A page over its ceiling has grown a new query per request.
CEILINGS = {
    "dashboard": 16,
    "application page": 45,
    "eligibility API": 30,
    "participation status": 35,
    "reviewer queue": 30,
    "wizard step save": 40,
}


def _grow_eligibility(practice_tin: str, members: int, *, approvals: int, virtual_groups: int, base: int):
    """Members of the practice, approved PI hardships in the TIN, and virtual groups (with approved PI
    hardships) the practice belongs to: what an NPI lookup reads."""
    from eligibility.models import VirtualGroup

    practice = make_practice(practice_tin, members, first_nine_base=base)
    member_npis = list(
        practice.individual_scenarios.filter(performance_year=YEAR).values_list("clinician__npi", flat=True)
    )
    for npi in member_npis[:approvals]:
        add_applications(1, status="approved", npi=npi, tin=practice_tin)
    # A TIN belongs to one virtual group in a year; the other virtual groups (of other practices) still have
    # approved PI hardships that the lookup reads (it once ran a query per approval).
    have = VirtualGroup.objects.filter(performance_year=YEAR).count()
    for n in range(have, virtual_groups):
        group = VirtualGroup.objects.create(
            identifier=f"VG-{700000 + n}", performance_year=YEAR, name=f"VG {n}"
        )
        member = (
            practice
            if n == 0
            else make_practice(f"{base // 1000 + n:09d}", 2, first_nine_base=base + 5000 + n * 10)
        )
        group.practices.add(member)
        add_applications(1, status="approved", level="virtual_group", vg=group.identifier)
    return practice


def test_dashboard_does_not_grow_with_applications(client, window, django_assert_max_num_queries):
    user, clinician, practice = clinician_with_access()
    client.force_login(user)
    mine = add_applications(2, submitter=user, status="withdrawn", npi=clinician.npi, tin=practice.tin)
    add_applications(10)  # other people's applications
    url = f"/exceptions/?year={YEAR}"
    small, response = count_queries(connection, lambda: client.get(url))
    assert response.status_code == 200
    assert small <= CEILINGS["dashboard"]

    mine += add_applications(18, submitter=user, status="withdrawn", npi=clinician.npi, tin=practice.tin)
    add_applications(100)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    page = response.content.decode()
    assert all(a.reference in page for a in mine)  # all 20 rows are on the page


def test_application_page_does_not_grow_with_history_or_related_data(
    client, window, django_assert_max_num_queries
):
    from applications.models import AdditionalAccessEmail

    user, clinician, practice = clinician_with_access()
    client.force_login(user)
    make_practice(practice.tin, 5, first_nine_base=610000000)
    (application,) = add_applications(
        1, submitter=user, status="submitted", npi=clinician.npi, tin=practice.tin
    )
    AdditionalAccessEmail.objects.create(application=application, email="a0@example.com")
    add_applications(2, status="approved", tin=practice.tin, npi=clinician.npi)
    url = f"/exceptions/{application.reference}/"
    small, response = count_queries(connection, lambda: client.get(url))
    assert response.status_code == 200
    assert small <= CEILINGS["application page"]

    AdditionalAccessEmail.objects.bulk_create(
        [AdditionalAccessEmail(application=application, email=f"a{n}@example.com") for n in range(1, 10)]
    )
    make_practice(practice.tin, 50, first_nine_base=610000000)
    add_applications(18, status="approved", tin=practice.tin, npi=clinician.npi)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert "a9@example.com" in response.content.decode()


def test_eligibility_api_does_not_grow_with_members_approvals_or_virtual_groups(
    client, window, django_assert_max_num_queries
):
    user, clinician, practice = clinician_with_access()
    client.force_login(user)
    _grow_eligibility(practice.tin, 5, approvals=2, virtual_groups=1, base=620000000)
    url = f"/api/eligibility/npi/{clinician.npi}?year={YEAR}"
    small, response = count_queries(connection, lambda: client.get(url))
    assert response.status_code == 200
    assert small <= CEILINGS["eligibility API"]

    _grow_eligibility(practice.tin, 50, approvals=20, virtual_groups=10, base=620000000)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    organization = response.json()["data"]["organizations"][0]
    assert [g["virtualGroupIdentifier"] for g in organization["virtualGroups"]] == ["VG-700000"]
    assert organization["groupScenario"]["clinicianCount"] == 50


def test_participation_status_page_does_not_grow(client, window, django_assert_max_num_queries):
    user, clinician, practice = clinician_with_access()
    client.force_login(user)
    _grow_eligibility(practice.tin, 5, approvals=2, virtual_groups=1, base=630000000)
    form = {"identifier": clinician.npi, "year": str(YEAR)}
    small, response = count_queries(connection, lambda: client.post("/participation-status/", form))
    assert response.status_code == 200
    assert small <= CEILINGS["participation status"]

    _grow_eligibility(practice.tin, 50, approvals=20, virtual_groups=10, base=630000000)
    with django_assert_max_num_queries(small):
        response = client.post("/participation-status/", form)
    assert response.status_code == 200
    assert practice.legal_name in response.content.decode()


def _reviewer():
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from accounts.services import ensure_role_groups

    ensure_role_groups()
    user = UserFactory(email="queue-reviewer@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="CMS Reviewer"))
    TOTP.activate(user, "QPPDEMOREVIEWERTOTPSECRETKEYAAAA")  # the admin requires MFA
    return user


def _queue_rows(first: int, count: int):
    """Submitted applications from `count` different practices (individual and group levels)."""
    rows = []
    for n in range(first, first + count):
        tin = f"{640000000 + n:09d}"
        practice = make_practice(tin, 3, first_nine_base=650000000 + n * 10)
        npi = practice.individual_scenarios.values_list("clinician__npi", flat=True).first()
        if n % 4 == 0:
            rows += add_applications(1, level="group", tin=tin)
        else:
            rows += add_applications(1, npi=npi, tin=tin)
    return rows


def test_reviewer_queue_does_not_grow_with_rows(client, window, django_assert_max_num_queries):
    client.force_login(_reviewer())
    _queue_rows(0, 10)
    url = f"/admin/applications/application/?performance_year__exact={YEAR}&status=submitted"
    small, response = count_queries(connection, lambda: client.get(url))
    assert response.status_code == 200
    assert small <= CEILINGS["reviewer queue"]

    rows = _queue_rows(10, 90)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    page = response.content.decode()
    assert sum(a.reference in page for a in rows) == 90  # 100 rows on the one page


def test_wizard_step_save_does_not_grow(client, window, django_assert_max_num_queries):
    user, clinician, practice = clinician_with_access()
    client.force_login(user)
    make_practice(practice.tin, 5, first_nine_base=660000000)
    application = complete_individual_pi_draft(user=user, npi=clinician.npi, tin=practice.tin)
    add_applications(2, submitter=user, status="draft")
    url = f"/exceptions/{application.reference}/submitter-details/"
    form = {
        "contact_phone": "(517) 734-2222",
        "contact_email": "mary.thompson@example.com",
        "submitter_relationship": "clinician",
        "action": "save",
    }
    small, response = count_queries(connection, lambda: client.post(url, form))
    assert response.status_code == 302
    assert small <= CEILINGS["wizard step save"]

    make_practice(practice.tin, 50, first_nine_base=660000000)
    add_applications(18, submitter=user, status="draft")
    add_applications(100)
    with django_assert_max_num_queries(small):
        response = client.post(url, {**form, "contact_email": "mary@example.com"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.contact_email == "mary@example.com"
