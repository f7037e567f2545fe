"""Forms: sign-in and sign-up with the statement of truth; access requests and decisions."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm, SignupForm
from django import forms

from .models import IntermediaryRelationship, PracticeRole

# Seed 003_452340df50752410.txt, Step 1 ("Sign in to QPP"), word for word.
STATEMENT_OF_TRUTH_TEXT = (
    "In order to sign in, you must agree to this: I certify to the best of my knowledge that all of the "
    "information that will be submitted will be true, accurate, and complete. If I become aware that any "
    "submitted information is not true, accurate, and complete, I will correct such information promptly. "
    "I understand that the knowing omission, misrepresentation, or falsification of any submitted "
    "information may be punished by criminal, civil, or administrative penalties, including fines, civil "
    "damages, and/or imprisonment."
)
STATEMENT_OF_TRUTH_REQUIRED = "You must agree to the statement of truth to sign in."


def _statement_of_truth_field() -> forms.BooleanField:
    return forms.BooleanField(
        label="Yes, I agree",
        required=True,
        error_messages={"required": STATEMENT_OF_TRUTH_REQUIRED},
    )


class StatementOfTruthLoginForm(LoginForm):
    """allauth's sign-in form plus the required statement of truth (seed 003_…, Step 1).

    A missing agreement is a field error, so allauth never tries the password (no failed attempt is
    counted, nothing is recorded); the acceptance is recorded once the sign-in completes
    (``accounts.adapter.AccountAdapter.post_login``).
    """

    statement_of_truth_text = STATEMENT_OF_TRUTH_TEXT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["statement_of_truth"] = _statement_of_truth_field()


class StatementOfTruthSignupForm(SignupForm):
    """allauth's registration form with the same statement of truth."""

    statement_of_truth_text = STATEMENT_OF_TRUTH_TEXT

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["statement_of_truth"] = _statement_of_truth_field()
        self.fields["statement_of_truth"].error_messages["required"] = (
            "You must agree to the statement of truth to create an account."
        )
        order = ["first_name", "last_name", "email", "password1", "password2", "statement_of_truth"]
        self.order_fields(order)

    def custom_signup(self, request: Any, user: Any) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])


class NPILinkRequestForm(forms.Form):
    npi = forms.CharField(
        label="Your NPI",
        max_length=10,
        min_length=10,
        help_text="Your 10-digit National Provider Identifier.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    justification = forms.CharField(
        label="Anything the reviewer should know (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PracticeAccessRequestForm(forms.Form):
    tin = forms.CharField(
        label="Practice TIN",
        max_length=11,
        help_text="The practice's 9-digit Taxpayer Identification Number.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=PracticeRole.choices,
        widget=forms.RadioSelect,
        help_text="A Security Official manages who has access to the practice. A Staff User works on "
        "the practice's applications.",
    )
    justification = NPILinkRequestForm.base_fields["justification"]


class IntermediaryRequestForm(forms.Form):
    npi = forms.CharField(
        label="Clinician NPI",
        required=False,
        max_length=10,
        help_text="To act for one clinician, enter their 10-digit NPI. Leave empty to act for a practice.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tin = forms.CharField(
        label="Practice TIN",
        required=False,
        max_length=11,
        help_text="To act for a practice, enter its 9-digit TIN. Leave empty to act for a clinician.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    relationship = forms.ChoiceField(
        label="Your relationship to the clinician or practice",
        choices=IntermediaryRelationship.choices,
        widget=forms.RadioSelect,
    )
    relationship_other = forms.CharField(
        label="If other, describe the relationship", required=False, max_length=200
    )
    justification = NPILinkRequestForm.base_fields["justification"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("npi")) == bool(cleaned.get("tin")):
            raise forms.ValidationError("Enter either a clinician NPI or a practice TIN, not both.")
        if cleaned.get("relationship") == IntermediaryRelationship.OTHER and not cleaned.get(
            "relationship_other", ""
        ).strip():
            self.add_error("relationship_other", "Describe your relationship.")
        return cleaned


class DenyAccessRequestForm(forms.Form):
    reason = forms.CharField(
        label="Reason for denying (sent to the requester)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
