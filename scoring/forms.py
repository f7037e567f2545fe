"""The weights calculator form: year, track, categories to reweight, optional category scores."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from qpp_exceptions.forms import DescribedRadioSelect

from . import engine
from .policy import CATEGORIES, CATEGORY_LABELS, SUPPORTED_YEARS, TRACK_LABELS, TRACKS

TRACK_DESCRIPTIONS = {
    "traditional": "Seed 003 Appendix B: individual clinicians, groups and virtual groups.",
    "small_practice": "Seed 003 Appendix C: practices with 15 or fewer clinicians.",
    "app": "Seed 003 Appendix D: cost is always 0% and improvement activities get full credit.",
}


def _default_year() -> int:
    year = timezone.localdate().year
    return year if year in SUPPORTED_YEARS else SUPPORTED_YEARS[-1]


class WeightsCalculatorForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Performance year",
        coerce=int,
        choices=[(y, str(y)) for y in reversed(SUPPORTED_YEARS)],
        help_text="2025 and 2026 use the 2024 tables until CMS publishes others.",
    )
    track = forms.ChoiceField(
        label="How the participant reports",
        choices=[(t, TRACK_LABELS[t]) for t in TRACKS],
        widget=DescribedRadioSelect(descriptions=TRACK_DESCRIPTIONS),
    )
    reweighted = forms.MultipleChoiceField(
        label="Categories to reweight",
        required=False,
        choices=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unchecked for the standard weights.",
    )
    score_quality = forms.DecimalField(
        label="Quality score (optional)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    score_cost = forms.DecimalField(
        label="Cost score (optional)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    score_improvement_activities = forms.DecimalField(
        label="Improvement Activities score (optional)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )
    score_promoting_interoperability = forms.DecimalField(
        label="Promoting Interoperability score (optional)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = _default_year()
        self.fields["track"].initial = "traditional"
        for name in CATEGORIES:
            self.fields[f"score_{name}"].help_text = "A number from 0 to 100."
            self.fields[f"score_{name}"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.preview: engine.Preview | None = None

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        scores: dict[str, Decimal] = {
            name: cleaned[f"score_{name}"] for name in CATEGORIES if cleaned.get(f"score_{name}") is not None
        }
        try:
            self.preview = engine.preview(
                year=cleaned["year"],
                track=cleaned["track"],
                reweighted=cleaned.get("reweighted") or [],
                scores=scores or None,
            )
        except engine.PolicyError as exc:
            raise forms.ValidationError(str(exc), code="policy") from exc
        return cleaned


class DataSubmissionAdminForm(forms.ModelForm):
    """Admin edits of DataSubmission: the identifiers must match the submitter type, NPIs pass the check
    digit and TINs are 9 digits (the same rules as ``load_data_submissions``)."""

    class Meta:
        from .models import DataSubmission

        model = DataSubmission
        fields = [
            "submitter_type",
            "npi",
            "tin",
            "virtual_group_identifier",
            "apm_entity_identifier",
            "performance_year",
            "category",
            "submitted_at",
        ]

    def clean(self) -> dict[str, object]:
        from .management.commands.load_data_submissions import parse_row

        cleaned = super().clean()
        if self.errors:
            return cleaned
        raw = {
            name: str(cleaned.get(name) or "")
            for name in (
                "npi",
                "tin",
                "virtual_group_identifier",
                "apm_entity_identifier",
                "category",
                "submitter_type",
                "performance_year",
            )
        }
        raw["submitted_at"] = cleaned["submitted_at"].isoformat() if cleaned.get("submitted_at") else ""
        try:
            row = parse_row(raw)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)[:1].upper() + str(exc)[1:] + ".", code="invalid") from exc
        for name in ("npi", "tin", "virtual_group_identifier", "apm_entity_identifier"):
            cleaned[name] = getattr(row, name)
        return cleaned
