"""Identifier checks for NPIs and TINs. Pure functions (no ORM) plus Django validator wrappers.

The NPI check digit is the Luhn formula computed over the prefix ``80840`` followed by the first nine
digits of the NPI (CMS, "Requirements for National Provider Identifier (NPI) check digit", 45 CFR 162.406,
as repeated in issue 3). ``1234567893`` is valid; ``1234567890`` is not.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_NPI_RE = re.compile(r"^\d{10}$", re.ASCII)
_TIN_RE = re.compile(r"^\d{9}$", re.ASCII)
# ISO standard 7812 prefix for US health applications, prepended before the Luhn check (issue 3).
NPI_LUHN_PREFIX = "80840"


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit that would be appended to ``digits``."""
    total = 0
    # Walk right to left; the rightmost payload digit is doubled because the check digit follows it.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npi_check_digit(first_nine: str) -> int:
    """The tenth NPI digit for the given first nine digits."""
    return luhn_check_digit(NPI_LUHN_PREFIX + first_nine)


def is_valid_npi(npi: object) -> bool:
    """True for a 10-digit string whose last digit is the Luhn check digit over ``80840`` + first nine."""
    if not isinstance(npi, str) or not _NPI_RE.fullmatch(npi):
        return False
    return npi_check_digit(npi[:9]) == int(npi[9])


def is_valid_tin(tin: object) -> bool:
    """A TIN (EIN or SSN used as a billing TIN) is exactly nine digits."""
    return isinstance(tin, str) and bool(_TIN_RE.fullmatch(tin))


def mask_tin(tin: object) -> str:
    """``123450093`` → ``****0093``: the portal shows only the last four digits where the full TIN is not
    needed (house rules; a TIN can be a Social Security number). Empty input gives an empty string."""
    text = "" if tin is None else str(tin).strip()
    return f"****{text[-4:]}" if text else ""


def validate_npi(value: str) -> None:
    if not is_valid_npi(value):
        raise ValidationError(
            "Enter a valid 10-digit NPI (the last digit is a check digit).", code="invalid_npi"
        )


def validate_tin(value: str) -> None:
    if not is_valid_tin(value):
        raise ValidationError("Enter a valid 9-digit TIN.", code="invalid_tin")
