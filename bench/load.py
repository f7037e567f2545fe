"""Serving and loading for ``make bench``: gunicorn (gthread) on 127.0.0.1 and wrk (issue 9 point 1).

Only 127.0.0.1 is ever loaded. Every run is bounded: wrk runs for a fixed duration, gunicorn is stopped in a
``finally`` block, and the readiness wait gives up after 60 seconds.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
WRK = shutil.which("wrk") or "/usr/bin/wrk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with gthread workers (bench/run.py chooses how many) on a free port of 127.0.0.1."""

    def __init__(self, *, workers: int = 2, threads: int = 4, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        # Open for the server's lifetime (gunicorn writes to it); kept afterwards for reading.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "qpp_exceptions.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                "--worker-class",
                "gthread",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--keep-alive",
                "30",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log.name}")
            try:
                status, _headers, _body = request(self.port, "GET", "/bench/bare")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()


def request(
    port: int,
    method: str,
    path: str,
    *,
    cookie: str = "",
    body: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        payload = None
        if body is not None:
            payload = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    paths: tuple[str, ...]
    cookie: str = ""
    bodies: tuple[str, ...] = ()
    expect: int = 200
    # Text the page must contain (checked once before loading: a sign-in redirect must never be measured).
    contains: str = ""
    # The participation-status cache (ADR 0074): "cold" forgets every cached answer just before the run and
    # skips the warm-up (first lookups after an import or a decision); "warm" asks each path once first.
    cache: str = ""

    def form(self, n: int = 0) -> dict[str, str] | None:
        """The n-th request's form fields (rotating as the Lua script does), or None for a body-less page."""
        return dict(parse_qsl(self.bodies[n % len(self.bodies)])) if self.bodies else None


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _lua_list(values: tuple[str, ...]) -> str:
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def lua_script(page: Page) -> str:
    """Rotates over the page's paths (and bodies): many rows, not one cached row."""
    headers = ""
    if page.cookie:
        headers += f'wrk.headers["Cookie"] = "{page.cookie}"\n'
    if page.bodies:
        headers += 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
    return (
        f"local paths = {_lua_list(page.paths)}\n"
        f"local bodies = {_lua_list(page.bodies)}\n"
        f'wrk.method = "{page.method}"\n'
        f"{headers}"
        "local counter = math.random(1, 100000)\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  local path = paths[(counter % #paths) + 1]\n"
        "  local body = nil\n"
        "  if #bodies > 0 then body = bodies[(counter % #bodies) + 1] end\n"
        "  return wrk.format(nil, path, nil, body)\n"
        "end\n"
    )


def check(port: int, page: Page) -> None:
    """One request first: the page must answer what a real user gets (never a sign-in redirect)."""
    status, headers, content = request(port, page.method, page.paths[0], cookie=page.cookie, body=page.form())
    if status != page.expect:
        raise RuntimeError(
            f"{page.name}: {page.method} {page.paths[0]} answered {status} (expected {page.expect}); "
            f"Location={headers.get('location', '')!r}"
        )
    if status in (301, 302) and "/accounts/login" in headers.get("location", ""):
        raise RuntimeError(f"{page.name}: redirected to sign-in")
    if page.contains and page.contains.encode() not in content:
        raise RuntimeError(f"{page.name}: the answer lacks {page.contains!r}")


_DURATION = re.compile(r"([\d.]+)(us|ms|s|m)\b")


def _ms(text: str) -> float:
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(text)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(name: str, output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        errors += int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if match:
        errors += sum(int(g) for g in match.groups())
    return Result(name, total, rps, p50, p99, errors)


def _prewarm(port: int, page: Page) -> None:
    for n, path in enumerate(page.paths):
        request(port, page.method, path, cookie=page.cookie, body=page.form(n))


def run_wrk(
    port: int, page: Page, *, connections: int = 16, seconds: int = 10, warmup: int = 2, slices: int = 1
) -> Result:
    """wrk against one page: a warm-up, then ``slices`` runs of ``seconds`` each; the median slice counts."""
    check(port, page)
    if page.cache == "warm":
        _prewarm(port, page)
    elif page.cache == "cold":
        from eligibility.cache import eligibility_data_changed

        warmup = 0  # the earlier pages warmed the workers; a warm-up would warm the cache too
        eligibility_data_changed()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(page))
    url = f"http://{HOST}:{port}"
    try:
        if warmup:
            subprocess.run(  # noqa: S603 (wrk on 127.0.0.1 with our own script)
                [WRK, "-t2", f"-c{connections}", f"-d{warmup}s", "-s", script.name, url],
                capture_output=True,
                text=True,
                timeout=warmup + 30,
                check=True,
            )
        results = []
        for _ in range(max(1, slices)):
            done = subprocess.run(  # noqa: S603 (wrk on 127.0.0.1 with our own script)
                [
                    WRK,
                    "-t2",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--latency",
                    "--timeout",
                    "5s",
                    "-s",
                    script.name,
                    url,
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 60,
                check=True,
            )
            results.append(parse_wrk(page.name, done.stdout))
    finally:
        os.unlink(script.name)
    # The median slice by throughput, with its own latencies: a few seconds of interference from outside (this
    # machine's neighbours; docs/benchmarks.md) move one slice, not the figure.
    results.sort(key=lambda r: r.rps)
    return results[len(results) // 2]
