"""Admin for the notifications outbox (issue 6): read-only rows, filters, and a Resend action for failed or
skipped emails. Imported at the end of applications/admin.py.

Nothing here edits a row: the status changes only through applications.notifications (Resend calls
``notification_resend``, which queues delivery on commit).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from accounts.authorization import is_cms_administrator

from . import notifications
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event",
        "recipient",
        "application_reference",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "event", "created_at")
    search_fields = ("recipient", "application__reference", "event_key")
    date_hierarchy = "created_at"
    list_select_related = ("application",)
    ordering = ("-created_at", "-id")
    actions = ["resend_selected"]
    fields = (
        "event",
        "event_key",
        "recipient",
        "application",
        "access_request",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "subject",
        "body_text",
        "html_preview",
    )
    readonly_fields = fields

    @admin.display(description="Application", ordering="application__reference")
    def application_reference(self, obj: Notification) -> str:
        return obj.application.reference if obj.application_id else "—"

    @admin.display(description="Last error")
    def short_error(self, obj: Notification) -> str:
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description="HTML version")
    def html_preview(self, obj: Notification) -> str:
        # Shown as source inside a sandboxed frame: the email's HTML never runs in the admin's origin.
        return format_html(
            '<iframe title="HTML version of the email" sandbox srcdoc="{}" '
            'style="width:100%;min-height:420px;border:1px solid #dfe1e2"></iframe>',
            obj.body_html,
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff) and (
            is_cms_administrator(request.user) or request.user.has_perm("applications.view_notification")
        )

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not is_cms_administrator(request.user):
            actions.pop("resend_selected", None)
        return actions

    @admin.action(description="Resend selected failed or skipped emails")
    def resend_selected(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        if not is_cms_administrator(request.user):
            self.message_user(request, "Only CMS administrators can resend emails.", messages.ERROR)
            return
        resent = skipped = 0
        for notification in queryset.order_by("pk"):
            if notifications.notification_resend(notification=notification, actor=request.user):
                resent += 1
            else:
                skipped += 1
        if resent:
            self.message_user(request, f"{resent} email(s) queued to send again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} email(s) were not failed or skipped, so they were left as they are.",
                messages.WARNING,
            )
