"""Selectors other apps call, group derivation, demo data and the synthetic generator."""

import pytest
from django.core.management import CommandError, call_command

from eligibility import demo, selectors
from eligibility.models import (
    APMParticipant,
    Clinician,
    GroupScenario,
    IndividualScenario,
    Practice,
    VirtualGroup,
)
from eligibility.services import derive_group_scenario
from tests.factories import ClinicianFactory, IndividualScenarioFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def _snapshot():
    return [
        list(m.objects.order_by("pk").values())
        for m in (Clinician, Practice, IndividualScenario, GroupScenario, VirtualGroup, APMParticipant)
    ]


def test_demo_load_is_idempotent_and_has_every_identifier():
    lines = demo.load()
    assert lines and all(isinstance(line, str) for line in lines)
    before = _snapshot()
    demo.load()
    assert _snapshot() == before
    for year in (2024, 2025, 2026):
        assert selectors.virtual_group_for_identifier("VG-000123", year) is not None
        assert selectors.apm_entity_for_identifier("A1001", year).name == "Lakeshore ACO"
        assert [p.tin for p in selectors.practices_for_npi("1234567893", year)] == ["123450093", "987653004"]
    assert selectors.practice_tins_for_npi("1234567893", 2026) == ["123450093", "987653004"]
    large = GroupScenario.objects.get(practice__tin="123450093", performance_year=2026)
    assert large.clinician_count >= 20 and large.small_group_practitioner is False
    for tin in ("987653004", "555550111"):
        assert GroupScenario.objects.get(practice__tin=tin, performance_year=2026).small_group_practitioner
    locations = Practice.objects.get(tin="987653004").locations.get()
    assert locations.broadband_available is False
    assert Practice.objects.get(tin="123450093").locations.filter(broadband_available=True).exists()
    assert str(Practice.objects.get(tin="123450093")) == "Dittrich, Krajiček and Urbanová (TIN: ****0093)"


def test_selectors_on_demo_data():
    demo.load()
    assert selectors.clinician_for_npi("1234567893").full_name == "Mary Thompson"
    assert selectors.clinician_for_npi("1234567890") is None
    assert selectors.practice_for_tin("123450093").legal_name == "Dittrich, Krajiček and Urbanová"
    assert selectors.practice_for_tin("12345") is None
    assert selectors.individual_pi_reweighting("1234567893", "123450093", 2026).reweighted is False
    assert selectors.individual_pi_reweighting("1234567893", "987653004", 2026).reasons == ("Small Practice",)
    assert selectors.group_pi_reweighting("123450093", 2026).reweighted is False
    assert selectors.group_pi_reweighting("987653004", 2026).reweighted is True
    vg = selectors.virtual_group_pi_reweighting("VG-000123", 2026)
    assert vg.reweighted is True and "Small Practice" in vg.reasons  # 3 + 3 clinicians
    assert selectors.subgroup_pi_reweighting("SG-000045", 2026).reweighted is False
    assert selectors.individual_mips_eligibility("1000000061", "123450093", 2026).eligible is False
    assert selectors.individual_mips_eligibility("1234567893", "123450093", 2026).eligible is True
    assert selectors.group_mips_eligibility("123450093", 2026).eligible is True
    missing = selectors.individual_pi_reweighting("1234567893", "555550111", 2026)
    assert missing.reweighted is False and missing.notes
    assert selectors.approved_pi_hardships(2026, tins=set()) == set()
    assert selectors.approved_pi_hardships(2026, tins={"123450093"}) == set()


