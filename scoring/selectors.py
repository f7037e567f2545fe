"""Reads of the scoring app: stored participant outcomes and the "if approved" preview. Never writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eligibility import cache

from . import engine, services
from .models import ParticipantReweighting
from .policy import CATEGORIES, CATEGORY_LABELS, TRACK_LABELS

# Indexes into a services.COLUMNS row.
_FLAGS = slice(8, 12)
_REASONS = 12
_TRACK = 13


@dataclass(frozen=True)
class WeightsPreview:
    """What an application would change for its participant (issue 8 point 6)."""

    performance_year: int
    participant_label: str
    track: str
    track_label: str
    current_categories: tuple[str, ...]
    if_approved_categories: tuple[str, ...]
    added: tuple[str, ...]  # newly reweighted if approved
    overridden: tuple[str, ...]  # requested, but data was submitted for them (they stay scored)
    current: engine.WeightsResult | None
    if_approved: engine.WeightsResult | None
    current_message: str = ""
    if_approved_message: str = ""

    @property
    def added_labels(self) -> list[str]:
        return [CATEGORY_LABELS[c] for c in self.added]

    @property
    def overridden_labels(self) -> list[str]:
        return [CATEGORY_LABELS[c] for c in self.overridden]

    @property
    def current_labels(self) -> list[str]:
        return [CATEGORY_LABELS[c] for c in self.current_categories]

    @property
    def comparison(self) -> list[tuple[str, int | None, int | None]]:
        """(label, current weight, weight if approved) in CMS's order."""
        rows = []
        for category in CATEGORIES:
            now = self.current.weights[category] if self.current else None
            then = self.if_approved.weights[category] if self.if_approved else None
            rows.append((CATEGORY_LABELS[category], now, then))
        return rows


def _preview_scope(application: Any) -> tuple[services.Scope, str] | None:
    approved = services.approved_application_from(application)
    key = approved.participant_key
    if key is None:
        return None
    scope = services.scope_for_application(application)
    if scope is None:
        return None
    return services.Scope(tins=scope.tins, keys=frozenset({key})), key


def _row_for(
    year: int, scope: services.Scope, key: str, extra: list, facts: services.Facts
) -> tuple | None:
    for row in services.compute_rows(year, scope=scope, extra_applications=extra, facts=facts):
        if row[2] == key:
            return row
    return None


def _weights(year: int, track: str, categories: tuple[str, ...]) -> tuple[engine.WeightsResult | None, str]:
    try:
        return engine.weights_for_mask(year, track, engine.mask_of(categories)), ""
    except engine.PolicyError as exc:
        return None, str(exc)


def weights_if_approved(application: Any) -> WeightsPreview | None:
    """For a draft or submitted application: the participant's currently reweighted categories, and the
    categories and weights if this application were approved, computed by the same rules as the batch
    (submitted data still overrides per category). None when there is nothing to preview.

    Cached under the participation data version (eligibility.cache, ADR 0074) and the application's own
    last change: approvals, imports and data submissions move the version on, a saved step the row."""
    if application.status not in ("draft", "submitted"):
        return None
    return cache.cached_lookup(
        "preview",
        f"{application.pk}:{application.status}:{application.updated_at.timestamp()}",
        application.performance_year,
        lambda: _weights_if_approved(application),
    )


def _weights_if_approved(application: Any) -> WeightsPreview | None:
    year = application.performance_year
    if year not in engine.policy.POLICIES or not application.participation_level:
        return None
    found = _preview_scope(application)
    if found is None:
        return None
    scope, key = found
    extra = [services.approved_application_from(application)]
    # Without this application counting (a draft or submitted one never counts; an approved one is excluded
    # by the status check above).
    # The bulk facts are read once for both rows (issue 9: reading them twice was half the page's time).
    facts = services.load_facts(year, tins=scope.tins)
    current_row = _row_for(year, scope, key, [], facts)
    after_row = _row_for(year, scope, key, extra, facts)
    if current_row is None or after_row is None:
        return None
    track = after_row[_TRACK]
    current_categories = tuple(c for c, flag in zip(CATEGORIES, current_row[_FLAGS], strict=True) if flag)
    after_categories = tuple(c for c, flag in zip(CATEGORIES, after_row[_FLAGS], strict=True) if flag)
    reasons = json.loads(after_row[_REASONS])
    overridden = tuple(
        c
        for c in CATEGORIES
        if any(
            r["category"] == c and r["application"] == application.reference and r["overridden_by_data"]
            for r in reasons
        )
    )
    current, current_message = _weights(year, track, current_categories)
    after, after_message = _weights(year, track, after_categories)
    return WeightsPreview(
        performance_year=year,
        participant_label=application.participant_label,
        track=track,
        track_label=TRACK_LABELS[track],
        current_categories=current_categories,
        if_approved_categories=after_categories,
        added=tuple(c for c in after_categories if c not in current_categories),
        overridden=overridden,
        current=current,
        if_approved=after,
        current_message=current_message,
        if_approved_message=after_message,
    )


def participant_reweighting(performance_year: int, participant_key: str) -> ParticipantReweighting | None:
    return ParticipantReweighting.objects.filter(
        performance_year=performance_year, participant_key=participant_key
    ).first()


def reweighting_for_individual(*, npi: str, tin: str, performance_year: int) -> ParticipantReweighting | None:
    return participant_reweighting(performance_year, services.individual_key(tin, npi))


def reweighting_for_group(*, tin: str, performance_year: int) -> ParticipantReweighting | None:
    return participant_reweighting(performance_year, services.group_key(tin))
