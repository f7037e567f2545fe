"""Build responses in the shape of CMS's QPP Eligibility API v6 from our data and our rules (reads only)."""

from __future__ import annotations

from . import cache, rules, selectors
from .models import Clinician, GroupScenario, IndividualScenario, Practice, SpecialStatusFlags


def _flags(flags: SpecialStatusFlags | None) -> dict[str, object]:
    if flags is None:
        return {
            "hospitalBasedClinician": False,
            "nonPatientFacing": False,
            "ambulatorySurgicalCenter": False,
            "smallGroupPractitioner": False,
            "ruralClinician": False,
            "hpsaClinician": False,
            "isFacilityBased": False,
            "lowVolumeSwitch": False,
            "lowVolumeStatusReasons": [],
        }
    return {
        "hospitalBasedClinician": flags.hospital_based_clinician,
        "nonPatientFacing": flags.non_patient_facing,
        "ambulatorySurgicalCenter": flags.ambulatory_surgical_center,
        "smallGroupPractitioner": flags.small_group_practitioner,
        "ruralClinician": flags.rural_clinician,
        "hpsaClinician": flags.hpsa_clinician,
        "isFacilityBased": flags.is_facility_based,
        "lowVolumeSwitch": flags.low_volume_switch,
        "lowVolumeStatusReasons": list(flags.low_volume_status_reasons or []),
    }


def _hardship_fields(aci_hardship: bool, euc: selectors.EUCApproval | None = None) -> dict[str, object]:
    # aciHardship: an approved PI hardship; extremeHardship*: an approved EUC exception, with the categories
    # it covers and its event type (issue 7 point 9). A withdrawn approval is no longer "approved", so it
    # drops out at once. Source "exceptionApplication": decided on an application (not automatic).
    return {
        "aciHardship": aci_hardship,
        "extremeHardship": euc is not None,
        "extremeHardshipReasons": {
            "quality": bool(euc and euc.quality),
            "improvementActivities": bool(euc and euc.improvement_activities),
            "aci": bool(euc and euc.promoting_interoperability),
            "cost": bool(euc and euc.cost),
        },
        "extremeHardshipEventType": (euc.event_type or None) if euc else None,
        "extremeHardshipSources": ["exceptionApplication"] if euc else [],
    }


def _reweighting(result: rules.ReweightingResult) -> dict[str, object]:
    return {
        "aciReweighting": result.reweighted,
        # Extension (not in CMS's v6): why, in CMS's words, and which rule set applied.
        "aciReweightingReasons": list(result.reasons),
        "ruleSet": result.rule_set,
    }


def _individual_scenario(
    scenario: IndividualScenario, status: selectors.OrganizationStatus
) -> dict[str, object]:
    assert status.individual is not None and status.eligibility is not None
    return {
        **_flags(scenario),
        **_reweighting(status.individual),
        **_hardship_fields(
            status.aci_hardship_individual or status.aci_hardship_group,
            status.euc_individual or status.euc_group,
        ),
        "isEligible": {
            "individual": status.eligibility.eligible,
            "group": scenario.is_eligible_group,
            "mipsApm": scenario.is_eligible_mips_apm or bool(status.apm_entities),
            "virtualGroup": scenario.is_eligible_virtual_group or bool(status.virtual_groups),
        },
        "isOptedIn": scenario.opted_in,
        "specialty": _specialty(scenario.clinician),
    }


def _group_scenario(group: GroupScenario | None, status: selectors.OrganizationStatus) -> dict[str, object]:
    return {
        **_flags(group),
        **_reweighting(status.group_result),
        **_hardship_fields(status.aci_hardship_group, status.euc_group),
        "isEligible": {
            "individual": False,
            "group": status.group_eligibility.eligible,
            "mipsApm": bool(status.apm_entities),
            "virtualGroup": bool(status.virtual_groups),
        },
        # Extension: the counts behind the more-than-75% rules (seed 003 Appendix A).
        "clinicianCount": group.clinician_count if group else 0,
        "hospitalBasedCount": group.hospital_based_count if group else 0,
        "nonPatientFacingCount": group.non_patient_facing_count if group else 0,
        "ambulatorySurgicalCenterCount": group.ambulatory_surgical_center_count if group else 0,
    }


def _specialty(clinician: Clinician) -> dict[str, str]:
    return {
        "specialtyDescription": clinician.specialty,
        "typeDescription": clinician.get_clinician_type_display(),
        "categoryReference": "",
    }


def _organization(status: selectors.OrganizationStatus, performance_year: int) -> dict[str, object]:
    practice: Practice = status.practice
    location = practice.locations.first()
    org: dict[str, object] = {
        "TIN": practice.masked_tin,  # masked, as in CMS's public v6 API
        "prvdrOrgName": practice.legal_name,
        "addressLineOne": location.address_line_1 if location else "",
        "addressLineTwo": location.address_line_2 if location else "",
        "city": location.city if location else "",
        "state": location.state if location else "",
        "zip": location.zip_code if location else "",
        "apms": [
            {
                "apmId": e.apm_id,
                "apmName": e.apm_name,
                "entityId": e.entity_id,
                "entityName": e.name,
            }
            for e in status.apm_entities
        ],
        "virtualGroups": [
            {
                "virtualGroupIdentifier": vg.identifier,
                "virtualGroupName": vg.name,
                "specialScenario": _virtual_group_scenario(vg.identifier, performance_year),
            }
            for vg in status.virtual_groups
        ],
        "groupScenario": _group_scenario(status.group, status),
    }
    if status.scenario is not None:
        org["individualScenario"] = _individual_scenario(status.scenario, status)
    return org


def _virtual_group_scenario(identifier: str, performance_year: int) -> dict[str, object]:
    result = selectors.virtual_group_pi_reweighting(identifier, performance_year)
    return {
        "aciReweighting": result.reweighted,
        "aciReweightingReasons": list(result.reasons),
        "ruleSet": result.rule_set,
    }


def npi_document(clinician: Clinician, performance_year: int) -> dict[str, object]:
    """The v6 document for the NPI, cached whole under the data version (ADR 0074): on a repeat lookup not
    even the practice addresses and virtual-group reweightings are read again."""
    return cache.cached_lookup(
        "npi-document", clinician.npi, performance_year, lambda: _npi_document(clinician, performance_year)
    )


def _npi_document(clinician: Clinician, performance_year: int) -> dict[str, object]:
    statuses = selectors.participation_status_for_npi(clinician.npi, performance_year)
    return {
        "data": {
            "npi": clinician.npi,
            "firstName": clinician.first_name,
            "lastName": clinician.last_name,
            "nationalProviderIdentifierType": 1,
            "specialty": _specialty(clinician),
            "performanceYear": performance_year,
            "organizations": [_organization(s, performance_year) for s in statuses],
        }
    }


def tin_document(status: selectors.OrganizationStatus, performance_year: int) -> dict[str, object]:
    """The group view of one practice. The caller has checked the user may act for this TIN."""
    org = _organization(status, performance_year)
    org["TIN"] = status.practice.tin  # the authorized user asked for this TIN by its full number
    return {
        "data": {
            "performanceYear": performance_year,
            "practice": org,
            "clinicians": [
                {"npi": c.npi, "firstName": c.first_name, "lastName": c.last_name}
                for c in selectors.clinicians_for_tin(status.practice.tin, performance_year)
            ],
        }
    }
