"""Identifier validators and TIN masking in qpp_exceptions.forms and the portal_tags filter library."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from qpp_exceptions.forms import (
    NPI_INVALID_MESSAGE,
    TIN_INVALID_MESSAGE,
    is_valid_npi,
    is_valid_tin,
    mask_tin,
    validate_npi,
    validate_tin,
)

# Demo NPIs from the shared context, plus hand-computed Luhn cases.
VALID_NPIS = [
    "1234567893",
    "1000000004",
    "1000000012",
    "1000000020",
    "1000000038",
    "1000000046",
    "1000000053",
    "1000000061",
]


@pytest.mark.parametrize("npi", VALID_NPIS)
def test_valid_npis_pass(npi):
    assert is_valid_npi(npi)
    validate_npi(npi)  # does not raise


@pytest.mark.parametrize(
    "npi",
    [
        "1234567890",  # wrong check digit
        "1234567891",
        "1000000005",
        "123456789",  # nine digits
        "12345678931",  # eleven digits
        "12345678a3",
        " 1234567893",
        "1234567893 ",
        "1234567893\n",
        "",
        "١٢٣٤٥٦٧٨٩٣",  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_invalid_npis_fail_with_the_portal_message(npi):
    assert not is_valid_npi(npi)
    with pytest.raises(ValidationError) as excinfo:
        validate_npi(npi)
    assert excinfo.value.messages == [NPI_INVALID_MESSAGE]
    assert NPI_INVALID_MESSAGE == "Enter a valid 10-digit NPI."


@pytest.mark.parametrize("value", [None, 1234567893])
def test_non_string_npis_are_invalid(value):
    assert not is_valid_npi(value)


def test_every_wrong_check_digit_is_refused():
    # Exactly one of the ten possible last digits is correct for a given first nine.
    valid = [digit for digit in "0123456789" if is_valid_npi("123456789" + digit)]
    assert valid == ["3"]


@pytest.mark.parametrize("tin", ["123450093", "987653004", "555550111", "000000000"])
def test_valid_tins_pass(tin):
    assert is_valid_tin(tin)
    validate_tin(tin)


@pytest.mark.parametrize(
    "tin", ["12345009", "1234500930", "12-3450093", "12345009a", "", " 123450093", "123450093\n", "١٢٣٤٥٠٠٩٣"]
)
def test_invalid_tins_fail_with_the_portal_message(tin):
    assert not is_valid_tin(tin)
    with pytest.raises(ValidationError) as excinfo:
        validate_tin(tin)
    assert excinfo.value.messages == ["Enter a valid 9-digit TIN."]
    assert TIN_INVALID_MESSAGE == "Enter a valid 9-digit TIN."


@pytest.mark.parametrize(
    ("tin", "masked"),
    [("123450093", "****0093"), ("987653004", "****3004"), (555550111, "****0111"), ("", ""), (None, "")],
)
def test_mask_tin(tin, masked):
    assert mask_tin(tin) == masked


def test_masked_tin_filter():
    rendered = Template("{% load portal_tags %}[{{ tin|masked_tin }}]").render(Context({"tin": "123450093"}))
    assert rendered == "[****0093]"
    assert "123450093" not in rendered


def test_masked_tin_filter_on_missing_value():
    assert Template("{% load portal_tags %}[{{ tin|masked_tin }}]").render(Context({})) == "[]"
