"""Steps 6 and 7 (seed 003_452340df50752410.txt): submitter details and additional access."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..models import (
    SubmitterRelationship,
)
from .base import CleanTextField, StepForm

# --- step 6: submitter details -----------------------------------------------------------------

PHONE_MESSAGE = "Enter a 10-digit US phone number, like 517-734-2222."


def normalize_us_phone(value: str) -> str:
    """Accept "517-734-2222", "(517) 734-2222", "517.734.2222", "+1 517 734 2222"; return 10 digits.

    North American Numbering Plan: the area code and the exchange each start with 2-9, so a first or fourth
    digit of 0 or 1 is not a US number.
    """
    compact = re.sub(r"[\s().\-]", "", value)
    if compact.startswith("+"):
        compact = compact[1:]
        if not compact.startswith("1"):
            raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    if not compact.isdigit():
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    if len(compact) == 11 and compact.startswith("1"):
        compact = compact[1:]
    if len(compact) != 10 or compact[0] in "01" or compact[3] in "01":
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")
    return compact


def format_us_phone(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


class SubmitterDetailsForm(StepForm):
    required_messages = {
        "contact_phone": "Enter the contact phone number.",
        "contact_email": "Enter the contact email address.",
        "submitter_relationship": "Select your relationship to the party in this application.",
    }

    contact_phone = forms.CharField(
        label="Contact phone number",
        max_length=25,
        help_text="For example, 517-734-2222.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel-national"}),
    )
    contact_phone_extension = forms.CharField(
        label="Extension (optional)",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel-extension"}),
    )
    contact_email = forms.EmailField(
        label="Contact email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com."},
    )
    submitter_relationship = forms.ChoiceField(
        label="Submitter/Third Party Intermediary relationship",
        choices=[("", "- Please specify -"), *SubmitterRelationship.choices],
        help_text="Your relationship to the clinician, group or entity named in this application.",
        error_messages={"invalid_choice": "Select your relationship from the list."},
    )
    submitter_relationship_other = CleanTextField(
        label="Describe your relationship",
        max_length=100,
        help_text="Required when you select Other.",
    )

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data.get("contact_phone", "").strip()
        return normalize_us_phone(value) if value else ""

    def clean_contact_phone_extension(self) -> str:
        value = self.cleaned_data.get("contact_phone_extension", "").strip()
        if value and not re.fullmatch(r"\d{1,6}", value):
            raise ValidationError("Enter the extension as up to 6 digits.", code="invalid_extension")
        return value

    def clean_contact_email(self) -> str:
        return self.cleaned_data.get("contact_email", "").strip()

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        self.require("contact_phone", "Enter the contact phone number.")
        self.require("contact_email", "Enter the contact email address.")
        self.require("submitter_relationship", "Select your relationship to the party in this application.")
        if cleaned.get("submitter_relationship") == SubmitterRelationship.OTHER:
            self.require("submitter_relationship_other", "Describe your relationship.")
        else:
            cleaned["submitter_relationship_other"] = ""
            self._errors.pop("submitter_relationship_other", None)
        return cleaned

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "contact_phone": data.get("contact_phone", ""),
            "contact_phone_extension": data.get("contact_phone_extension", ""),
            "contact_email": data.get("contact_email", ""),
            "submitter_relationship": data.get("submitter_relationship", ""),
            "submitter_relationship_other": data.get("submitter_relationship_other", ""),
        }


# --- step 7: additional access -----------------------------------------------------------------

MAX_ADDITIONAL_ACCESS = 50
_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")


def parse_email_list(value: str) -> list[str]:
    """Split on commas, semicolons and whitespace; validate each; de-duplicate case-insensitively keeping
    the first occurrence; return lower-cased addresses (the model stores them lower-cased)."""
    addresses: list[str] = []
    seen: set[str] = set()
    bad: list[str] = []
    for raw in _EMAIL_SEPARATORS.split(value or ""):
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
            continue
        if len(address) > 254:
            bad.append(address)
            continue
        lowered = address.lower()
        if lowered not in seen:
            seen.add(lowered)
            addresses.append(lowered)
    if bad:
        shown = ", ".join(f"“{address[:80]}”" for address in bad[:5])
        noun = "isn't a valid email address" if len(bad) == 1 else "aren't valid email addresses"
        raise ValidationError(f"{shown} {noun}. Enter addresses like name@example.com.", code="invalid_email")
    if len(addresses) > MAX_ADDITIONAL_ACCESS:
        raise ValidationError(
            f"You can give additional access to up to {MAX_ADDITIONAL_ACCESS} email addresses; you entered "
            f"{len(addresses)}.",
            code="too_many",
        )
    return addresses


class AdditionalAccessForm(StepForm):
    emails = CleanTextField(
        label="Additional staff access email(s)",
        multiline=True,
        max_length=20_000,
        help_text=(
            "People who should receive notifications about this application. Type each address and press "
            "Enter or comma to add it; without JavaScript, put one address per line or separate them with "
            "commas. Up to 50."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_emails(self) -> list[str]:
        return parse_email_list(self.cleaned_data.get("emails", ""))

    def changes(self) -> dict[str, object]:
        return {}

    def additional_access(self) -> list[str] | None:
        return list(self.cleaned_data.get("emails", []))
