"""The national-scale data set for ``make bench`` (issue 9 point 1), written set-based on PostgreSQL.

* 1,000,000 clinicians for 2026 from the eligibility generator (``generate_participants``, seed 42; COPY),
  reused when already complete;
* a top-up to 150,000 practices and 1,200,000 TIN/NPI pairs: clinicians who also bill under a second, small
  practice (TINs from 800000000, one SQL statement each), as many clinicians really do;
* 100,000 applications across every status and three performance years, with the django-fsm-log StateLog
  rows their transitions would have written (bulk inserts, never per-row transitions);
* the bench users (a clinician with 20 applications, a practice user with 200 drafts, a CMS reviewer with
  TOTP, and the surge applicants) and signed-in sessions for them, prepared in bulk.

Every bench row is recognisable (users ``@bench.example.com``; TINs from 800000000) so a rerun replaces it.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.middleware import LAST_ACTIVITY_KEY, SIGNED_IN_AT_KEY
from accounts.models import NPILink, PracticeAccess, User
from applications import policy
from applications.models import (
    AdditionalAccessEmail,
    Application,
    ApplicationWindow,
    EventType,
    ExceptionType,
    Notification,
    ParticipationLevel,
    PIHardshipReason,
    Status,
)
from eligibility.models import APMEntity, Clinician, IndividualScenario, Practice, VirtualGroup

YEAR = 2026
SEED = 42
CLINICIANS = 1_000_000
TARGET_PRACTICES = 150_000
TARGET_PAIRS = 1_200_000
APPLICATIONS = 100_000
TOPUP_TIN_FLOOR = "800000000"
GENERATED_TIN_FLOOR = "700000000"
BENCH_DOMAIN = "@bench.example.com"
APPLICANT_USERS = 2_000
SURGE_USERS = 6_000
PRACTICE_DRAFTS = 200
DASHBOARD_APPLICATIONS = 20

# Status mix of the applications (share, status) per year: the open year still has drafts and a queue of
# submitted applications; closed years are decided or withdrawn.
STATUS_MIX = {
    2026: (
        (0.25, Status.DRAFT),
        (0.40, Status.SUBMITTED),
        (0.20, Status.APPROVED),
        (0.10, Status.DENIED),
        (0.05, Status.WITHDRAWN),
    ),
    2025: ((0.70, Status.APPROVED), (0.20, Status.DENIED), (0.10, Status.WITHDRAWN)),
    2024: ((0.70, Status.APPROVED), (0.20, Status.DENIED), (0.10, Status.WITHDRAWN)),
}
YEAR_MIX = ((0.85, 2026), (0.10, 2025), (0.05, 2024))
EASTERN = policy.EASTERN


def _pick(rng: random.Random, table: tuple) -> Any:
    roll = rng.random()
    for share, value in table:
        if roll < share:
            return value
        roll -= share
    return table[-1][1]


def _execute(sql: str, params: tuple = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _scalar(sql: str, params: tuple = ()) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# --- participants -----------------------------------------------------------------------------------------


def ensure_participants(log: Any) -> dict[str, float]:
    """1M clinicians from the generator, then the multi-TIN top-up. Returns seconds per part (0 = reused)."""
    timings: dict[str, float] = {}
    have = IndividualScenario.objects.filter(
        performance_year=YEAR, practice__tin__gte=GENERATED_TIN_FLOOR, practice__tin__lt=TOPUP_TIN_FLOOR
    ).count()
    if have >= CLINICIANS:
        log(f"Reusing {have:,} generated clinicians for {YEAR}.")
        timings["clinicians (generator, COPY)"] = 0.0
    else:
        started = time.monotonic()
        # Grants protect the clinicians and practices they point at: drop the bench ones first; the top-up
        # (TINs from 800000000) goes with the generated rows.
        NPILink.objects.filter(user__email__endswith=BENCH_DOMAIN).delete()
        PracticeAccess.objects.filter(user__email__endswith=BENCH_DOMAIN).delete()
        call_command(
            "generate_participants", clinicians=CLINICIANS, seed=SEED, year=YEAR, replace=True, verbosity=0
        )
        timings["clinicians (generator, COPY)"] = time.monotonic() - started
        log(f"Generated {CLINICIANS:,} clinicians in {timings['clinicians (generator, COPY)']:.0f} s.")
    started = time.monotonic()
    made = _topup_practices()
    timings["multi-TIN top-up (SQL)"] = time.monotonic() - started if made else 0.0
    if made:
        seconds = timings["multi-TIN top-up (SQL)"]
        log(f"Added {made:,} TIN/NPI pairs under second practices in {seconds:.0f} s.")
    return timings


def _topup_practices() -> int:
    """Second practices (2 to 3 clinicians each) until there are 150,000 practices and 1,200,000 TIN/NPI
    pairs. Returns the pairs added (0 when the top-up is already complete)."""
    practices = Practice.objects.count()
    pairs = IndividualScenario.objects.filter(performance_year=YEAR).count()
    topped = Practice.objects.filter(tin__gte=TOPUP_TIN_FLOOR).count()
    if practices >= TARGET_PRACTICES and pairs >= TARGET_PAIRS:
        return 0
    with transaction.atomic():
        if topped:
            _remove_topup()
            practices = Practice.objects.count()
            pairs = IndividualScenario.objects.filter(performance_year=YEAR).count()
        new_practices = max(TARGET_PRACTICES - practices, 1)
        new_pairs = max(TARGET_PAIRS - pairs, new_practices)
        _execute(
            "INSERT INTO eligibility_practice (tin, legal_name) "
            "SELECT lpad((800000000 + g)::text, 9, '0'), 'Bench Multi-TIN Practice ' || g "
            "FROM generate_series(0, %s - 1) AS g",
            (new_practices,),
        )
        _execute(
            "INSERT INTO eligibility_practicelocation "
            "(practice_id, address_line_1, address_line_2, city, state, zip_code, broadband_available) "
            "SELECT id, (id %% 9000 + 1)::text || ' Second Street', '', 'Town ' || (id %% 5000)::text, "
            "(ARRAY['MI','OH','TX','CA','NY','FL','PA','IL'])[(id %% 8) + 1], "
            "lpad(((id * 7919) %% 89999 + 10000)::text, 5, '0'), (id %% 17) <> 0 "
            "FROM eligibility_practice WHERE tin >= %s",
            (TOPUP_TIN_FLOOR,),
        )
        # Every fifth generated clinician (by id) bills under a second practice: copy their facts, small
        # practice (15 or fewer clinicians, seed 003_… Appendix A) under the new TIN.
        _execute(
            """
            WITH picked AS (
                SELECT s.*, row_number() OVER (ORDER BY s.id) - 1 AS rn
                FROM eligibility_individualscenario s
                JOIN eligibility_practice p ON p.id = s.practice_id
                WHERE s.performance_year = %s AND p.tin >= %s AND p.tin < %s AND s.id %% 5 = 0
                ORDER BY s.id LIMIT %s
            ), topup AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM eligibility_practice
                WHERE tin >= %s
            )
            INSERT INTO eligibility_individualscenario (
                performance_year, clinician_id, practice_id, hospital_based_clinician, non_patient_facing,
                ambulatory_surgical_center, small_group_practitioner, rural_clinician, hpsa_clinician,
                is_facility_based, allowed_charges, part_b_patients, covered_services, low_volume_switch,
                low_volume_status_reasons, opted_in, is_eligible_individual, is_eligible_group,
                is_eligible_mips_apm, is_eligible_virtual_group)
            SELECT picked.performance_year, picked.clinician_id, topup.id, picked.hospital_based_clinician,
                picked.non_patient_facing, picked.ambulatory_surgical_center, TRUE, picked.rural_clinician,
                picked.hpsa_clinician, picked.is_facility_based, round(picked.allowed_charges / 3, 2),
                picked.part_b_patients / 3, picked.covered_services / 3, picked.low_volume_switch,
                picked.low_volume_status_reasons, FALSE, picked.is_eligible_individual, TRUE, FALSE, FALSE
            FROM picked JOIN topup ON topup.rn = picked.rn %% %s
            """,
            (YEAR, GENERATED_TIN_FLOOR, TOPUP_TIN_FLOOR, new_pairs, TOPUP_TIN_FLOOR, new_practices),
        )
        # Group facts aggregated from the clinicians, as the generator derives them: more than 75% of the
        # clinicians for the group flags, and the low-volume threshold ($90,000 allowed charges, 200 Part B
        # patients, 200 covered services; eligibility/rules.py, issue 3) for group eligibility.
        _execute(
            """
            INSERT INTO eligibility_groupscenario (
                performance_year, practice_id, hospital_based_clinician, non_patient_facing,
                ambulatory_surgical_center, small_group_practitioner, rural_clinician, hpsa_clinician,
                is_facility_based, allowed_charges, part_b_patients, covered_services, low_volume_switch,
                low_volume_status_reasons, opted_in, clinician_count, mips_eligible_count,
                hospital_based_count, non_patient_facing_count, ambulatory_surgical_center_count,
                is_eligible_group, source)
            SELECT %s, s.practice_id,
                4 * sum(s.hospital_based_clinician::int) > 3 * count(*),
                4 * sum(s.non_patient_facing::int) > 3 * count(*),
                4 * sum(s.ambulatory_surgical_center::int) > 3 * count(*),
                TRUE,
                4 * sum(s.rural_clinician::int) > 3 * count(*),
                4 * sum(s.hpsa_clinician::int) > 3 * count(*),
                4 * sum(s.is_facility_based::int) > 3 * count(*),
                sum(s.allowed_charges), sum(s.part_b_patients), sum(s.covered_services),
                NOT (sum(s.allowed_charges) > 90000 AND sum(s.part_b_patients) > 200
                     AND sum(s.covered_services) > 200),
                '[]'::jsonb, FALSE, count(*), sum(s.is_eligible_individual::int),
                sum(s.hospital_based_clinician::int), sum(s.non_patient_facing::int),
                sum(s.ambulatory_surgical_center::int),
                sum(s.allowed_charges) > 90000 AND sum(s.part_b_patients) > 200
                    AND sum(s.covered_services) > 200,
                'derived'
            FROM eligibility_individualscenario s JOIN eligibility_practice p ON p.id = s.practice_id
            WHERE s.performance_year = %s AND p.tin >= %s
            GROUP BY s.practice_id
            """,
            (YEAR, YEAR, TOPUP_TIN_FLOOR),
        )
    _execute("ANALYZE eligibility_practice")
    _execute("ANALYZE eligibility_individualscenario")
    _execute("ANALYZE eligibility_groupscenario")
    return IndividualScenario.objects.filter(
        performance_year=YEAR, practice__tin__gte=TOPUP_TIN_FLOOR
    ).count()


def _remove_topup() -> None:
    for table in (
        "eligibility_individualscenario",
        "eligibility_groupscenario",
        "eligibility_practicelocation",
    ):
        _execute(
            f"DELETE FROM {table} WHERE practice_id IN "  # noqa: S608 (our own table names)
            "(SELECT id FROM eligibility_practice WHERE tin >= %s)",
            (TOPUP_TIN_FLOOR,),
        )
    _execute("DELETE FROM eligibility_practice WHERE tin >= %s", (TOPUP_TIN_FLOOR,))


def participant_counts() -> dict[str, int]:
    return {
        "clinicians": Clinician.objects.count(),
        "TIN/NPI pairs (2026)": IndividualScenario.objects.filter(performance_year=YEAR).count(),
        "practices": Practice.objects.count(),
        "virtual groups": VirtualGroup.objects.filter(performance_year=YEAR).count(),
        "APM Entities": APMEntity.objects.filter(performance_year=YEAR).count(),
    }


def tune_database() -> None:
    """``random_page_cost = 1.1`` for this database (SSD storage; ADR 0072): with the default 4.0 PostgreSQL
    hash-joins a scan of all clinicians instead of a few thousand index lookups. New connections only."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')  # our own database name


