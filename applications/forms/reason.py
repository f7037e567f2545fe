"""Steps 8 and 9 (seed 003_452340df50752410.txt): reason, attestation and event description."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from qpp_exceptions.forms import DescribedRadioSelect, MemorableDateField

from .. import policy
from ..models import (
    Application,
    EventType,
    ExceptionType,
    ParticipationLevel,
    PIHardshipReason,
)
from .base import CleanTextField, StepForm, year_bounds

# --- step 8: reason ----------------------------------------------------------------------------

# The event types a PI hardship "Extreme and Uncontrollable Circumstances" reason offers (seed
# 003_452340df50752410.txt, Step 9 Reason Option 2).
PI_EUC_EVENT_TYPES = (
    EventType.DISASTER,
    EventType.PRACTICE_OR_HOSPITAL_CLOSURE,
    EventType.SEVERE_FINANCIAL_DISTRESS,
    EventType.VENDOR_ISSUE,
)
COVID_REFUSED = policy.COVID_19_REFUSED_MESSAGE  # seed 003, Step 2 banner
APM_ALL_CATEGORIES = policy.APM_ENTITY_ALL_CATEGORIES_MESSAGE  # seed 002_a56a46789770f819.txt
CATEGORY_FIELDS = (
    ("requests_quality", "Quality"),
    ("requests_cost", "Cost"),
    ("requests_improvement_activities", "Improvement Activities"),
    ("requests_promoting_interoperability", "Promoting Interoperability"),
)

# ONC-ACB certification ID (seed 003, Step 9 Reason Option 4 points to the CHPL). The accepted shapes are
# documented with their regexes in applications/policy.py (CHPL_PRODUCT_NUMBER_RE: nine dot-separated parts
# such as 15.04.04.2891.Alls.17.01.1.220101; CMS_EHR_CERTIFICATION_ID_RE: the legacy 15-character CMS EHR
# Certification ID such as 0015E8J2H4K6L8M). The form and the completeness check share them.
CERTIFICATION_ID_MESSAGE = (
    "Enter the ONC-ACB certification ID as listed in the CHPL, like 15.04.04.2891.Alls.17.01.1.220101, "
    "or a 15-character CMS EHR Certification ID like 0015E8J2H4K6L8M."
)


def normalize_certification_id(value: str) -> str:
    value = value.strip()
    if policy.CHPL_PRODUCT_NUMBER_RE.match(value):
        return value
    if policy.CMS_EHR_CERTIFICATION_ID_RE.match(value.upper()):
        return value.upper()
    raise ValidationError(CERTIFICATION_ID_MESSAGE, code="invalid_certification_id")


YES_NO = [("yes", "Yes"), ("no", "No")]
# Answers belonging to the dates of an event.
DATE_FIELDS = ("event_start_date", "event_end_date", "event_still_persists")


class ReasonForm(StepForm):
    pi_reason = forms.ChoiceField(
        label="Reason for Promoting Interoperability Hardship",
        choices=PIHardshipReason.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select a reason offered for this performance year."},
    )
    performance_categories = forms.MultipleChoiceField(
        label="Performance categories",
        choices=CATEGORY_FIELDS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select each MIPS performance category the event affected.",
        error_messages={"invalid_choice": "Select performance categories from the list."},
    )
    event_type = forms.ChoiceField(
        label="Event type",
        choices=EventType.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select an event type offered for this application."},
    )
    change_healthcare_cyberattack = forms.ChoiceField(
        label="Is this application due to the Change Healthcare cyberattack?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select yes or no."},
    )
    event_start_date = MemorableDateField(label="Event start date")
    event_end_date = MemorableDateField(label="Event end date")
    event_still_persists = forms.BooleanField(label="Still persists")
    onc_acb_certification_id = forms.CharField(
        label="ONC-ACB certification ID",
        max_length=60,
        help_text=(
            "Find it in the Certified Health IT Product List (CHPL), for example "
            "15.04.04.2891.Alls.17.01.1.220101."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        application = self.application
        year = application.performance_year
        self.is_pi = application.exception_type == ExceptionType.PI_HARDSHIP
        self.is_apm_entity = application.participation_level == ParticipationLevel.APM_ENTITY
        # Field notes: from PY2024 a Ransom/Malware EUC asks about the Change Healthcare cyberattack.
        self.asks_change_healthcare = policy.asks_change_healthcare(
            application.exception_type, year, EventType.RANSOM_MALWARE
        )
        if self.is_pi:
            reasons = [str(reason) for reason in policy.pi_reasons_for(year)]
            self.offered_reasons = reasons
            # Each reason with CMS's explanation of what must be attested (seed 003, Step 8).
            self.fields["pi_reason"].widget = DescribedRadioSelect(
                choices=[(value, label) for value, label in PIHardshipReason.choices if value in reasons],
                descriptions=policy.PI_REASON_EXPLANATIONS,
            )
            self.reason_options = [
                {
                    "value": value,
                    "label": label,
                    "explanation": policy.reason_explanation(ExceptionType.PI_HARDSHIP, value),
                }
                for value, label in PIHardshipReason.choices
                if value in reasons
            ]
            del self.fields["performance_categories"]
            del self.fields["change_healthcare_cyberattack"]
            event_types = list(PI_EUC_EVENT_TYPES)
            self.fields["event_type"].label = "Extreme and Uncontrollable Circumstances event type"
        else:
            del self.fields["pi_reason"]
            del self.fields["onc_acb_certification_id"]
            self.reason_options = []
            self.offered_reasons = []
            event_types = [str(event_type) for event_type in policy.event_types_for(ExceptionType.EUC, year)]
            if not self.asks_change_healthcare:
                del self.fields["change_healthcare_cyberattack"]
            self.euc_explanation = policy.reason_explanation(ExceptionType.EUC, "")
        self.offered_event_types = [str(event_type) for event_type in event_types]
        self.fields["event_type"].widget.choices = [
            (value, label) for value, label in EventType.choices if value in self.offered_event_types
        ]

    # Which answers the chosen reason uses (the rest is dropped, never stored).
    def _used_fields(self, cleaned: dict[str, object]) -> set[str]:
        if self.is_pi:
            reason = cleaned.get("pi_reason")
            used = {"pi_reason"}
            if reason == PIHardshipReason.EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES:
                used |= {"event_type", *DATE_FIELDS}
            elif reason == PIHardshipReason.EHR_DECERTIFICATION:
                used |= {"event_start_date", "onc_acb_certification_id"}
            return used
        used = {"performance_categories", "event_type", *DATE_FIELDS}
        if cleaned.get("event_type") == EventType.RANSOM_MALWARE and self.asks_change_healthcare:
            used.add("change_healthcare_cyberattack")
        return used

    def clean_pi_reason(self) -> str:
        value = self.cleaned_data.get("pi_reason", "")
        if value and value not in self.offered_reasons:
            raise ValidationError(
                f"{PIHardshipReason(value).label} isn't a reason offered for performance year "
                f"{self.application.performance_year}.",
                code="reason_not_offered",
            )
        return value

    def clean_event_type(self) -> str:
        value = self.cleaned_data.get("event_type", "")
        if value and value not in self.offered_event_types:
            if value == EventType.COVID_19:
                raise ValidationError(COVID_REFUSED, code="covid_refused")
            raise ValidationError("Select an event type offered for this application.", code="event_type")
        return value

    def clean_onc_acb_certification_id(self) -> str:
        value = self.cleaned_data.get("onc_acb_certification_id", "").strip()
        return normalize_certification_id(value) if value else ""

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        used = self._used_fields(cleaned)
        # Drop answers that belong to another choice, with any error they raised.
        for name in list(self.fields):
            if name not in used:
                cleaned[name] = self._empty_value(name)
                self._errors.pop(name, None)
        if self.is_pi:
            self.require("pi_reason", "Select the reason for the Promoting Interoperability hardship.")
            reason = cleaned.get("pi_reason")
            if reason == PIHardshipReason.EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES:
                self.require("event_type", "Select the extreme and uncontrollable circumstances event type.")
                self._clean_dates(cleaned, with_end=True)
            elif reason == PIHardshipReason.EHR_DECERTIFICATION:
                self.require("onc_acb_certification_id", "Enter the ONC-ACB certification ID.")
                self._clean_dates(cleaned, with_end=False)
        else:
            self._clean_categories(cleaned)
            self.require("event_type", "Select the event type.")
            if "change_healthcare_cyberattack" in used:
                self.require(
                    "change_healthcare_cyberattack",
                    "Select whether this application is due to the Change Healthcare cyberattack.",
                )
            self._clean_dates(cleaned, with_end=True)
        return cleaned

    @staticmethod
    def _empty_value(name: str) -> object:
        if name == "event_still_persists":
            return False
        if name == "performance_categories":
            return []
        if name in ("event_start_date", "event_end_date", "change_healthcare_cyberattack"):
            return None
        return ""

    def _clean_categories(self, cleaned: dict[str, object]) -> None:
        if "performance_categories" in self._errors:
            return
        chosen = set(cleaned.get("performance_categories") or [])
        if self.is_apm_entity and (chosen or self.require_complete) and len(chosen) != len(CATEGORY_FIELDS):
            # seed 002_a56a46789770f819.txt: APM Entities can also submit applications, but they must apply
            # for all performance categories.
            self.add_error("performance_categories", APM_ALL_CATEGORIES)
        elif self.require_complete and not chosen:
            self.add_error("performance_categories", "Select at least one performance category.")

    def _clean_dates(self, cleaned: dict[str, object], *, with_end: bool) -> None:
        year = self.application.performance_year
        first_day, last_day = year_bounds(year)
        start = cleaned.get("event_start_date")
        end = cleaned.get("event_end_date") if with_end else None
        persists = bool(cleaned.get("event_still_persists")) if with_end else False
        if not with_end:
            cleaned["event_end_date"] = None
            cleaned["event_still_persists"] = False
        if "event_start_date" not in self._errors:
            self.require("event_start_date", "Enter the event start date.")
        if with_end and "event_end_date" not in self._errors:
            if end and persists:
                self.add_error("event_end_date", "Enter an end date or select “Still persists”, not both.")
                return
            if self.require_complete and not end and not persists:
                self.add_error("event_end_date", "Enter the event end date, or select “Still persists”.")
                return
        today = timezone.localdate()
        if start and "event_start_date" not in self._errors:
            if start > today:
                self.add_error("event_start_date", "The event start date can't be in the future.")
            elif start > last_day:
                self.add_error(
                    "event_start_date",
                    f"The event must have started on or before December 31, {year} to affect performance "
                    f"year {year}.",
                )
        if end and "event_end_date" not in self._errors:
            if end > today:
                self.add_error(
                    "event_end_date",
                    "The event end date can't be in the future. Select “Still persists” if it hasn't ended.",
                )
            elif start and end < start:
                self.add_error("event_end_date", "The event end date must be on or after the start date.")
            elif end < first_day:
                self.add_error(
                    "event_end_date",
                    f"The event must have lasted into performance year {year} (ended on or after January 1, "
                    f"{year}).",
                )

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        changes: dict[str, object] = {}
        if self.is_pi:
            changes["pi_reason"] = data.get("pi_reason", "")
            changes["onc_acb_certification_id"] = data.get("onc_acb_certification_id", "")
        else:
            chosen = set(data.get("performance_categories") or [])
            for name, _ in CATEGORY_FIELDS:
                changes[name] = name in chosen
            answer = data.get("change_healthcare_cyberattack")
            changes["change_healthcare_cyberattack"] = {"yes": True, "no": False}.get(answer)  # type: ignore[arg-type]
        changes["event_type"] = data.get("event_type", "")
        changes["event_start_date"] = data.get("event_start_date")
        changes["event_end_date"] = data.get("event_end_date")
        changes["event_still_persists"] = bool(data.get("event_still_persists"))
        return changes


def reason_initial(application: Application) -> dict[str, object]:
    initial: dict[str, object] = {
        "pi_reason": application.pi_reason,
        "event_type": application.event_type,
        "event_start_date": application.event_start_date,
        "event_end_date": application.event_end_date,
        "event_still_persists": application.event_still_persists,
        "onc_acb_certification_id": application.onc_acb_certification_id,
        "change_healthcare_cyberattack": {True: "yes", False: "no"}.get(
            application.change_healthcare_cyberattack
        ),
    }
    initial["performance_categories"] = [name for name, _ in CATEGORY_FIELDS if getattr(application, name)]
    return initial


# --- step 9: attestation and description --------------------------------------------------------

EVENT_DESCRIPTION_MAX = 6000  # seed 003, Step 9: "6000 characters remaining"


class AttestationForm(StepForm):
    required_messages = {"attested": "Select “I attest” to confirm the attestation statement."}

    attested = forms.BooleanField(label="I attest")
    # Seed 003, "Groups and Virtual Groups": every office location/practice site within the TIN (for a
    # virtual group: for each TIN within the virtual group) must experience the hardship. Label set per level.
    all_locations_attested = forms.BooleanField(label="All locations")
    event_description = CleanTextField(
        label="Event description (optional)",
        multiline=True,
        max_length=EVENT_DESCRIPTION_MAX,
        help_text=(
            "A brief description of the event that caused this hardship and how performance data is "
            "impacted. Up to 6,000 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": EVENT_DESCRIPTION_MAX}),
        error_messages={
            "max_length": f"The event description must be {EVENT_DESCRIPTION_MAX:,} characters or fewer "
            "(it has %(show_value)d)."
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        application = self.application
        self.attestation_text = policy.attestation_text(
            application.exception_type, application.pi_reason, application.event_type
        )
        level = application.participation_level
        if level in (ParticipationLevel.GROUP, ParticipationLevel.VIRTUAL_GROUP):
            self.fields["all_locations_attested"].label = policy.locations_attestation_text(level)
            self.mark_required("all_locations_attested")
        else:
            del self.fields["all_locations_attested"]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if "all_locations_attested" in self.fields:
            self.require(
                "all_locations_attested",
                "Confirm that every office location experienced the hardship."
                if self.application.participation_level == ParticipationLevel.GROUP
                else "Confirm that every location of every TIN in the virtual group experienced the "
                "hardship.",
            )
        return cleaned

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        changes: dict[str, object] = {
            "attested": bool(data.get("attested")),
            "event_description": data.get("event_description", ""),
        }
        if "all_locations_attested" in self.fields:
            changes["all_locations_attested"] = bool(data.get("all_locations_attested"))
        return changes
