"""Reusable form pieces for every app: identifier validators, the USWDS memorable date, described choices
and a FormHelper with the portal's defaults.

Rendering lives in the ``uswds`` crispy-forms template pack (``templates/uswds/``) and its tag library
``qpp_exceptions/templatetags/uswds_forms.py``; see docs/decisions/0002-uswds-form-rendering.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from eligibility.validators import (  # noqa: F401 - re-exported for forms and templates
    NPI_LUHN_PREFIX,
    is_valid_npi,
    is_valid_tin,
    mask_tin,
)

# --- Identifiers ------------------------------------------------------------------------------------

# One implementation of the NPI check digit and the TIN shape, in the eligibility app's pure validators
# (Luhn over 80840 + the first nine digits; 45 CFR 162.406); these names are re-exported for forms.
NPI_INVALID_MESSAGE = "Enter a valid 10-digit NPI."
TIN_INVALID_MESSAGE = "Enter a valid 9-digit TIN."


def validate_npi(value: str) -> None:
    """Django validator: ``1234567893`` passes, ``1234567890`` (bad check digit) fails."""
    if not is_valid_npi(value):
        raise ValidationError(NPI_INVALID_MESSAGE, code="invalid_npi")


def validate_tin(value: str) -> None:
    """Django validator: exactly nine digits, no dashes (forms should strip them before validating)."""
    if not is_valid_tin(value):
        raise ValidationError(TIN_INVALID_MESSAGE, code="invalid_tin")


# --- Memorable date -----------------------------------------------------------------------------------

MEMORABLE_DATE_EXAMPLE_HINT = "For example: January 19 2000"
MEMORABLE_DATE_INVALID_MESSAGE = "Enter a real date, for example 12 31 2024"
_PART_NAMES = ("month", "day", "year")


class MemorableDateWidget(forms.MultiWidget):
    """USWDS memorable date: three short text inputs (month, day, year) instead of a date picker.

    Rendered by ``templates/uswds/field.html`` as ``usa-memorable-date`` inside a fieldset; subwidget names
    and ids follow Django's MultiWidget convention (``<name>_0`` month, ``_1`` day, ``_2`` year).
    """

    part_labels = ("Month", "Day", "Year")
    part_names = _PART_NAMES

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
        widgets = (
            forms.TextInput(attrs={**numeric, "maxlength": "2"}),
            forms.TextInput(attrs={**numeric, "maxlength": "2"}),
            forms.TextInput(attrs={**numeric, "minlength": "4", "maxlength": "4"}),
        )
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        """A date (or an ISO string from ``initial``) → ``[month, day, year]`` without leading zeros."""
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return [str(value.month), str(value.day), str(value.year)]
        return [None, None, None]


def _join_names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return ", ".join(names[:-1]) + f" and {names[-1]}"


class MemorableDateField(forms.Field):
    """A date entered as month / day / year; cleans to ``datetime.date``.

    Errors say what is wrong: a missing part is named ("The date must include a day and a year."), anything
    that is not a calendar date (February 30, month 13, letters) gets "Enter a real date, for example
    12 31 2024". ``min_date`` / ``max_date`` are optional inclusive bounds.
    """

    widget = MemorableDateWidget
    default_error_messages = {
        "required": "Enter a date.",
        "invalid": MEMORABLE_DATE_INVALID_MESSAGE,
        "incomplete": "The date must include %(parts)s.",
        "year_digits": "Enter the year as 4 digits, for example 2024.",
        "min_date": "Enter a date on or after %(limit)s.",
        "max_date": "Enter a date on or before %(limit)s.",
    }

    def __init__(
        self,
        *,
        min_date: datetime.date | None = None,
        max_date: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        self.min_date = min_date
        self.max_date = max_date
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            # Programmatic data (e.g. an API or a test) may pass an ISO date string.
            value = MemorableDateWidget().decompress(value) if value else [None, None, None]
        if not isinstance(value, list | tuple) or len(value) != 3:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        parts = [(str(part).strip() if part is not None else "") for part in value]
        if not any(parts):
            return None
        missing = [name for name, part in zip(_PART_NAMES, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"],
                code="incomplete",
                params={"parts": _join_names([f"a {name}" for name in missing])},
            )
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        month, day, year = (int(part) for part in parts)
        if len(parts[2]) != 4:
            raise ValidationError(self.error_messages["year_digits"], code="year_digits")
        try:
            # datetime.date rejects February 30, April 31, February 29 outside leap years, month 13…
            return datetime.date(year, month, day)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is None:
            return
        if self.min_date and value < self.min_date:
            raise ValidationError(
                self.error_messages["min_date"], code="min_date", params={"limit": _long_date(self.min_date)}
            )
        if self.max_date and value > self.max_date:
            raise ValidationError(
                self.error_messages["max_date"], code="max_date", params={"limit": _long_date(self.max_date)}
            )

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self.disabled:
            return False
        try:
            cleaned = self.to_python(data)
        except ValidationError:
            return True
        try:
            initial_date = self.to_python(initial)
        except ValidationError:
            return True
        return cleaned != initial_date


def _long_date(value: datetime.date) -> str:
    """``December 31, 2024``: the way CMS writes dates (seed 003, "Application Deadline")."""
    return f"{value:%B} {value.day}, {value.year}"


# --- Choices with descriptions ---------------------------------------------------------------------------


class _DescribedChoicesMixin:
    """Adds ``descriptions={value: text}``: a paragraph under a choice's label (USWDS
    ``usa-radio__label-description`` / ``usa-checkbox__label-description``), and ``tile=True`` for the USWDS
    tile variant. Descriptions are plain text and are escaped when rendered."""

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        choices: Iterable[Any] = (),
        *,
        descriptions: Mapping[Any, str] | None = None,
        tile: bool = False,
    ) -> None:
        super().__init__(attrs, choices)  # type: ignore[call-arg]
        self.descriptions = {str(key): text for key, text in (descriptions or {}).items()}
        self.tile = tile

    def description_for(self, value: Any) -> str:
        return self.descriptions.get(str(value), "")

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        obj = super().__deepcopy__(memo)  # type: ignore[misc]
        obj.descriptions = dict(self.descriptions)
        return obj


class DescribedRadioSelect(_DescribedChoicesMixin, forms.RadioSelect):
    """Radio buttons whose choices carry a bold title and a description below it."""


class DescribedCheckboxSelectMultiple(_DescribedChoicesMixin, forms.CheckboxSelectMultiple):
    """Checkboxes whose choices carry a bold title and a description below it."""


# --- Helper -------------------------------------------------------------------------------------------


class PortalFormHelper(FormHelper):
    """A FormHelper configured in one call: ``PortalFormHelper(form_action="…", layout=Layout(…))``.

    Every ``<form>`` the ``uswds`` pack renders carries ``novalidate`` whatever the helper: the server-side
    validation is authoritative and its messages are the accessible ones (browser bubbles are announced
    inconsistently and would pre-empt the USWDS error summary).
    """

    def __init__(self, form: forms.BaseForm | None = None, **options: Any) -> None:
        super().__init__(form)
        for name, value in options.items():
            if name == "layout":
                self.add_layout(value)
            else:
                setattr(self, name, value)
