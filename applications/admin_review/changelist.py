"""The queue's changelist (pre-check findings for the whole page at once) and the per-row text the queue, the
change page and the CSV export show."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .. import prechecks
from ..models import Application, ExceptionType, ParticipationLevel, Status

CATEGORY_SHORT = (
    ("requests_quality", "Quality"),
    ("requests_cost", "Cost"),
    ("requests_improvement_activities", "Improvement Activities"),
    ("requests_promoting_interoperability", "Promoting Interoperability"),
)


_PK = "0000PK0000"  # stands for a row's primary key in the reversed change URL


class ReviewChangeList(ChangeList):
    """Computes the pre-check findings for the whole page at once (issue 7 point 10: no per-row queries),
    and builds the 100 row links without resolving each one again (issue 9, ADR 0076)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django's row links pass through add_preserved_filters, which resolves every row's URL to learn
        # that it is a change page (a fifth of the queue's rendering time): the links are built here instead,
        # with the same "?_changelist_filters=…" the admin would add, so "back to the queue" keeps the
        # reviewer's filters. The change page reads them from the URL, not from this attribute.
        self.row_filters, self.preserved_filters = self.preserved_filters, ""
        self._change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(_PK,),
            current_app=self.model_admin.admin_site.name,
        )

    def url_for_result(self, result: Application) -> str:
        url = self._change_url.replace(_PK, quote(str(result.pk)))
        return f"{url}?{self.row_filters}" if self.row_filters else url

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        rows = list(self.result_list)
        findings = prechecks.findings_for(rows)
        for row in rows:
            row.precheck_findings = findings.get(row.pk, ())


def participant_text(obj: Application) -> str:
    """Name, masked TIN and NPI or identifier (never the full TIN)."""
    parts = [obj.participant_name or "(no name)"]
    level = obj.participation_level
    if level in (ParticipationLevel.INDIVIDUAL, ParticipationLevel.GROUP) and obj.tin:
        parts.append(f"TIN {obj.masked_tin}")
    if level == ParticipationLevel.INDIVIDUAL and obj.npi:
        parts.append(f"NPI {obj.npi}")
    if level == ParticipationLevel.VIRTUAL_GROUP:
        parts.append(obj.virtual_group_identifier)
    if level == ParticipationLevel.APM_ENTITY:
        parts.append(f"APM Entity {obj.apm_entity_identifier}")
    return " · ".join(p for p in parts if p)


def reason_text(obj: Application) -> str:
    if obj.exception_type == ExceptionType.PI_HARDSHIP:
        return obj.get_pi_reason_display() if obj.pi_reason else ""
    categories = ", ".join(label for name, label in CATEGORY_SHORT if getattr(obj, name))
    event = obj.get_event_type_display() if obj.event_type else ""
    return f"{event}: {categories}" if event and categories else event or categories


def days_pending(obj: Application, now: Any = None) -> int | None:
    if obj.status != Status.SUBMITTED or obj.submitted_at is None:
        return None
    return ((now or timezone.now()) - obj.submitted_at).days
