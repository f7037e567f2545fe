"""Participant keys: the ``participant_key`` of a ``ParticipantReweighting`` row."""

from __future__ import annotations


def individual_key(tin: str, npi: str) -> str:
    return f"individual:{tin}:{npi}"


def group_key(tin: str) -> str:
    return f"group:{tin}"


def virtual_group_key(identifier: str) -> str:
    return f"virtual_group:{identifier.strip().upper()}"


def apm_entity_key(identifier: str) -> str:
    return f"apm_entity:{identifier.strip().upper()}"


def subgroup_key(identifier: str) -> str:
    return f"subgroup:{identifier.strip().upper()}"
