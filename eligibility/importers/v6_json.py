"""QPP Eligibility API v6 JSON: one NPI document or a list of them, each organization becoming one
``ParticipationRecord``. A masked TIN is an error; our low-volume extension fields are read from the
scenarios; every error carries the line its document starts on.
"""

from __future__ import annotations

import json

from ..services import ParticipationRecord
from ..validators import is_valid_npi, is_valid_tin
from .errors import ImportFailed, _Collector
from .values import _amount, clinician_type_from

# v6 camelCase → our fields, for the flags on individualScenario / groupScenario.
V6_FLAGS = {
    "hospitalBasedClinician": "hospital_based_clinician",
    "nonPatientFacing": "non_patient_facing",
    "ambulatorySurgicalCenter": "ambulatory_surgical_center",
    "smallGroupPractitioner": "small_group_practitioner",
    "ruralClinician": "rural_clinician",
    "hpsaClinician": "hpsa_clinician",
    "isFacilityBased": "is_facility_based",
    "lowVolumeSwitch": "low_volume_switch",
    "optedIn": "opted_in",
}
V6_IS_ELIGIBLE = {
    "individual": "is_eligible_individual",
    "group": "is_eligible_group",
    "mipsApm": "is_eligible_mips_apm",
    "virtualGroup": "is_eligible_virtual_group",
}


def _low_volume_amounts(
    source: dict, keys: dict[str, str], collector: _Collector, line: int | None, where: str
) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, name in keys.items():
        if key not in source:
            continue
        try:
            values[name] = _amount(source[key], integer=name != "allowed_charges")
        except (ValueError, TypeError):
            collector.add(line, f"{where}.{key}", "must be a non-negative number")
    return values


