"""The three previews (CLI, JSON API, weights calculator page) agree, and each refuses bad input its own way:
CLI exit 2 with one line on stderr, API 400 with a JSON error, page a USWDS error summary."""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCORES = {"quality": 80, "cost": 50, "improvement_activities": 100, "promoting_interoperability": 60}


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("reweighting_preview", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def client_signed_in(client):
    client.force_login(UserFactory())
    return client


def _page_numbers(html: str) -> dict[str, object]:
    weights = {
        key: int(value) for key, value in re.findall(r'<td data-category="([a-z_]+)">(\d+)%</td>', html)
    }
    final = re.search(r'data-testid="final-score">([\d.]+)<', html)
    table = re.search(r'data-testid="table">([^<]+)<', html)
    return {
        "weights": weights,
        "final_score": float(final.group(1)) if final else None,
        "table": table.group(1) if table else None,
        "neutral": 'data-testid="neutral"' in html,
    }


@pytest.mark.parametrize(
    ("year", "track", "reweighted", "expected_weights", "expected_final", "neutral"),
    [
        (2024, "traditional", ["cost", "pi"], (85, 0, 15, 0), 83, False),
        (2024, "small_practice", ["pi"], (40, 30, 30, 0), 77, False),  # 32 + 15 + 30
        (2026, "app", ["quality"], (0, 0, 25, 75), 70, False),  # 25 (IA full credit) + 45
        (2025, "traditional", ["quality", "cost", "ia"], (0, 0, 0, 0), 75, True),
    ],
)
def test_cli_api_and_page_agree(
    client_signed_in, year, track, reweighted, expected_weights, expected_final, neutral
):
    scores_text = ",".join(f"{k}={v}" for k, v in SCORES.items())
    code, out, err = _cli(
        "--year", str(year), "--track", track, "--reweighted", ",".join(reweighted), "--scores", scores_text
    )
    assert code == 0, err
    cli = json.loads(out)

    response = client_signed_in.post(
        reverse("scoring:preview_api"),
        data=json.dumps({"year": year, "track": track, "reweighted": reweighted, "scores": SCORES}),
        content_type="application/json",
    )
    assert response.status_code == 200
    api = response.json()
    assert api == cli

    aliases = {"pi": "promoting_interoperability", "ia": "improvement_activities"}
    query = {"year": year, "track": track, "reweighted": [aliases.get(c, c) for c in reweighted]}
    query |= {f"score_{k}": v for k, v in SCORES.items()}
    page = client_signed_in.get(reverse("scoring:weights_calculator"), query)
    assert page.status_code == 200
    numbers = _page_numbers(page.content.decode())

    expected = dict(
        zip(
            ("quality", "cost", "improvement_activities", "promoting_interoperability"),
            expected_weights,
            strict=True,
        )
    )
    assert cli["weights"] == api["weights"] == numbers["weights"] == expected
    assert cli["final_score"] == api["final_score"] == numbers["final_score"] == expected_final
    assert cli["table"] == api["table"] == numbers["table"] == "2024"
    assert cli["neutral"] is api["neutral"] is numbers["neutral"] is neutral


def test_cli_prints_the_issue_example_exactly():
    code, out, _ = _cli("--year", "2024", "--track", "traditional", "--reweighted", "cost,pi")
    assert code == 0
    assert json.loads(out) == {
        "year": 2024,
        "track": "traditional",
        "reweighted": ["cost", "promoting_interoperability"],
        "weights": {"quality": 85, "cost": 0, "improvement_activities": 15, "promoting_interoperability": 0},
        "neutral": False,
        "performance_threshold": 75,
        "final_score": None,
        "table": "2024",
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "2024", "--track", "traditional", "--reweighted", "cost,bogus"],
        ["--year", "2024", "--track", "mvp"],
        ["--year", "2031", "--track", "traditional"],
        ["--year", "2024", "--track", "app", "--reweighted", "ia"],
        ["--year", "2022", "--track", "traditional", "--reweighted", "pi"],
        ["--year", "2024", "--track", "traditional", "--scores", "quality=120"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line_on_stderr(args):
    code, out, err = _cli(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1


def test_cli_as_a_real_process_exits_2_with_one_stderr_line():
    completed = subprocess.run(
        [sys.executable, "manage.py", "reweighting_preview", "--year", "2024", "--track", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "qpp_exceptions.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.strip().splitlines() == [
        "error: Unknown track 'nope': use traditional, small_practice or app."
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "JSON object"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"track": "traditional"}), "year is required"),
        (json.dumps({"year": 2024}), "track is required"),
        (json.dumps({"year": 2024, "track": "traditional", "reweighted": ["cost", 3]}), "reweighted"),
        (json.dumps({"year": 2024, "track": "traditional", "reweighted": ["nope"]}), "Unknown category"),
        (json.dumps({"year": 2099, "track": "traditional"}), "No policy data"),
        (json.dumps({"year": 2024.5, "track": "traditional"}), "whole number"),
        (json.dumps({"year": 2024, "track": "app", "reweighted": "ia"}), "no row"),
        (json.dumps({"year": 2024, "track": "traditional", "scores": {"quality": "high"}}), "0 to 100"),
        (json.dumps({"year": 2024, "track": "traditional", "scores": [80]}), "scores"),
        (json.dumps({"year": 2024, "track": "traditional", "extra": 1}), "Unknown field"),
    ],
)
def test_api_bad_input_is_400_json(client_signed_in, body, message):
    response = client_signed_in.post(
        reverse("scoring:preview_api"), data=body, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert message in error["message"]


def test_api_requires_sign_in_and_post(client_signed_in):
    from django.test import Client

    url = reverse("scoring:preview_api")
    assert Client().post(url, data="{}", content_type="application/json").status_code == 401
    response = client_signed_in.get(url)
    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405


def test_page_requires_sign_in(client):
    response = client.get(reverse("scoring:weights_calculator"))
    assert response.status_code == 302


def test_page_bad_input_shows_the_uswds_error_summary(client_signed_in):
    response = client_signed_in.get(
        reverse("scoring:weights_calculator"),
        {"year": "2024", "track": "app", "reweighted": ["improvement_activities"]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "usa-alert--error" in html
    assert "There is a problem" in html
    assert "no row for reweighting Improvement Activities" in html
    assert 'data-testid="weights-table"' not in html


def test_page_field_errors_link_from_the_summary(client_signed_in):
    response = client_signed_in.get(
        reverse("scoring:weights_calculator"),
        {"year": "1999", "track": "traditional", "score_quality": "200"},
    )
    html = response.content.decode()
    assert "usa-alert--error" in html
    assert 'href="#id_year"' in html
    assert 'href="#id_score_quality"' in html


def test_unbound_page_shows_the_form_only(client_signed_in):
    html = client_signed_in.get(reverse("scoring:weights_calculator")).content.decode()
    assert "Weights calculator" in html
    assert "usa-alert--error" not in html
    assert 'data-testid="weights-table"' not in html
