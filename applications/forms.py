"""Forms of the exception application wizard (issue 5, steps 3-10 of seed 003_452340df50752410.txt).

Each step is one form. Forms only parse and validate input; the wizard views hand ``changes`` (model field
names → already-validated values) to ``services.application_save_step``. Two modes:

* ``require_complete=True`` (Save & Continue, Certify & Submit): every required answer must be present.
* ``require_complete=False`` (Save, Save & Close, Back, autosave): blanks are allowed so a draft can be kept
  half-done, but whatever *is* entered must be valid. Nothing invalid is ever stored.

Fields that belong to an answer the user did not choose (for example the ONC-ACB certification ID after
switching from EHR Decertification to Insufficient Internet Connectivity) are dropped in ``clean()``: a hidden
input still holding an old value is never re-submitted as an answer (issue 5, "nothing stale is stored").
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from accounts import authorization
from eligibility import selectors as eligibility_selectors
from eligibility.validators import mask_tin
from qpp_exceptions.forms import DescribedRadioSelect, MemorableDateField, validate_npi, validate_tin

from . import policy, selectors
from .models import (
    Application,
    EventType,
    ExceptionType,
    ParticipationLevel,
    PIHardshipReason,
    SubmitterRelationship,
)

# --- text cleaning ------------------------------------------------------------------------------

# C0 and C1 control characters except tab (\x09), line feed (\x0a) and carriage return (\x0d), which a
# multi-line description legitimately contains. NUL is among them: PostgreSQL text cannot store it (issue 5,
# point 8: hostile text is stored safely).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SINGLE_LINE_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def strip_control_characters(value: str, *, multiline: bool) -> str:
    """Remove control characters; browsers send CRLF, which becomes LF so the 6,000 limit matches the
    counter the user saw."""
    if multiline:
        return _CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _SINGLE_LINE_CONTROL_CHARACTERS.sub("", value)


class CleanTextField(forms.CharField):
    """A CharField that strips control characters *before* validation (Django would otherwise refuse NUL
    with "Null characters are not allowed." instead of storing the rest of what the user typed)."""

    def __init__(self, *, multiline: bool = False, **kwargs: object) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value: object) -> str:
        if isinstance(value, str):
            value = strip_control_characters(value, multiline=self.multiline)
        return super().to_python(value)


# --- shared machinery ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StepContext:
    """What a step form needs to know besides the POST data."""

    application: Application
    user: object
    require_complete: bool = True


class StepForm(forms.Form):
    """Base of every wizard step form.

    ``changes()`` returns the model-field values to store, ``additional_access()`` the email list (only the
    additional-access step), both read by the view after ``is_valid()``.
    """

    #: Fields that must be answered to continue, with the message shown when one is missing.
    required_messages: dict[str, str] = {}

    # Browser validation would stop "Save & Close" on a half-done draft; the server decides (and its
    # messages reach the USWDS error summary).
    use_required_attribute = False

    def __init__(self, *args: object, context: StepContext, **kwargs: object) -> None:
        self.context = context
        self.application = context.application
        self.user = context.user
        self.require_complete = context.require_complete
        super().__init__(*args, **kwargs)
        # Conditionally required answers are checked in clean(); the always-required ones are required
        # only when the step must be complete, so a draft can be kept half-done. A form built for display
        # (require_complete=True) marks them required, which shows the asterisk.
        for name, field in self.fields.items():
            if name in self.required_messages:
                field.required = self.require_complete
                field.error_messages["required"] = self.required_messages[name]
            else:
                field.required = False

    def mark_required(self, name: str) -> None:
        """Show a conditionally required field as required (the check itself happens in clean())."""
        if name in self.fields and self.require_complete:
            self.fields[name].widget.attrs["aria-required"] = "true"
            self.fields[name].conditionally_required = True

    def require(self, name: str, message: str) -> None:
        """Record ``message`` on ``name`` when the answer is missing and the step must be complete."""
        missing = self.cleaned_data.get(name) in (None, "", [], False)
        if self.require_complete and missing and name not in self._errors:
            self.add_error(name, message)

    def changes(self) -> dict[str, object]:
        raise NotImplementedError  # every concrete step defines what it stores

    def additional_access(self) -> list[str] | None:
        return None


def year_bounds(performance_year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(performance_year, 1, 1), datetime.date(performance_year, 12, 31)


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
            # clinician (or an NPI grant holder) every practice (accounts.authorization.can_act_for_individual).
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
