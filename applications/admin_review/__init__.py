"""The CMS review queue in the Django admin (issue 7): the application changelist for CMS reviewers, pre-check
findings, the decision panel, assignment, bulk decisions, corrections with a reason, the decision log and the
CSV export. Imported from applications/admin.py.

Every write calls one service in applications.services; the status field is never editable. Only users with
``applications.decide_application`` (CMS Reviewer and CMS Administrator groups, superusers) see the queue.

The package: ``permissions`` (who sees the queue), ``forms``, ``filters`` (list filters), ``changelist``
(the changelist and per-row text), ``decision_panel``, ``actions`` (bulk actions) and ``export`` (CSV), which
are mixed into the admin in ``queue``, and ``decision_log``. Importing the package registers both admins.
"""

# isort: off
# First, so the admins register in the order they did before the split: the queue, then the decision log.
from .queue import AdditionalAccessInline, ApplicationReviewAdmin  # noqa: F401

# isort: on
from .actions import BulkActionsMixin  # noqa: F401
from .changelist import (  # noqa: F401
    CATEGORY_SHORT,
    ReviewChangeList,
    days_pending,
    participant_text,
    reason_text,
)
from .decision_log import ApplicationDecisionAdmin  # noqa: F401
from .decision_panel import DecisionPanelMixin  # noqa: F401
from .export import CsvExportMixin, _csv_safe  # noqa: F401
from .filters import (  # noqa: F401
    FINDINGS_CHUNK,
    AssignedReviewerFilter,
    FindingsFilter,
    MultiStatusFilter,
    PerformanceYearFilter,
    _ids_by_findings,
)
from .forms import (  # noqa: F401
    DENIAL_REASON_LABELS,
    DENIAL_REASONS,
    ApproveForm,
    CorrectionForm,
    DenyForm,
)
from .permissions import can_review  # noqa: F401
