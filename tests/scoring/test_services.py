"""Participant reweighting (issue 8 point 3): the union of automatic PI reweighting, approved exceptions and
cost that can't be scored, minus categories with submitted data; batch and incremental recompute."""

import json

import pytest

from eligibility.models import APMEntity, APMParticipant, Subgroup, VirtualGroup
from scoring import selectors, services
from scoring.models import ParticipantReweighting
from tests.factories import (
    ClinicianFactory,
    IndividualScenarioFactory,
    PracticeFactory,
    clinician_with_access,
    practice_user,
    scoring_application,
    scoring_cost_not_scorable,
    scoring_data_submission,
)

pytestmark = pytest.mark.django_db

MARY, TIN = "1234567893", "123450093"
SMALL_TIN = "987653004"


@pytest.fixture
def large_group():
    """Mary (Doctor of Medicine) and 20 more MIPS eligible clinicians under TIN 123450093 in 2026."""
    user, clinician, practice = clinician_with_access(
        npi=MARY, tin=TIN, allowed_charges=250000, part_b_patients=640, covered_services=1800
    )
    for _ in range(20):
        IndividualScenarioFactory(practice=practice)
    return user, practice


def _row(key: str, year: int = 2026) -> ParticipantReweighting:
    return ParticipantReweighting.objects.get(performance_year=year, participant_key=key)


def _weights(row: ParticipantReweighting) -> tuple:
    return (
        row.weight_quality,
        row.weight_cost,
        row.weight_improvement_activities,
        row.weight_promoting_interoperability,
    )


def test_no_reweighting_gives_standard_weights(large_group):
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.individual_key(TIN, MARY))
    assert row.reweighted_categories == ()
    assert _weights(row) == (30, 30, 15, 25)
    assert row.track == "traditional"
    assert row.weights_table == "2024"
    assert ParticipantReweighting.objects.filter(participant_type="individual").count() == 21
    assert _row(services.group_key(TIN)).reweighted_categories == ()


def test_approved_pi_hardship_reweights_pi_for_that_individual_only(large_group):
    user, _ = large_group
    application = scoring_application(user=user, level="individual", npi=MARY, tin=TIN)
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.individual_key(TIN, MARY))
    assert row.reweighted_categories == ("promoting_interoperability",)
    assert _weights(row) == (55, 30, 15, 0)  # Appendix B "No Promoting Interoperability"
    assert row.reasons == [
        {
            "category": "promoting_interoperability",
            "source": "pi_hardship",
            "detail": "",
            "application": application.reference,
            "overridden_by_data": False,
        }
    ]
    # An individual application is not a group one: the group (20 other clinicians) is still scored.
    assert _row(services.group_key(TIN)).reweighted_categories == ()


def test_data_submission_overrides_approved_reweighting_category_by_category(large_group):
    user, _ = large_group
    application = scoring_application(
        user=user, level="individual", exception_type="euc", categories=("quality", "cost"), npi=MARY, tin=TIN
    )
    scoring_data_submission(category="quality", npi=MARY, tin=TIN)
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.individual_key(TIN, MARY))
    # Seed 002: data submitted for quality overrides the quality reweighting; cost stays reweighted.
    assert row.reweighted_categories == ("cost",)
    assert _weights(row) == (55, 0, 15, 30)
    by_category = {r["category"]: r for r in row.reasons}
    assert by_category["quality"]["overridden_by_data"] is True
    assert by_category["cost"]["overridden_by_data"] is False
    assert by_category["cost"]["application"] == application.reference


def test_data_submitted_by_the_group_does_not_override_an_individual_exception(large_group):
    user, _ = large_group
    scoring_application(user=user, level="individual", npi=MARY, tin=TIN)
    scoring_data_submission(category="promoting_interoperability", submitter_type="group", tin=TIN)
    services.reweighting_recompute_year(performance_year=2026)
    assert _row(services.individual_key(TIN, MARY)).promoting_interoperability is True


