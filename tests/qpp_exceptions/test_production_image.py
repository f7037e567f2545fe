"""The production image, checked by running its steps (issue 14, point 5; ADR 0005).

There is no Docker engine on these machines, so the image is never built here. Instead the Dockerfile's own
steps run as it runs them: its ``ENV`` and the ``collectstatic`` command of its ``RUN`` line, read from the
Dockerfile itself, into a temporary ``STATIC_ROOT``; then the compose file's ``migrate`` command, and the
Dockerfile's ``CMD`` (gunicorn, production settings) on a free local port. The home page, the sign-in page
and a 404 must then answer through the manifest, with hashed static URLs that the server serves. The compose
file is checked by reading it: pinned images, the worker and beat after ``migrate``, URLs from the
environment.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
HASHED_CSS = re.compile(r'/static/vendor/uswds/css/uswds\.min\.[0-9a-f]{12}\.css')


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction, arguments in _instructions(DOCKERFILE):
        if instruction == "ENV":
            env.update(part.split("=", 1) for part in shlex.split(arguments))
    return env


def dockerfile_collectstatic() -> str:
    """The collectstatic command of the Dockerfile's RUN line (up to the next `&&`)."""
    for instruction, arguments in _instructions(DOCKERFILE):
        if instruction == "RUN" and "collectstatic" in arguments:
            return next(part.strip() for part in arguments.split("&&") if "collectstatic" in part)
    raise AssertionError("The Dockerfile has no collectstatic step")


def dockerfile_cmd() -> list[str]:
    (cmd,) = [json.loads(args) for instruction, args in _instructions(DOCKERFILE) if instruction == "CMD"]
    return cmd


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str, str]:
    # TLS ends at the load balancer, which says so in X-Forwarded-Proto (README, "Production").
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (a local URL)
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """The Dockerfile's collectstatic into a temporary directory, then its CMD serving from it."""
    work = tmp_path_factory.mktemp("image")
    static_root = work / "staticfiles"
    env = {
        # The image's PATH puts its Python first, as the venv's bin directory does here.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(work),
        **dockerfile_env(),
        "DJANGO_STATIC_ROOT": str(static_root),
        # On the machine's clock, whatever it is: CI's far-clock leg runs these steps under libfaketime too.
        **{k: v for k, v in os.environ.items() if k == "LD_PRELOAD" or k.startswith("FAKETIME")},
    }
    # Whatever leg the suite runs on, the image's steps run on their own SQLite database.
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "EMAIL_URL"):
        env.pop(name, None)
    collect = subprocess.run(  # noqa: S602 (the Dockerfile's own shell line)
        dockerfile_collectstatic(), shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr

    served = {
        **env,
        "DJANGO_SECRET_KEY": "image-test-key-3f9c1e7a5b2d8f0c4e6a9b1d3f5c7e9a0b2d4f6a8c0e2",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
    }
    migrate_command = compose()["services"]["migrate"]["command"]
    migrate = subprocess.run(  # noqa: S603
        migrate_command, cwd=ROOT, env=served, capture_output=True, text=True, timeout=600
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    port = _free_port()
    command = dockerfile_cmd()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"  # one worker is enough to answer three pages
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=served, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.5)
        yield base, static_root
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_collectstatic_writes_the_manifest_with_every_vendored_file(production_server):
    _base, static_root = production_server
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    assert manifest["vendor/uswds/css/uswds.min.css"].startswith("vendor/uswds/css/uswds.min.")
    assert "vendor/uswds/fonts/source-sans-pro/sourcesanspro-regular-webfont.woff2" in manifest
    assert (static_root / manifest["vendor/uswds/css/uswds.min.css"]).exists()


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/", 200, "QPP Exception"),
        ("/accounts/login/", 200, "Sign in"),
        ("/no-such-page/", 404, "Page not found"),
    ],
)
def test_pages_render_through_the_manifest(production_server, path, status, text):
    base, _static_root = production_server
    code, content_type, html = _get(base + path)
    assert (code, content_type.split(";")[0]) == (status, "text/html"), html[:2000]
    assert text in html
    stylesheet = HASHED_CSS.search(html)
    assert stylesheet, "the page does not link the hashed USWDS stylesheet"
    css_status, css_type, css = _get(base + stylesheet.group(0))
    assert (css_status, css_type.split(";")[0]) == (200, "text/css")
    assert "usa-banner" in css


def test_the_image_installs_the_lock_with_hashes_and_keeps_env_files_out():
    assert "pip install --no-cache-dir --require-hashes -r requirements.txt" in DOCKERFILE
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored


def test_compose_pins_images_and_starts_the_worker_and_beat_after_migrate():
    services = compose()["services"]
    for name, service in services.items():
        image = service.get("image", "")
        if "build" not in service:
            assert re.fullmatch(r"[\w./-]+:[\w.-]+", image) and not image.endswith(":latest"), (name, image)
    for name in ("web", "worker", "beat"):
        after_migrate = services[name]["depends_on"]["migrate"]
        assert after_migrate == {"condition": "service_completed_successfully"}, name


def test_compose_takes_every_service_url_from_the_environment():
    environment = compose()["services"]["web"]["environment"]
    defaults = {
        "DATABASE_URL": "postgres://qpp:${POSTGRES_PASSWORD:-qpp}@postgres:5432/qpp",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "CACHE_URL": "redis://redis:6379/1",
        "EMAIL_URL": "smtp://mailsink:1025",
    }
    for name, default in defaults.items():
        assert environment[name] == f"${{{name}:-{default}}}", name
