"""The reweighting engine: pure, typed, no ORM (ADR 0040).

``weights_for(year, track, reweighted)`` looks the set of reweighted categories up in the year's published
table (``scoring/policy.py``); ``score(weights, scores)`` turns category scores into a final score and the
payment-adjustment direction; ``preview(...)`` does both and is what the CLI, the JSON API and the weights
calculator page call, so the three always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from . import policy
from .policy import (
    APP,
    CATEGORIES,
    COST,
    IMPROVEMENT_ACTIVITIES,
    NEUTRAL,
    PROMOTING_INTEROPERABILITY,
    QUALITY,
    TRACKS,
)


class PolicyError(ValueError):
    """Input the policy data does not cover (unknown category, track or year, or an uncovered combination).
    The message is one line, fit to show a user."""


# Names users may type for each category (issue 8 point 6).
CATEGORY_ALIASES: dict[str, str] = {
    "quality": QUALITY,
    "cost": COST,
    "ia": IMPROVEMENT_ACTIVITIES,
    "improvement_activities": IMPROVEMENT_ACTIVITIES,
    "pi": PROMOTING_INTEROPERABILITY,
    "promoting_interoperability": PROMOTING_INTEROPERABILITY,
}

# Bit per category, for compact sets in the batch recompute (services) and the cache below.
CATEGORY_BITS: dict[str, int] = {name: 1 << i for i, name in enumerate(CATEGORIES)}


def mask_of(categories: Iterable[str]) -> int:
    mask = 0
    for name in categories:
        mask |= CATEGORY_BITS[name]
    return mask


def categories_of(mask: int) -> tuple[str, ...]:
    return tuple(name for name in CATEGORIES if mask & CATEGORY_BITS[name])


def normalize_category(name: str) -> str:
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return CATEGORY_ALIASES[key]
    except KeyError:
        raise PolicyError(
            f"Unknown category {str(name).strip()!r}: use quality, cost, ia (improvement_activities) or pi "
            "(promoting_interoperability)."
        ) from None


def parse_categories(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"cost,pi"`` or ``["cost", "pi"]`` → canonical names in CMS's order, duplicates removed."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    names = {normalize_category(item) for item in items if not (isinstance(item, str) and not item.strip())}
    return tuple(name for name in CATEGORIES if name in names)


def parse_scores(value: str | Mapping[str, object] | None) -> dict[str, Decimal] | None:
    """``"quality=80,cost=50"`` or ``{"quality": 80}`` → {category: Decimal}; each score 0 to 100."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        pairs: list[tuple[str, object]] = []
        for part in value.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise PolicyError(
                    f"Write each score as category=number, for example quality=80 (got {part!r})."
                )
            name, _, raw = part.partition("=")
            pairs.append((name, raw.strip()))
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise PolicyError('Scores must be an object such as {"quality": 80} or text such as quality=80.')
    scores: dict[str, Decimal] = {}
    for name, raw in pairs:
        category = normalize_category(str(name))
        if category in scores:
            raise PolicyError(f"The {policy.CATEGORY_LABELS[category]} score is given twice.")
        scores[category] = parse_score(raw, category)
    return scores


def parse_score(raw: object, category: str) -> Decimal:
    label = policy.CATEGORY_LABELS[category]
    if isinstance(raw, bool) or raw is None or raw == "":
        raise PolicyError(f"The {label} score must be a number from 0 to 100.")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise PolicyError(f"The {label} score must be a number from 0 to 100.") from None
    if not number.is_finite() or number < 0 or number > 100:
        raise PolicyError(f"The {label} score must be a number from 0 to 100.")
    return number


def parse_year(value: object) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        raise PolicyError(f"Unknown performance year {text!r}: use a four-digit year such as 2024.")
    year = int(text)
    policy_for(year)
    return year


def policy_for(year: int) -> policy.YearPolicy:
    try:
        return policy.POLICIES[year]
    except KeyError:
        first, last = policy.SUPPORTED_YEARS[0], policy.SUPPORTED_YEARS[-1]
        raise PolicyError(
            f"No policy data for performance year {year}: the portal has weights for {first} to {last}."
        ) from None


