"""Exception applications: the only code that writes applications (issue 5).

Every state change goes through a transition service `application_<action>(*, …, actor)` that locks the row
(`select_for_update`), runs the django-fsm transition (logged by django-fsm-log with `by=actor`), records who
and when, and sends `application_status_changed` only after the transaction commits.

Split by concern: `errors` (what the services raise), `rows` (reading and locking rows), `access` (who may
act), `drafts` (creating and saving drafts), `transitions` (submit, approve, deny, withdraw) and `review` (CMS
assignment, bulk decisions, corrections). Import from `applications.services`; to patch a helper, patch it
in the submodule that calls it.
"""

from .access import actor_may_edit, actor_may_withdraw
from .drafts import (
    EDITABLE_FIELDS,
    MAX_ADDITIONAL_ACCESS_EMAILS,
    application_create_draft,
    application_save_step,
)
from .errors import (
    ApplicationError,
    ApplicationNotEditable,
    DuplicateApplication,
    IncompleteApplication,
    NotAuthorizedForParticipant,
    TransitionNotAllowed,
    WindowClosed,
)
from .review import (
    BULK_DECISION_LIMIT,
    CORRECTABLE_FIELDS,
    BulkOutcome,
    application_assign,
    application_correct,
    applications_bulk_approve,
    applications_bulk_deny,
)
from .rows import answers_of, window_spec
from .transitions import (
    application_approve,
    application_deny,
    application_submit,
    application_withdraw,
)

__all__ = [
    "BULK_DECISION_LIMIT",
    "CORRECTABLE_FIELDS",
    "EDITABLE_FIELDS",
    "MAX_ADDITIONAL_ACCESS_EMAILS",
    "ApplicationError",
    "ApplicationNotEditable",
    "BulkOutcome",
    "DuplicateApplication",
    "IncompleteApplication",
    "NotAuthorizedForParticipant",
    "TransitionNotAllowed",
    "WindowClosed",
    "actor_may_edit",
    "actor_may_withdraw",
    "answers_of",
    "application_approve",
    "application_assign",
    "application_correct",
    "application_create_draft",
    "application_deny",
    "application_save_step",
    "application_submit",
    "application_withdraw",
    "applications_bulk_approve",
    "applications_bulk_deny",
    "window_spec",
]
