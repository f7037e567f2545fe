"""Models: reference numbers, constraints, protected status, presentation helpers, admin."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from applications.models import Application, ApplicationWindow, Status
from tests.factories import (
    ApplicationWindowFactory,
    UserFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    draft_application,
    et,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician():
    ApplicationWindowFactory(performance_year=2026)
    user, _, _ = clinician_with_access()
    return user


def test_reference_is_unique(clinician):
    first = draft_application(user=clinician)
    second = draft_application(user=clinician)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(reference=first.reference)


def test_constraint_ignores_closed_statuses_and_empty_keys(clinician):
    """Two drafts without a participant yet are fine; a withdrawn application doesn't block a new one."""
    draft_application(user=clinician)
    draft_application(user=clinician)
    assert Application.objects.filter(participant_key="").count() == 2


def test_status_is_protected_and_defaults_to_draft(clinician):
    application = draft_application(user=clinician)
    assert application.status == Status.DRAFT
    with pytest.raises(AttributeError):
        application.status = Status.SUBMITTED
    application.refresh_from_db()  # FSMModelMixin allows refreshing a protected field
    assert application.status == Status.DRAFT


def test_presentation_helpers(clinician):
    application = complete_individual_pi_draft(user=clinician)
    assert str(application) == application.reference
    assert application.masked_tin == "****0093"
    assert application.participant_label == "Mary Thompson (TIN: ****0093)"
    assert application.reason_label == "Insufficient Internet Connectivity"


def test_window_must_close_after_it_opens():
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationWindow.objects.create(
            performance_year=2030, opens_at=et(2030, 6, 1), closes_at=et(2030, 5, 1)
        )


# --- admin ---------------------------------------------------------------------------------------------


def _with_totp(user):
    """Staff need TOTP before any admin page (accounts middleware); the secret is irrelevant here."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def superuser(db):
    return _with_totp(UserFactory(is_staff=True, is_superuser=True))


def test_admin_edits_windows_in_eastern_time(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:applications_applicationwindow_add"),
        {
            "performance_year": "2027",
            "opens_at_0": "2027-05-10",
            "opens_at_1": "00:00:00",
            "closes_at_0": "2027-12-31",
            "closes_at_1": "20:00:00",
            "reopenings-TOTAL_FORMS": "1",
            "reopenings-INITIAL_FORMS": "0",
            "reopenings-MIN_NUM_FORMS": "0",
            "reopenings-MAX_NUM_FORMS": "1000",
            "reopenings-0-opens_at_0": "2028-03-01",
            "reopenings-0-opens_at_1": "00:00:00",
            "reopenings-0-closes_at_0": "2028-04-15",
            "reopenings-0-closes_at_1": "20:00:00",
            "reopenings-0-event_type": "ransom_malware",
            "reopenings-0-change_healthcare_cyberattack_only": "on",
            "reopenings-0-note": "Change Healthcare",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    window = ApplicationWindow.objects.get(performance_year=2027)
    assert window.closes_at == et(2027, 12, 31, 20)
    assert window.reopenings.get().closes_at == et(2028, 4, 15, 20)


def test_admin_application_is_read_only(client, superuser, clinician):
    """The review queue (issue 7) shows submitted applications only, so the read-only check opens one."""
    from applications import services

    application = complete_individual_pi_draft(user=clinician)
    services.application_submit(
        application=application, actor=clinician, certified=True, now=et(2026, 11, 2, 12)
    )
    client.force_login(superuser)
    assert client.get(reverse("admin:applications_application_changelist")).status_code == 200
    url = reverse("admin:applications_application_change", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert application.reference in response.content.decode()
    assert 'name="status"' not in response.content.decode()
    client.post(url, {"status": "approved"})
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    assert client.get(reverse("admin:applications_application_add")).status_code == 403


def test_admin_hides_drafts_from_reviewers(client, superuser, clinician):
    """A draft is the applicant's work in progress, not CMS's to see until it is submitted (ADR 0060): the
    admin's queryset excludes drafts, so the change page of one answers as for a missing object (the admin
    redirects to its index with "doesn't exist") and never shows the answers."""
    draft = complete_individual_pi_draft(user=clinician)
    client.force_login(superuser)
    url = reverse("admin:applications_application_change", args=[draft.pk])
    response = client.get(url)
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    followed = client.get(url, follow=True).content.decode()
    assert draft.reference not in followed
    queue = client.get(reverse("admin:applications_application_changelist")).content.decode()
    assert draft.reference not in queue
    client.post(url, {"status": "approved"})
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_staff_without_admin_role_cannot_change_windows(client):
    ApplicationWindowFactory(performance_year=2026)
    staff = _with_totp(UserFactory(is_staff=True))
    client.force_login(staff)
    assert client.get(reverse("admin:applications_applicationwindow_add")).status_code == 403
