"""Failure tests (issue 10, point 4): each test starts its OWN Redis and PostgreSQL servers on free ports and
stops only those. The machine's own services on 5432/6379 are never touched.

They run on the PostgreSQL + Redis CI leg only (DATABASE_URL=postgres://…, CELERY_BROKER_URL=redis://…) and
are skipped with a visible reason on the embedded-defaults leg.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

ON_SERVICES_LEG = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    settings.CELERY_BROKER_URL.startswith("redis://")
)
services_leg_only = pytest.mark.skipif(
    not ON_SERVICES_LEG,
    reason=(
        "failure tests need the PostgreSQL + Redis CI leg (DATABASE_URL=postgres://…, "
        "CELERY_BROKER_URL=redis://…): they start their own redis-server and PostgreSQL cluster"
    ),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# --- Redis ----------------------------------------------------------------------------------------------


@dataclass
class OwnRedis:
    port: int
    process: subprocess.Popen | None = None
    frozen: bool = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            if self.frozen:
                self.thaw()
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        wait_for(lambda: not port_open(self.port), 10, f"redis-server on port {self.port} to stop")

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections but nothing answers (a hung server)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)
        self.frozen = False


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert candidates, f"{name} not found under /usr/lib/postgresql/*/bin"
    return candidates[-1]


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: CI runs as root, so run the server tools as ``postgres``."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120, **kwargs)  # noqa: S603


@dataclass
class OwnPostgres:
    port: int
    datadir: Path
    logfile: Path
    tempdir: Path
    restarts: int = field(default=0)

    def url(self, database: str = "qpp") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def initdb(self) -> None:
        _as_postgres(
            [
                _pg_bin("initdb"),
                "-D",
                str(self.datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )

    def start(self) -> None:
        _as_postgres(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-o",
                f"-p {self.port} -k {self.tempdir} -c listen_addresses=127.0.0.1 -c fsync=off",
                "-w",
                "-t",
                "30",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "-t", "30", "stop"])

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()
        self.restarts += 1

    def running(self) -> bool:
        result = (
            subprocess.run(  # noqa: S603
                [_pg_bin("pg_ctl"), "-D", str(self.datadir), "status"], capture_output=True, timeout=30
            )
            if os.geteuid() != 0
            else subprocess.run(  # noqa: S603
                ["runuser", "-u", "postgres", "--", _pg_bin("pg_ctl"), "-D", str(self.datadir), "status"],
                capture_output=True,
                timeout=30,
            )
        )
        return result.returncode == 0

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(  # noqa: S603
            [
                _pg_bin("psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-qtAc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip()


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    tempdir = Path(tempfile.mkdtemp(prefix="qpp-pg-"))
    os.chmod(tempdir, 0o777)  # noqa: S103 - a private temp dir the postgres user must write into
    if os.geteuid() == 0:
        shutil.chown(tempdir, user="postgres")
    server = OwnPostgres(
        port=free_port(), datadir=tempdir / "data", logfile=tempdir / "server.log", tempdir=tempdir
    )
    server.initdb()
    server.start()
    try:
        yield server
    finally:
        try:
            if server.running():
                server.stop("immediate")
        finally:
            shutil.rmtree(tempdir, ignore_errors=True)
