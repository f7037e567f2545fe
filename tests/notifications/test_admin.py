"""The outbox in the admin: CMS staff see every row and why it failed; administrators can Resend."""

import pytest
from django.core import mail

from applications import services
from applications.models import Notification, NotificationStatus
from tests.factories import UserFactory, notifications_draft_with_access

from .conftest import IN_WINDOW

pytestmark = pytest.mark.django_db


def _with_totp(user):
    from allauth.mfa.models import Authenticator

    # Staff must have TOTP set up before they reach the admin (accounts issue, ADR 0023).
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    return user


@pytest.fixture
def failed_row(clinician, flaky_email, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    flaky_email.failures = -1
    application = notifications_draft_with_access(user=clinician)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    row = Notification.objects.get()
    assert row.status == NotificationStatus.FAILED
    flaky_email.failures = 0
    return row


def test_administrator_sees_failed_rows_and_resends_them(
    client, failed_row, django_capture_on_commit_callbacks
):
    admin_user = _with_totp(UserFactory(is_staff=True, is_superuser=True))
    client.force_login(admin_user)
    listing = client.get("/admin/applications/notification/?status__exact=failed")
    assert listing.status_code == 200
    content = listing.content.decode()
    assert failed_row.recipient in content and "Connection unexpectedly closed" in content
    assert "resend_selected" in content
    detail = client.get(f"/admin/applications/notification/{failed_row.pk}/change/")
    assert detail.status_code == 200 and "sandbox" in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/applications/notification/",
            {"action": "resend_selected", "_selected_action": [failed_row.pk]},
            follow=True,
        )
    assert "1 email(s) queued to send again." in response.content.decode()
    failed_row.refresh_from_db()
    assert failed_row.status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [[failed_row.recipient]]


def test_reviewer_may_look_but_not_resend(client, failed_row, reviewer):
    from django.contrib.auth.models import Permission

    _with_totp(reviewer)
    reviewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(reviewer)
    listing = client.get("/admin/applications/notification/")
    assert listing.status_code == 200
    assert "resend_selected" not in listing.content.decode()
    response = client.post(
        "/admin/applications/notification/",
        {"action": "resend_selected", "_selected_action": [failed_row.pk]},
    )
    assert response.status_code in (200, 302)
    failed_row.refresh_from_db()
    assert failed_row.status == NotificationStatus.FAILED
    # Nobody edits or deletes a row by hand.
    assert client.post(f"/admin/applications/notification/{failed_row.pk}/delete/").status_code == 403
