"""MIPS category weights and their redistribution, per performance year, in one place. Pure data, no ORM.

Every value cites where it comes from (ADR 0040). Seeds are in /work/shared/seeds:
- seed 000_533d06a0a7debed5.txt: 2017 overview (Advancing Care Information weight moves to quality);
- seed 001_ede0be81fe1df585.txt: 2019 article (quality absorbs PI and is "revalued at 70%");
- seed 003_452340df50752410.txt: 2024 guide, Appendices B (traditional MIPS and MVPs), C (small practices) and
  D (APM Performance Pathway), and their footnotes on fewer than two scored categories.
Default weights, performance thresholds and maximum negative adjustments per year are issue 8, point 1.

A redistribution table maps the *set of reweighted categories* to the resulting weights (quality, cost,
improvement activities, promoting interoperability) or to NEUTRAL (fewer than two categories can be scored:
final score = performance threshold, neutral payment adjustment). A set missing from a year's table is not
covered by any cited source and is refused by the engine, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

QUALITY = "quality"
COST = "cost"
IMPROVEMENT_ACTIVITIES = "improvement_activities"
PROMOTING_INTEROPERABILITY = "promoting_interoperability"
# CMS's order in every table (seed 003 Appendices B, C, D: Quality, Cost, Improvement Activities, PI).
CATEGORIES: tuple[str, ...] = (QUALITY, COST, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY)

CATEGORY_LABELS = {
    QUALITY: "Quality",
    COST: "Cost",
    IMPROVEMENT_ACTIVITIES: "Improvement Activities",
    PROMOTING_INTEROPERABILITY: "Promoting Interoperability",
}

TRADITIONAL = "traditional"
SMALL_PRACTICE = "small_practice"
APP = "app"
TRACKS: tuple[str, ...] = (TRADITIONAL, SMALL_PRACTICE, APP)
TRACK_LABELS = {
    TRADITIONAL: "Traditional MIPS or MVPs (individual clinicians, groups, virtual groups)",
    SMALL_PRACTICE: "Traditional MIPS, small practice (15 or fewer clinicians)",
    APP: "APM Performance Pathway (APP)",
}

Weights = tuple[int, int, int, int]  # quality, cost, improvement activities, promoting interoperability


class _Neutral:
    """Marker: fewer than two categories can be scored (seed 003 Appendix B/C/D reminders)."""

    def __repr__(self) -> str:
        return "NEUTRAL"


NEUTRAL = _Neutral()


def _set(*categories: str) -> frozenset[str]:
    return frozenset(categories)


# --- 2024: seed 003_452340df50752410.txt ---------------------------------------------------------------

# Appendix B. Traditional MIPS and MVPs, 2024: individual clinicians, groups and virtual groups.
APPENDIX_B_2024: dict[frozenset[str], Weights | _Neutral] = {
    # "No Reweighting": Standard Weighting under traditional MIPS.
    _set(): (30, 30, 15, 25),
    # "Reweight 1 Performance Category".
    _set(COST): (55, 0, 15, 30),  # Cost → Quality and Promoting Interoperability
    _set(IMPROVEMENT_ACTIVITIES): (45, 30, 0, 25),  # Improvement Activities → Quality
    _set(PROMOTING_INTEROPERABILITY): (55, 30, 15, 0),  # Promoting Interoperability → Quality
    _set(QUALITY): (0, 30, 15, 55),  # Quality → Promoting Interoperability
    # "Reweight 2 Performance Categories" (Appendix B, continued).
    _set(COST, PROMOTING_INTEROPERABILITY): (85, 0, 15, 0),  # → Quality
    _set(COST, QUALITY): (0, 0, 15, 85),  # → Promoting Interoperability
    _set(COST, IMPROVEMENT_ACTIVITIES): (70, 0, 0, 30),  # → Promoting Interoperability + Quality
    _set(PROMOTING_INTEROPERABILITY, QUALITY): (0, 50, 50, 0),  # → Cost + Improvement Activities
    _set(PROMOTING_INTEROPERABILITY, IMPROVEMENT_ACTIVITIES): (70, 30, 0, 0),  # → Quality
    _set(QUALITY, IMPROVEMENT_ACTIVITIES): (0, 30, 0, 70),  # → Promoting Interoperability
    # "Reweight 3 Performance Categories" and "Reweight 4 Performance Categories": a single category (or none)
    # would carry 100%, so the final score equals the performance threshold and the adjustment is neutral.
    _set(QUALITY, COST, IMPROVEMENT_ACTIVITIES): NEUTRAL,
    _set(QUALITY, COST, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(QUALITY, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(COST, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(*CATEGORIES): NEUTRAL,
}

# Appendix C. Traditional MIPS, 2024: small practices. Differs from Appendix B in two rows (marked).
APPENDIX_C_2024: dict[frozenset[str], Weights | _Neutral] = {
    _set(): (30, 30, 15, 25),  # Standard Weighting under traditional MIPS
    _set(COST): (55, 0, 15, 30),  # Cost → Quality and Promoting Interoperability
    _set(IMPROVEMENT_ACTIVITIES): (45, 30, 0, 25),  # Improvement Activities → Quality
    # Differs from B: Promoting Interoperability → Quality and Improvement Activities.
    _set(PROMOTING_INTEROPERABILITY): (40, 30, 30, 0),
    _set(QUALITY): (0, 30, 15, 55),  # Quality → Promoting Interoperability
    # Differs from B: Cost + Promoting Interoperability → Quality and Improvement Activities.
    _set(COST, PROMOTING_INTEROPERABILITY): (50, 0, 50, 0),
    _set(COST, QUALITY): (0, 0, 15, 85),  # → Promoting Interoperability
    _set(COST, IMPROVEMENT_ACTIVITIES): (70, 0, 0, 30),  # → Promoting Interoperability + Quality
    _set(PROMOTING_INTEROPERABILITY, QUALITY): (0, 50, 50, 0),  # → Cost + Improvement Activities
    _set(PROMOTING_INTEROPERABILITY, IMPROVEMENT_ACTIVITIES): (70, 30, 0, 0),  # → Quality
    _set(QUALITY, IMPROVEMENT_ACTIVITIES): (0, 30, 0, 70),  # → Promoting Interoperability
    # Appendix C note: a single category at 100% (or none) → performance threshold, neutral adjustment.
    _set(QUALITY, COST, IMPROVEMENT_ACTIVITIES): NEUTRAL,
    _set(QUALITY, COST, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(QUALITY, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(COST, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(*CATEGORIES): NEUTRAL,
}

# Appendix D. APM Entities and the APP, 2024. Keys never contain cost: "The cost performance category weight
# is zero percent for clinicians scored through the APP", so reweighting cost changes nothing (the engine
# drops it before the lookup). Improvement activities get full credit under the APP (Appendix D reminders).
# Appendix D has no row for reweighting improvement activities alone: that set is refused.
APPENDIX_D_2024: dict[frozenset[str], Weights | _Neutral] = {
    _set(): (50, 0, 20, 30),  # Standard Weighting under the APP
    _set(PROMOTING_INTEROPERABILITY): (75, 0, 25, 0),  # Promoting Interoperability → Quality
    _set(QUALITY): (0, 0, 25, 75),  # Quality → Promoting Interoperability
    # "Reweight 2 + Performance Categories": a single category at 100% → threshold, neutral adjustment.
    _set(QUALITY, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(QUALITY, IMPROVEMENT_ACTIVITIES): NEUTRAL,
    _set(IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY): NEUTRAL,
    _set(QUALITY, IMPROVEMENT_ACTIVITIES, PROMOTING_INTEROPERABILITY): NEUTRAL,
}


@dataclass(frozen=True)
class YearPolicy:
    performance_year: int
    default_weights: Weights
    performance_threshold: int
    max_negative_adjustment: Decimal  # percent, e.g. Decimal("-9")
    # Which year's published tables apply (2025 and 2026 use "2024" until a cited source says otherwise).
    table: str
    tables: dict[str, dict[frozenset[str], Weights | _Neutral]] = field(repr=False)
    source: str = ""
    # Seed 000: in 2017 (and 2018, seed 001 "formerly Advancing Care Information") the PI category was named
    # Advancing Care Information.
    pi_category_name: str = "Promoting Interoperability"
    # Tracks with no published weights for this year (the APP began after the years the seeds cover).
    unsupported_tracks: dict[str, str] = field(default_factory=dict, repr=False)


def _defaults_only(weights: Weights) -> dict[frozenset[str], Weights | _Neutral]:
    return {_set(): weights}


_SEED_000 = "seed 000_533d06a0a7debed5.txt (2017 overview)"
_SEED_001 = "seed 001_ede0be81fe1df585.txt (2019 article)"
_ISSUE_DEFAULTS = "issue 8 point 1 (default weights, threshold, maximum negative adjustment)"
_NO_APP_BEFORE_2024 = (
    "The seeds give no APM Performance Pathway (APP) weights before 2024 (Appendix D covers 2024)."
)


def _early_year(
    year: int,
    weights: Weights,
    threshold: int,
    max_negative: str,
    extra_rows: dict[frozenset[str], Weights | _Neutral] | None = None,
    source: str = _ISSUE_DEFAULTS,
) -> YearPolicy:
    rows = _defaults_only(weights) | (extra_rows or {})
    return YearPolicy(
        performance_year=year,
        default_weights=weights,
        performance_threshold=threshold,
        max_negative_adjustment=Decimal(max_negative),
        table=str(year),
        # Small practices used the standard weights in these years; only the cited rows exist for both.
        tables={TRADITIONAL: rows, SMALL_PRACTICE: rows},
        source=source,
        pi_category_name="Advancing Care Information" if year < 2019 else "Promoting Interoperability",
        unsupported_tracks={APP: _NO_APP_BEFORE_2024},
    )


def _table_year(year: int) -> YearPolicy:
    return YearPolicy(
        performance_year=year,
        # Appendix B "Standard Weighting under traditional MIPS" (issue 8: 2022 to 2024 30/30/15/25).
        default_weights=(30, 30, 15, 25),
        performance_threshold=75,  # issue 8: 2022 onward 75
        max_negative_adjustment=Decimal("-9"),  # issue 8: 2020 onward -9%
        table="2024",
        tables={TRADITIONAL: APPENDIX_B_2024, SMALL_PRACTICE: APPENDIX_C_2024, APP: APPENDIX_D_2024},
        source="seed 003_452340df50752410.txt Appendices B, C and D (2024)",
    )


POLICIES: dict[int, YearPolicy] = {
    # 2017: 60/0/15/25, threshold 3, -4%. Seed 000: "The 25 percent weighting of the advancing care
    # information performance category would be reallocated to the quality performance category."
    2017: _early_year(
        2017,
        (60, 0, 15, 25),
        3,
        "-4",
        {_set(PROMOTING_INTEROPERABILITY): (85, 0, 15, 0)},
        source=f"{_ISSUE_DEFAULTS}; {_SEED_000}",
    ),
    2018: _early_year(2018, (50, 10, 15, 25), 15, "-5"),
    # 2019: 45/15/15/25, threshold 30, -7%. Seed 001: "The Quality performance category would absorb this
    # weight and be revalued at 70% of the participant's final score."
    2019: _early_year(
        2019,
        (45, 15, 15, 25),
        30,
        "-7",
        {_set(PROMOTING_INTEROPERABILITY): (70, 15, 15, 0)},
        source=f"{_ISSUE_DEFAULTS}; {_SEED_001}",
    ),
    2020: _early_year(2020, (45, 15, 15, 25), 45, "-9"),
    2021: _early_year(2021, (40, 20, 15, 25), 60, "-9"),
    2022: _early_year(2022, (30, 30, 15, 25), 75, "-9"),
    2023: _early_year(2023, (30, 30, 15, 25), 75, "-9"),
    2024: _table_year(2024),
    # 2025 and 2026: the 2024 tables until a cited source says otherwise (issue 8 point 1).
    2025: _table_year(2025),
    2026: _table_year(2026),
}

SUPPORTED_YEARS: tuple[int, ...] = tuple(sorted(POLICIES))