def test_group_qualifies_when_every_eligible_clinician_qualifies_individually(monkeypatch):
    practice = PracticeFactory()
    csw = ClinicianFactory(clinician_type="clinical_social_worker")
    md = ClinicianFactory()
    not_eligible = ClinicianFactory()
    for clinician in (csw, md):
        IndividualScenarioFactory(clinician=clinician, practice=practice)
    IndividualScenarioFactory(
        clinician=not_eligible, practice=practice, allowed_charges=100, part_b_patients=5, covered_services=5
    )
    # 17 more special-status clinicians (8 hospital-based, 9 non-patient facing): 20 in all, so neither the
    # small-practice nor a more-than-75% rule applies.
    for i in range(17):
        IndividualScenarioFactory(
            practice=practice, hospital_based_clinician=i < 8, non_patient_facing=i >= 8
        )
    derive_group_scenario(practice=practice, performance_year=2026)
    assert selectors.group_pi_reweighting(practice.tin, 2026).reweighted is False  # md qualifies for nothing
    monkeypatch.setattr(selectors, "approved_pi_hardships", lambda year, *, tins: {(practice.tin, md.npi)})
    result = selectors.group_pi_reweighting(practice.tin, 2026)
    assert result.reweighted is True
    assert result.reasons[-1].startswith("All of the MIPS eligible clinicians in your group qualify")


def test_derived_group_scenario_counts_and_75_percent_boundary():
    practice = PracticeFactory()
    for i in range(16):
        IndividualScenarioFactory(practice=practice, hospital_based_clinician=i < 12)
    group = derive_group_scenario(practice=practice, performance_year=2026)
    assert (group.clinician_count, group.hospital_based_count) == (16, 12)
    assert group.hospital_based_share == 0.75
    assert group.hospital_based_clinician is False  # exactly 75%
    assert group.small_group_practitioner is False  # 16 clinicians
    assert group.is_eligible_group is True
    IndividualScenario.objects.filter(practice=practice).update(hospital_based_clinician=True)
    assert derive_group_scenario(practice=practice, performance_year=2026).hospital_based_clinician is True
    IndividualScenario.objects.filter(practice=practice).first().delete()
    assert derive_group_scenario(practice=practice, performance_year=2026).small_group_practitioner is True


def test_generate_participants_small(capsys):
    call_command("generate_participants", "--clinicians", "500", "--seed", "7", "--year", "2026")
    assert "Generated 500 clinicians" in capsys.readouterr().out
    assert Clinician.objects.count() == 500
    assert IndividualScenario.objects.filter(performance_year=2026).count() == 500
    groups = GroupScenario.objects.all()
    assert sum(g.clinician_count for g in groups) == 500
    assert groups.count() == Practice.objects.count()
    assert all(selectors.clinician_for_npi(c.npi) for c in Clinician.objects.all()[:50])  # valid NPIs
    sizes = sorted(g.clinician_count for g in groups)
    assert sizes[0] == 1 and sizes[-1] > 15  # solo practices to larger groups
    assert IndividualScenario.objects.filter(hospital_based_clinician=True).exists()
    # deterministic for a seed, and refuses to run twice into the same database
    first_names = list(Clinician.objects.order_by("npi").values_list("first_name", flat=True)[:20])
    with pytest.raises(CommandError, match="already exist"):
        call_command("generate_participants", "--clinicians", "10", "--seed", "7")
    call_command("generate_participants", "--clinicians", "500", "--seed", "7", "--year", "2026", "--replace")
    assert Clinician.objects.count() == 500
    assert list(Clinician.objects.order_by("npi").values_list("first_name", flat=True)[:20]) == first_names
    # the derived group flags agree with the rules the portal applies
    for group in groups[:100]:
        assert group.small_group_practitioner is (group.clinician_count <= 15)


def test_generated_data_does_not_touch_demo_identifiers():
    demo.load()
    before = Clinician.objects.count()
    call_command("generate_participants", "--clinicians", "50", "--seed", "1", "--year", "2026")
    assert Clinician.objects.count() == before + 50
    assert selectors.clinician_for_npi("1234567893").full_name == "Mary Thompson"


def test_generate_rejects_bad_arguments():
    with pytest.raises(CommandError):
        call_command("generate_participants", "--clinicians", "0")
    with pytest.raises(CommandError):
        call_command("generate_participants", "--clinicians", "5", "--year", "2010")