def vacuum_analyze() -> float:
    """VACUUM ANALYZE after the bulk loads, as an operator (or autovacuum, some minutes later) would: fresh
    statistics, and a visibility map that lets the queue's page counts run as index-only scans. Cheap when
    nothing changed since the last run. Returns the seconds it took."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.monotonic() - started


# --- windows ----------------------------------------------------------------------------------------------


def ensure_windows() -> None:
    """The demo windows (seed 002_…/003_…: May 13 to December 31, 8 p.m. ET); 2026 is open today."""
    for year in (2024, 2025, 2026):
        ApplicationWindow.objects.update_or_create(
            performance_year=year,
            defaults={
                "opens_at": dt.datetime(year, 5, 13, 0, 0, tzinfo=EASTERN),
                "closes_at": dt.datetime(year, 12, 31, 20, 0, tzinfo=EASTERN),
            },
        )


# --- users ------------------------------------------------------------------------------------------------


@dataclass
class BenchPeople:
    clinician: User
    clinician_npi: str
    practice_user: User
    practice_tin: str
    reviewer: User
    applicants: list[User]
    surge: list[tuple[User, str, str]] = field(default_factory=list)  # (user, npi, tin)


def _bulk_users(prefix: str, count: int, **extra: Any) -> list[User]:
    emails = [f"{prefix}-{n:05d}{BENCH_DOMAIN}" for n in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=e, first_name="Bench", last_name=prefix.title(), password="!", **extra)
            for e in emails
            if e not in existing
        ],
        batch_size=5000,
    )
    by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [by_email[e] for e in emails]


def _user(email: str, **extra: Any) -> User:
    user, _ = User.objects.get_or_create(
        email=email, defaults={"first_name": "Bench", "last_name": "User", "password": "!", **extra}
    )
    return user


def ensure_people(rng: random.Random) -> BenchPeople:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from accounts import authorization
    from accounts.services import ensure_role_groups

    ensure_role_groups()
    # The clinician: a generated NPI (far from the surge and seeding ranges) linked to the account.
    scenario = (
        IndividualScenario.objects.filter(
            performance_year=YEAR, practice__tin__gte=GENERATED_TIN_FLOOR, practice__tin__lt=TOPUP_TIN_FLOOR
        )
        .select_related("clinician", "practice")
        .order_by("id")[10]
    )
    clinician = _user(f"clinician{BENCH_DOMAIN}")
    NPILink.objects.filter(user=clinician).exclude(clinician=scenario.clinician).delete()
    NPILink.objects.get_or_create(user=clinician, clinician=scenario.clinician)

    # The practice user: Staff User of the largest generated practice (thousands of clinicians).
    big = (
        IndividualScenario.objects.filter(
            performance_year=YEAR, practice__tin__gte=GENERATED_TIN_FLOOR, practice__tin__lt=TOPUP_TIN_FLOOR
        )
        .values("practice_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    practice = Practice.objects.get(pk=big["practice_id"])
    practice_user = _user(f"practice{BENCH_DOMAIN}")
    PracticeAccess.objects.get_or_create(
        user=practice_user, practice=practice, defaults={"role": "staff_user"}
    )

    reviewer = _user(f"reviewer{BENCH_DOMAIN}", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=authorization.CMS_REVIEWER_GROUP))
    if not Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(reviewer, "QPPBENCHREVIEWERTOTPSECRETKEYAAA")

    applicants = _bulk_users("applicant", APPLICANT_USERS)
    return BenchPeople(clinician, scenario.clinician.npi, practice_user, practice.tin, reviewer, applicants)


def ensure_surge_users(people: BenchPeople) -> None:
    """Surge applicants, each linked to their own NPI (the last generated clinicians, which no seeded
    application uses), so every simulated applicant can file one new application."""
    users = _bulk_users("surge", SURGE_USERS)
    rows = list(
        IndividualScenario.objects.filter(
            performance_year=YEAR, practice__tin__gte=GENERATED_TIN_FLOOR, practice__tin__lt=TOPUP_TIN_FLOOR
        )
        .order_by("-id")
        .values_list("clinician_id", "clinician__npi", "practice__tin")[:SURGE_USERS]
    )
    linked = dict(NPILink.objects.filter(user__in=users).values_list("user_id", "clinician_id"))
    missing = [
        NPILink(user=user, clinician_id=clinician_id)
        for user, (clinician_id, _npi, _tin) in zip(users, rows, strict=True)
        if linked.get(user.pk) != clinician_id
    ]
    if missing:
        NPILink.objects.filter(user__in=[link.user for link in missing]).delete()
        NPILink.objects.bulk_create(missing, batch_size=5000)
    people.surge = [(user, npi, tin) for user, (_cid, npi, tin) in zip(users, rows, strict=True)]


def remove_surge_applications() -> int:
    """Applications a previous surge created (submitter ``surge-…@bench.example.com``) and their logs."""
    ids = list(
        Application.objects.filter(
            submitter__email__startswith="surge-", submitter__email__endswith=BENCH_DOMAIN
        ).values_list("pk", flat=True)
    )
    if ids:
        _delete_applications(ids)
    return len(ids)


def _delete_applications(ids: list[int]) -> None:
    content_type = ContentType.objects.get_for_model(Application)
    with transaction.atomic():
        for start in range(0, len(ids), 20_000):
            chunk = ids[start : start + 20_000]
            StateLog.objects.filter(content_type=content_type, object_id__in=chunk)._raw_delete(
                connection.alias
            )
            Notification.objects.filter(application_id__in=chunk)._raw_delete(connection.alias)
            AdditionalAccessEmail.objects.filter(application_id__in=chunk)._raw_delete(connection.alias)
            Application.history.model.objects.filter(id__in=chunk)._raw_delete(connection.alias)
            Application.objects.filter(pk__in=chunk)._raw_delete(connection.alias)


# --- applications -----------------------------------------------------------------------------------------


def _bench_applications():
    return Application.objects.filter(submitter__email__endswith=BENCH_DOMAIN).exclude(
        submitter__email__startswith="surge-"
    )


def ensure_applications(people: BenchPeople, log: Any) -> float:
    """100,000 applications (0 s when already there); returns the seconds it took."""
    have = _bench_applications().count()
    statuses = set(_bench_applications().values_list("status", flat=True).distinct()) if have else set()
    if have == APPLICATIONS and statuses == set(Status.values):
        log(f"Reusing {have:,} bench applications.")
        return 0.0
    started = time.monotonic()
    ids = list(_bench_applications().values_list("pk", flat=True))
    if ids:
        _delete_applications(ids)
    _seed_applications(people)
    _execute("ANALYZE applications_application")
    _execute("ANALYZE django_fsm_log_statelog")
    seconds = time.monotonic() - started
    log(f"Seeded {APPLICATIONS:,} applications with their status logs in {seconds:.0f} s.")
    return seconds


def _seed_applications(people: BenchPeople) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    surge_npis = {npi for _u, npi, _t in people.surge}
    # Candidate participants (random generated TIN/NPIs, not the surge applicants' or the bench clinician's).
    pairs = list(
        IndividualScenario.objects.filter(performance_year=YEAR, practice__tin__gte=GENERATED_TIN_FLOOR)
        .order_by("?")
        .values_list("clinician__npi", "practice__tin", "clinician__first_name", "clinician__last_name")[
            :120_000
        ]
    )
    pairs = [p for p in pairs if p[0] not in surge_npis and p[0] != people.clinician_npi]
    groups = list(
        Practice.objects.filter(tin__gte=GENERATED_TIN_FLOOR)
        .order_by("?")
        .values_list("tin", "legal_name")[:20_000]
    )
    vgs = list(VirtualGroup.objects.filter(performance_year=YEAR).values_list("identifier", "name"))
    apms = list(APMEntity.objects.filter(performance_year=YEAR).values_list("entity_id", "name"))
    big_practice_npis = list(
        IndividualScenario.objects.filter(performance_year=YEAR, practice__tin=people.practice_tin)
        .order_by("id")
        .values_list("clinician__npi", "clinician__first_name", "clinician__last_name")[:PRACTICE_DRAFTS]
    )
    clinician_scenarios = list(
        IndividualScenario.objects.filter(
            performance_year=YEAR, clinician__npi=people.clinician_npi
        ).values_list("practice__tin", flat=True)
    )
    next_id = _scalar("SELECT COALESCE(MAX(id), 0) FROM applications_application") + 1
    open_keys: set[tuple[str, str, int]] = set()
    apps: list[Application] = []
    logs: list[StateLog] = []
    content_type = ContentType.objects.get_for_model(Application)
    reasons = [c for c in PIHardshipReason.values if c != PIHardshipReason.SMALL_PRACTICE]
    events = [e for e in EventType.values if e != EventType.COVID_19]

    def add(
        *,
        submitter: User,
        status: str,
        year: int,
        etype: str,
        level: str,
        npi: str = "",
        tin: str = "",
        vg: str = "",
        apm: str = "",
        name: str = "",
    ) -> bool:
        nonlocal next_id
        key = policy.participant_key(
            level, npi=npi, tin=tin, virtual_group_identifier=vg, apm_entity_identifier=apm
        )
        if status in (Status.DRAFT, Status.SUBMITTED, Status.APPROVED):
            if (key, etype, year) in open_keys:
                return False
            open_keys.add((key, etype, year))
        pk = next_id
        next_id += 1
        created = now - dt.timedelta(days=rng.randint(1, 200), minutes=rng.randint(0, 1440))
        if year < YEAR:
            created = dt.datetime(year, 6, 1, tzinfo=EASTERN) + dt.timedelta(days=rng.randint(0, 200))
        submitted = created + dt.timedelta(hours=rng.randint(1, 72)) if status != Status.DRAFT else None
        decided = (
            submitted + dt.timedelta(days=rng.randint(1, 40))
            if status in (Status.APPROVED, Status.DENIED)
            else None
        )
        withdrawn = submitted + dt.timedelta(days=rng.randint(1, 20)) if status == Status.WITHDRAWN else None
        euc = etype == ExceptionType.EUC
        categories = (
            (
                {
                    "requests_quality": True,
                    "requests_cost": True,
                    "requests_improvement_activities": True,
                    "requests_promoting_interoperability": True,
                }
                if level == ParticipationLevel.APM_ENTITY
                else {
                    c: rng.random() < 0.5
                    for c in ("requests_quality", "requests_cost", "requests_improvement_activities")
                }
                | {"requests_promoting_interoperability": True}
            )
            if euc
            else {}
        )
        apps.append(
            Application(
                id=pk,
                reference=f"{'PI' if etype == ExceptionType.PI_HARDSHIP else 'EUC'}-{year}-{pk:06d}",
                exception_type=etype,
                performance_year=year,
                participation_level=level,
                npi=npi,
                tin=tin,
                virtual_group_identifier=vg,
                apm_entity_identifier=apm,
                participant_key=key,
                participant_name=name,
                submitter=submitter,
                contact_phone=f"517{rng.randint(1000000, 9999999)}",
                contact_email=submitter.email,
                submitter_relationship="clinician"
                if level == ParticipationLevel.INDIVIDUAL
                else "physician_staff",
                pi_reason="" if euc else rng.choice(reasons),
                event_type=rng.choice(events) if euc else "",
                change_healthcare_cyberattack=False if euc else None,
                event_start_date=dt.date(year, rng.randint(1, 10), rng.randint(1, 28)) if euc else None,
                event_still_persists=euc,
                attested=status != Status.DRAFT or rng.random() < 0.5,
                all_locations_attested=level == ParticipationLevel.GROUP,
                event_description="Bench: the practice lost its EHR vendor's hosted service for six weeks.",
                status=status,
                submitted_at=submitted,
                decided_at=decided,
                decided_by=people.reviewer if decided else None,
                denial_reason="Does not meet the criteria for the selected reason"
                if status == Status.DENIED
                else "",
                withdrawn_at=withdrawn,
                certified_statement="Bench certification." if submitted else "",
                **categories,
            )
        )
        # The StateLog rows the transitions would have written (django-fsm-log): submit, then the decision.
        if submitted:
            logs.append(
                StateLog(
                    timestamp=submitted,
                    by=submitter,
                    source_state=Status.DRAFT,
                    state=Status.SUBMITTED,
                    transition="submit",
                    content_type=content_type,
                    object_id=pk,
                )
            )
        if decided:
            logs.append(
                StateLog(
                    timestamp=decided,
                    by=people.reviewer,
                    source_state=Status.SUBMITTED,
                    state=status,
                    transition="approve" if status == Status.APPROVED else "deny",
                    content_type=content_type,
                    object_id=pk,
                )
            )
        if withdrawn:
            logs.append(
                StateLog(
                    timestamp=withdrawn,
                    by=submitter,
                    source_state=Status.SUBMITTED,
                    state=Status.WITHDRAWN,
                    transition="withdraw",
                    content_type=content_type,
                    object_id=pk,
                )
            )
        return True

    # The signed-in clinician's dashboard: 20 applications for 2026, filed by them for their own NPI.
    tin0 = clinician_scenarios[0]
    dashboard = [(Status.SUBMITTED, ExceptionType.PI_HARDSHIP), (Status.DRAFT, ExceptionType.EUC)] + [
        (rng.choice((Status.WITHDRAWN, Status.DENIED)), rng.choice(ExceptionType.values))
        for _ in range(DASHBOARD_APPLICATIONS - 2)
    ]
    for status, etype in dashboard:
        add(
            submitter=people.clinician,
            status=status,
            year=YEAR,
            etype=etype,
            level=ParticipationLevel.INDIVIDUAL,
            npi=people.clinician_npi,
            tin=tin0,
            name="Bench Clinician",
        )
    # The practice user's drafts (the wizard-save page rotates over them): participant chosen, reason set.
    for npi, first, last in big_practice_npis:
        add(
            submitter=people.practice_user,
            status=Status.DRAFT,
            year=YEAR,
            etype=ExceptionType.PI_HARDSHIP,
            level=ParticipationLevel.INDIVIDUAL,
            npi=npi,
            tin=people.practice_tin,
            name=f"{first} {last}",
        )
    pair_iter = iter(pairs)
    while len(apps) < APPLICATIONS:
        year = _pick(rng, YEAR_MIX)
        status = _pick(rng, STATUS_MIX[year])
        submitter = rng.choice(people.applicants)
        roll = rng.random()
        if roll < 0.80:
            npi, tin, first, last = next(pair_iter)
            add(
                submitter=submitter,
                status=status,
                year=year,
                etype=ExceptionType.PI_HARDSHIP if rng.random() < 0.6 else ExceptionType.EUC,
                level=ParticipationLevel.INDIVIDUAL,
                npi=npi,
                tin=tin,
                name=f"{first} {last}",
            )
        elif roll < 0.95:
            tin, name = rng.choice(groups)
            add(
                submitter=submitter,
                status=status,
                year=year,
                etype=ExceptionType.PI_HARDSHIP if rng.random() < 0.6 else ExceptionType.EUC,
                level=ParticipationLevel.GROUP,
                tin=tin,
                name=name,
            )
        elif roll < 0.97 and vgs:
            vg, name = rng.choice(vgs)
            add(
                submitter=submitter,
                status=status,
                year=year,
                etype=ExceptionType.PI_HARDSHIP,
                level=ParticipationLevel.VIRTUAL_GROUP,
                vg=vg,
                name=name,
            )
        elif apms:
            apm, name = rng.choice(apms)
            # APM Entities file EUC only, for all four categories (field notes).
            add(
                submitter=submitter,
                status=status,
                year=year,
                etype=ExceptionType.EUC,
                level=ParticipationLevel.APM_ENTITY,
                apm=apm,
                name=name,
            )
    with transaction.atomic():
        Application.objects.bulk_create(apps, batch_size=5000)
        StateLog.objects.bulk_create(logs, batch_size=10000)
        _execute(
            "SELECT setval(pg_get_serial_sequence('applications_application', 'id'), "
            "(SELECT MAX(id) FROM applications_application))"
        )


def practice_drafts(people: BenchPeople) -> list[str]:
    return list(
        Application.objects.filter(submitter=people.practice_user, status=Status.DRAFT)
        .order_by("id")
        .values_list("reference", flat=True)
    )


def clinician_application(people: BenchPeople) -> str:
    return (
        Application.objects.filter(submitter=people.clinician, status=Status.SUBMITTED)
        .values_list("reference", flat=True)
        .first()
    )


# --- sessions ---------------------------------------------------------------------------------------------


def signed_in_sessions(users: list[User], *, mfa: bool = False) -> dict[int, str]:
    """A database session per user, as a completed sign-in leaves it (SessionTimeoutMiddleware's sign-in
    time, allauth's authentication record, with TOTP for staff), bulk-inserted. Returns {user id: key}."""
    now = timezone.now().timestamp()
    store = SessionStore()
    expire = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    keys: dict[int, str] = {}
    rows = []
    for user in users:
        methods: list[dict[str, Any]] = [{"method": "password", "at": now, "email": user.email}]
        if mfa:
            methods.append({"method": "mfa", "at": now, "type": "totp"})
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            SIGNED_IN_AT_KEY: now,
            LAST_ACTIVITY_KEY: now,
            "account_authentication_methods": methods,
            "account_authentication_methods_user_id": str(user.pk),
        }
        key = secrets.token_hex(16)
        keys[user.pk] = key
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    Session.objects.filter(expire_date__lt=timezone.now())._raw_delete(connection.alias)
    Session.objects.bulk_create(rows, batch_size=5000)
    return keys
