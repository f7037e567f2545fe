"""Project-wide gates that belong to every test run: migrations, lint and the deployment check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "qpp_exceptions.settings.base",
    "DJANGO_SECRET_KEY": "k9#Vq2!pX7zL0mR4tY8wE1uI5oP3aS6dF9gH2jK4lZ7xC0vB8nM",
    "DJANGO_ALLOWED_HOSTS": "qpp-exceptions.example.gov",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://qpp-exceptions.example.gov",
}


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deployment_check_passes_with_production_settings():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **PRODUCTION_ENV}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
