"""accounts.authorization: who may act for an NPI, TIN, virtual group, APM Entity (issue 4)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from accounts import authorization as authz
from accounts.models import GrantStatus
from accounts.services import access_grant_revoke, ensure_role_groups
from tests.factories import IntermediaryGrantFactory, NPILinkFactory, PracticeAccessFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_nobody_has_access_without_a_grant(world):
    user = UserFactory()
    assert not authz.can_act_for_npi(user, "1234567893")
    assert not authz.can_act_for_tin(user, "123450093")
    assert not authz.can_act_for_virtual_group(user, "VG-000123", 2026)
    assert not authz.can_act_for_apm_entity(user, "A1001", 2026)
    assert authz.accessible_npis(user) == set()
    assert authz.accessible_tins(user) == set()


def test_anonymous_and_inactive_users_act_for_nothing(world):
    assert not authz.can_act_for_npi(AnonymousUser(), "1234567893")
    assert authz.accessible_tins(AnonymousUser()) == set()
    link = NPILinkFactory(clinician=world["mary"])
    link.user.is_active = False
    link.user.save()
    assert not authz.can_act_for_npi(link.user, "1234567893")


def test_linked_clinician_acts_for_own_npi_only(world):
    link = NPILinkFactory(clinician=world["mary"])
    assert authz.can_act_for_npi(link.user, "1234567893")
    assert not authz.can_act_for_npi(link.user, "1000000053")
    # An NPI link is not access to the TINs the clinician bills under.
    assert not authz.can_act_for_tin(link.user, "123450093")
    assert authz.accessible_npis(link.user) == {"1234567893"}


@pytest.mark.parametrize("role", ["security_official", "staff_user"])
def test_practice_access_covers_tin_and_npis_billing_under_it_in_any_year(world, role):
    access = PracticeAccessFactory(practice=world["large"], role=role)
    user = access.user
    assert authz.can_act_for_tin(user, "123450093")
    assert not authz.can_act_for_tin(user, "987653004")
    assert authz.can_act_for_npi(user, "1234567893")  # billed under it in 2024 only
    assert authz.can_act_for_npi(user, "1000000053")
    assert not authz.can_act_for_npi(user, "1000000061")  # bills elsewhere
    assert authz.accessible_tins(user) == {"123450093"}
    assert authz.accessible_npis(user) == {"1234567893", "1000000053"}


def test_intermediary_without_a_grant_cannot_act(world):
    intermediary = UserFactory()
    IntermediaryGrantFactory(user=intermediary, clinician=world["rural"])
    assert authz.can_act_for_npi(intermediary, "1000000053")
    assert not authz.can_act_for_npi(intermediary, "1234567893")
    assert not authz.can_act_for_tin(intermediary, "123450093")


def test_intermediary_tin_grant_covers_the_tin_and_its_npis(world):
    grant = IntermediaryGrantFactory(practice=world["small"], relationship="registry_qcdr")
    assert authz.can_act_for_tin(grant.user, "987653004")
    assert authz.can_act_for_npi(grant.user, "1234567893")
    assert not authz.can_act_for_npi(grant.user, "1000000053")
    assert authz.accessible_npis(grant.user) == {"1234567893"}


def test_revoked_grant_stops_working_at_once(world, cms_admin):
    grant = IntermediaryGrantFactory(clinician=world["rural"])
    access = PracticeAccessFactory(practice=world["small"])
    assert authz.can_act_for_npi(grant.user, "1000000053")
    access_grant_revoke(grant=grant, actor=cms_admin)
    access_grant_revoke(grant=access, actor=cms_admin)
    assert grant.status == GrantStatus.REVOKED
    assert not authz.can_act_for_npi(grant.user, "1000000053")
    assert not authz.can_act_for_tin(access.user, "987653004")
    assert authz.accessible_npis(grant.user) == set()
    assert not authz.can_act_for_virtual_group(access.user, "VG-000123", 2026)


def test_virtual_group_needs_one_member_tin_in_that_year(world):
    access = PracticeAccessFactory(practice=world["other"])
    assert authz.can_act_for_virtual_group(access.user, "VG-000123", 2026)
    assert not authz.can_act_for_virtual_group(access.user, "VG-000123", 2025)
    assert not authz.can_act_for_virtual_group(access.user, "VG-999999", 2026)
    outsider = PracticeAccessFactory(practice=world["large"])
    assert not authz.can_act_for_virtual_group(outsider.user, "VG-000123", 2026)


def test_apm_entity_needs_one_participant_tin(world):
    insider = IntermediaryGrantFactory(practice=world["large"])
    outsider = PracticeAccessFactory(practice=world["small"])
    assert authz.can_act_for_apm_entity(insider.user, "A1001", 2026)
    assert not authz.can_act_for_apm_entity(insider.user, "A1001", 2025)
    assert not authz.can_act_for_apm_entity(outsider.user, "A1001", 2026)


def test_accessible_sets_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    user = UserFactory()
    NPILinkFactory(user=user, clinician=world["lonely"])
    PracticeAccessFactory(user=user, practice=world["large"])
    IntermediaryGrantFactory(user=user, practice=world["small"])
    with django_assert_max_num_queries(1):
        npis = authz.accessible_npis(user)
    with django_assert_max_num_queries(1):
        tins = authz.accessible_tins(user)
    assert npis == {"1234567893", "1000000053", "1000000061"}
    assert tins == {"123450093", "987653004"}


def test_cms_reviewer_needs_the_group_with_the_decide_permission(db):
    from django.contrib.auth.models import Permission

    reviewer_group, admin_group = ensure_role_groups()
    user = UserFactory(is_staff=True)
    assert not authz.is_cms_reviewer(user)
    user.groups.add(reviewer_group)
    has_permission = Permission.objects.filter(
        codename="decide_application", content_type__app_label="applications"
    ).exists()
    assert authz.is_cms_reviewer(user) is has_permission
    # Membership of a same-named group without the permission is not enough.
    reviewer_group.permissions.clear()
    assert not authz.is_cms_reviewer(user)


def test_cms_administrator_is_group_member_or_superuser(db):
    ensure_role_groups()
    member = UserFactory()
    assert not authz.is_cms_administrator(member)
    member.groups.add(Group.objects.get(name="CMS Administrator"))
    assert authz.is_cms_administrator(member)
    assert authz.is_cms_administrator(UserFactory(is_superuser=True))


def test_additional_access_emails_are_verified_and_lower_cased(db):
    from allauth.account.models import EmailAddress

    user = UserFactory(email="mary@example.com")
    EmailAddress.objects.create(user=user, email="Mary@Example.com", verified=True, primary=True)
    EmailAddress.objects.create(user=user, email="other@example.com", verified=False, primary=False)
    assert authz.additional_access_emails_verified(user) == {"mary@example.com"}
