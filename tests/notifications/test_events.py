"""Issue 6 points 1-3: each event writes one outbox row per recipient in the transition's transaction, with
the right content, and delivery (eager here) sends exactly those emails."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from applications import notifications, services
from applications.models import Notification, NotificationEvent, NotificationStatus, Status
from tests.accounts.conftest import world as world  # noqa: F401  (the accounts tests' fixture)
from tests.factories import UserFactory, notifications_draft_with_access

from .conftest import IN_WINDOW

pytestmark = pytest.mark.django_db

ADDITIONAL = ("Jane.Doe@Example.com", "billing@example.org")


def _submit(user, **kwargs):
    application = notifications_draft_with_access(user=user, **kwargs)
    return services.application_submit(application=application, actor=user, certified=True, now=IN_WINDOW)


def _sent_to(event):
    return sorted(
        Notification.objects.filter(event=event, status=NotificationStatus.SENT).values_list(
            "recipient", flat=True
        )
    )


def test_submission_emails_the_contact_and_every_additional_address_once(
    clinician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        # "JANE.DOE@example.com" repeats an address in a different case: one email, not two.
        application = _submit(
            clinician,
            contact_email="Mary.Thompson@Example.com",
            additional_access=(*ADDITIONAL, "mary.thompson@example.com"),
        )
    expected = ["billing@example.org", "jane.doe@example.com", "mary.thompson@example.com"]
    assert sorted(m.to[0] for m in mail.outbox) == expected
    assert all(len(m.to) == 1 for m in mail.outbox)  # one message per person: no address sees the others
    assert _sent_to(NotificationEvent.APPLICATION_SUBMITTED) == expected
    message = mail.outbox[0]
    assert message.subject == (
        f"[TEST] Application {application.reference} submitted: Promoting Interoperability Hardship Exception"
    )
    body = message.body
    assert "successfully submitted and is pending review" in body
    assert f"Reference number: {application.reference}" in body
    assert "Exception type: MIPS Promoting Interoperability Performance Category Hardship Exception" in body
    assert "Participant: Mary Thompson (TIN: ****0093)" in body
    assert "Status: Submitted - Pending Approval" in body
    assert "What happens next" in body
    assert f"http://127.0.0.1:8000/exceptions/{application.reference}/" in body
    # No PII beyond what every recipient may see on the application page.
    for private in ("123450093", "1234567893", "5177342222", "mary.thompson@example.com"):
        assert private not in body
        assert private not in message.alternatives[0][0]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "successfully submitted and is pending review" in html and application.reference in html
    assert 'lang="en"' in html
    assert message.extra_headers["Message-ID"].startswith("<notification-")


def test_contact_email_falls_back_to_the_account_email(clinician, django_capture_on_commit_callbacks):
    application = notifications_draft_with_access(user=clinician, contact_email="")
    assert notifications.application_recipients(application) == [clinician.email]


def test_approval_reaches_the_same_people_and_says_what_happens_next(
    clinician, reviewer, django_capture_on_commit_callbacks
):
    application = _submit(clinician, additional_access=ADDITIONAL)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, actor=reviewer)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "billing@example.org", "jane.doe@example.com", "mary.thompson@example.com"
    ]
    assert reviewer.email not in [m.to[0] for m in mail.outbox]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith(f"[TEST] Application {application.reference} approved")
    assert "approved your request" in body and "Status: Approved" in body
    assert "Promoting Interoperability performance category will be reweighted to 0%" in body


def test_denial_carries_the_reviewers_reason_and_explanation(
    clinician, reviewer, django_capture_on_commit_callbacks
):
    application = _submit(clinician)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_deny(
            application=application,
            actor=reviewer,
            reason="The event is outside the performance year",
            explanation="The outage you describe ended in 2025 <b>before</b> the 2026 performance period.",
        )
    assert [m.to for m in mail.outbox] == [["mary.thompson@example.com"]]
    message = mail.outbox[0]
    assert "denied" in message.subject
    assert "Reason: The event is outside the performance year" in message.body
    assert "ended in 2025 <b>before</b> the 2026" in message.body  # plain text: shown as written
    html = message.alternatives[0][0]
    assert "&lt;b&gt;before&lt;/b&gt;" in html and "<b>before</b>" not in html  # HTML: escaped


def test_withdrawal_of_a_submitted_application_notifies_but_a_draft_does_not(
    clinician, django_capture_on_commit_callbacks
):
    draft = notifications_draft_with_access(user=clinician, additional_access=ADDITIONAL)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=draft, actor=clinician)
    assert mail.outbox == [] and not Notification.objects.exists()

    application = _submit(clinician, additional_access=ADDITIONAL)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=application, actor=clinician)
    assert len(mail.outbox) == 3
    assert "withdrawn" in mail.outbox[0].subject
    assert "can't be reopened" in mail.outbox[0].body
    assert _sent_to(NotificationEvent.APPLICATION_WITHDRAWN) == sorted(
        ["mary.thompson@example.com", "jane.doe@example.com", "billing@example.org"]
    )


def test_rows_are_written_in_the_transition_transaction_and_a_rollback_sends_nothing(
    clinician, django_capture_on_commit_callbacks
):
    application = notifications_draft_with_access(user=clinician, additional_access=ADDITIONAL)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
        # The rows exist inside the transaction, pending...
        assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 3
        raise RuntimeError("something after the transition failed")
    # ...and vanish with it: nothing stored, nothing queued, nothing sent.
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_failed_transition_writes_no_rows(clinician, reviewer):
    application = notifications_draft_with_access(user=clinician)
    with pytest.raises(services.TransitionNotAllowed):
        services.application_approve(application=application, actor=reviewer)
    assert not Notification.objects.exists()


def test_the_database_refuses_a_second_row_for_the_same_event_and_recipient(clinician):
    application = _submit(clinician)
    row = Notification.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            event=row.event,
            event_key=row.event_key,
            recipient=row.recipient,
            subject="again",
            body_text="again",
            next_attempt_at=row.next_attempt_at,
        )
    # Recording the same event again (a replayed call) writes nothing new either.
    assert (
        notifications.notifications_record_status_change(
            application=application, from_status=Status.DRAFT, to_status=Status.SUBMITTED, actor=clinician
        )
        == []
    )
    assert Notification.objects.count() == 1
    assert row.event_key == f"application:{application.pk}:submitted"


def test_euc_approval_names_the_requested_categories():
    from applications.models import Application

    # Presentation only: the EUC wording lists the categories asked about.
    context = notifications._application_context(
        Application(
            reference="EUC-2026-000001",
            exception_type="euc",
            performance_year=2026,
            requests_quality=True,
            requests_cost=True,
        )
    )
    assert context["categories"] == "Quality, Cost"
    rendered = notifications.render_email(
        NotificationEvent.APPLICATION_APPROVED, {**context, "status": "Approved"}
    )
    assert "(Quality, Cost) will be reweighted to 0%" in rendered.text


def test_subject_prefix_outside_production_and_none_in_production(settings):
    settings.ENVIRONMENT_NAME = "local"
    assert notifications.subject_prefix() == "[LOCAL] "
    settings.ENVIRONMENT_NAME = "production"
    assert notifications.subject_prefix() == ""


def test_a_newline_cannot_reach_the_subject():
    rendered = notifications.render_email(
        NotificationEvent.APPLICATION_SUBMITTED,
        {"reference": "PI-2026-000001\nBcc: victim@example.com", "exception_short": "x"},
    )
    assert "\n" not in rendered.subject


# --- access requests (accounts issue) through the same outbox -------------------------------------------


def test_access_request_emails_requester_and_approvers_through_the_outbox(
    world, django_capture_on_commit_callbacks  # noqa: F811
):
    from accounts import services as account_services
    from tests.factories import PracticeAccessFactory

    so = PracticeAccessFactory(practice=world["large"], role="security_official").user
    staff = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request = account_services.access_request_create(
            requester=staff, kind="practice", tin="123450093", role="staff_user"
        )
    rows = {(r.event, r.recipient, r.status) for r in Notification.objects.all()}
    assert rows == {
        (NotificationEvent.ACCESS_REQUEST_RECEIVED, staff.email, NotificationStatus.SENT),
        (NotificationEvent.ACCESS_REQUEST_AWAITING_DECISION, so.email, NotificationStatus.SENT),
    }
    waiting = next(m for m in mail.outbox if m.to == [so.email])
    assert f"http://127.0.0.1:8000/access/requests/{request.pk}/" in waiting.body
    assert "TIN ****0093" in waiting.body and "123450093" not in waiting.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        account_services.access_request_deny(access_request=request, actor=so, reason="Not our staff.")
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "Reason: Not our staff." in mail.outbox[0].body
    assert Notification.objects.filter(event=NotificationEvent.ACCESS_REQUEST_DENIED).count() == 1
