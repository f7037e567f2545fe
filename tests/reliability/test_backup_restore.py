"""Backups (issue 10, point 6; docs/operations.md): the documented ``pg_dump``/``pg_restore`` procedure,
run for real. Applications in every state are committed to the test database, dumped in custom format,
restored into a fresh database on a separate PostgreSQL cluster this test started, and the portal's own
code (``manage.py shell`` against the restored database) finds every application with its status, its
status history and its submitter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from applications import services
from applications.models import Application
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    reviewer_user,
    valid_npi,
)

from .conftest import _pg_bin, services_leg_only

pytestmark = [services_leg_only, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]

READ_BACK = r"""
import json
from applications.models import Application
from django_fsm_log.models import StateLog
print(json.dumps({
    a.reference: [a.status, a.submitter.email, StateLog.objects.for_(a).count()]
    for a in Application.objects.select_related("submitter")
}))
"""


def _applications_in_every_state() -> None:
    ApplicationWindowFactory(performance_year=2026)
    reviewer = reviewer_user()
    for index, fate in enumerate(["draft", "submitted", "approved", "denied", "withdrawn", "approved"]):
        npi = valid_npi(f"{300000000 + index:09d}")
        user, _, _ = clinician_with_access(npi=npi)
        application = complete_individual_pi_draft(user=user, npi=npi)
        if fate == "draft":
            continue
        services.application_submit(application=application, actor=user, certified=True)
        if fate == "approved":
            services.application_approve(application=application, actor=reviewer)
        elif fate == "denied":
            services.application_deny(
                application=application, actor=reviewer, reason="Not eligible", explanation=""
            )
        elif fate == "withdrawn":
            services.application_withdraw(application=application, actor=user)


def test_a_dump_restores_into_a_fresh_database_with_every_application(own_postgres, tmp_path, celery_eager):
    _applications_in_every_state()
    expected = {
        a.reference: [a.status, a.submitter.email] for a in Application.objects.select_related("submitter")
    }
    assert len(expected) == 6

    source = settings.DATABASES["default"]
    dump = tmp_path / "qpp.dump"
    env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
    subprocess.run(  # noqa: S603
        [
            _pg_bin("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "-h",
            source["HOST"] or "127.0.0.1",
            "-p",
            str(source["PORT"] or 5432),
            "-U",
            source["USER"],
            "-d",
            source["NAME"],
            "-f",
            str(dump),
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert dump.stat().st_size > 10_000

    own_postgres.psql("DROP DATABASE IF EXISTS qpp_restored")
    own_postgres.psql("CREATE DATABASE qpp_restored")
    subprocess.run(  # noqa: S603
        [
            _pg_bin("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "-h",
            "127.0.0.1",
            "-p",
            str(own_postgres.port),
            "-U",
            "postgres",
            "-d",
            "qpp_restored",
            str(dump),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )

    restored_env = {
        **{k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"},
        "DJANGO_SETTINGS_MODULE": "qpp_exceptions.settings.test",
        "DATABASE_URL": own_postgres.url("qpp_restored"),
    }
    check = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--check", "--noinput"],
        cwd=ROOT,
        env=restored_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, "the restored schema is missing migrations:\n" + check.stdout + check.stderr
    read = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", READ_BACK],
        cwd=ROOT,
        env=restored_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert read.returncode == 0, read.stderr[-2000:]
    restored = json.loads(read.stdout.strip().splitlines()[-1])
    assert {ref: values[:2] for ref, values in restored.items()} == expected
    # The status history came along: every non-draft application has its transitions.
    assert all(values[2] >= 1 for values in restored.values() if values[0] != "draft")