def normalize_track(value: object) -> str:
    track = str(value).strip().lower().replace("-", "_") if value is not None else ""
    if track not in TRACKS:
        raise PolicyError(f"Unknown track {str(value)!r}: use traditional, small_practice or app.")
    return track


# --- weights ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightsResult:
    performance_year: int
    track: str
    reweighted: tuple[str, ...]  # canonical names, CMS's order
    weights: dict[str, int]  # all four categories; all 0 when neutral
    neutral: bool
    performance_threshold: int
    table: str  # which year's published table was used ("2024" for 2024 to 2026)
    source: str
    pi_category_name: str = "Promoting Interoperability"

    @property
    def scored_categories(self) -> tuple[str, ...]:
        return tuple(c for c in CATEGORIES if self.weights[c] > 0)

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(category, label, weight) in CMS's order, for tables and charts."""
        labels = dict(policy.CATEGORY_LABELS)
        labels[PROMOTING_INTEROPERABILITY] = self.pi_category_name
        return [(c, labels[c], self.weights[c]) for c in CATEGORIES]


@lru_cache(maxsize=4096)
def _weights_cached(year: int, track: str, mask: int) -> WeightsResult:
    year_policy = policy_for(year)
    if track in year_policy.unsupported_tracks:
        raise PolicyError(year_policy.unsupported_tracks[track])
    reweighted = categories_of(mask)
    lookup = frozenset(reweighted)
    if track == APP:
        # Seed 003 Appendix D: cost is always 0% under the APP, so reweighting it changes nothing.
        lookup = lookup - {COST}
    row = year_policy.tables[track].get(lookup)
    if row is None:
        raise PolicyError(_uncovered_message(year_policy, track, reweighted))
    neutral = row is NEUTRAL
    values = (0, 0, 0, 0) if neutral else row
    return WeightsResult(
        performance_year=year,
        track=track,
        reweighted=reweighted,
        weights=dict(zip(CATEGORIES, values, strict=True)),
        neutral=neutral,
        performance_threshold=year_policy.performance_threshold,
        table=year_policy.table,
        source=year_policy.source,
        pi_category_name=year_policy.pi_category_name,
    )


def _uncovered_message(year_policy: policy.YearPolicy, track: str, reweighted: tuple[str, ...]) -> str:
    names = " + ".join(policy.CATEGORY_LABELS[c] for c in reweighted) or "no categories"
    if year_policy.table == "2024":
        return (
            f"The {year_policy.table} tables have no row for reweighting {names} under the "
            f"{'APP' if track == APP else track.replace('_', ' ')} track (seed 003 Appendix D)."
        )
    return (
        f"No cited CMS source gives the {year_policy.performance_year} weights when reweighting {names}; "
        "the portal does not guess them."
    )


def weights_for(year: int, track: str, reweighted: Iterable[str]) -> WeightsResult:
    """The category weights after redistribution (integers summing to 100) or the neutral outcome."""
    return _weights_cached(year, normalize_track(track), mask_of(parse_categories(list(reweighted))))


def weights_for_mask(year: int, track: str, mask: int) -> WeightsResult:
    """Same as ``weights_for`` for a category bit mask (the batch recompute; cached)."""
    return _weights_cached(year, track, mask)


# --- final score and payment adjustment -------------------------------------------------------------------

POSITIVE, NEUTRAL_ADJUSTMENT, NEGATIVE = "positive", "neutral", "negative"
POSITIVE_NOTE = (
    "A positive adjustment depends on budget neutrality: CMS sets the scaling factor after the performance "
    "year, so no percentage can be estimated here."
)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class PaymentAdjustment:
    direction: str  # "positive" | "neutral" | "negative"
    estimated_percent: Decimal | None  # 0 for neutral; negative estimate; None for positive
    note: str

    def as_dict(self) -> dict[str, object]:
        return {
            "direction": self.direction,
            "estimated_percent": None if self.estimated_percent is None else float(self.estimated_percent),
            "note": self.note,
        }


@dataclass(frozen=True)
class ScoreResult:
    final_score: Decimal
    payment_adjustment: PaymentAdjustment


