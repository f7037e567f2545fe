"""The errors the application services raise; each `message` is safe to show to the user."""

from __future__ import annotations

from accounts import authorization

from .. import policy
from ..models import Application, Status


class ApplicationError(Exception):
    """Base class; `message` is safe to show to the user."""

    default_message = "This application can't be changed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ApplicationNotEditable(ApplicationError):
    default_message = "This application can't be changed: only a draft you may act for can be edited."


class NotAuthorizedForParticipant(ApplicationError):
    default_message = "You aren't authorized to file an application for this clinician, group or entity."


class WindowClosed(ApplicationError):
    default_message = "The QPP Exception Applications window is closed."


class IncompleteApplication(ApplicationError):
    def __init__(self, missing: list[str], message: str | None = None) -> None:
        self.missing = missing
        super().__init__(
            message
            or "Complete every required answer before you submit: "
            + " ".join(policy.MISSING_MESSAGES.get(name, name) for name in missing)
        )


class DuplicateApplication(ApplicationError):
    default_message = (
        "There is already an approved or pending application of this type for this participant and "
        "performance year."
    )


class TransitionNotAllowed(ApplicationError):
    """Refused: the message names the current status and who changed it to that, and when (issue 7 point 3/4).

    `message` is safe for the applicant (CMS staff appear as "CMS"); `reviewer_message` names the reviewer
    and is what the admin shows.
    """

    def __init__(self, *, application: Application, action: str) -> None:
        self.status = application.status
        self.action = action
        refusal = f"You can't {action} an application whose status is {application.get_status_display()}."
        public, internal = _last_change_sentences(application)
        self.reviewer_message = f"{refusal} {internal}".strip()
        super().__init__(f"{refusal} {public}".strip())


_STATUS_VERBS = {
    Status.SUBMITTED: "submitted",
    Status.APPROVED: "approved",
    Status.DENIED: "denied",
    Status.WITHDRAWN: "withdrawn",
}


def _last_change_sentences(application: Application) -> tuple[str, str]:
    """("It was approved by CMS on …", "It was approved by Rene Castillo (reviewer@…) on …") from the
    status log; empty strings when the status never changed (a draft)."""
    from django_fsm_log.models import StateLog

    verb = _STATUS_VERBS.get(application.status)
    if verb is None or application.pk is None:
        return "", ""
    log = (
        StateLog.objects.for_(application)
        .filter(state=application.status)
        .select_related("by")
        .order_by("-timestamp", "-pk")
        .first()
    )
    if log is None:
        return "", ""
    when = policy.format_et(log.timestamp)
    user = log.by
    if user is None:
        return (f"It was {verb} on {when}.",) * 2
    name = user.get_full_name() or user.email
    cms_staff = authorization.is_cms_reviewer(user) or authorization.is_cms_administrator(user)
    public_name = "CMS" if cms_staff else name
    return (
        f"It was {verb} by {public_name} on {when}.",
        f"It was {verb} by {name} ({user.email}) on {when}.",
    )
