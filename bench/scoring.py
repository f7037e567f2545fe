"""Benchmark of the set-based reweighting recompute (issue 8 point 7). Not a test: `make bench-scoring`.

Runs on PostgreSQL (DATABASE_URL, default the local ``qpp_bench`` database): makes sure 1,000,000 synthetic
TIN/NPI participants exist for 2026 (the eligibility generator, seed 42), adds realistic approved exceptions,
data submissions and cost determinations (deterministic, replaced on every run), runs the full recompute and,
in the same run, a naive per-participant ORM loop on a sample, then prints participants/second, peak memory
and the ratio. Figures are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qpp_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qpp_exceptions.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.base import CommandError  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.models import Application  # noqa: E402
from eligibility.models import APMEntity, GroupScenario, IndividualScenario, VirtualGroup  # noqa: E402
from scoring import engine, services  # noqa: E402
from scoring.models import CostAttribution, DataSubmission, ParticipantReweighting  # noqa: E402
from scoring.policy import CATEGORIES  # noqa: E402

YEAR = 2026
CLINICIANS = int(os.environ.get("BENCH_CLINICIANS", "1000000"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "2000"))
SEED = 42
BENCH_EMAIL = "bench-scoring@example.com"
REF_PREFIX = "BENCH-"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def ensure_participants() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench-scoring needs PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0, interactive=False)
    have = IndividualScenario.objects.filter(performance_year=YEAR).count()
    if have >= CLINICIANS:
        print(f"Reusing {have:,} TIN/NPI participants for {YEAR}.")
        return
    started = time.monotonic()
    try:
        call_command("generate_participants", clinicians=CLINICIANS, seed=SEED, year=YEAR, verbosity=0)
    except CommandError as exc:
        sys.exit(f"Could not generate participants: {exc}")
    print(f"Generated {CLINICIANS:,} clinicians in {time.monotonic() - started:.0f} s.")


def seed_scoring_facts() -> dict[str, int]:
    """Approved exceptions (~2.5% of TIN/NPIs, 1% of groups, some virtual groups and APM Entities), data
    submissions (40% of groups, 10% of TIN/NPIs) and cost determinations, bench rows only."""
    from accounts.models import User

    rng = random.Random(SEED)
    user, _ = User.objects.get_or_create(
        email=BENCH_EMAIL, defaults={"first_name": "Bench", "last_name": "Run"}
    )
    with transaction.atomic():
        Application.objects.filter(reference__startswith=REF_PREFIX).delete()
        DataSubmission.objects.filter(performance_year=YEAR, tin__gte="700000000").delete()
        DataSubmission.objects.filter(performance_year=YEAR, apm_entity_identifier__startswith="Z").delete()
        CostAttribution.objects.filter(performance_year=YEAR, tin__gte="700000000").delete()
        apps: list[Application] = []
        submissions: list[DataSubmission] = []
        costs: list[CostAttribution] = []
        when = timezone.now()

        def application(level: str, etype: str, categories: tuple[str, ...], **ids: str) -> None:
            n = len(apps) + 1
            flags = {f"requests_{c}": c in categories for c in CATEGORIES} if etype == "euc" else {}
            apps.append(
                Application(
                    reference=f"{REF_PREFIX}{n:08d}",
                    exception_type=etype,
                    performance_year=YEAR,
                    participation_level=level,
                    participant_key=f"bench:{n}",
                    submitter=user,
                    status="approved",
                    submitted_at=when,
                    decided_at=when,
                    **flags,
                    **ids,
                )
            )

        rows = IndividualScenario.objects.filter(performance_year=YEAR, practice__tin__gte="700000000")
        for tin, npi in rows.values_list("practice__tin", "clinician__npi").iterator(chunk_size=50_000):
            roll = rng.random()
            if roll < 0.02:
                application("individual", "pi_hardship", (), npi=npi, tin=tin)
            elif roll < 0.025:
                application(
                    "individual", "euc", tuple(rng.sample(CATEGORIES, rng.randint(1, 3))), npi=npi, tin=tin
                )
            if rng.random() < 0.10:
                for category in ("quality", "promoting_interoperability")[: rng.randint(1, 2)]:
                    submissions.append(
                        DataSubmission(
                            npi=npi,
                            tin=tin,
                            performance_year=YEAR,
                            category=category,
                            submitter_type="individual",
                            submitted_at=when,
                        )
                    )
            if rng.random() < 0.05:
                costs.append(
                    CostAttribution(
                        participant_type="individual",
                        npi=npi,
                        tin=tin,
                        performance_year=YEAR,
                        measures_attributed=rng.randint(1, 4),
                        measures_meeting_case_minimum=0,
                    )
                )
        for tin in GroupScenario.objects.filter(
            performance_year=YEAR, practice__tin__gte="700000000"
        ).values_list("practice__tin", flat=True):
            if rng.random() < 0.01:
                application("group", "pi_hardship", (), tin=tin)
            if rng.random() < 0.40:
                for category in ("quality", "improvement_activities", "promoting_interoperability"):
                    submissions.append(
                        DataSubmission(
                            tin=tin,
                            performance_year=YEAR,
                            category=category,
                            submitter_type="group",
                            submitted_at=when,
                        )
                    )
            if rng.random() < 0.05:
                costs.append(
                    CostAttribution(
                        participant_type="group",
                        tin=tin,
                        performance_year=YEAR,
                        measures_attributed=1,
                        measures_meeting_case_minimum=0,
                    )
                )
        for identifier in VirtualGroup.objects.filter(performance_year=YEAR).values_list(
            "identifier", flat=True
        ):
            if rng.random() < 0.1:
                application("virtual_group", "pi_hardship", (), virtual_group_identifier=identifier)
        for entity_id in APMEntity.objects.filter(
            performance_year=YEAR, entity_id__startswith="Z"
        ).values_list("entity_id", flat=True):
            if rng.random() < 0.05:
                application("apm_entity", "euc", CATEGORIES, apm_entity_identifier=entity_id)
                submissions.append(
                    DataSubmission(
                        apm_entity_identifier=entity_id,
                        performance_year=YEAR,
                        category="quality",
                        submitter_type="apm_entity",
                        submitted_at=when,
                    )
                )
        Application.objects.bulk_create(apps, batch_size=5000)
        DataSubmission.objects.bulk_create(submissions, batch_size=5000)
        CostAttribution.objects.bulk_create(costs, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"approved applications": len(apps), "data submissions": len(submissions), "cost rows": len(costs)}


def naive_individual(tin: str, npi: str) -> tuple[str, ...]:
    """The per-participant ORM way: a handful of queries per TIN/NPI, then one update_or_create."""
    from eligibility import selectors as eligibility_selectors

    automatic = eligibility_selectors.individual_pi_reweighting(npi, tin, YEAR).reasons
    scenario = eligibility_selectors.individual_scenario(npi, tin, YEAR)
    mask = services.PI_BIT if automatic else 0
    for app in Application.objects.filter(
        performance_year=YEAR, status="approved", participation_level="individual", npi=npi, tin=tin
    ):
        mask |= services.approved_application_from(app).mask
    if CostAttribution.objects.filter(
        performance_year=YEAR,
        participant_type="individual",
        npi=npi,
        tin=tin,
        measures_meeting_case_minimum=0,
    ).exists():
        mask |= services.COST_BIT
    for category in DataSubmission.objects.filter(
        performance_year=YEAR, submitter_type="individual", npi=npi, tin=tin
    ).values_list("category", flat=True):
        mask &= ~engine.CATEGORY_BITS[category]
    track = "small_practice" if scenario.small_group_practitioner else "traditional"
    weights = engine.weights_for_mask(YEAR, track, mask)
    categories = engine.categories_of(mask)
    ParticipantReweighting.objects.update_or_create(
        performance_year=YEAR,
        participant_key=services.individual_key(tin, npi),
        defaults={
            "participant_type": "individual",
            "npi": npi,
            "tin": tin,
            "track": track,
            **{c: c in categories for c in CATEGORIES},
            "weight_quality": weights.weights["quality"],
            "weight_cost": weights.weights["cost"],
            "weight_improvement_activities": weights.weights["improvement_activities"],
            "weight_promoting_interoperability": weights.weights["promoting_interoperability"],
            "neutral": weights.neutral,
            "weights_table": weights.table,
            "computed_at": timezone.now(),
        },
    )
    return categories


def main() -> None:
    ensure_participants()
    started = time.monotonic()
    seeded = seed_scoring_facts()
    print(
        "Seeded "
        + ", ".join(f"{v:,} {k}" for k, v in seeded.items())
        + f" in {time.monotonic() - started:.0f} s."
    )
    baseline = peak_mb()

    started = time.monotonic()
    result = services.reweighting_recompute_year(performance_year=YEAR)
    batch_seconds = time.monotonic() - started
    batch_rate = result.participants / batch_seconds
    batch_peak = peak_mb()

    sample = list(
        ParticipantReweighting.objects.filter(performance_year=YEAR, participant_type="individual")
        .order_by("?")[:SAMPLE]
        .values_list("tin", "npi", "quality", "cost", "improvement_activities", "promoting_interoperability")
    )
    started = time.monotonic()
    mismatches = 0
    for tin, npi, *flags in sample:
        expected = tuple(c for c, flag in zip(CATEGORIES, flags, strict=True) if flag)
        mismatches += naive_individual(tin, npi) != expected
    naive_seconds = time.monotonic() - started
    naive_rate = len(sample) / naive_seconds

    by_type = ", ".join(f"{k} {v:,}" for k, v in sorted(result.by_type.items()))
    print()
    print(
        f"Set-based recompute: {result.participants:,} participants in {batch_seconds:.1f} s = "
        f"{batch_rate:,.0f} participants/s  ({by_type})"
    )
    print(f"Peak memory (max RSS): {batch_peak:,.0f} MB (process before the recompute: {baseline:,.0f} MB)")
    print(
        f"Naive per-participant ORM loop: {len(sample):,} TIN/NPIs in {naive_seconds:.1f} s = "
        f"{naive_rate:,.0f} participants/s; {mismatches} disagreements with the set-based result"
    )
    print(f"Ratio: set-based is {batch_rate / naive_rate:,.0f}× the naive loop")
    target_ok = batch_rate >= 20_000 and batch_peak < 500
    print(f"Targets (≥ 20,000/s, < 500 MB): {'met' if target_ok else 'NOT met'}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