def test_automatic_pi_reweighting_and_its_override_by_data():
    _, hospital, practice = clinician_with_access(npi="1000000004", tin=TIN, hospital_based_clinician=True)
    _, npf, _ = clinician_with_access(npi="1000000012", tin=TIN, non_patient_facing=True)
    for _ in range(20):
        IndividualScenarioFactory(practice=practice)
    scoring_data_submission(category="promoting_interoperability", npi="1000000012", tin=TIN)
    services.reweighting_recompute_year(performance_year=2026)
    hb = _row(services.individual_key(TIN, "1000000004"))
    assert hb.reweighted_categories == ("promoting_interoperability",)
    assert hb.reasons[0]["source"] == "automatic_pi_reweighting"
    assert hb.reasons[0]["detail"] == "Hospital-based"
    # Seed 001: "If any Promoting Interoperability data is reported, the automatic re-weighting will be
    # overridden".
    overridden = _row(services.individual_key(TIN, "1000000012"))
    assert overridden.reweighted_categories == ()
    assert overridden.reasons[0]["overridden_by_data"] is True


def test_small_practice_uses_appendix_c():
    # TIN 987653004 is a small practice: automatic PI reweighting as an individual, Appendix C weights.
    clinician_with_access(npi=MARY, tin=SMALL_TIN, small_group_practitioner=True)
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.individual_key(SMALL_TIN, MARY))
    assert row.track == "small_practice"
    assert row.reweighted_categories == ("promoting_interoperability",)
    assert _weights(row) == (40, 30, 30, 0)  # Appendix C "No Promoting Interoperability"
    group = _row(services.group_key(SMALL_TIN))
    assert group.track == "small_practice"
    assert group.promoting_interoperability is True


def test_group_application_applies_only_at_the_group_level(large_group):
    user, practice = practice_user(tin=TIN)
    application = scoring_application(
        user=user, level="group", exception_type="euc", categories=("cost",), tin=TIN
    )
    services.reweighting_recompute_year(performance_year=2026)
    group = _row(services.group_key(TIN))
    assert group.reweighted_categories == ("cost",)
    assert group.reasons[0]["application"] == application.reference
    assert _weights(group) == (55, 0, 15, 30)
    individuals = ParticipantReweighting.objects.filter(participant_type="individual", tin=TIN)
    assert individuals.count() == 21
    assert not individuals.filter(cost=True).exists()


def test_subgroup_inherits_its_groups_reweighting(large_group):
    user, practice = practice_user(tin=TIN)
    subgroup = Subgroup.objects.create(identifier="SG-0001", performance_year=2026, practice=practice)
    scoring_application(user=user, level="group", tin=TIN)
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.subgroup_key(subgroup.identifier))
    assert row.participant_type == "subgroup"
    assert row.reweighted_categories == ("promoting_interoperability",)
    assert row.reasons[0]["inherited_from"] == services.group_key(TIN)
    assert _weights(row) == (55, 30, 15, 0)


def test_cost_that_cannot_be_scored_is_reweighted(large_group):
    scoring_cost_not_scorable(npi=MARY, tin=TIN)
    scoring_cost_not_scorable(participant_type="group", tin=TIN)
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.individual_key(TIN, MARY))
    assert row.reweighted_categories == ("cost",)
    assert row.reasons[0]["source"] == "cost_not_scorable"
    assert _weights(row) == (55, 0, 15, 30)
    assert _row(services.group_key(TIN)).cost is True


def _apm_entity(practice):
    entity = APMEntity.objects.create(
        apm_id="08",
        apm_name="Medicare Shared Savings Program",
        entity_id="A1001",
        name="Lakeshore ACO",
        performance_year=2026,
    )
    for scenario in practice.individual_scenarios.all():
        APMParticipant.objects.create(apm_entity=entity, practice=practice, clinician=scenario.clinician)
    return entity


def test_apm_entity_euc_is_not_overridden_by_submitted_data(large_group):
    _, practice = large_group
    user, _ = practice_user(tin=TIN)
    _apm_entity(practice)
    scoring_application(
        user=user,
        level="apm_entity",
        exception_type="euc",
        categories=("quality", "cost", "improvement_activities", "promoting_interoperability"),
        apm_entity_identifier="A1001",
    )
    scoring_data_submission(category="quality", submitter_type="apm_entity", apm_entity_identifier="A1001")
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.apm_entity_key("A1001"))
    assert row.track == "app"
    assert set(row.reweighted_categories) == {
        "quality",
        "cost",
        "improvement_activities",
        "promoting_interoperability",
    }
    assert row.neutral is True
    assert all(r["overridden_by_data"] is False for r in row.reasons)


