"""Decisions, refusals, assignment, corrections and bulk decisions through the services (issue 7)."""

import pytest
from django_fsm_log.models import StateLog

from applications import services
from applications.models import Application, Status
from tests.review.conftest import submitted

pytestmark = pytest.mark.django_db


def test_approve_then_deny_is_refused_naming_status_who_and_when(reviewer, second_reviewer):
    application, _ = submitted()
    services.application_approve(application=application, actor=reviewer, note="Looks right")
    stale = Application.objects.get(pk=application.pk)
    with pytest.raises(services.TransitionNotAllowed) as excinfo:
        services.application_deny(application=stale, actor=second_reviewer, reason="Other", explanation="x")
    exc = excinfo.value
    assert "whose status is Approved" in exc.message
    # The applicant-safe message says CMS; the reviewer's names the reviewer and the time (ET).
    assert "approved by CMS on" in exc.message and " ET." in exc.message
    assert "approved by Rene Castillo (rene@example.com) on" in exc.reviewer_message
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED


def test_deny_records_reason_note_and_explanation(reviewer):
    application, _ = submitted()
    services.application_deny(
        application=application,
        actor=reviewer,
        reason="Not MIPS eligible",
        explanation="Below the threshold.",
    )
    stored = Application.objects.get(pk=application.pk)
    assert (stored.status, stored.denial_reason, stored.decided_by) == (
        Status.DENIED,
        "Not MIPS eligible",
        reviewer,
    )
    log = StateLog.objects.for_(stored).latest("timestamp")
    assert (log.transition, log.description, log.by) == ("deny", "Not MIPS eligible", reviewer)


def test_a_decision_on_a_stale_view_is_refused(reviewer):
    """The applicant withdrew while the reviewer was looking: the reviewer's approval is refused."""
    application, applicant = submitted()
    reviewer_view = Application.objects.get(pk=application.pk)
    services.application_withdraw(application=application, actor=applicant)
    with pytest.raises(services.TransitionNotAllowed) as excinfo:
        services.application_approve(application=reviewer_view, actor=reviewer)
    assert "whose status is Withdrawn" in excinfo.value.message
    assert f"withdrawn by {applicant.get_full_name()} ({applicant.email})" in excinfo.value.reviewer_message


def test_withdrawing_on_a_stale_view_of_a_now_approved_application_is_refused(reviewer):
    application, applicant = submitted()
    applicant_view = Application.objects.get(pk=application.pk)
    services.application_approve(application=application, actor=reviewer)
    with pytest.raises(services.TransitionNotAllowed) as excinfo:
        services.application_withdraw(application=applicant_view, actor=applicant)
    assert "whose status is Approved" in excinfo.value.message
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED


def test_only_reviewers_decide():
    application, applicant = submitted()
    with pytest.raises(services.ApplicationError):
        services.application_approve(application=application, actor=applicant)
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_assign_to_me_unassign_and_refusals(reviewer, second_reviewer, administrator):
    application, applicant = submitted()
    services.application_assign(application=application, reviewer=reviewer, actor=reviewer)
    assert Application.objects.get(pk=application.pk).assigned_reviewer == reviewer
    with pytest.raises(services.ApplicationError, match="only to yourself"):
        services.application_assign(application=application, reviewer=reviewer, actor=second_reviewer)
    with pytest.raises(services.ApplicationError, match="another reviewer"):
        services.application_assign(application=application, reviewer=None, actor=second_reviewer)
    with pytest.raises(services.ApplicationError, match="isn't a CMS reviewer"):
        services.application_assign(application=application, reviewer=applicant, actor=administrator)
    services.application_assign(application=application, reviewer=None, actor=administrator)
    assert Application.objects.get(pk=application.pk).assigned_reviewer is None
    services.application_approve(application=application, actor=reviewer)
    with pytest.raises(services.ApplicationError, match="Only pending applications"):
        services.application_assign(application=application, reviewer=reviewer, actor=reviewer)


def test_correction_needs_the_permission_and_a_reason_and_is_in_the_field_history(reviewer, administrator):
    application, _ = submitted()
    with pytest.raises(services.ApplicationError, match="permission"):
        services.application_correct(
            application=application, actor=reviewer, changes={"contact_phone": "5175550100"}, reason="Typo"
        )
    with pytest.raises(services.ApplicationError, match="reason"):
        services.application_correct(
            application=application, actor=administrator, changes={"contact_phone": "5175550100"}, reason=" "
        )
    with pytest.raises(services.ApplicationError, match="can't be corrected"):
        services.application_correct(
            application=application, actor=administrator, changes={"status": "approved"}, reason="No"
        )
    services.application_correct(
        application=application,
        actor=administrator,
        changes={"contact_phone": "5175550100"},
        reason="Applicant called: wrong phone number",
    )
    stored = Application.objects.get(pk=application.pk)
    assert stored.contact_phone == "5175550100" and stored.status == Status.SUBMITTED
    latest = stored.history.latest()
    assert latest.history_change_reason == "Applicant called: wrong phone number"
    assert latest.history_user == administrator
    assert latest.prev_record.contact_phone == "5177342222"


def test_bulk_approve_with_mixed_statuses_summarises(reviewer):
    pending = [submitted(n)[0] for n in range(1, 4)]
    decided, _ = submitted(10)
    services.application_deny(application=decided, actor=reviewer, reason="Other", explanation="x")
    withdrawn, applicant = submitted(11)
    services.application_withdraw(application=withdrawn, actor=applicant)
    selected = Application.objects.filter(pk__in=[a.pk for a in [*pending, decided, withdrawn]])
    outcome = services.applications_bulk_approve(applications=selected, actor=reviewer)
    assert outcome.summary == "Approved 3. Skipped 2: not pending."
    assert set(Application.objects.filter(status=Status.APPROVED).values_list("pk", flat=True)) == {
        a.pk for a in pending
    }


def test_bulk_deny_needs_a_reason_and_refuses_more_than_500(reviewer):
    application, _ = submitted()
    with pytest.raises(services.ApplicationError, match="reason"):
        services.applications_bulk_deny(
            applications=[application], actor=reviewer, reason="", explanation="x"
        )
    with pytest.raises(services.ApplicationError, match="at most 500"):
        services.applications_bulk_approve(applications=[application] * 501, actor=reviewer)
    outcome = services.applications_bulk_deny(
        applications=[application], actor=reviewer, reason="Duplicate application", explanation="See PI-1."
    )
    assert outcome.summary == "Denied 1."
