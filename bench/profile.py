"""``make bench-profile``: where each benchmarked page spends its time, one warm request at a time (issue 9).

Runs in one process against the national data set ``make bench`` leaves in ``qpp_bench`` (run ``make bench``
once first), through Django's test client with the whole middleware stack and CSRF checks on, with the same
session cookies and rotating paths as the wrk run. For each page it prints the median and p90 of warm
requests, the SQL share and the query count; with ``BENCH_PROFILE=<part of a page name>`` it also prints a
pyinstrument call tree of that page (ADR 0073).

Environment knobs: BENCH_REQUESTS (warm requests per page, 30), BENCH_PROFILE (page to profile).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qpp_bench")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import data, load, run  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
PROFILE = os.environ.get("BENCH_PROFILE", "").lower()


def client_for(page: load.Page) -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    cookies = SimpleCookie()
    cookies.load(page.cookie)
    for name, morsel in cookies.items():
        client.cookies[name] = morsel.value
    return client


def one(client: Client, page: load.Page, n: int):
    path = page.paths[n % len(page.paths)]
    if page.method == "POST":
        return client.post(path, page.form(n))
    return client.get(path)


def main() -> None:
    people = data.ensure_people(random.Random(data.SEED))
    sessions = data.signed_in_sessions([people.clinician, people.practice_user])
    sessions.update(data.signed_in_sessions([people.reviewer], mfa=True))
    page_list = run.pages(people, sessions)
    print(f"{'page':45} {'median ms':>10} {'p90 ms':>8} {'SQL ms':>7} {'queries':>8}")
    for page in page_list:
        client = client_for(page)
        if page.cache == "cold":  # first lookups: nothing cached (ADR 0074)
            from eligibility.cache import eligibility_data_changed

            eligibility_data_changed()
        warm_up = len(page.paths) if page.cache == "warm" else 3  # "warm": every path asked once first
        for n in range(warm_up):  # warm: caches, template loader, connection
            response = one(client, page, n)
            if response.status_code != page.expect:
                raise RuntimeError(f"{page.name}: answered {response.status_code}")
        timings, sql, queries = [], [], []
        for n in range(REQUESTS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                one(client, page, n + 3)
                timings.append((time.perf_counter() - started) * 1000)
            sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            queries.append(len(captured.captured_queries))
        timings.sort()
        p90 = timings[int(0.9 * (len(timings) - 1))]
        print(
            f"{page.name[:45]:45} {statistics.median(timings):10.1f} {p90:8.1f} "
            f"{statistics.median(sql):7.1f} {statistics.median(queries):8.0f}"
        )
        if PROFILE and PROFILE in page.name.lower():
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for n in range(REQUESTS):
                one(client, page, n)
            profiler.stop()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        reset_queries()


if __name__ == "__main__":
    main()