def test_virtual_group_application_reweights_the_virtual_group(large_group):
    _, practice = large_group
    user, _ = practice_user(tin=TIN)
    vg = VirtualGroup.objects.create(identifier="VG-000123", performance_year=2026, name="Demo VG")
    vg.practices.add(practice)
    scoring_application(user=user, level="virtual_group", virtual_group_identifier="VG-000123")
    services.reweighting_recompute_year(performance_year=2026)
    row = _row(services.virtual_group_key("VG-000123"))
    assert row.reweighted_categories == ("promoting_interoperability",)
    assert row.track == "traditional"


def test_recompute_is_idempotent_and_replaces_the_year(large_group):
    first = services.reweighting_recompute_year(performance_year=2026)
    snapshot = sorted(
        ParticipantReweighting.objects.values_list("participant_key", "promoting_interoperability", "track")
    )
    second = services.reweighting_recompute_year(performance_year=2026)
    assert first.participants == second.participants == 22
    assert ParticipantReweighting.objects.count() == 22
    assert (
        sorted(
            ParticipantReweighting.objects.values_list(
                "participant_key", "promoting_interoperability", "track"
            )
        )
        == snapshot
    )


def test_batch_reads_are_set_based():
    """The read queries do not grow with the number of participants (no per-row queries); writes are
    batched (SQLite caps the rows per INSERT by its parameter limit)."""

    def run(practices: int) -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        ParticipantReweighting.objects.all().delete()
        for _ in range(practices):
            practice = PracticeFactory()
            for _ in range(3):
                IndividualScenarioFactory(practice=practice, clinician=ClinicianFactory())
        with CaptureQueriesContext(connection) as captured:
            services.reweighting_recompute_year(performance_year=2026)
        sql = [q["sql"].lstrip().upper() for q in captured.captured_queries]
        inserts = sum(1 for q in sql if q.startswith("INSERT"))
        return len(sql) - inserts, inserts

    small_reads, _ = run(2)
    large_reads, large_inserts = run(30)
    assert large_reads == small_reads
    assert large_inserts <= 5  # 128 rows
    assert ParticipantReweighting.objects.filter(participant_type="individual").count() == 96


def test_unsupported_year_is_refused():
    with pytest.raises(services.ReweightingError, match="No policy data"):
        services.reweighting_recompute_year(performance_year=2030)


def test_decision_recomputes_only_the_affected_participants(
    large_group, django_capture_on_commit_callbacks, celery_eager
):
    user, practice = large_group
    other = PracticeFactory()
    IndividualScenarioFactory(practice=other)
    services.reweighting_recompute_year(performance_year=2026)
    untouched = _row(services.group_key(other.tin)).computed_at
    application = scoring_application(user=user, level="individual", npi=MARY, tin=TIN)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.queue_recompute_for_application(application)
    assert len(callbacks) == 1
    row = _row(services.individual_key(TIN, MARY))
    assert row.promoting_interoperability is True
    assert _row(services.group_key(other.tin)).computed_at == untouched
    # Incremental and batch agree.
    incremental = {
        r.participant_key: (r.reweighted_categories, _weights(r), r.reasons)
        for r in ParticipantReweighting.objects.all()
    }
    services.reweighting_recompute_year(performance_year=2026)
    batch = {
        r.participant_key: (r.reweighted_categories, _weights(r), r.reasons)
        for r in ParticipantReweighting.objects.all()
    }
    assert incremental == batch


def test_recompute_task_is_idempotent(large_group, celery_eager):
    from scoring.tasks import recompute_reweighting_for_application

    user, _ = large_group
    application = scoring_application(user=user, level="individual", npi=MARY, tin=TIN)
    first = recompute_reweighting_for_application.delay(application.pk).get()
    second = recompute_reweighting_for_application.delay(application.pk).get()
    assert first == second == 2  # the TIN/NPI and its group
    assert ParticipantReweighting.objects.count() == 2
    assert recompute_reweighting_for_application.delay(999_999).get() == 0


