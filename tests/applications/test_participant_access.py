"""An individual application belongs to a TIN/NPI pair: practice access reaches only its own pair.

Mary Thompson bills under two practices. Staff (or an intermediary granted a TIN) of one practice must not
see, file or act on what she files under the other; her own account, or an NPI grant, reaches both.
"""

import pytest

from accounts import authorization
from accounts.models import IntermediaryGrant
from applications import selectors
from applications.forms import StepContext, SubmissionInformationForm
from tests.factories import (
    ApplicationWindowFactory,
    UserFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    draft_application,
    practice_user,
)

MARY = "1234567893"
DITTRICH = "123450093"
GURMEN = "987653004"


@pytest.fixture
def mary_in_two_practices(db):
    ApplicationWindowFactory(performance_year=2026)
    mary_user, clinician, dittrich = clinician_with_access(npi=MARY, tin=DITTRICH)
    clinician_with_access(npi=MARY, tin=GURMEN, user=mary_user)
    dittrich_staff, _ = practice_user(tin=DITTRICH)
    gurmen_staff, gurmen = practice_user(tin=GURMEN, legal_name="Gürmen - Ayaydin")
    gurmen_intermediary = UserFactory()
    IntermediaryGrant.objects.create(user=gurmen_intermediary, practice=gurmen, relationship="consultant")
    npi_intermediary = UserFactory()
    IntermediaryGrant.objects.create(user=npi_intermediary, clinician=clinician, relationship="consultant")
    return {
        "mary": mary_user,
        "dittrich_staff": dittrich_staff,
        "gurmen_staff": gurmen_staff,
        "gurmen_intermediary": gurmen_intermediary,
        "npi_intermediary": npi_intermediary,
    }


@pytest.mark.parametrize(
    ("who", "tin", "allowed"),
    [
        ("mary", DITTRICH, True),
        ("mary", GURMEN, True),
        ("mary", "555550111", True),  # "Not listed": the clinician herself may name another practice
        ("npi_intermediary", GURMEN, True),
        ("dittrich_staff", DITTRICH, True),
        ("dittrich_staff", GURMEN, False),
        ("gurmen_staff", DITTRICH, False),
        ("gurmen_intermediary", GURMEN, True),
        ("gurmen_intermediary", DITTRICH, False),
        ("dittrich_staff", "555550111", False),
    ],
)
def test_can_act_for_individual_is_per_tin_npi_pair(mary_in_two_practices, who, tin, allowed):
    assert authorization.can_act_for_individual(mary_in_two_practices[who], MARY, tin) is allowed


@pytest.mark.parametrize(
    ("who", "sees_dittrich_application"),
    [
        ("mary", True),
        ("npi_intermediary", True),
        ("dittrich_staff", True),
        ("gurmen_staff", False),
        ("gurmen_intermediary", False),
    ],
)
def test_practice_access_does_not_reveal_another_practices_application(
    mary_in_two_practices, who, sees_dittrich_application
):
    application = complete_individual_pi_draft(user=mary_in_two_practices["mary"], npi=MARY, tin=DITTRICH)
    visible = selectors.visible_applications(mary_in_two_practices[who])
    assert visible.filter(pk=application.pk).exists() is sees_dittrich_application
    may_edit = selectors.can_edit_application(mary_in_two_practices[who], application)
    assert may_edit is sees_dittrich_application


def _affiliation_form(user, application, data=None):
    return SubmissionInformationForm(data, context=StepContext(application=application, user=user))


def test_affiliation_choices_list_only_practices_the_user_may_act_for(mary_in_two_practices):
    staff = mary_in_two_practices["dittrich_staff"]
    application = draft_application(user=staff, participation_level="individual", npi=MARY)
    choices = [value for value, _ in _affiliation_form(staff, application).fields["practice"].choices]
    assert DITTRICH in choices
    assert GURMEN not in choices

    mary = mary_in_two_practices["mary"]
    own = draft_application(user=mary, participation_level="individual", npi=MARY)
    choices = [value for value, _ in _affiliation_form(mary, own).fields["practice"].choices]
    assert {DITTRICH, GURMEN} <= set(choices)


def test_practice_staff_cannot_name_another_practice_as_not_listed(mary_in_two_practices):
    staff = mary_in_two_practices["dittrich_staff"]
    application = draft_application(user=staff, participation_level="individual", npi=MARY)
    form = _affiliation_form(
        staff, application, {"practice": "not_listed", "other_tin": GURMEN, "action": "continue"}
    )
    assert not form.is_valid()
    assert form.errors["other_tin"] == [
        "You don't have access to act for this clinician at that practice. Request access from your profile."
    ]
