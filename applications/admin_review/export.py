"""The queue's CSV export (issue 7 point 7).

Mixed into ApplicationReviewAdmin (applications.admin_review.queue): the view uses its changelist.
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from qpp_exceptions.security_log import security_event

from .. import policy, prechecks
from .changelist import CATEGORY_SHORT, days_pending, participant_text
from .filters import FINDINGS_CHUNK
from .permissions import can_review


class CsvExportMixin:
    """The view behind the queue's export URL."""

    # --- CSV export (issue 7 point 7) ---

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The filtered queue (the same filters and search as the changelist) as CSV."""
        if not can_review(request.user):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        # Security log (issue 10 point 5, ADR 0083): who exported which view of the queue.
        security_event(
            "review_queue_exported", request=request, format="csv", filters=request.GET.urlencode()[:500]
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="review-queue-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "Reference",
                "Participant",
                "Participation level",
                "Exception type",
                "Performance year",
                "Reason",
                "EUC categories",
                "Status",
                "Submitted at (ET)",
                "Decided at (ET)",
                "Days pending",
                "Assigned reviewer",
                "Decided by",
                "Findings",
            ]
        )
        rows = list(queryset)
        for start in range(0, len(rows), FINDINGS_CHUNK):
            chunk = rows[start : start + FINDINGS_CHUNK]
            findings = prechecks.findings_for(chunk)
            for obj in chunk:
                writer.writerow(
                    [
                        _csv_safe(value)
                        for value in (
                            obj.reference,
                            participant_text(obj),
                            obj.get_participation_level_display(),
                            obj.get_exception_type_display(),
                            obj.performance_year,
                            obj.reason_label,
                            ", ".join(label for name, label in CATEGORY_SHORT if getattr(obj, name)),
                            obj.get_status_display(),
                            policy.format_et(obj.submitted_at) if obj.submitted_at else "",
                            policy.format_et(obj.decided_at) if obj.decided_at else "",
                            "" if days_pending(obj) is None else days_pending(obj),
                            obj.assigned_reviewer.email if obj.assigned_reviewer else "",
                            obj.decided_by.email if obj.decided_by else "",
                            "; ".join(f"{f.label}: {f.message}" for f in findings.get(obj.pk, ())),
                        )
                    ]
                )
        return response


def _csv_safe(value: Any) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
