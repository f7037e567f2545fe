"""Access requests and grants: who may request, approve, deny and revoke (issue 4)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import authorization as authz
from accounts import services
from accounts.models import AccessRequestStatus, GrantStatus, NPILink, PracticeAccess
from tests.factories import IntermediaryGrantFactory, NPILinkFactory, PracticeAccessFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request(user, **kwargs):
    return services.access_request_create(requester=user, **kwargs)


def test_practice_request_is_approved_by_the_security_official(
    world, django_capture_on_commit_callbacks, celery_eager
):
    # Emails go through the notifications outbox and a Celery task: run it in-process on both CI legs.
    so = PracticeAccessFactory(practice=world["large"], role="security_official").user
    staff = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        request = _request(staff, kind="practice", tin="123450093", role="staff_user")
    assert {tuple(m.to) for m in mail.outbox} == {(staff.email,), (so.email,)}
    assert not authz.can_act_for_tin(staff, "123450093")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant = services.access_request_approve(access_request=request, actor=so)
    assert isinstance(grant, PracticeAccess) and grant.role == "staff_user"
    assert request.status == AccessRequestStatus.APPROVED
    assert request.decided_by == so and request.decided_at is not None
    assert authz.can_act_for_tin(staff, "123450093")
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "approved" in mail.outbox[0].subject


def test_staff_user_or_stranger_cannot_approve(world):
    staff_user = PracticeAccessFactory(practice=world["large"], role="staff_user").user
    PracticeAccessFactory(practice=world["large"], role="security_official")
    other_so = PracticeAccessFactory(practice=world["small"], role="security_official").user
    request = _request(UserFactory(), kind="practice", tin="123450093", role="staff_user")
    for actor in (staff_user, other_so, UserFactory()):
        assert not authz.can_decide_access_request(actor, request)
        with pytest.raises(PermissionDenied):
            services.access_request_approve(access_request=request, actor=actor)
    request.refresh_from_db(fields=["decided_at"])
    assert request.decided_at is None


def test_nobody_approves_their_own_request(world):
    so = PracticeAccessFactory(practice=world["large"], role="staff_user").user
    PracticeAccessFactory(practice=world["large"], role="security_official")
    request = _request(so, kind="practice", tin="123450093", role="security_official")
    with pytest.raises(PermissionDenied):
        services.access_request_approve(access_request=request, actor=so)


def test_cms_administrator_approves_only_where_the_practice_has_no_security_official(world, cms_admin):
    no_so = _request(UserFactory(), kind="practice", tin="555550111", role="security_official")
    assert authz.can_decide_access_request(cms_admin, no_so)
    services.access_request_approve(access_request=no_so, actor=cms_admin)
    with_so = _request(UserFactory(), kind="practice", tin="555550111", role="staff_user")
    assert not authz.can_decide_access_request(cms_admin, with_so)


def test_npi_link_is_approved_by_a_cms_administrator_only(world, cms_admin):
    so = PracticeAccessFactory(practice=world["large"], role="security_official").user
    clinician = UserFactory()
    request = _request(clinician, kind="npi_link", npi="1234567893")
    assert not authz.can_decide_access_request(so, request)
    link = services.access_request_approve(access_request=request, actor=cms_admin)
    assert isinstance(link, NPILink)
    assert authz.can_act_for_npi(clinician, "1234567893")
    # The NPI is now taken: nobody else may ask to link it.
    with pytest.raises(ValidationError):
        _request(UserFactory(), kind="npi_link", npi="1234567893")


def test_intermediary_npi_request_is_the_clinicians_to_approve(world, cms_admin):
    mary = NPILinkFactory(clinician=world["mary"]).user
    consultant = UserFactory()
    request = _request(consultant, kind="intermediary", npi="1234567893", relationship="consultant")
    assert authz.access_request_approvers(request) == [mary]
    assert not authz.can_decide_access_request(cms_admin, request)
    services.access_request_approve(access_request=request, actor=mary)
    assert authz.can_act_for_npi(consultant, "1234567893")
    assert not authz.can_act_for_tin(consultant, "987653004")


def test_deny_records_who_when_and_why_and_grants_nothing(
    world, django_capture_on_commit_callbacks, celery_eager
):
    so = PracticeAccessFactory(practice=world["small"], role="security_official").user
    vendor = UserFactory()
    request = _request(vendor, kind="intermediary", tin="987653004", relationship="ehr_vendor")
    with django_capture_on_commit_callbacks(execute=True):
        services.access_request_deny(access_request=request, actor=so, reason="We do not use this vendor.")
    assert request.status == AccessRequestStatus.DENIED
    assert request.decided_by == so and request.decision_reason == "We do not use this vendor."
    assert not authz.can_act_for_tin(vendor, "987653004")
    assert "denied" in mail.outbox[-1].subject and "this vendor" in mail.outbox[-1].body
    with pytest.raises(PermissionDenied):  # a decided request cannot be decided again
        services.access_request_approve(access_request=request, actor=so)


def test_revoke_by_security_official_holder_or_admin_but_not_a_staff_user(world, cms_admin):
    so = PracticeAccessFactory(practice=world["large"], role="security_official").user
    staff_user = PracticeAccessFactory(practice=world["large"], role="staff_user").user
    grant = IntermediaryGrantFactory(practice=world["large"])
    assert not authz.can_revoke_grant(staff_user, grant)
    with pytest.raises(PermissionDenied):
        services.access_grant_revoke(grant=grant, actor=staff_user)
    assert authz.can_revoke_grant(grant.user, grant)
    assert authz.can_revoke_grant(cms_admin, grant)
    services.access_grant_revoke(grant=grant, actor=so)
    assert grant.status == GrantStatus.REVOKED and grant.revoked_by == so
    assert not authz.can_act_for_tin(grant.user, "123450093")
    assert not authz.can_revoke_grant(so, grant)  # already revoked


def test_revoking_an_approved_grant_marks_its_request_revoked(world, cms_admin):
    user = UserFactory()
    request = _request(user, kind="npi_link", npi="1000000053")
    link = services.access_request_approve(access_request=request, actor=cms_admin)
    services.access_grant_revoke(grant=link, actor=user)
    request.refresh_from_db(fields=["revoked_at"])
    from accounts.models import AccessRequest

    assert AccessRequest.objects.get(pk=request.pk).status == AccessRequestStatus.REVOKED


def test_new_role_replaces_the_current_role(world):
    so = PracticeAccessFactory(practice=world["large"], role="security_official").user
    staff = PracticeAccessFactory(practice=world["large"], role="staff_user").user
    request = _request(staff, kind="practice", tin="123450093", role="security_official")
    services.access_request_approve(access_request=request, actor=so)
    active = PracticeAccess.objects.filter(user=staff, status=GrantStatus.ACTIVE)
    assert [a.role for a in active] == ["security_official"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "npi_link", "npi": "1234567890"}, "npi"),  # bad check digit
        ({"kind": "npi_link", "npi": "1234567893x"}, "npi"),
        ({"kind": "npi_link", "npi": "1999999992"}, "npi"),  # valid Luhn, unknown to QPP
        ({"kind": "practice", "tin": "12345", "role": "staff_user"}, "tin"),
        ({"kind": "practice", "tin": "111111111", "role": "staff_user"}, "tin"),
        ({"kind": "practice", "tin": "123450093", "role": "owner"}, "role"),
        ({"kind": "intermediary", "tin": "123450093", "relationship": "friend"}, "relationship"),
        ({"kind": "intermediary", "tin": "123450093", "relationship": "other"}, "relationship_other"),
        ({"kind": "intermediary", "npi": "1234567893", "tin": "123450093", "relationship": "other"}, None),
        ({"kind": "superuser"}, "kind"),
    ],
)
def test_invalid_requests_are_refused_and_nothing_is_stored(world, kwargs, field):
    from accounts.models import AccessRequest

    with pytest.raises(ValidationError) as info:
        _request(UserFactory(), **kwargs)
    if field:
        assert field in info.value.message_dict
    assert AccessRequest.objects.count() == 0


def test_duplicate_pending_request_is_refused(world):
    user = UserFactory()
    _request(user, kind="practice", tin="123450093", role="staff_user")
    with pytest.raises(ValidationError):
        _request(user, kind="practice", tin="123450093", role="staff_user")


def test_statement_of_truth_record(db):
    user = UserFactory()
    record = services.statement_of_truth_record(user=user, ip_address="203.0.113.9")
    assert record.user == user and record.ip_address == "203.0.113.9" and record.accepted_at
