"""bandit on the portal's code, failing on any finding (issue 10, point 3; ADR 0084).

Scanned: every Django app and the project package (what the container runs). Not scanned: tests, migrations
(generated) and bench/ (developer-only benchmark scripts that start fixed local commands). Rules skipped for
the whole project are the ones its ruff configuration already waives, for the same reasons:
B101 ``assert`` (import-time invariants; ruff S101), B105/B106 "hard-coded password" (demo credentials and
constants that merely look like one; ruff S105/S106), B311 ``random`` (synthetic data and retry jitter, never
secrets; ruff S311). Any other finding is either fixed or marked ``# nosec BXXX`` on its line with the reason.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ["accounts", "applications", "eligibility", "scoring", "qpp_exceptions", "manage.py"]
SKIPPED = "B101,B105,B106,B311"


def test_bandit_finds_nothing():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [
            str(bandit),
            "-r",
            *TARGETS,
            "-x",
            "*/migrations/*",
            "-s",
            SKIPPED,
            "-f",
            "custom",
            "--msg-template",
            "{relpath}:{line}: {test_id} [{severity}] {msg}",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    findings = [line for line in result.stdout.splitlines() if line.strip()]
    assert result.returncode == 0 and not findings, "bandit findings:\n" + "\n".join(findings) + result.stderr


def test_bandit_would_fail_on_a_finding(tmp_path):
    """The gate can fail: the same command on a file with a real finding exits non-zero."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import subprocess\n\n\ndef run(command):\n    return subprocess.call(command, shell=True)\n"
    )
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-r", str(bad), "-s", SKIPPED, "-q"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "B602" in result.stdout
