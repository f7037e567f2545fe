"""factory-boy factories shared by the whole suite, one section per app."""

import factory

from accounts.models import User


# --- accounts -----------------------------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")


def accounts_clinician(npi: str = "1234567893", first_name: str = "Mary", last_name: str = "Thompson"):
    """An eligibility Clinician (get or create), for accounts tests."""
    from eligibility.models import Clinician

    clinician, _ = Clinician.objects.get_or_create(
        npi=npi, defaults={"first_name": first_name, "last_name": last_name}
    )
    return clinician


def accounts_practice(tin: str = "123450093", legal_name: str = "Dittrich, Krajiček and Urbanová"):
    from eligibility.models import Practice

    practice, _ = Practice.objects.get_or_create(tin=tin, defaults={"legal_name": legal_name})
    return practice


def accounts_bills_under(clinician, practice, performance_year: int = 2026):
    """The clinician bills under the practice's TIN in that year (an IndividualScenario)."""
    from eligibility.models import IndividualScenario

    scenario, _ = IndividualScenario.objects.get_or_create(
        clinician=clinician, practice=practice, performance_year=performance_year
    )
    return scenario


class NPILinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.NPILink"

    user = factory.SubFactory(UserFactory)
    clinician = factory.LazyFunction(accounts_clinician)


class PracticeAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.PracticeAccess"

    user = factory.SubFactory(UserFactory)
    practice = factory.LazyFunction(accounts_practice)
    role = "staff_user"


class IntermediaryGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.IntermediaryGrant"

    user = factory.SubFactory(UserFactory)
    clinician = None
    practice = None
    relationship = "consultant"


# --- applications -------------------------------------------------------------------------------
# Helpers for issue 5 tests: participants with access, windows, and applications built through the services
# (the only writers), so factories never bypass the protected status field.
import datetime as _dt  # noqa: E402
from zoneinfo import ZoneInfo as _ZoneInfo  # noqa: E402

_ET = _ZoneInfo("America/New_York")


def valid_npi(first_nine: str) -> str:
    """A valid NPI with the Luhn check digit over 80840 + the first nine digits."""
    from eligibility.validators import npi_check_digit

    return f"{first_nine}{npi_check_digit(first_nine)}"