def payment_adjustment(year: int, final_score: Decimal, *, neutral: bool = False) -> PaymentAdjustment:
    """Direction of the MIPS payment adjustment two years later; the negative side on CMS's linear scale:
    0% at the performance threshold down to the year's maximum at one quarter of the threshold and below."""
    year_policy = policy_for(year)
    threshold = Decimal(year_policy.performance_threshold)
    if neutral:
        return PaymentAdjustment(
            NEUTRAL_ADJUSTMENT,
            Decimal(0),
            "Fewer than two performance categories can be scored: the final score equals the performance "
            "threshold and the payment adjustment is neutral (seed 003 Appendices B, C and D).",
        )
    if final_score == threshold:
        return PaymentAdjustment(NEUTRAL_ADJUSTMENT, Decimal(0), "A final score at the threshold is neutral.")
    if final_score > threshold:
        return PaymentAdjustment(POSITIVE, None, POSITIVE_NOTE)
    floor = threshold / 4
    maximum = year_policy.max_negative_adjustment
    percent = maximum if final_score <= floor else maximum * (threshold - final_score) / (threshold - floor)
    percent = percent.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return PaymentAdjustment(
        NEGATIVE,
        percent,
        f"Estimated on CMS's linear scale: 0% at the threshold ({year_policy.performance_threshold}) down to "
        f"{maximum}% at one quarter of it ({floor.normalize()}) or below.",
    )


def score(weights: WeightsResult, scores: Mapping[str, Decimal]) -> ScoreResult:
    """Final score = Σ weight × category score / 100 over the scored categories (or the threshold when
    neutral). Under the APP, improvement activities get full credit (seed 003 Appendix D)."""
    if weights.neutral:
        final = Decimal(weights.performance_threshold)
        return ScoreResult(final, payment_adjustment(weights.performance_year, final, neutral=True))
    effective = dict(scores)
    if weights.track == APP:
        effective[IMPROVEMENT_ACTIVITIES] = Decimal(100)
    missing = [c for c in weights.scored_categories if c not in effective]
    if missing:
        names = ", ".join(policy.CATEGORY_LABELS[c] for c in missing)
        raise PolicyError(f"Give a score for every category that carries weight: missing {names}.")
    total = sum((Decimal(weights.weights[c]) * effective[c] for c in weights.scored_categories), Decimal(0))
    final = (total / 100).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return ScoreResult(final, payment_adjustment(weights.performance_year, final))


# --- the preview shared by the CLI, the API and the page -------------------------------------------------


@dataclass(frozen=True)
class Preview:
    weights: WeightsResult
    scores: dict[str, Decimal] | None
    result: ScoreResult | None

    @property
    def final_score(self) -> Decimal | None:
        return self.result.final_score if self.result is not None else None

    def as_dict(self) -> dict[str, object]:
        """The JSON object of issue 8 point 6 (and, with a final score, the payment adjustment)."""
        w = self.weights
        data: dict[str, object] = {
            "year": w.performance_year,
            "track": w.track,
            "reweighted": list(w.reweighted),
            "weights": dict(w.weights),
            "neutral": w.neutral,
            "performance_threshold": w.performance_threshold,
            "final_score": _number(self.final_score),
            "table": w.table,
        }
        if self.result is not None:
            data["payment_adjustment"] = self.result.payment_adjustment.as_dict()
        return data


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def preview(
    *,
    year: object,
    track: object,
    reweighted: str | Iterable[str] | None,
    scores: str | Mapping[str, object] | None = None,
) -> Preview:
    """Parse and compute in one call; raises ``PolicyError`` with a one-line message for bad input."""
    parsed_year = parse_year(year)
    parsed_track = normalize_track(track)
    categories = parse_categories(reweighted)
    parsed_scores = parse_scores(scores)
    weights = _weights_cached(parsed_year, parsed_track, mask_of(categories))
    if weights.neutral:
        # "you'll receive a score equal to the performance threshold regardless of any data submitted"
        # (seed 003 Appendix B): the final score is known without scores.
        return Preview(weights, parsed_scores, score(weights, parsed_scores or {}))
    result = score(weights, parsed_scores) if parsed_scores is not None else None
    return Preview(weights, parsed_scores, result)
