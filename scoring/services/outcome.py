"""One participant's outcome (pure, given the facts): the row layout and the memoizing calculator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from eligibility import rules

from .. import engine
from ..models import ParticipantType
from ..policy import CATEGORIES
from .constants import AUTOMATIC, COST_BIT, COST_NOT_SCORABLE, COST_NOT_SCORABLE_DETAIL, EUC, PI_BIT
from .facts import Facts

# --- one participant's outcome (pure, given the facts) ----------------------------------------------------

# Row layout shared by COPY, bulk_create and previews (matches COLUMNS below).
COLUMNS = (
    "performance_year",
    "participant_type",
    "participant_key",
    "npi",
    "tin",
    "virtual_group_identifier",
    "apm_entity_identifier",
    "subgroup_identifier",
    "quality",
    "cost",
    "improvement_activities",
    "promoting_interoperability",
    "reasons",
    "track",
    "weight_quality",
    "weight_cost",
    "weight_improvement_activities",
    "weight_promoting_interoperability",
    "neutral",
    "weights_table",
    "weights_message",
    "computed_at",
)


@dataclass
class _Calculator:
    """Turns facts into rows; memoizes the pure parts (few distinct inputs across a million rows)."""

    facts: Facts
    computed_at: Any
    _weights: dict[tuple[str, int], tuple] = field(default_factory=dict)
    _json: dict[tuple, str] = field(default_factory=dict)
    _individual_rule: dict[rules.ClinicianFacts, tuple[str, ...]] = field(default_factory=dict)

    def weights(self, track: str, mask: int) -> tuple:
        key = (track, mask)
        cached = self._weights.get(key)
        if cached is None:
            try:
                result = engine.weights_for_mask(self.facts.year, track, mask)
                w = result.weights
                cached = (
                    w["quality"],
                    w["cost"],
                    w["improvement_activities"],
                    w["promoting_interoperability"],
                    result.neutral,
                    result.table,
                    "",
                )
            except engine.PolicyError as exc:
                cached = (None, None, None, None, False, "", str(exc)[:255])
            self._weights[key] = cached
        return cached

    def individual_reasons(self, facts: rules.ClinicianFacts) -> tuple[str, ...]:
        cached = self._individual_rule.get(facts)
        if cached is None:
            cached = rules.individual_reweighting(facts, self.facts.year).reasons
            self._individual_rule[facts] = cached
        return cached

    def row(
        self,
        *,
        ptype: str,
        key: str,
        track: str,
        automatic: tuple[str, ...] = (),
        npi: str = "",
        tin: str = "",
        vg: str = "",
        apm: str = "",
        sg: str = "",
        inherited_from: tuple | None = None,
    ) -> tuple:
        if inherited_from is not None:
            # A subgroup has its group's reweighting (seed 003): same categories, reasons marked inherited.
            parent = inherited_from
            reasons = json.dumps(
                [dict(r, inherited_from=parent[2]) for r in json.loads(parent[12])], ensure_ascii=False
            )
            weights = self.weights(
                track, engine.mask_of(c for c, flag in zip(CATEGORIES, parent[8:12], strict=True) if flag)
            )
            return (
                self.facts.year,
                ptype,
                key,
                npi,
                tin,
                vg,
                apm,
                sg,
                *parent[8:12],
                reasons,
                track,
                *weights,
                self.computed_at,
            )
        facts = self.facts
        data_mask = facts.data.get(key, 0)
        # (category bit, source, detail, application reference, protected from data override)
        entries: list[tuple[int, str, str, str | None, bool]] = []
        if automatic:
            entries.append((PI_BIT, AUTOMATIC, "; ".join(automatic), None, False))
        for app in facts.applications.get(key, ()):
            protected = ptype == ParticipantType.APM_ENTITY and app.exception_type == EUC
            for bit in (1, 2, 4, 8):
                if app.mask & bit:
                    entries.append((bit, app.exception_type, "", app.reference, protected))
        if key in facts.cost_not_scorable:
            entries.append((COST_BIT, COST_NOT_SCORABLE, COST_NOT_SCORABLE_DETAIL, None, False))
        mask = 0
        for bit, _source, _detail, _ref, protected in entries:
            if protected or not data_mask & bit:
                mask |= bit
        reasons = self._reasons_json(tuple(entries), data_mask)
        return (
            facts.year,
            ptype,
            key,
            npi,
            tin,
            vg,
            apm,
            sg,
            bool(mask & 1),
            bool(mask & 2),
            bool(mask & 4),
            bool(mask & 8),
            reasons,
            track,
            *self.weights(track, mask),
            self.computed_at,
        )

    def _reasons_json(self, entries: tuple, data_mask: int) -> str:
        memo_key = (entries, data_mask)
        cached = self._json.get(memo_key)
        if cached is None:
            names = dict(zip((1, 2, 4, 8), CATEGORIES, strict=True))
            cached = json.dumps(
                [
                    {
                        "category": names[bit],
                        "source": source,
                        "detail": detail,
                        "application": ref,
                        "overridden_by_data": bool(data_mask & bit) and not protected,
                    }
                    for bit, source, detail, ref, protected in entries
                ],
                ensure_ascii=False,
            )
            self._json[memo_key] = cached
        return cached
