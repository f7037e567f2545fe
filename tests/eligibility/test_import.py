"""``import_eligibility``: v6 JSON, lists of documents and CSV; idempotent, transactional, clear errors."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from eligibility.models import (
    APMEntity,
    Clinician,
    GroupScenario,
    IndividualScenario,
    Practice,
    VirtualGroup,
)

pytestmark = pytest.mark.django_db

V6_DOCUMENT = {
    "data": {
        "npi": "1234567893",
        "firstName": "Mary",
        "lastName": "Thompson",
        "specialty": {
            "specialtyDescription": "Internal Medicine",
            "typeDescription": "Doctor of Medicine",
            "categoryReference": "Physician",
        },
        "organizations": [
            {
                "TIN": "123450093",
                "prvdrOrgName": "Dittrich, Krajiček and Urbanová",
                "individualScenario": {
                    "hospitalBasedClinician": False,
                    "nonPatientFacing": False,
                    "ambulatorySurgicalCenter": False,
                    "smallGroupPractitioner": False,
                    "ruralClinician": False,
                    "hpsaClinician": True,
                    "isFacilityBased": False,
                    "aciReweighting": True,  # CMS's value is ignored: we compute our own
                    "isEligible": {"individual": True, "group": True, "mipsApm": True, "virtualGroup": False},
                    "lowVolumeSwitch": False,
                    "lowVolumeStatusReasons": [],
                },
                "groupScenario": {
                    "hospitalBasedClinician": False,
                    "nonPatientFacing": False,
                    "ambulatorySurgicalCenter": False,
                    "smallGroupPractitioner": False,
                    "isEligible": {"group": True},
                },
                "apms": [
                    {
                        "apmId": "08",
                        "apmName": "Medicare Shared Savings Program",
                        "entityId": "A1001",
                        "entityName": "Lakeshore ACO",
                    }
                ],
                "virtualGroups": [],
            },
            {
                "TIN": "987653004",
                "prvdrOrgName": "Gürmen - Ayaydin",
                "individualScenario": {
                    "smallGroupPractitioner": True,
                    "isEligible": {"individual": True, "group": True},
                },
                "groupScenario": {"smallGroupPractitioner": True, "isEligible": {"group": True}},
                "apms": [],
                "virtualGroups": [{"virtualGroupIdentifier": "VG-000123"}],
            },
        ],
    }
}


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def snapshot():
    return (
        list(Clinician.objects.values_list("npi", "first_name", "clinician_type").order_by("npi")),
        list(Practice.objects.values_list("tin", "legal_name").order_by("tin")),
        list(IndividualScenario.objects.values().order_by("id")),
        list(GroupScenario.objects.values().order_by("id")),
        list(VirtualGroup.objects.values_list("identifier", "performance_year")),
        list(APMEntity.objects.values_list("entity_id", "performance_year", "name")),
    )


def test_import_v6_document_creates_everything_and_is_idempotent(tmp_path):
    path = write(tmp_path, "mary.json", V6_DOCUMENT)
    call_command("import_eligibility", path, "--year", "2026")
    mary = Clinician.objects.get(npi="1234567893")
    assert mary.full_name == "Mary Thompson"
    assert mary.clinician_type == "doctor_of_medicine"
    assert mary.specialty == "Internal Medicine"
    assert IndividualScenario.objects.filter(clinician=mary, performance_year=2026).count() == 2
    small = IndividualScenario.objects.get(clinician=mary, practice__tin="987653004")
    assert small.small_group_practitioner is True
    assert IndividualScenario.objects.get(clinician=mary, practice__tin="123450093").hpsa_clinician is True
    group = GroupScenario.objects.get(practice__tin="123450093", performance_year=2026)
    assert group.source == GroupScenario.Source.CMS_IMPORT
    assert group.small_group_practitioner is False  # CMS's flag kept though we hold only one clinician
    assert group.clinician_count == 1
    assert APMEntity.objects.get(entity_id="A1001", performance_year=2026).name == "Lakeshore ACO"
    assert VirtualGroup.objects.get(identifier="VG-000123").practices.get().tin == "987653004"

    before = snapshot()
    call_command("import_eligibility", path, "--year", "2026")
    assert snapshot() == before


def test_reimport_updates_in_place(tmp_path):
    call_command("import_eligibility", write(tmp_path, "a.json", V6_DOCUMENT), "--year", "2026")
    changed = copy.deepcopy(V6_DOCUMENT)
    changed["data"]["lastName"] = "Thompson-Reyes"
    changed["data"]["organizations"][0]["individualScenario"]["hospitalBasedClinician"] = True
    call_command("import_eligibility", write(tmp_path, "b.json", changed), "--year", "2026")
    assert Clinician.objects.count() == 1
    assert Clinician.objects.get().last_name == "Thompson-Reyes"
    assert IndividualScenario.objects.count() == 2
    assert IndividualScenario.objects.get(practice__tin="123450093").hospital_based_clinician is True


def test_json_list_of_documents(tmp_path):
    second = copy.deepcopy(V6_DOCUMENT)
    second["data"].update(npi="1000000038", firstName="Grace", lastName="Whitfield")
    second["data"]["specialty"]["typeDescription"] = "Clinical Social Worker"
    second["data"]["organizations"] = second["data"]["organizations"][:1]
    call_command("import_eligibility", write(tmp_path, "list.json", [V6_DOCUMENT, second]), "--year", "2024")
    assert Clinician.objects.get(npi="1000000038").clinician_type == "clinical_social_worker"
    assert GroupScenario.objects.get(practice__tin="123450093", performance_year=2024).clinician_count == 2


def test_bad_rows_are_reported_with_line_and_reason_and_nothing_changes(tmp_path, capsys):
    call_command("import_eligibility", write(tmp_path, "ok.json", V6_DOCUMENT), "--year", "2026")
    before = snapshot()
    bad = copy.deepcopy(V6_DOCUMENT)
    bad["data"]["lastName"] = "Changed"
    bad["data"]["organizations"][1]["TIN"] = "XXXXX3004"  # masked, as the public API returns it
    bad["data"]["organizations"][0]["individualScenario"]["hospitalBasedClinician"] = "yes"
    invalid_npi = copy.deepcopy(V6_DOCUMENT)
    invalid_npi["data"]["npi"] = "1234567890"
    text = "[\n" + json.dumps(bad) + ",\n" + json.dumps(invalid_npi) + "\n]"
    with pytest.raises(CommandError, match=r"3 error\(s\).*nothing was imported"):
        call_command("import_eligibility", write(tmp_path, "bad.json", text), "--year", "2026")
    err = capsys.readouterr().err
    assert "line 2: document 1.data.organizations[1].TIN: the TIN is masked" in err
    assert (
        "line 2: document 1.data.organizations[0].individualScenario.hospitalBasedClinician: must be true"
        in err
    )
    assert "line 3: document 2.data.npi: 1234567890 is not a valid NPI" in err
    assert snapshot() == before


def test_invalid_json_and_missing_file_and_bad_year(tmp_path, capsys):
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_eligibility", write(tmp_path, "x.json", '{"data": {\n  "npi": }'), "--year", "2026"
        )
    assert "line 2: not valid JSON" in capsys.readouterr().err
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_eligibility", str(tmp_path / "missing.json"), "--year", "2026")
    with pytest.raises(CommandError, match="before the Quality Payment Program"):
        call_command("import_eligibility", write(tmp_path, "y.json", V6_DOCUMENT), "--year", "2016")
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_eligibility", write(tmp_path, "z.json", {"npi": "1234567893"}), "--year", "2026")
    assert 'expected an object with "data"' in capsys.readouterr().err
    assert Clinician.objects.count() == 0


CSV_HEADER = (
    "npi,first_name,last_name,clinician_type,specialty,tin,legal_name,hospital_based_clinician,"
    "non_patient_facing,small_group_practitioner,allowed_charges,part_b_patients,covered_services,opted_in\n"
)


def test_csv_import_and_idempotency(tmp_path):
    text = CSV_HEADER + (
        "1234567893,Mary,Thompson,Doctor of Medicine,Internal Medicine,123450093,Dittrich,false,false,false,"
        "250000,640,1800,false\n"
        "1000000004,Samuel,Okafor,doctor_of_medicine,Hospitalist,123450093,Dittrich,true,false,false,"
        '"$120,000.50",300,400,no\n'
    )
    path = write(tmp_path, "rows.csv", text)
    call_command("import_eligibility", path, "--year", "2025")
    assert IndividualScenario.objects.filter(performance_year=2025).count() == 2
    okafor = IndividualScenario.objects.get(clinician__npi="1000000004")
    assert okafor.hospital_based_clinician is True
    assert str(okafor.allowed_charges) == "120000.50"
    group = GroupScenario.objects.get(practice__tin="123450093", performance_year=2025)
    assert (group.clinician_count, group.hospital_based_count) == (2, 1)
    assert group.small_group_practitioner is True  # derived: 2 clinicians
    before = snapshot()
    call_command("import_eligibility", path, "--year", "2025")
    assert snapshot() == before


def test_csv_errors_name_each_line(tmp_path, capsys):
    text = CSV_HEADER + (
        "1234567893,Mary,Thompson,Doctor of Medicine,,123450093,Dittrich,false,false,false,1,1,1,false\n"
        "1234567890,Bad,Npi,Doctor of Medicine,,123450093,Dittrich,false,false,false,1,1,1,false\n"
        "1000000004,Sam,Okafor,Wizard,,12345,Dittrich,maybe,false,false,-5,1,1,false\n"
        "1234567893,Mary,Thompson,Doctor of Medicine,,123450093,Dittrich,false,false,false,1,1,1,false\n"
    )
    with pytest.raises(CommandError):
        call_command("import_eligibility", write(tmp_path, "bad.csv", text), "--year", "2025")
    err = capsys.readouterr().err
    assert "line 3: npi: 1234567890 is not a valid NPI" in err
    assert "line 4: tin: 12345 is not a valid 9-digit TIN" in err
    assert "line 4: clinician_type: unknown clinician type 'Wizard'" in err
    assert "line 4: hospital_based_clinician: 'maybe' is not true or false" in err
    assert "line 4: allowed_charges: '-5' is not a non-negative number" in err
    assert "line 5: duplicate of the TIN/NPI pair on line 2" in err
    assert Clinician.objects.count() == 0


def test_csv_header_problems(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command(
            "import_eligibility", write(tmp_path, "h.csv", "npi,colour\n1234567893,red\n"), "--year", "2025"
        )
    err = capsys.readouterr().err
    assert "missing column(s): first_name" in err
    assert "unknown column(s): colour" in err
