"""Steps 3 to 5 (seed 003_452340df50752410.txt): exception type, application type, submission information."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from accounts import authorization
from eligibility import selectors as eligibility_selectors
from eligibility.validators import mask_tin
from qpp_exceptions.forms import validate_npi, validate_tin

from .. import policy, selectors
from ..models import (
    Application,
    ExceptionType,
    ParticipationLevel,
)
from .base import StepForm

# --- step 3: exception type and performance year (creates the draft) ----------------------------

# CMS's Step 3 explanations live in the policy catalog (seed 003_452340df50752410.txt, Step 3).
EXCEPTION_TYPE_NOTE = policy.EUC_ROUTING_NOTE


class NewApplicationForm(forms.Form):
    performance_year = forms.TypedChoiceField(
        label="Performance year",
        coerce=int,
        error_messages={
            "required": "Select the performance year.",
            "invalid_choice": "Select a performance year that has an exception application window.",
        },
    )
    exception_type = forms.ChoiceField(
        label="Exception type",
        choices=ExceptionType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the exception type.",
            "invalid_choice": "Select the exception type.",
        },
    )

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["performance_year"].choices = [(year, f"{year}") for year in years]
        self.exception_type_options = [
            {
                "value": value,
                "label": label,
                "explanation": policy.EXCEPTION_TYPE_EXPLANATIONS[value],
                "bullets": list(policy.PI_HARDSHIP_BULLETS) if value == ExceptionType.PI_HARDSHIP else [],
            }
            for value, label in ExceptionType.choices
        ]


# --- step 4: application type (participation level and identifier) ----------------------------

APM_ENTITY_REFUSED_FOR_PI = (
    # seed 003_452340df50752410.txt, "MIPS APM Participants": APM Entities can't submit a Promoting
    # Interoperability Hardship Exception application on behalf of the entire APM Entity.
    "APM Entities can't submit a Promoting Interoperability Hardship Exception application. Clinicians in "
    "the APM Entity apply as individuals or groups."
)
NO_ACCESS_MESSAGES = {
    # Same message whether or not the identifier exists: a refusal must not reveal what is on file.
    "npi": "You don't have access to act for this NPI. Request access from your profile.",
    "tin": "You don't have access to act for this TIN. Request access from your profile.",
    "virtual_group_identifier": (
        "You don't have access to act for this virtual group. Request access from your profile."
    ),
    "apm_entity_identifier": (
        "You don't have access to act for this APM Entity. Request access from your profile."
    ),
}
LEVEL_IDENTIFIER_FIELD = {
    ParticipationLevel.INDIVIDUAL: "npi",
    ParticipationLevel.GROUP: "tin",
    ParticipationLevel.VIRTUAL_GROUP: "virtual_group_identifier",
    ParticipationLevel.APM_ENTITY: "apm_entity_identifier",
}
IDENTIFIER_FIELDS = ("npi", "tin", "virtual_group_identifier", "apm_entity_identifier")
# Virtual group identifiers look like "VG-000123"; APM entity identifiers are CMS-assigned alphanumerics
# such as "A1001" (issue 5 demo identifiers).
VIRTUAL_GROUP_IDENTIFIER_RE = re.compile(r"^VG-\d{6}$")
APM_ENTITY_IDENTIFIER_RE = re.compile(r"^[A-Z0-9-]{1,20}$")

ACKNOWLEDGE_REQUIRED = "Select “I understand, continue anyway” to continue, or change your answers."


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


class FindingsMixin:
    """Pre-application findings (issue 5, point 4): blocking ones stop the step; warnings need the user's
    acknowledgement before Save & Continue."""

    findings: list

    def check_findings(self, **identifiers: str) -> None:
        application = self.application
        self.findings = list(
            selectors.pre_application_findings(
                exception_type=application.exception_type,
                performance_year=application.performance_year,
                exclude_reference=application.reference,
                **identifiers,
            )
        )
        blocking = [finding for finding in self.findings if finding.blocking]
        for finding in blocking:
            self.add_error(None, finding.message)
        warnings = [finding for finding in self.findings if not finding.blocking]
        if (
            warnings
            and not blocking
            and self.require_complete
            and not self.cleaned_data.get("acknowledge_findings")
        ):
            self.add_error("acknowledge_findings", ACKNOWLEDGE_REQUIRED)

    @property
    def warnings(self) -> list:
        return [finding for finding in getattr(self, "findings", []) if not finding.blocking]


class ApplicationTypeForm(FindingsMixin, StepForm):
    required_messages = {"participation_level": "Select the application type."}

    participation_level = forms.ChoiceField(
        label="Application type",
        choices=ParticipationLevel.choices,
        widget=forms.RadioSelect,
        help_text="The level at which you intend (or intended) to participate in MIPS.",
        error_messages={"invalid_choice": "Select the application type."},
    )
    npi = forms.CharField(
        label="Clinician NPI",
        max_length=20,
        help_text="The clinician's 10-digit National Provider Identifier.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tin = forms.CharField(
        label="Group TIN",
        max_length=20,
        help_text="The practice's 9-digit Taxpayer Identification Number.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    virtual_group_identifier = forms.CharField(
        label="Virtual Group identifier",
        max_length=20,
        help_text="For example, VG-000123.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    apm_entity_identifier = forms.CharField(
        label="APM Entity identifier",
        max_length=20,
        help_text="The APM Entity ID, for example A1001.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    acknowledge_findings = forms.BooleanField(label="I understand, continue anyway")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.findings = []
        # APM Entity is offered only for EUC; a posted "apm_entity" on a PI hardship is still refused with
        # CMS's words in clean_participation_level (seed 003, "MIPS APM Participants").
        if self.application.exception_type == ExceptionType.PI_HARDSHIP:
            self.fields["participation_level"].widget.choices = [
                choice for choice in ParticipationLevel.choices if choice[0] != ParticipationLevel.APM_ENTITY
            ]

    def clean_participation_level(self) -> str:
        level = self.cleaned_data.get("participation_level", "")
        if level == ParticipationLevel.APM_ENTITY and (
            self.application.exception_type == ExceptionType.PI_HARDSHIP
        ):
            raise ValidationError(APM_ENTITY_REFUSED_FOR_PI, code="apm_entity_pi")
        return level

    def clean_npi(self) -> str:
        value = _digits(self.cleaned_data.get("npi", ""))
        if value:
            validate_npi(value)
        return value

    def clean_tin(self) -> str:
        value = _digits(self.cleaned_data.get("tin", ""))
        if value:
            validate_tin(value)
        return value

    def clean_virtual_group_identifier(self) -> str:
        value = self.cleaned_data.get("virtual_group_identifier", "").strip().upper()
        if value and not VIRTUAL_GROUP_IDENTIFIER_RE.match(value):
            raise ValidationError(
                "Enter the virtual group identifier in the format VG-000123.", code="invalid_virtual_group"
            )
        return value

    def clean_apm_entity_identifier(self) -> str:
        value = self.cleaned_data.get("apm_entity_identifier", "").strip().upper()
        if value and not APM_ENTITY_IDENTIFIER_RE.match(value):
            raise ValidationError(
                "Enter the APM Entity identifier using letters, numbers and hyphens only.",
                code="invalid_apm_entity",
            )
        return value

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        self.require("participation_level", "Select the application type.")
        level = cleaned.get("participation_level")
        if not level or self.errors.get("participation_level"):
            return cleaned
        field = LEVEL_IDENTIFIER_FIELD[level]
        # Identifiers of the other levels may still sit in hidden inputs: never store them.
        for other in IDENTIFIER_FIELDS:
            if other != field:
                cleaned[other] = ""
                self._errors.pop(other, None)
        value = cleaned.get(field)
        if field in self._errors:
            return cleaned
        if not value:
            self.require(field, f"Enter the {self.fields[field].label}.")
            return cleaned
        year = self.application.performance_year
        if not self._authorized(field, value, year):
            self.add_error(field, NO_ACCESS_MESSAGES[field])
            return cleaned
        found = self._exists(field, value, year)
        if not found:
            self.add_error(field, self._not_found_message(field, value, year))
            return cleaned
        identifiers = {"participation_level": level, field: value}
        if field == "npi" and self.application.npi == value and self.application.tin:
            identifiers["tin"] = self.application.tin
        self.check_findings(**identifiers)
        return cleaned

    def _authorized(self, field: str, value: str, year: int) -> bool:
        if field == "npi":
            return authorization.can_act_for_npi(self.user, value)
        if field == "tin":
            return authorization.can_act_for_tin(self.user, value)
        if field == "virtual_group_identifier":
            return authorization.can_act_for_virtual_group(self.user, value, year)
        return authorization.can_act_for_apm_entity(self.user, value, year)

    @staticmethod
    def _exists(field: str, value: str, year: int) -> bool:
        if field == "npi":
            return bool(
                eligibility_selectors.clinician_for_npi(value)
                and eligibility_selectors.practices_for_npi(value, year)
            )
        if field == "tin":
            return eligibility_selectors.practice_for_tin(value) is not None and _group_has_year(value, year)
        if field == "virtual_group_identifier":
            return eligibility_selectors.virtual_group_for_identifier(value, year) is not None
        return eligibility_selectors.apm_entity_for_identifier(value, year) is not None

    @staticmethod
    def _not_found_message(field: str, value: str, year: int) -> str:
        noun = {
            "npi": "NPI",
            "tin": "TIN",
            "virtual_group_identifier": "virtual group",
            "apm_entity_identifier": "APM Entity",
        }[field]
        shown = mask_tin(value) if field == "tin" else value
        return f"We couldn't find {noun} {shown} for performance year {year}."

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        level = data.get("participation_level") or ""
        changes: dict[str, object] = {"participation_level": level}
        if not level:
            return changes
        field = LEVEL_IDENTIFIER_FIELD[level]
        for name in IDENTIFIER_FIELDS:
            if name == "tin" and level == ParticipationLevel.INDIVIDUAL:
                # For an individual the TIN is the practice affiliation chosen on the next step; keep it only
                # while the NPI stays the same (another clinician's practice would be stale).
                same_clinician = self.application.npi == data.get("npi")
                changes["tin"] = self.application.tin if same_clinician else ""
                if not same_clinician:
                    changes["practice_not_listed"] = False
                continue
            changes[name] = data.get(name, "") if name == field else ""
        if level != ParticipationLevel.INDIVIDUAL:
            changes["practice_not_listed"] = False
        return changes


def _group_has_year(tin: str, year: int) -> bool:
    """Whether eligibility data knows the practice for that year: a group scenario, or clinicians billing
    under the TIN that year."""
    return eligibility_selectors.group_scenario(tin, year) is not None or bool(
        eligibility_selectors.clinicians_for_tin(tin, year)
    )


# --- step 5: submission information ------------------------------------------------------------

NOT_LISTED = "not_listed"


class SubmissionInformationForm(FindingsMixin, StepForm):
    """For an individual: the practice affiliation (seed 003, Step 5). Groups, virtual groups and APM
    Entities only confirm what eligibility data says; the form then has no inputs besides the findings
    acknowledgement."""

    practice = forms.ChoiceField(
        label="Group practice name",
        help_text="The practice this clinician bills under for this application.",
        error_messages={"invalid_choice": "Select a practice from the list, or Not listed."},
    )
    other_tin = forms.CharField(
        label="Practice TIN",
        max_length=20,
        help_text="The 9-digit Taxpayer Identification Number of the practice that isn't listed.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    acknowledge_findings = forms.BooleanField(label="I understand, continue anyway")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.findings = []
        self.is_individual = self.application.participation_level == ParticipationLevel.INDIVIDUAL
        if self.is_individual:
            self.mark_required("practice")
            # Only the affiliations this user may act for: practice staff see their own practice, the
            # clinician (or an NPI grant holder) every practice
            # (accounts.authorization.can_act_for_individual).
            practices = [
                practice
                for practice in eligibility_selectors.practices_for_npi(
                    self.application.npi, self.application.performance_year
                )
                if authorization.can_act_for_individual(self.context.user, self.application.npi, practice.tin)
            ]
            self.practice_tins = [practice.tin for practice in practices]
            self.fields["practice"].choices = [
                ("", "- Select -"),
                *[
                    (practice.tin, f"{practice.legal_name} (TIN: {mask_tin(practice.tin)})")
                    for practice in practices
                ],
                (NOT_LISTED, "Not listed"),
            ]
        else:
            del self.fields["practice"]
            del self.fields["other_tin"]
            self.practice_tins = []

    def clean_other_tin(self) -> str:
        value = _digits(self.cleaned_data.get("other_tin", ""))
        if value:
            validate_tin(value)
        return value

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if not self.is_individual:
            # A group's, virtual group's or APM Entity's findings were shown on the application-type step.
            return cleaned
        self.require("practice", "Select the group practice name, or Not listed.")
        practice = cleaned.get("practice")
        if practice == NOT_LISTED:
            self.require("other_tin", "Enter the practice TIN.")
            tin = cleaned.get("other_tin", "")
        else:
            cleaned["other_tin"] = ""
            self._errors.pop("other_tin", None)
            tin = practice or ""
        if tin and not self.errors and not authorization.can_act_for_individual(
            self.context.user, self.application.npi, tin
        ):
            # Same wording whether or not the TIN exists, so the form discloses nothing.
            self.add_error(
                "other_tin" if practice == NOT_LISTED else "practice",
                "You don't have access to act for this clinician at that practice. "
                "Request access from your profile.",
            )
        if tin and not self.errors:
            self.check_findings(**self._identifiers(tin=tin))
        return cleaned

    def _identifiers(self, tin: str = "") -> dict[str, str]:
        application = self.application
        return {
            "participation_level": application.participation_level,
            "npi": application.npi,
            "tin": tin or application.tin,
            "virtual_group_identifier": application.virtual_group_identifier,
            "apm_entity_identifier": application.apm_entity_identifier,
        }

    def changes(self) -> dict[str, object]:
        if not self.is_individual:
            return {}
        practice = self.cleaned_data.get("practice") or ""
        if practice == NOT_LISTED:
            return {"tin": self.cleaned_data.get("other_tin", ""), "practice_not_listed": True}
        return {"tin": practice, "practice_not_listed": False}


def submission_information_initial(application: Application) -> dict[str, object]:
    if application.practice_not_listed:
        return {"practice": NOT_LISTED, "other_tin": application.tin}
    return {"practice": application.tin}