def et(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> _dt.datetime:
    """An aware datetime in Eastern Time."""
    return _dt.datetime(year, month, day, hour, minute, second, tzinfo=_ET)


class ApplicationWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.ApplicationWindow"
        django_get_or_create = ("performance_year",)

    performance_year = 2026
    opens_at = factory.LazyAttribute(lambda o: et(o.performance_year, 1, 2))
    closes_at = factory.LazyAttribute(lambda o: et(o.performance_year, 12, 31, 20))


class WindowReopeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.WindowReopening"

    window = factory.SubFactory(ApplicationWindowFactory, performance_year=2023)
    opens_at = factory.LazyFunction(lambda: et(2024, 4, 1))
    closes_at = factory.LazyFunction(lambda: et(2024, 4, 15, 20))
    event_type = "ransom_malware"
    change_healthcare_cyberattack_only = True


def clinician_with_access(
    *, npi: str = "1234567893", tin: str = "123450093", year: int = 2026, user=None, **scenario: object
):
    """A clinician billing under a practice in `year`, and a user linked to the NPI. Returns (user, clinician,
    practice)."""
    from accounts.models import NPILink
    from eligibility.models import Clinician, IndividualScenario, Practice

    clinician, _ = Clinician.objects.get_or_create(
        npi=npi, defaults={"first_name": "Mary", "last_name": "Thompson"}
    )
    practice, _ = Practice.objects.get_or_create(
        tin=tin, defaults={"legal_name": "Dittrich, Krajiček and Urbanová"}
    )
    IndividualScenario.objects.get_or_create(
        performance_year=year, clinician=clinician, practice=practice, defaults=scenario
    )
    if user is None:
        user = UserFactory()
        NPILink.objects.create(user=user, clinician=clinician)
    return user, clinician, practice


def practice_user(*, tin: str = "123450093", legal_name: str = "Dittrich, Krajiček and Urbanová", user=None):
    """A Staff User with practice access to the TIN. Returns (user, practice)."""
    from accounts.models import PracticeAccess
    from eligibility.models import Practice

    practice, _ = Practice.objects.get_or_create(tin=tin, defaults={"legal_name": legal_name})
    user = user or UserFactory()
    PracticeAccess.objects.create(user=user, practice=practice, role="staff_user")
    return user, practice


COMPLETE_PI_ANSWERS: dict[str, object] = {
    "contact_phone": "5177342222",
    "contact_email": "mary.thompson@example.com",
    "submitter_relationship": "clinician",
    "pi_reason": "insufficient_internet_connectivity",
    "attested": True,
}


def draft_application(*, user, exception_type: str = "pi_hardship", year: int = 2026, **changes: object):
    """A draft created and filled through the services."""
    from applications import services

    application = services.application_create_draft(
        actor=user, exception_type=exception_type, performance_year=year
    )
    if changes:
        services.application_save_step(application=application, actor=user, changes=dict(changes))
    return application


def complete_individual_pi_draft(*, user, npi: str = "1234567893", tin: str = "123450093", year: int = 2026):
    return draft_application(
        user=user, year=year, participation_level="individual", npi=npi, tin=tin, **COMPLETE_PI_ANSWERS
    )


def reviewer_user():
    """A member of the "CMS Reviewer" group holding applications.decide_application."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="CMS Reviewer")
    group.permissions.add(
        Permission.objects.get(codename="decide_application", content_type__app_label="applications")
    )
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    return user


# --- eligibility --------------------------------------------------------------------------------
def _eligibility_npi(n: int) -> str:
    from eligibility.validators import npi_check_digit

    first_nine = f"{500000000 + n:09d}"
    return first_nine + str(npi_check_digit(first_nine))


class ClinicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "eligibility.Clinician"
        django_get_or_create = ("npi",)

    npi = factory.Sequence(_eligibility_npi)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    clinician_type = "doctor_of_medicine"
    specialty = "Family Medicine"


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "eligibility.Practice"
        django_get_or_create = ("tin",)

    tin = factory.Sequence(lambda n: f"{600000000 + n:09d}")
    legal_name = factory.Sequence(lambda n: f"Practice {n}")


class IndividualScenarioFactory(factory.django.DjangoModelFactory):
    """A MIPS eligible clinician (above every low-volume criterion) billing under a practice."""

    class Meta:
        model = "eligibility.IndividualScenario"
        django_get_or_create = ("performance_year", "clinician", "practice")

    performance_year = 2026
    clinician = factory.SubFactory(ClinicianFactory)
    practice = factory.SubFactory(PracticeFactory)
    allowed_charges = 250000
    part_b_patients = 640
    covered_services = 1800


# --- scoring ------------------------------------------------------------------------------------
# Issue 8: data submissions, cost determinations, and approved applications built through the applications
# services (draft → submit → approve), so the status field is never written directly.
def scoring_data_submission(
    *, category: str, submitter_type: str = "individual", year: int = 2026, npi: str = "", tin: str = "",
    virtual_group_identifier: str = "", apm_entity_identifier: str = "",
):
    from scoring.models import DataSubmission

    return DataSubmission.objects.create(
        npi=npi, tin=tin, virtual_group_identifier=virtual_group_identifier,
        apm_entity_identifier=apm_entity_identifier, performance_year=year, category=category,
        submitter_type=submitter_type, submitted_at=et(year + 1, 3, 1, 12),
    )


def scoring_cost_not_scorable(*, participant_type: str = "individual", year: int = 2026, **identifiers: str):
    from scoring.models import CostAttribution

    return CostAttribution.objects.create(
        participant_type=participant_type, performance_year=year, measures_attributed=2,
        measures_meeting_case_minimum=0, **identifiers,
    )


SCORING_EUC_ANSWERS: dict[str, object] = {
    "contact_phone": "5177342222",
    "contact_email": "mary.thompson@example.com",
    "submitter_relationship": "clinician",
    "event_type": "disaster",
    "event_start_date": _dt.date(2026, 3, 1),
    "event_end_date": _dt.date(2026, 4, 1),
    "attested": True,
}


def scoring_application(
    *, user, level: str, exception_type: str = "pi_hardship", categories: tuple[str, ...] = (),
    year: int = 2026, approve: bool = True, **identifiers: str,
):
    """An application filed by `user` (who must be able to act for the participant), submitted in the
    year's window and, by default, approved by a CMS reviewer — all through the applications services."""
    from applications import services

    ApplicationWindowFactory(performance_year=year)
    answers = dict(COMPLETE_PI_ANSWERS) if exception_type == "pi_hardship" else dict(SCORING_EUC_ANSWERS)
    for category in categories:
        answers[f"requests_{category}"] = True
    if level != "individual":
        answers["all_locations_attested"] = True
    application = draft_application(
        user=user, exception_type=exception_type, year=year, participation_level=level, **identifiers,
        **answers,
    )
    services.application_submit(application=application, actor=user, certified=True, now=et(year, 11, 23, 12))
    if approve:
        services.application_approve(application=application, actor=reviewer_user(), now=et(year, 11, 24, 12))
    return application


# --- notifications ------------------------------------------------------------------------------
def notifications_draft_with_access(
    *, user, contact_email: str = "mary.thompson@example.com", additional_access: tuple[str, ...] = ()
):
    """A complete individual PI draft (issue 5 helpers) with a contact email and Additional Access list."""
    from applications import services

    application = complete_individual_pi_draft(user=user)
    services.application_save_step(
        application=application,
        actor=user,
        changes={"contact_email": contact_email},
        additional_access=list(additional_access),
    )
    return application
