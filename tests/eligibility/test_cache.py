"""The participation-status cache (eligibility.cache, ADR 0074): a repeated lookup is answered from the cache,
and every write that changes an answer (an import, an admin edit, an approval or its withdrawal) is seen by
the next lookup at once."""

from __future__ import annotations

import copy
import json

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from applications import services
from eligibility import cache, selectors
from eligibility.models import IndividualScenario
from tests.eligibility.test_import import V6_DOCUMENT
from tests.factories import reviewer_user
from tests.review.conftest import submitted

pytestmark = pytest.mark.django_db

NPI, TIN, YEAR = "1234567893", "123450093", 2026


def _lookup() -> tuple[list[selectors.OrganizationStatus], int]:
    with CaptureQueriesContext(connection) as queries:
        answer = selectors.participation_status_for_npi(NPI, YEAR)
    return answer, len(queries)


def _at_tin(answer: list[selectors.OrganizationStatus]) -> selectors.OrganizationStatus:
    (status,) = [s for s in answer if s.practice.tin == TIN]
    return status


def _import(tmp_path, document: dict) -> None:
    path = tmp_path / "eligibility.json"
    path.write_text(json.dumps(document))
    call_command("import_eligibility", str(path), "--year", str(YEAR))


def test_a_repeated_lookup_is_answered_from_the_cache(tmp_path):
    _import(tmp_path, V6_DOCUMENT)
    first, computed = _lookup()
    again, cached = _lookup()
    assert computed > 3
    assert cached == 0
    assert [(s.practice.tin, s.special_statuses) for s in again] == [
        (s.practice.tin, s.special_statuses) for s in first
    ]


def test_an_import_is_seen_by_the_next_lookup(tmp_path):
    _import(tmp_path, V6_DOCUMENT)
    before = _at_tin(_lookup()[0])
    assert before.scenario.hpsa_clinician is True
    changed = copy.deepcopy(V6_DOCUMENT)
    changed["data"]["organizations"][0]["individualScenario"]["hpsaClinician"] = False
    _import(tmp_path, changed)
    answer, queries = _lookup()
    assert queries > 0
    assert _at_tin(answer).scenario.hpsa_clinician is False


def test_an_admin_edit_is_seen_by_the_next_lookup(tmp_path, admin_user):
    _import(tmp_path, V6_DOCUMENT)
    _lookup()
    scenario = IndividualScenario.objects.get(clinician__npi=NPI, practice__tin=TIN, performance_year=YEAR)
    request = RequestFactory().post("/")
    request.user = admin_user
    site._registry[IndividualScenario].delete_model(request, scenario)
    answer, _ = _lookup()
    assert TIN not in [s.practice.tin for s in answer]


def test_an_approval_and_its_withdrawal_are_seen_by_the_next_lookup(celery_eager):
    application, applicant = submitted()  # NPI 1234567893 at TIN 123450093, PY2026
    (before,), _ = _lookup()
    assert before.aci_hardship_individual is False
    services.application_approve(application=application, actor=reviewer_user())
    (approved,), _ = _lookup()
    assert approved.aci_hardship_individual is True
    services.application_withdraw(application=application, actor=applicant)
    (withdrawn,), _ = _lookup()
    assert withdrawn.aci_hardship_individual is False


def test_the_version_moves_on_again_after_commit(django_capture_on_commit_callbacks):
    start = cache.data_version()
    with django_capture_on_commit_callbacks(execute=True):
        cache.eligibility_data_changed()
    # Once at once (reads later in the same transaction) and once after commit (answers computed from
    # the old rows by another request in between).
    assert cache.data_version() == start + 2


def test_a_cache_that_fails_never_breaks_a_lookup(tmp_path, monkeypatch):
    _import(tmp_path, V6_DOCUMENT)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache.cache, "get", broken)
    monkeypatch.setattr(cache.cache, "set", broken)
    monkeypatch.setattr(cache.cache, "incr", broken)
    answer, queries = _lookup()
    assert _at_tin(answer).practice.tin == TIN and queries > 0
    cache.eligibility_data_changed()  # logs, does not raise


def test_caching_can_be_turned_off(tmp_path, settings):
    settings.ELIGIBILITY_CACHE_SECONDS = 0
    _import(tmp_path, V6_DOCUMENT)
    _lookup()
    _answer, queries = _lookup()
    assert queries > 0


def test_another_clinician_of_the_same_practice_reuses_the_practice_part(tmp_path):
    """The members of a practice are read once per practice, not once per NPI looked up."""
    from tests.factories import clinician_with_access, valid_npi

    _import(tmp_path, V6_DOCUMENT)
    colleague = valid_npi("555000111")
    clinician_with_access(npi=colleague, tin=TIN, year=YEAR)

    def practice_reads(npi: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = selectors.participation_status_for_npi(npi, YEAR)
        assert TIN in [s.practice.tin for s in answer]
        return sum(1 for q in queries.captured_queries if "eligibility_groupscenario" in q["sql"].lower())

    assert practice_reads(NPI) > 0  # the practice's first lookup reads its group data and members
    assert practice_reads(colleague) == 0  # a colleague's first lookup reuses them
