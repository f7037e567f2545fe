"""Services: the only writers. Transitions (allowed and refused), duplicates, stale answers, events."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django_fsm_log.models import StateLog

from applications import policy, services
from applications.models import Application, Status
from applications.signals import application_status_changed
from tests.factories import (
    ApplicationWindowFactory,
    UserFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    draft_application,
    et,
    practice_user,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

IN_WINDOW = et(2026, 11, 23, 12)


@pytest.fixture
def window():
    return ApplicationWindowFactory(
        performance_year=2026, opens_at=et(2026, 5, 12), closes_at=et(2026, 12, 31, 20)
    )


@pytest.fixture
def clinician(window):
    user, clinician, practice = clinician_with_access()
    return user


@pytest.fixture
def reviewer(db):
    return reviewer_user()


def _submitted(user):
    application = complete_individual_pi_draft(user=user)
    return services.application_submit(application=application, actor=user, certified=True, now=IN_WINDOW)


def _in_status(status: str, user, reviewer) -> Application:
    if status == Status.DRAFT:
        return complete_individual_pi_draft(user=user)
    application = _submitted(user)
    if status == Status.APPROVED:
        services.application_approve(application=application, actor=reviewer)
    elif status == Status.DENIED:
        services.application_deny(
            application=application, actor=reviewer, reason="Not eligible", explanation=""
        )
    elif status == Status.WITHDRAWN:
        services.application_withdraw(application=application, actor=user)
    return application


def _act(action: str, application: Application, user, reviewer) -> Application:
    if action == "submit":
        return services.application_submit(application=application, actor=user, certified=True, now=IN_WINDOW)
    if action == "approve":
        return services.application_approve(application=application, actor=reviewer)
    if action == "deny":
        return services.application_deny(
            application=application, actor=reviewer, reason="Reason", explanation="x"
        )
    return services.application_withdraw(application=application, actor=user)


ALLOWED = {
    (Status.DRAFT, "submit"): Status.SUBMITTED,
    (Status.SUBMITTED, "approve"): Status.APPROVED,
    (Status.SUBMITTED, "deny"): Status.DENIED,
    (Status.DRAFT, "withdraw"): Status.WITHDRAWN,
    (Status.SUBMITTED, "withdraw"): Status.WITHDRAWN,
    (Status.APPROVED, "withdraw"): Status.WITHDRAWN,
}
TABLE = [
    (status, action, ALLOWED.get((status, action)))
    for status in Status.values
    for action in ("submit", "approve", "deny", "withdraw")
]


@pytest.mark.parametrize(("status", "action", "target"), TABLE, ids=[f"{s}-{a}" for s, a, _ in TABLE])
def test_transition_table(status, action, target, clinician, reviewer):
    application = _in_status(status, clinician, reviewer)
    assert application.status == status
    if target is None:
        with pytest.raises(services.TransitionNotAllowed) as excinfo:
            _act(action, application, clinician, reviewer)
        # The message names the current status in CMS's words.
        assert Status(status).label in excinfo.value.message
        assert Application.objects.get(pk=application.pk).status == status
    else:
        _act(action, application, clinician, reviewer)
        stored = Application.objects.get(pk=application.pk)
        assert stored.status == target
        assert application.status == target
        log = StateLog.objects.for_(stored).latest("timestamp")
        assert (log.source_state, log.state) == (status, target)
        assert log.by_id == (reviewer.pk if action in ("approve", "deny") else clinician.pk)


def test_status_field_is_protected(clinician):
    application = complete_individual_pi_draft(user=clinician)
    with pytest.raises(AttributeError):
        application.status = Status.APPROVED


def test_create_draft_assigns_reference_from_row_id(clinician):
    application = services.application_create_draft(
        actor=clinician, exception_type="euc", performance_year=2026
    )
    assert application.reference == f"EUC-2026-{application.pk:06d}"
    pi = services.application_create_draft(
        actor=clinician, exception_type="pi_hardship", performance_year=2026
    )
    assert pi.reference == f"PI-2026-{pi.pk:06d}"
    assert Application.objects.get(pk=pi.pk).status == Status.DRAFT


@pytest.mark.parametrize(("exception_type", "year"), [("bogus", 2026), ("euc", 2016), ("euc", 2999)])
def test_create_draft_refuses_bad_type_or_year(clinician, exception_type, year):
    with pytest.raises(services.ApplicationError):
        services.application_create_draft(
            actor=clinician, exception_type=exception_type, performance_year=year
        )
    assert not Application.objects.exists()


def test_submit_records_who_when_and_snapshots_texts(clinician):
    application = _submitted(clinician)
    assert application.submitted_at == IN_WINDOW
    assert application.attestation_text.startswith("On behalf of the clinician(s) listed in this application")
    assert application.attestation_text == policy.PI_REASON_ATTESTATIONS["insufficient_internet_connectivity"]
    assert application.certified_statement.startswith("By submitting this Promoting Interoperability")


def test_submit_requires_certification(clinician):
    application = complete_individual_pi_draft(user=clinician)
    with pytest.raises(services.ApplicationError):
        services.application_submit(application=application, actor=clinician, certified=False, now=IN_WINDOW)
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_submit_refuses_incomplete(clinician):
    application = draft_application(user=clinician, participation_level="individual", npi="1234567893")
    with pytest.raises(services.IncompleteApplication) as excinfo:
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    assert "tin" in excinfo.value.missing
    assert "attested" in excinfo.value.missing
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_submit_outside_window_keeps_draft(clinician):
    application = complete_individual_pi_draft(user=clinician)
    with pytest.raises(services.WindowClosed) as excinfo:
        services.application_submit(
            application=application, actor=clinician, certified=True, now=et(2026, 12, 31, 20)
        )
    assert excinfo.value.message == (
        "The 2026 QPP Exception Applications window closed December 31, 2026 at 8 p.m. ET. "
        "You can keep this draft, but you can't submit it."
    )
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_after_submission_nothing_can_change(clinician):
    application = _submitted(clinician)
    with pytest.raises(services.ApplicationNotEditable):
        services.application_save_step(
            application=application, actor=clinician, changes={"event_description": "changed"}
        )
    assert Application.objects.get(pk=application.pk).event_description == ""


def test_duplicate_open_application_refused_by_service(clinician):
    complete_individual_pi_draft(user=clinician)
    with pytest.raises(services.DuplicateApplication):
        complete_individual_pi_draft(user=clinician)
    assert Application.objects.filter(participant_key="individual:1234567893:123450093").count() == 1


def test_duplicate_constraint_in_database(clinician):
    first = complete_individual_pi_draft(user=clinician)
    second = draft_application(user=clinician)
    # The constraint itself (not the service's check): a raw write of the same participant key fails.
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(participant_key=first.participant_key)


def test_withdrawn_or_denied_frees_the_participant(clinician, reviewer):
    first = _submitted(clinician)
    services.application_withdraw(application=first, actor=clinician)
    second = complete_individual_pi_draft(user=clinician)
    assert second.participant_key == first.participant_key


def test_other_exception_type_is_not_a_duplicate(clinician):
    complete_individual_pi_draft(user=clinician)
    euc = draft_application(
        user=clinician,
        exception_type="euc",
        participation_level="individual",
        npi="1234567893",
        tin="123450093",
    )
    assert euc.participant_key == "individual:1234567893:123450093"


def test_changing_reason_clears_old_answers(clinician):
    application = draft_application(
        user=clinician,
        participation_level="individual",
        npi="1234567893",
        tin="123450093",
        pi_reason="ehr_decertification",
        event_start_date=dt.date(2026, 3, 1),
        onc_acb_certification_id="15.04.04.2891.Alls.AC.03.1.221231",
        attested=True,
    )
    services.application_save_step(
        application=application, actor=clinician, changes={"pi_reason": "insufficient_internet_connectivity"}
    )
    stored = Application.objects.get(pk=application.pk)
    assert stored.pi_reason == "insufficient_internet_connectivity"
    assert stored.onc_acb_certification_id == ""
    assert stored.event_start_date is None
    assert stored.attested is False


def test_changing_event_type_clears_dates_and_change_healthcare_answer(clinician):
    application = draft_application(
        user=clinician,
        exception_type="euc",
        participation_level="individual",
        npi="1234567893",
        tin="123450093",
        requests_quality=True,
        event_type="ransom_malware",
        change_healthcare_cyberattack=True,
        event_start_date=dt.date(2026, 2, 21),
        event_still_persists=True,
    )
    assert application.change_healthcare_cyberattack is True
    services.application_save_step(
        application=application, actor=clinician, changes={"event_type": "disaster"}
    )
    stored = Application.objects.get(pk=application.pk)
    assert stored.change_healthcare_cyberattack is None
    assert stored.event_start_date is None
    assert stored.event_still_persists is False
    assert stored.requests_quality is True


def test_covid_refused_from_2024(clinician):
    application = draft_application(user=clinician, exception_type="euc")
    with pytest.raises(services.ApplicationError) as excinfo:
        services.application_save_step(
            application=application, actor=clinician, changes={"event_type": "covid_19"}
        )
    assert "COVID-19" in excinfo.value.message
    assert Application.objects.get(pk=application.pk).event_type == ""


def test_pi_hardship_refuses_apm_entity(clinician):
    application = draft_application(user=clinician)
    with pytest.raises(services.ApplicationError):
        services.application_save_step(
            application=application, actor=clinician, changes={"participation_level": "apm_entity"}
        )


def test_unauthorized_identifier_refused(clinician):
    clinician_with_access(npi="1000000004", user=UserFactory())  # someone else's clinician
    application = draft_application(user=clinician)
    with pytest.raises(services.NotAuthorizedForParticipant):
        services.application_save_step(
            application=application,
            actor=clinician,
            changes={"participation_level": "individual", "npi": "1000000004"},
        )
    assert Application.objects.get(pk=application.pk).npi == ""


def test_only_editors_may_save(clinician):
    application = complete_individual_pi_draft(user=clinician)
    stranger = UserFactory()
    with pytest.raises(services.ApplicationNotEditable):
        services.application_save_step(application=application, actor=stranger, changes={"attested": False})
    staff, _ = practice_user(tin="123450093")  # practice access to the TIN the NPI bills under may edit
    services.application_save_step(
        application=application, actor=staff, changes={"contact_phone_extension": "12"}
    )
    assert Application.objects.get(pk=application.pk).contact_phone_extension == "12"


def test_participant_name_snapshot(clinician):
    application = complete_individual_pi_draft(user=clinician)
    assert application.participant_name == "Mary Thompson"


def test_additional_access_emails_deduplicated_and_limited(clinician):
    application = draft_application(user=clinician)
    services.application_save_step(
        application=application,
        actor=clinician,
        changes={},
        additional_access=["A@Example.com", "a@example.com ", "b@example.com"],
    )
    assert sorted(application.additional_access.values_list("email", flat=True)) == [
        "a@example.com",
        "b@example.com",
    ]
    services.application_save_step(
        application=application, actor=clinician, changes={}, additional_access=["b@example.com"]
    )
    assert list(application.additional_access.values_list("email", flat=True)) == ["b@example.com"]
    with pytest.raises(services.ApplicationError):
        services.application_save_step(
            application=application,
            actor=clinician,
            changes={},
            additional_access=[f"user{i}@example.com" for i in range(51)],
        )
    with pytest.raises(services.ApplicationError):
        services.application_save_step(
            application=application, actor=clinician, changes={}, additional_access=["not an email"]
        )
    assert list(application.additional_access.values_list("email", flat=True)) == ["b@example.com"]


def test_hostile_text_stored_without_control_characters(clinician):
    application = draft_application(user=clinician)
    services.application_save_step(
        application=application,
        actor=clinician,
        changes={"event_description": "<script>alert(1)</script>\x00\x07 ok\nline"},
    )
    assert (
        Application.objects.get(pk=application.pk).event_description == "<script>alert(1)</script> ok\nline"
    )


def test_description_over_6000_characters_refused(clinician):
    application = draft_application(user=clinician)
    with pytest.raises(services.ApplicationError):
        services.application_save_step(
            application=application, actor=clinician, changes={"event_description": "x" * 6001}
        )


def test_only_reviewers_decide(clinician):
    application = _submitted(clinician)
    with pytest.raises(services.ApplicationError):
        services.application_approve(application=application, actor=clinician)
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_deny_records_reason(clinician, reviewer):
    application = _submitted(clinician)
    services.application_deny(
        application=application, actor=reviewer, reason="Data submitted", explanation="PI data"
    )
    stored = Application.objects.get(pk=application.pk)
    assert (stored.denial_reason, stored.denial_explanation, stored.decided_by) == (
        "Data submitted",
        "PI data",
        reviewer,
    )


@pytest.mark.django_db(transaction=True)
def test_status_change_event_sent_on_commit(window):
    user, _, _ = clinician_with_access()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    application_status_changed.connect(receiver)
    try:
        application = complete_individual_pi_draft(user=user)
        services.application_submit(application=application, actor=user, certified=True, now=IN_WINDOW)
    finally:
        application_status_changed.disconnect(receiver)
    assert len(received) == 1
    event = received[0]
    assert event["application_id"] == application.pk
    assert (event["from_status"], event["to_status"], event["actor_id"]) == ("draft", "submitted", user.pk)


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transition_emits_nothing(window):
    user, _, _ = clinician_with_access()
    application = complete_individual_pi_draft(user=user)
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    application_status_changed.connect(receiver)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.application_submit(application=application, actor=user, certified=True, now=IN_WINDOW)
            raise RuntimeError("roll back")
    finally:
        application_status_changed.disconnect(receiver)
    assert received == []
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT
    assert not StateLog.objects.for_(application).exists()


def test_revoked_access_stops_edits_submission_and_withdrawal(clinician):
    from accounts.models import NPILink

    application = complete_individual_pi_draft(user=clinician)
    link = NPILink.objects.get(user=clinician)
    link.revoke(actor=clinician)
    link.save()
    with pytest.raises(services.ApplicationNotEditable):
        services.application_save_step(application=application, actor=clinician, changes={"attested": False})
    with pytest.raises(services.ApplicationNotEditable):
        services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    with pytest.raises(services.ApplicationNotEditable):
        services.application_withdraw(application=application, actor=clinician)
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_submitter_edits_draft_before_participant_is_chosen(clinician):
    application = draft_application(user=clinician)
    other = UserFactory()
    services.application_save_step(
        application=application, actor=clinician, changes={"contact_email": "a@b.gov"}
    )
    with pytest.raises(services.ApplicationNotEditable):
        services.application_save_step(
            application=application, actor=other, changes={"contact_email": "x@y.gov"}
        )
