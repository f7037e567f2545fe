"""Selectors: who sees which application, pre-application findings, timeline and summary."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.http import Http404

from accounts.models import IntermediaryGrant
from applications import selectors, services
from applications.models import Status
from scoring.models import DataSubmission
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


@pytest.fixture(autouse=True)
def window():
    return ApplicationWindowFactory(
        performance_year=2026, opens_at=et(2026, 5, 11), closes_at=et(2026, 12, 31, 20)
    )


@pytest.fixture
def clinician():
    user, _, _ = clinician_with_access()
    return user


@pytest.fixture
def application(clinician):
    return complete_individual_pi_draft(user=clinician)


def _visible(user):
    return set(selectors.visible_applications(user).values_list("reference", flat=True))


def test_submitter_sees_own_application(clinician, application):
    assert _visible(clinician) == {application.reference}
    assert selectors.application_for_user(clinician, application.reference) == application


def test_stranger_sees_nothing_and_gets_404(application):
    stranger = UserFactory()
    assert _visible(stranger) == set()
    with pytest.raises(Http404):
        selectors.application_for_user(stranger, application.reference)
    with pytest.raises(Http404):
        selectors.application_for_user(stranger, "PI-2026-999999")


def test_anonymous_sees_nothing(application):
    from django.contrib.auth.models import AnonymousUser

    assert _visible(AnonymousUser()) == set()


def test_practice_access_sees_individual_and_group_applications(application):
    staff, practice = practice_user(tin="123450093")
    group = draft_application(user=staff, participation_level="group", tin="123450093")
    assert _visible(staff) == {application.reference, group.reference}
    assert selectors.can_edit_application(staff, application)


def test_intermediary_with_npi_grant_sees_it(application, clinician):
    from eligibility.models import Clinician

    consultant = UserFactory()
    IntermediaryGrant.objects.create(
        user=consultant, clinician=Clinician.objects.get(npi="1234567893"), relationship="consultant"
    )
    assert _visible(consultant) == {application.reference}


def test_additional_access_by_verified_email_is_read_only(application, clinician):
    services.application_save_step(
        application=application, actor=clinician, changes={}, additional_access=["helper@example.com"]
    )
    helper = UserFactory(email="helper@example.com")
    EmailAddress.objects.create(user=helper, email="helper@example.com", verified=False, primary=True)
    assert _visible(helper) == set()
    EmailAddress.objects.filter(user=helper).update(verified=True)
    assert _visible(helper) == {application.reference}
    assert not selectors.can_edit_application(helper, application)
    assert not selectors.can_withdraw_application(helper, application)


def test_virtual_group_application_visible_to_member_tin_staff(clinician):
    from eligibility.models import Practice, VirtualGroup

    staff, member = practice_user(tin="987653004", legal_name="Gürmen - Ayaydin")
    vg = VirtualGroup.objects.create(identifier="VG-000123", performance_year=2026, name="Prairie VG")
    vg.practices.add(member)
    Practice.objects.create(tin="555550111", legal_name="Riverbend Family Medicine")
    application = draft_application(
        user=staff, participation_level="virtual_group", virtual_group_identifier="VG-000123"
    )
    assert application.participant_name == "Prairie VG"
    assert _visible(staff) == {application.reference}
    outsider, _ = practice_user(tin="555550111")
    assert _visible(outsider) == set()


def test_can_edit_only_drafts(application, clinician):
    assert selectors.can_edit_application(clinician, application)
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    assert not selectors.can_edit_application(clinician, application)
    assert selectors.can_withdraw_application(clinician, application)


def test_dashboard_filters(clinician, application):
    euc = draft_application(user=clinician, exception_type="euc")

    def refs(**kw):
        return [a.reference for a in selectors.dashboard_applications(clinician, performance_year=2026, **kw)]

    assert set(refs()) == {application.reference, euc.reference}
    assert refs(exception_type="euc") == [euc.reference]
    assert refs(status="submitted") == []
    assert set(refs(status="bogus")) == {application.reference, euc.reference}
    assert selectors.dashboard_applications(clinician, performance_year=2025).count() == 0


def test_timeline_lists_every_status_change(application, clinician):
    reviewer = reviewer_user()
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    services.application_approve(application=application, actor=reviewer, note="internal note: looks fine")
    entries = selectors.timeline(application)
    assert [e.to_status for e in entries] == [Status.DRAFT, Status.SUBMITTED, Status.APPROVED]
    assert entries[1].actor_name == clinician.get_full_name()
    # Reviewers are shown as CMS; internal notes are not part of the timeline.
    assert entries[2].actor_name == "CMS"
    assert all("internal note" not in str(vars(e)) for e in entries)


def test_first_incomplete_step(clinician):
    application = draft_application(user=clinician, participation_level="individual", npi="1234567893")
    assert selectors.first_incomplete_step(application) == "submission-information"


# --- pre-application findings (issue 5 point 4) ------------------------------------------------------


def _codes(**kwargs):
    return {(f.code, f.blocking) for f in selectors.pre_application_findings(**kwargs)}


INDIVIDUAL = {
    "participation_level": "individual",
    "npi": "1234567893",
    "tin": "123450093",
    "performance_year": 2026,
}


def test_no_findings_for_an_ordinary_clinician(clinician):
    assert _codes(exception_type="pi_hardship", **INDIVIDUAL) == set()


def test_duplicate_blocks(application):
    assert _codes(exception_type="pi_hardship", **INDIVIDUAL) == {("duplicate_application", True)}
    assert (
        _codes(exception_type="pi_hardship", exclude_reference=application.reference, **INDIVIDUAL) == set()
    )
    assert _codes(exception_type="euc", **INDIVIDUAL) == set()


def test_automatically_reweighted_warns():
    clinician_with_access(npi="1000000004", hospital_based_clinician=True)
    findings = selectors.pre_application_findings(
        exception_type="pi_hardship", **{**INDIVIDUAL, "npi": "1000000004"}
    )
    assert [(f.code, f.blocking) for f in findings] == [("automatically_reweighted", False)]
    assert "Appendix A" in findings[0].message
    # EUC is about every category, so the PI reweighting is not a finding there.
    assert _codes(exception_type="euc", **{**INDIVIDUAL, "npi": "1000000004"}) == set()


def test_not_mips_eligible_warns():
    clinician_with_access(npi="1000000061", is_eligible_individual=False, low_volume_switch=True)
    assert _codes(exception_type="pi_hardship", **{**INDIVIDUAL, "npi": "1000000061"}) == {
        ("not_mips_eligible", False)
    }


def test_data_already_submitted_warns(clinician):
    DataSubmission.objects.create(
        npi="1234567893",
        tin="123450093",
        performance_year=2026,
        category="quality",
        submitter_type="individual",
        submitted_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    # Quality data does not matter for the PI hardship, but it does for the EUC.
    assert _codes(exception_type="pi_hardship", **INDIVIDUAL) == set()
    findings = selectors.pre_application_findings(exception_type="euc", **INDIVIDUAL)
    assert [(f.code, f.blocking) for f in findings] == [("data_already_submitted", False)]
    assert "Quality" in findings[0].message


# --- summary -----------------------------------------------------------------------------------------


def test_summary_masks_tin_and_lists_every_answer(application):
    rows = {
        row.label: row.value for section in selectors.application_summary(application) for row in section.rows
    }
    assert rows["Practice affiliation"] == "Dittrich, Krajiček and Urbanová (TIN: ****0093)"
    assert rows["Contact phone number"] == "(517) 734-2222"
    assert rows["Reason for Promoting Interoperability hardship"] == "Insufficient Internet Connectivity"
    assert "123450093" not in str(rows)
