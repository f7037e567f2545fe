"""The review queue's list filters: several statuses at once, performance year, assigned reviewer, pre-check
findings."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .. import policy, prechecks
from ..models import Application, Status

# --- list filters -------------------------------------------------------------------------------------------


class MultiStatusFilter(admin.SimpleListFilter):
    """Several statuses at once (?status=submitted,approved); each link toggles one status."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, label in Status.choices if value != Status.DRAFT]

    def selected(self) -> list[str]:
        raw = self.value() or ""
        return [v for v in raw.split(",") if v in Status.values and v != Status.DRAFT]

    def choices(self, changelist: ChangeList) -> Any:
        chosen = self.selected()
        yield {
            "selected": not chosen,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }
        for value, label in self.lookup_choices:
            toggled = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
            query = (
                changelist.get_query_string({self.parameter_name: ",".join(toggled)})
                if toggled
                else changelist.get_query_string(remove=[self.parameter_name])
            )
            yield {"selected": value in chosen, "query_string": query, "display": label}

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        chosen = self.selected()
        return queryset.filter(status__in=chosen) if chosen else queryset


class PerformanceYearFilter(admin.SimpleListFilter):
    """Years from the first QPP year to the current one, without a query (issue 7 point 10)."""

    title = "performance year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year, policy.FIRST_PERFORMANCE_YEAR - 1, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        return queryset.filter(performance_year=int(value)) if value and value.isdigit() else queryset


class AssignedReviewerFilter(admin.SimpleListFilter):
    title = "assigned reviewer"
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("me", "Assigned to me"), ("none", "Unassigned"), ("any", "Assigned to anyone")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_reviewer=request.user)
        if value == "none":
            return queryset.filter(assigned_reviewer__isnull=True)
        if value == "any":
            return queryset.filter(assigned_reviewer__isnull=False)
        return queryset


FINDINGS_CHUNK = 500


def _ids_by_findings(queryset: QuerySet[Application], *, with_findings: bool) -> list[int]:
    ids: list[int] = []
    rows = list(queryset.order_by("pk"))
    for start in range(0, len(rows), FINDINGS_CHUNK):
        chunk = rows[start : start + FINDINGS_CHUNK]
        for pk, found in prechecks.findings_for(chunk).items():
            if bool(found) == with_findings:
                ids.append(pk)
    return ids


class FindingsFilter(admin.SimpleListFilter):
    """Clean (no pre-check findings) or has findings. Findings are computed, not stored (they change as the
    data does), so this filter computes them for the filtered rows in bulk."""

    title = "pre-check findings"
    parameter_name = "findings"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("clean", "Clean (no findings)"), ("has", "Has findings")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Application]) -> QuerySet[Application]:
        value = self.value()
        if value not in ("clean", "has"):
            return queryset
        return queryset.filter(pk__in=_ids_by_findings(queryset, with_findings=value == "has"))
