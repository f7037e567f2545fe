"""The participation-status lookup form: one NPI (any clinician, as CMS's public lookup allows) or one of the
user's TINs, for one performance year."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from . import rules
from .validators import is_valid_npi, is_valid_tin


def current_performance_year() -> int:
    # The performance year is the calendar year (seed 003: the 2024 application covers calendar year 2024).
    return timezone.localdate().year


def year_choices() -> list[tuple[int, str]]:
    return [(y, str(y)) for y in range(current_performance_year(), rules.FIRST_PERFORMANCE_YEAR - 1, -1)]


class ParticipationLookupForm(forms.Form):
    identifier = forms.CharField(
        label="NPI or TIN",
        help_text="Enter a 10-digit NPI or the 9-digit TIN of a practice you can act for. Numbers only.",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    year = forms.TypedChoiceField(label="Performance year", coerce=int, choices=year_choices)

    def clean_identifier(self) -> str:
        raw = self.cleaned_data["identifier"]
        value = "".join(c for c in raw if c not in " -")
        if not (value.isascii() and value.isdigit()) or len(value) not in (9, 10):
            raise forms.ValidationError(
                "Enter a 10-digit NPI or a 9-digit TIN, using numbers only.", code="invalid"
            )
        if len(value) == 10 and not is_valid_npi(value):
            raise forms.ValidationError(
                "Enter a valid 10-digit NPI. The last digit is a check digit; "
                "check the number and try again.",
                code="invalid_npi",
            )
        if len(value) == 9 and not is_valid_tin(value):
            raise forms.ValidationError("Enter a valid 9-digit TIN.", code="invalid_tin")
        return value

    @property
    def kind(self) -> str:
        return "npi" if len(self.cleaned_data["identifier"]) == 10 else "tin"
