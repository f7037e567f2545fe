import pytest

from eligibility.validators import is_valid_npi, is_valid_tin, mask_tin, npi_check_digit


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),
        ("1234567890", False),
        ("1000000004", True),
        ("1000000012", True),
        ("1000000020", True),
        ("1000000038", True),
        ("1000000046", True),
        ("1000000053", True),
        ("1000000061", True),
        ("1000000005", False),
        ("123456789", False),  # 9 digits
        ("12345678931", False),  # 11 digits
        ("12345678a3", False),
        ("", False),
        (None, False),
        (1234567893, False),  # must be text
        ("１２３４５６７８９３", False),  # full-width digits are not ASCII digits
    ],
)
def test_npi_check_digit(npi, valid):
    assert is_valid_npi(npi) is valid


def test_check_digit_function_agrees():
    assert npi_check_digit("123456789") == 3


@pytest.mark.parametrize(
    ("tin", "valid"),
    [("123450093", True), ("12345009", False), ("12345009a", False), ("1234500930", False), (None, False)],
)
def test_tin(tin, valid):
    assert is_valid_tin(tin) is valid


def test_mask_tin():
    assert mask_tin("123450093") == "****0093"
