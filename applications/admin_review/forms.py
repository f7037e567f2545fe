"""The review queue's forms: the decision panel's Approve and Deny, and a correction with its reason."""

from __future__ import annotations

from django import forms

from .. import services
from ..models import Application

# Issue 7 point 3: the denial reasons a reviewer chooses from; the label is what the applicant reads.
DENIAL_REASONS = [
    ("does_not_meet_criteria", "Does not meet the criteria for the selected reason"),
    ("not_mips_eligible", "Not MIPS eligible"),
    ("duplicate_application", "Duplicate application"),
    ("other", "Other"),
]
DENIAL_REASON_LABELS = dict(DENIAL_REASONS)


class DenyForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for denial", choices=[("", "- Select -"), *DENIAL_REASONS], required=True
    )
    explanation = forms.CharField(
        label="Explanation for the applicant",
        help_text="Goes into the email and onto the application page.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def reason_label(self) -> str:
        return DENIAL_REASON_LABELS[self.cleaned_data["reason"]]


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="Internal note (optional)",
        help_text="Shown in the status history to CMS only, never to the applicant.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class CorrectionForm(forms.ModelForm):
    reason = forms.CharField(
        label="Reason for the correction",
        help_text="Required. Recorded in the field history with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    class Meta:
        model = Application
        fields = services.CORRECTABLE_FIELDS
