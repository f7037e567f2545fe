"""Shared machinery of the wizard's step forms: text cleaning, the step context and base form."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django import forms

from ..models import (
    Application,
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
