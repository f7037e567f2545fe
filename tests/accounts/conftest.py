import pytest

from tests.factories import (
    UserFactory,
    accounts_bills_under,
    accounts_clinician,
    accounts_practice,
)


@pytest.fixture
def world(db):
    """Two practices, clinicians billing under them, and a virtual group / APM Entity over them."""
    from eligibility.models import APMEntity, APMParticipant, VirtualGroup

    large = accounts_practice("123450093", "Dittrich, Krajiček and Urbanová")
    small = accounts_practice("987653004", "Gürmen - Ayaydin")
    other = accounts_practice("555550111", "Riverbend Family Medicine")
    mary = accounts_clinician("1234567893", "Mary", "Thompson")
    rural = accounts_clinician("1000000053", "Rural", "Clinician")
    lonely = accounts_clinician("1000000061", "Not", "Eligible")
    accounts_bills_under(mary, large, 2024)
    accounts_bills_under(mary, small, 2026)
    accounts_bills_under(rural, large, 2026)
    accounts_bills_under(lonely, other, 2026)
    vg = VirtualGroup.objects.create(identifier="VG-000123", performance_year=2026)
    vg.practices.add(small, other)
    apm = APMEntity.objects.create(
        apm_id="08", entity_id="A1001", name="Lakeshore ACO", performance_year=2026
    )
    APMParticipant.objects.create(apm_entity=apm, practice=large, clinician=mary)
    return {
        "large": large, "small": small, "other": other,
        "mary": mary, "rural": rural, "lonely": lonely, "vg": vg, "apm": apm,
    }


@pytest.fixture
def cms_admin(db):
    from django.contrib.auth.models import Group

    from accounts.services import ensure_role_groups

    ensure_role_groups()
    user = UserFactory(email="cms-admin@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name="CMS Administrator"))
    return user


@pytest.fixture(autouse=True)
def _clear_cache():
    """allauth's rate limits live in the cache: start each test with a clean slate."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
