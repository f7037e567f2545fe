"""``can_view_application`` (one row, issue 9) answers exactly as membership of ``visible_applications`` (the
dashboard's list) for every kind of access: submitter, own NPI, practice staff, intermediary NPI and TIN
grants, virtual-group and APM Entity member TINs, additional access, revoked grants, inactive users."""

from __future__ import annotations

import itertools

import pytest
from allauth.account.models import EmailAddress
from django.http import Http404

from accounts.models import GrantStatus, IntermediaryGrant, NPILink, PracticeAccess
from applications import selectors
from applications.models import AdditionalAccessEmail, Application
from eligibility.models import APMEntity, APMParticipant, IndividualScenario, VirtualGroup
from tests.factories import UserFactory, accounts_clinician, accounts_practice, valid_npi

pytestmark = pytest.mark.django_db

MARY, BOB = "1234567893", valid_npi("444000111")
P1, P2, P3 = "123450093", "987653004", "555000333"
_refs = itertools.count(1)


def _application(submitter, level: str, *, year: int = 2026, **identifiers: str) -> Application:
    return Application.objects.create(
        reference=f"PI-{year}-{next(_refs):06d}",
        submitter=submitter,
        exception_type="pi_hardship",
        performance_year=year,
        participation_level=level,
        **identifiers,
    )


@pytest.fixture
def world():
    mary, bob = accounts_clinician(MARY), accounts_clinician(BOB, "Bob", "Rivera")
    p1, p2, p3 = accounts_practice(P1), accounts_practice(P2, "Second"), accounts_practice(P3, "Third")
    for clinician, practice in ((mary, p1), (mary, p2), (bob, p2)):
        IndividualScenario.objects.create(clinician=clinician, practice=practice, performance_year=2026)
    vg = VirtualGroup.objects.create(identifier="VG-000001", performance_year=2026)
    vg.practices.add(p1)
    entity = APMEntity.objects.create(apm_id="08", entity_id="A1234", name="ACO", performance_year=2026)
    APMParticipant.objects.create(apm_entity=entity, practice=p2, clinician=bob)

    users = {
        name: UserFactory(email=f"{name}@example.com")
        for name in (
            "submitter",
            "mary",
            "p1_staff",
            "p2_staff",
            "p3_staff",
            "int_npi",
            "int_tin",
            "revoked",
            "extra_verified",
            "extra_unverified",
            "inactive",
            "stranger",
        )
    }
    NPILink.objects.create(user=users["mary"], clinician=mary)
    PracticeAccess.objects.create(user=users["p1_staff"], practice=p1, role="staff_user")
    PracticeAccess.objects.create(user=users["p2_staff"], practice=p2, role="security_official")
    PracticeAccess.objects.create(user=users["p3_staff"], practice=p3, role="staff_user")
    IntermediaryGrant.objects.create(user=users["int_npi"], clinician=bob, relationship="consultant")
    IntermediaryGrant.objects.create(user=users["int_tin"], practice=p1, relationship="registry")
    PracticeAccess.objects.create(
        user=users["revoked"], practice=p1, role="staff_user", status=GrantStatus.REVOKED
    )
    PracticeAccess.objects.create(user=users["inactive"], practice=p1, role="staff_user")
    users["inactive"].is_active = False
    users["inactive"].save()
    EmailAddress.objects.create(user=users["extra_verified"], email="extra@example.com", verified=True)
    EmailAddress.objects.create(user=users["extra_unverified"], email="other@example.com", verified=False)

    submitter = users["submitter"]
    applications = [
        _application(submitter, "individual", npi=MARY, tin=P1),
        _application(submitter, "individual", npi=MARY, tin=P2),
        _application(submitter, "individual", npi=BOB, tin=P2),
        _application(submitter, "individual", npi=MARY),  # affiliation not chosen yet
        _application(submitter, "group", tin=P1),
        _application(submitter, "group", tin=P2),
        _application(submitter, "group", tin=P3),
        _application(submitter, "virtual_group", virtual_group_identifier="VG-000001"),
        _application(submitter, "virtual_group", virtual_group_identifier="VG-000001", year=2025),
        _application(submitter, "apm_entity", apm_entity_identifier="A1234"),
        _application(submitter, "apm_entity", apm_entity_identifier="A1234", year=2025),
        _application(submitter, ""),  # participant not chosen yet
        _application(users["stranger"], "group", tin=P3),
    ]
    shared = _application(submitter, "group", tin=P3)
    AdditionalAccessEmail.objects.create(application=shared, email="extra@example.com")
    AdditionalAccessEmail.objects.create(application=shared, email="other@example.com")
    applications.append(shared)
    return users, applications


def test_one_row_check_matches_the_visible_set_for_every_user_and_application(world):
    users, applications = world
    seen = 0
    for name, user in users.items():
        visible = set(selectors.visible_applications(user).values_list("pk", flat=True))
        for application in applications:
            expected = application.pk in visible
            assert selectors.can_view_application(user, application) is expected, (
                name,
                application.reference,
            )
            seen += expected
    assert seen > len(applications)  # the table is not all "no"
    from django.contrib.auth.models import AnonymousUser

    assert not any(selectors.can_view_application(AnonymousUser(), a) for a in applications)


def test_application_for_user_answers_404_for_someone_elses_application(world):
    users, applications = world
    group_p3 = applications[6]
    assert selectors.application_for_user(users["p3_staff"], group_p3.reference) == group_p3
    with pytest.raises(Http404):
        selectors.application_for_user(users["p1_staff"], group_p3.reference)
    with pytest.raises(Http404):
        selectors.application_for_user(users["p1_staff"], "PI-2026-999999")