def test_weights_if_approved_for_a_submitted_application(large_group):
    user, _ = large_group
    application = scoring_application(
        user=user,
        level="individual",
        exception_type="euc",
        categories=("cost", "improvement_activities"),
        npi=MARY,
        tin=TIN,
        approve=False,
    )
    scoring_data_submission(category="improvement_activities", npi=MARY, tin=TIN)
    preview = selectors.weights_if_approved(application)
    assert preview is not None
    assert preview.current_categories == ()
    assert preview.added == ("cost",)
    assert preview.overridden == ("improvement_activities",)
    assert preview.current.weights == {
        "quality": 30,
        "cost": 30,
        "improvement_activities": 15,
        "promoting_interoperability": 25,
    }
    assert preview.if_approved.weights == {
        "quality": 55,
        "cost": 0,
        "improvement_activities": 15,
        "promoting_interoperability": 30,
    }
    # Nothing is written by a preview.
    assert not ParticipantReweighting.objects.exists()


def test_weights_if_approved_follows_submitted_data_and_saved_steps(large_group):
    """The preview is cached (ADR 0074): loading submitted data and saving a step are seen at once."""
    from applications import services as application_services
    from scoring.services import SubmissionRow, data_submissions_load
    from tests.factories import et

    user, _ = large_group
    application = application_services.application_create_draft(
        actor=user, exception_type="euc", performance_year=2026
    )
    application_services.application_save_step(
        application=application,
        actor=user,
        changes={"participation_level": "individual", "npi": MARY, "tin": TIN, "requests_cost": True},
    )
    assert selectors.weights_if_approved(application).overridden == ()
    data_submissions_load(
        rows=[
            SubmissionRow(
                performance_year=2026, category="cost", submitter_type="individual", npi=MARY, tin=TIN,
                virtual_group_identifier="", apm_entity_identifier="", submitted_at=et(2027, 3, 1, 12),
            )
        ]
    )
    assert selectors.weights_if_approved(application).overridden == ("cost",)
    application_services.application_save_step(
        application=application, actor=user, changes={"requests_cost": False, "requests_quality": True}
    )
    application.refresh_from_db()
    assert selectors.weights_if_approved(application).added == ("quality",)


def test_weights_if_approved_is_none_when_there_is_nothing_to_preview(large_group):
    user, _ = large_group
    application = scoring_application(user=user, level="individual", npi=MARY, tin=TIN)
    assert selectors.weights_if_approved(application) is None  # already approved


def test_reasons_are_valid_json_in_the_database(large_group):
    services.reweighting_recompute_year(performance_year=2026)
    raw = ParticipantReweighting.objects.values_list("reasons", flat=True).first()
    assert json.loads(json.dumps(raw)) == raw


def test_weights_if_approved_partial_renders_the_comparison(large_group):
    from django.template.loader import render_to_string

    user, _ = large_group
    application = scoring_application(user=user, level="individual", npi=MARY, tin=TIN, approve=False)
    html = render_to_string(
        "scoring/_weights_if_approved.html", {"preview": selectors.weights_if_approved(application)}
    )
    assert "If approved, your weights would be" in html
    assert "This application would add: Promoting Interoperability." in html
    assert "<td>25%</td><td>0%</td>" in html  # PI: 25% now, 0% if approved
    assert "<td>30%</td><td>55%</td>" in html  # quality absorbs PI (Appendix B)
    assert render_to_string("scoring/_weights_if_approved.html", {"preview": None}).strip() == ""


@pytest.mark.django_db(transaction=True)
def test_batch_outside_a_transaction_gives_the_same_rows(large_group):
    """`compute_reweighting` runs outside any transaction: on PostgreSQL it then streams the scenarios on a
    second connection and writes with COPY. Same participants, same weights as the in-transaction path."""
    services.reweighting_recompute_year(performance_year=2026)
    streamed = {
        row.participant_key: (_weights(row), row.reweighted_categories)
        for row in ParticipantReweighting.objects.filter(performance_year=2026)
    }
    assert len(streamed) == 22  # 21 TIN/NPI pairs and their group
    assert streamed[services.individual_key(TIN, MARY)] == ((30, 30, 15, 25), ())