def _v6_scenario(
    scenario: object, collector: _Collector, line: int | None, where: str
) -> dict[str, object] | None:
    if scenario is None:
        return None
    if not isinstance(scenario, dict):
        collector.add(line, where, "must be an object")
        return None
    values: dict[str, object] = {}
    for key, name in V6_FLAGS.items():
        if key in scenario:
            if isinstance(scenario[key], bool):
                values[name] = scenario[key]
            else:
                collector.add(line, f"{where}.{key}", "must be true or false")
    eligible = scenario.get("isEligible")
    if eligible is not None:
        if not isinstance(eligible, dict):
            collector.add(line, f"{where}.isEligible", "must be an object")
        else:
            for key, name in V6_IS_ELIGIBLE.items():
                if key in eligible:
                    if isinstance(eligible[key], bool):
                        values[name] = eligible[key]
                    else:
                        collector.add(line, f"{where}.isEligible.{key}", "must be true or false")
    reasons = scenario.get("lowVolumeStatusReasons")
    if reasons is not None:
        if isinstance(reasons, list) and all(isinstance(r, str) for r in reasons):
            values["low_volume_status_reasons"] = reasons
        else:
            collector.add(line, f"{where}.lowVolumeStatusReasons", "must be a list of text")
    values.update(
        _low_volume_amounts(
            scenario,
            {
                "allowedCharges": "allowed_charges",
                "partBPatients": "part_b_patients",
                "coveredServices": "covered_services",
            },
            collector,
            line,
            where,
        )
    )
    return values


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _v6_document(
    document: object, collector: _Collector, line: int | None, label: str
) -> list[ParticipationRecord]:
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        collector.add(line, label, 'expected an object with "data" (a QPP Eligibility API v6 NPI document)')
        return []
    data = document["data"]
    npi = data.get("npi")
    npi = str(npi) if isinstance(npi, str | int) and not isinstance(npi, bool) else ""
    if not is_valid_npi(npi):
        collector.add(line, f"{label}.data.npi", f"{npi or 'missing'} is not a valid NPI")
    first, last = _text(data.get("firstName")), _text(data.get("lastName"))
    if not first or not last:
        collector.add(line, f"{label}.data", "firstName and lastName are required")
    specialty = data.get("specialty") if isinstance(data.get("specialty"), dict) else {}
    type_text = _text(specialty.get("typeDescription")) or _text(data.get("clinicianType"))
    clinician_type = clinician_type_from(type_text) if type_text else None
    if clinician_type is None:
        collector.add(
            line,
            f"{label}.data.specialty.typeDescription",
            f"unknown clinician type {type_text!r}" if type_text else "the clinician type is required",
        )
    organizations = data.get("organizations")
    if not isinstance(organizations, list) or not organizations:
        collector.add(line, f"{label}.data.organizations", "must be a non-empty list")
        return []
    records: list[ParticipationRecord] = []
    for index, org in enumerate(organizations):
        where = f"{label}.data.organizations[{index}]"
        if not isinstance(org, dict):
            collector.add(line, where, "must be an object")
            continue
        tin = org.get("TIN")
        tin = tin if isinstance(tin, str) else ""
        if not is_valid_tin(tin):
            message = (
                "the TIN is masked; a full 9-digit TIN is needed to import"
                if tin and any(not c.isdigit() for c in tin)
                else f"{tin or 'missing'} is not a valid 9-digit TIN"
            )
            collector.add(line, f"{where}.TIN", message)
        name = _text(org.get("prvdrOrgName"))
        if not name:
            collector.add(line, f"{where}.prvdrOrgName", "the practice name is required")
        individual = _v6_scenario(
            org.get("individualScenario"), collector, line, f"{where}.individualScenario"
        )
        if individual is None and "individualScenario" not in org:
            collector.add(line, f"{where}.individualScenario", "is required")
        group = _v6_scenario(org.get("groupScenario"), collector, line, f"{where}.groupScenario")
        if group is not None:
            # The individual flags on a group scenario mean the group's designations.
            group.pop("is_eligible_individual", None)
        apms = []
        for a_index, apm in enumerate(org.get("apms") or []):
            entity_id = _text(apm.get("entityId")) if isinstance(apm, dict) else ""
            apm_id = _text(apm.get("apmId")) if isinstance(apm, dict) else ""
            if not entity_id or not apm_id:
                collector.add(line, f"{where}.apms[{a_index}]", "apmId and entityId are required")
                continue
            apms.append(
                {
                    "apm_id": apm_id,
                    "apm_name": _text(apm.get("apmName")),
                    "entity_id": entity_id,
                    "name": _text(apm.get("entityName")) or _text(apm.get("name")) or entity_id,
                }
            )
        vgs = []
        for v_index, vg in enumerate(org.get("virtualGroups") or []):
            identifier = _text(vg.get("virtualGroupIdentifier")) if isinstance(vg, dict) else ""
            if not identifier:
                collector.add(line, f"{where}.virtualGroups[{v_index}]", "virtualGroupIdentifier is required")
                continue
            vgs.append({"identifier": identifier, "name": _text(vg.get("virtualGroupName"))})
        records.append(
            ParticipationRecord(
                npi=npi,
                first_name=first,
                last_name=last,
                clinician_type=clinician_type or "",
                specialty=_text(specialty.get("specialtyDescription")),
                tin=tin,
                legal_name=name,
                individual=individual or {},
                group=group,
                apms=apms,
                virtual_groups=vgs,
            )
        )
    return records


def parse_json(text: str) -> list[ParticipationRecord]:
    collector = _Collector()
    decoder = json.JSONDecoder()
    stripped = text.lstrip()
    records: list[ParticipationRecord] = []
    try:
        if stripped.startswith("["):
            # Walk the list one document at a time so each error carries the line its document starts on.
            position = text.index("[") + 1
            index = 0
            while True:
                while position < len(text) and text[position] in " \t\r\n,":
                    position += 1
                if position >= len(text):
                    raise json.JSONDecodeError("Expecting ']'", text, position)
                if text[position] == "]":
                    break
                line = text.count("\n", 0, position) + 1
                document, position = decoder.raw_decode(text, position)
                records += _v6_document(document, collector, line, f"document {index + 1}")
                index += 1
            if text[position + 1 :].strip():
                raise json.JSONDecodeError("Extra data", text, position + 1)
            if index == 0:
                collector.add(1, "", "the list holds no documents")
        else:
            document = json.loads(text)
            records = _v6_document(document, collector, 1, "document")
    except json.JSONDecodeError as exc:
        collector.add(exc.lineno, "", f"not valid JSON ({exc.msg}, column {exc.colno})")
    if collector.errors:
        raise ImportFailed(collector.errors)
    return records
