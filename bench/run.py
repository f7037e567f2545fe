"""``make bench``: the national-scale benchmark suite (issue 9). Not a test; never part of ``make test``.

Needs PostgreSQL (DATABASE_URL, default the ``qpp_bench`` database on 127.0.0.1) and Redis on 127.0.0.1:6379,
as in CI, and ``wrk``. In one run: builds (or reuses) the national data set, serves the portal with gunicorn
(gthread) on 127.0.0.1, loads each page with wrk at 16 connections next to a bare Django view on the same
server (the ceiling), runs the deadline surge, the scoring recompute and the notification delivery bench,
prints one table and writes it with the machine description into docs/benchmarks.md.

Environment knobs (all optional): BENCH_SECONDS (seconds per wrk slice, 5), BENCH_SLICES (slices per page, the
median counts: 3), BENCH_CONNECTIONS (16),
BENCH_SKIP (comma list of: pages, surge, scoring, notifications), BENCH_SURGE_RATES (comma list of
arrivals per second), BENCH_WORKERS and BENCH_THREADS (gunicorn, 4 × 2), BENCH_NO_DOCS=1 (print only).
"""

from __future__ import annotations

import os
import platform
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qpp_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import data, load, surge  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SLICES = int(os.environ.get("BENCH_SLICES", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
# Two gthread workers per core: with one GIL per worker, 2 workers × 4 threads left a core idle whenever the
# 16 keep-alive connections landed unevenly on the two workers (docs/benchmarks.md, "Server shape").
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
SKIP = {s.strip() for s in os.environ.get("BENCH_SKIP", "").split(",") if s.strip()}
DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK = "<!-- bench:national:start (written by bench/run.py) -->"
END_MARK = "<!-- bench:national:end -->"
RATIO_TARGET = 0.40
P99_TARGET_MS = 100.0
QUEUE_P95_TARGET_MS = 300.0
SURGE_TARGET = 50.0
# A reference row, not a target: a signed-in request to a view that does nothing.
SIGNED_IN_BARE = "signed-in bare view (reference: session + user, no work)"

lines: list[str] = []


def log(text: str = "") -> None:
    print(text, flush=True)


def require_services() -> None:
    if connection.vendor != "postgresql":
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://…")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=3).close()
    except OSError:
        sys.exit("make bench needs Redis on 127.0.0.1:6379 (as in CI).")
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk: apt-get install -y wrk")


def machine() -> dict[str, str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    wrk = subprocess.run(  # noqa: S603
        [load.WRK, "--version"], capture_output=True, text=True
    ).stdout.split("\n")[0]
    return {
        "cpu": f"{os.cpu_count()} cores ({cpu}), {memory}",
        "software": (
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"PostgreSQL {postgres.split()[0]}, {wrk.split(' [')[0]}, gunicorn gthread {WORKERS} workers × "
            f"{THREADS} threads"
        ),
    }


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def pages(people: data.BenchPeople, sessions: dict[int, str]) -> list[load.Page]:
    from applications.models import Application, Status

    csrf = "BenchCsrfSecretBenchCsrfSecret01"  # 32 characters: a valid unmasked CSRF secret
    clinician = f"sessionid={sessions[people.clinician.pk]}; csrftoken={csrf}"
    practice = f"sessionid={sessions[people.practice_user.pk]}; csrftoken={csrf}"
    reviewer = f"sessionid={sessions[people.reviewer.pk]}"
    reference = data.clinician_application(people)
    sample = list(
        data.IndividualScenario.objects.filter(
            performance_year=data.YEAR, practice__tin__gte=data.GENERATED_TIN_FLOOR
        )
        .order_by("?")
        .values_list("clinician__npi", flat=True)[:5200]
    )
    # 200 NPIs looked up again and again (the cache warm), 5,000 others each looked up once (cold).
    npis, cold_npis = sample[:200], sample[200:]
    drafts = data.practice_drafts(people)
    queue = "/admin/applications/application/?performance_year__exact=2026&status=submitted"
    queue_paths = (
        queue,
        queue + "&exception_type__exact=pi_hardship",
        queue + "&exception_type__exact=euc",
        queue + "&participation_level__exact=individual",
        queue + "&p=2",
        queue + "&assigned=none",
    )
    assert Application.objects.filter(performance_year=2026, status=Status.SUBMITTED).count() >= 600
    step_body = (
        "contact_phone=%28517%29+734-2222&contact_email=bench%40example.com&submitter_relationship=physician_staff"
        f"&action=save&csrfmiddlewaretoken={csrf}"
    )
    return [
        load.Page("bare Django view (ceiling)", "GET", ("/bench/bare",)),
        load.Page(SIGNED_IN_BARE, "GET", ("/bench/bare-signed-in",), clinician, contains="ok"),
        load.Page(
            "clinician dashboard (20 applications)",
            "GET",
            ("/exceptions/?year=2026",),
            clinician,
            contains=reference,
        ),
        load.Page("application page", "GET", (f"/exceptions/{reference}/",), clinician, contains=reference),
        load.Page(
            "eligibility API (NPI), first lookups (cache cold)",
            "GET",
            tuple(f"/api/eligibility/npi/{npi}?year=2026" for npi in cold_npis),
            clinician,
            contains='"organizations"',
            cache="cold",
        ),
        load.Page(
            "eligibility API (NPI), repeat lookups",
            "GET",
            tuple(f"/api/eligibility/npi/{npi}?year=2026" for npi in npis),
            clinician,
            contains='"organizations"',
            cache="warm",
        ),
        load.Page(
            "participation-status page (NPI lookup)",
            "POST",
            ("/participation-status/",) * len(npis),
            clinician,
            bodies=tuple(f"identifier={npi}&year=2026&csrfmiddlewaretoken={csrf}" for npi in npis),
            contains=npis[0],
            cache="warm",
        ),
        load.Page(
            "reviewer queue (100 rows, filtered)",
            "GET",
            queue_paths,
            reviewer,
            contains="result_list",
        ),
        load.Page(
            "wizard step save (submitter details)",
            "POST",
            tuple(f"/exceptions/{ref}/submitter-details/" for ref in drafts),
            practice,
            bodies=tuple(step_body for _ in drafts),
            expect=302,
        ),
    ]


def queue_p95(port: int, page: load.Page, count: int = 60) -> float:
    """The queue alone, one request at a time (what one reviewer waits), p95 in milliseconds."""
    samples = []
    deadline = time.monotonic() + 60
    for n in range(count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        status, _h, _b = load.request(port, "GET", page.paths[n % len(page.paths)], cookie=page.cookie)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"queue answered {status}")
    samples.sort()
    return samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]


def run_script(
    path: Path, env: dict[str, str], timeout: int, *, own_defaults: tuple[str, ...] = ()
) -> tuple[int, str, float]:
    """Run another bench script; `own_defaults` are variables it must choose itself (its own database)."""
    started = time.monotonic()
    base_env = {k: v for k, v in os.environ.items() if k not in own_defaults}
    try:
        done = subprocess.run(  # noqa: S603 (our own bench scripts)
            [sys.executable, str(path)],
            cwd=ROOT,
            env={**base_env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        return 1, f"timed out after {timeout} s: {exc.stdout or ''}", time.monotonic() - started
    # Its printed report is on stdout; stderr carries logs (shown only when it failed).
    output = done.stdout if done.returncode == 0 else done.stdout + done.stderr
    return done.returncode, output, time.monotonic() - started


def main() -> None:
    require_services()
    info = machine()
    load_before = load_average()
    log(f"Machine: {info['cpu']}; {info['software']}; load average {load_before}")
    started_all = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    data.tune_database()

    # 1. Data set.
    generation: dict[str, float] = {}
    generation.update(data.ensure_participants(log))
    data.ensure_windows()
    people = data.ensure_people(random.Random(data.SEED))
    data.ensure_surge_users(people)
    removed = data.remove_surge_applications()
    if removed:
        log(f"Removed {removed:,} applications from the previous surge.")
    generation["100,000 applications + status logs (bulk)"] = data.ensure_applications(people, log)
    log(f"VACUUM ANALYZE after the bulk loads: {data.vacuum_analyze():.0f} s")
    counts = data.participant_counts()
    counts["applications (bench)"] = data._bench_applications().count()
    from django_fsm_log.models import StateLog

    counts["status log rows"] = StateLog.objects.count()
    from scoring.models import DataSubmission

    counts["data submissions (2026)"] = DataSubmission.objects.filter(performance_year=data.YEAR).count()
    log("Data: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    # Signed-in sessions in bulk: the page users, the reviewer (TOTP recorded), and the surge applicants.
    sessions = data.signed_in_sessions([people.clinician, people.practice_user])
    sessions.update(data.signed_in_sessions([people.reviewer], mfa=True))
    surge_users = [u for u, _n, _t in people.surge]
    sessions.update(data.signed_in_sessions(surge_users))
    connection.close()

    results: list[load.Result] = []
    queue_single_p95 = None
    stages: list[surge.Stage] = []
    with load.Server(workers=WORKERS, threads=THREADS) as server:
        log(f"gunicorn (gthread, {WORKERS} workers × {THREADS} threads) on 127.0.0.1:{server.port}")
        if "pages" not in SKIP:
            page_list = pages(people, sessions)
            connection.close()
            for page in page_list:
                result = load.run_wrk(
                    server.port, page, connections=CONNECTIONS, seconds=SECONDS, slices=SLICES
                )
                results.append(result)
                log(
                    f"  {page.name}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                    f"p99 {result.p99_ms:.1f} ms, {result.errors} errors"
                )
            # The ceiling once more at the end: how much the machine's load drifted during the run.
            again = load.run_wrk(
                server.port, page_list[0], connections=CONNECTIONS, seconds=SECONDS, slices=SLICES
            )
            results.append(
                load.Result(
                    "bare Django view (again, at the end)",
                    again.requests,
                    again.rps,
                    again.p50_ms,
                    again.p99_ms,
                    again.errors,
                )
            )
            log(f"  bare view again: {again.rps:,.0f} req/s")
            queue_single_p95 = queue_p95(
                server.port, next(p for p in page_list if p.name.startswith("reviewer queue"))
            )
            log(f"  reviewer queue, one reviewer at a time: p95 {queue_single_p95:.0f} ms")
        if "surge" not in SKIP:
            applicants = [
                surge.Applicant(sessions[user.pk], npi, tin, user.email) for user, npi, tin in people.surge
            ]
            log("Deadline surge (sign-in session, create, every step, submit):")
            rates = tuple(int(r) for r in os.environ.get("BENCH_SURGE_RATES", "").split(",") if r.strip())
            stages = surge.run_surge(server.port, applicants, rates=rates or surge.RATES, log=log)
    best = surge.sustained(stages) if stages else None
    submitted = 0
    if stages:
        from applications.models import Application, Status

        submitted = Application.objects.filter(
            submitter__email__startswith="surge-",
            submitter__email__endswith=data.BENCH_DOMAIN,
            status=Status.SUBMITTED,
        ).count()

    # 3. Scoring recompute and notification delivery (their own scripts, same database).
    scoring_line = ""
    if "scoring" not in SKIP:
        code, out, secs = run_script(
            ROOT / "bench" / "scoring.py",
            {"BENCH_SAMPLE": "200"},
            timeout=900,
            own_defaults=("DJANGO_SETTINGS_MODULE", "CACHE_URL", "CELERY_BROKER_URL"),
        )
        match = re.search(r"Set-based recompute: .*", out)
        scoring_line = match.group(0) if match and code == 0 else f"failed (exit {code}): {out[-400:]}"
        log(f"Scoring: {scoring_line}")
    notifications_line = ""
    notifications_script = ROOT / "bench" / "notifications.py"
    if "notifications" not in SKIP:
        if notifications_script.exists():
            # Its own database and settings (qpp_bench_notifications), not the national data set.
            code, out, secs = run_script(
                notifications_script,
                {},
                timeout=900,
                own_defaults=("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "CACHE_URL", "CELERY_BROKER_URL"),
            )
            tail = [
                line.strip()
                for line in out.strip().splitlines()
                # The report lines only: not JSON log lines, not the Celery worker's shutdown notice.
                if line.strip() and not line.startswith("{") and "Warm shutdown" not in line
            ][-3:]
            notifications_line = (
                " / ".join(tail) if code == 0 else f"failed (exit {code}): {' / '.join(tail)}"
            )
        else:
            notifications_line = "not run: bench/notifications.py (the notifications issue's bench) is absent"
        log(f"Notifications: {notifications_line}")

    total = time.monotonic() - started_all
    table = render(
        results,
        queue_single_p95,
        stages,
        best,
        submitted,
        scoring_line,
        notifications_line,
        generation,
        counts,
        info,
        load_before,
        load_average(),
        total,
    )
    log()
    log(table)
    if os.environ.get("BENCH_NO_DOCS") != "1":
        write_docs(table)
        log(f"Written to {DOCS.relative_to(ROOT)}.")
    log(f"Peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def render(
    results,
    queue_single_p95,
    stages,
    best,
    submitted,
    scoring_line,
    notifications_line,
    generation,
    counts,
    info,
    load_before,
    load_after,
    total,
) -> str:
    today = timezone.localdate().isoformat()
    out = [
        f"Run of {today}: {info['cpu']}; {info['software']}. wrk (2 threads, {CONNECTIONS} connections; per "
        f"page a 2 s warm-up, then {SLICES} runs of {SECONDS} s, the median run shown) and gunicorn share "
        f"the two cores. Load average {load_before} before, {load_after} after. Whole run "
        f"{total / 60:.1f} min.",
        "",
        "Data set: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + ". Generation: "
        + "; ".join(f"{k} {v:.0f} s" if v else f"{k} reused" for k, v in generation.items())
        + ".",
        "",
    ]
    if results:
        bare = [r for r in results if r.name.startswith("bare")]
        ceiling = sum(r.rps for r in bare) / len(bare)
        out += [
            f"Ceiling = mean of the two bare-view runs ({', '.join(f'{r.rps:,.0f}' for r in bare)} req/s).",
            "",
            "| page | req/s | p50 ms | p99 ms | ratio to bare | errors | target (≥ 40%, p99 < 100 ms) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in results:
            ratio = r.rps / ceiling
            if r.name.startswith("bare") or r.name == SIGNED_IN_BARE:
                met = "—"
            else:
                # The two halves of the target apart: which one a page misses is the useful part.
                ratio_met = ratio >= RATIO_TARGET and not r.errors
                p99_met = r.p99_ms < P99_TARGET_MS and not r.errors
                met = (
                    f"ratio {'met' if ratio_met else '**missed**'}, p99 {'met' if p99_met else '**missed**'}"
                )
            out.append(
                f"| {r.name} | {r.rps:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {ratio:.0%} | {r.errors} "
                f"| {met} |"
            )
        if queue_single_p95 is not None:
            queue = next(r for r in results if r.name.startswith("reviewer queue"))
            out += [
                "",
                f"Reviewer queue with {counts['applications (bench)']:,} applications: p95 "
                f"{queue_single_p95:.0f} ms one request at a time, p99 {queue.p99_ms:.0f} ms under "
                f"{CONNECTIONS} connections (target p95 < 300 ms: "
                f"one reviewer {'met' if queue_single_p95 < QUEUE_P95_TARGET_MS else '**missed**'}, "
                f"16 connections {'met' if queue.p99_ms < QUEUE_P95_TARGET_MS else '**missed**'}).",
            ]
    if stages:
        out += [
            "",
            "Deadline surge (each applicant: new-application form, create, six steps each POST + the page it "
            "redirects to, certify and submit = 16 requests):",
            "",
            "| arrivals/s | offered | submitted | submissions/s | p50 ms | p95 ms | failed |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for s in stages:
            out.append(
                f"| {s.rate} | {s.offered} | {s.completed} | {s.submissions_per_second:.1f} "
                f"| {s.p50_ms:.0f} | {s.p95_ms:.0f} | {s.failed} |"
            )
        sustained_rate = best.submissions_per_second if best else 0.0
        out += [
            "",
            f"Sustained: **{sustained_rate:.1f} complete submissions/s** with p95 ≤ 1 s (target ≥ 50: "
            f"{'met' if sustained_rate >= SURGE_TARGET else '**missed**'}); {submitted:,} surge applications "
            "are in status submitted in the database afterwards.",
        ]
    if scoring_line:
        out += ["", f"Scoring recompute (bench/scoring.py, 200-row naive sample): {scoring_line}"]
    if notifications_line:
        out += ["", f"Notification delivery: {notifications_line}"]
    return "\n".join(out)


def write_docs(table: str) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    block = f"{START_MARK}\n{table}\n{END_MARK}"
    if START_MARK in text and END_MARK in text:
        before, rest = text.split(START_MARK, 1)
        _old, after = rest.split(END_MARK, 1)
        text = before + block + after
    else:
        text = (
            text.rstrip()
            + "\n\n## National scale: pages, surge, recompute, notifications (issue 9)\n\n"
            + block
            + "\n"
        )
    DOCS.write_text(text)


if __name__ == "__main__":
    main()
