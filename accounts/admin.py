"""Admin: users, access requests and grants, statement-of-truth records.

The admin sign-in goes through allauth (``secure_admin_login``): staff get the statement of truth,
TOTP, allauth's rate limits and the axes lockout there (field notes; issue 4). Decisions and
revocations in the admin call the same services as the portal pages.
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_fsm import TransitionNotAllowed

from . import services
from .models import (
    AccessRequest,
    IntermediaryGrant,
    NPILink,
    PracticeAccess,
    StatementOfTruthAcceptance,
    User,
)

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "QPP Exception Applications — CMS review"
admin.site.site_title = "QPP Exception Applications review"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


def _run_each(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], action: Any, verb: str
) -> None:
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except (ValidationError, PermissionDenied) as exc:
            detail = " ".join(exc.messages) if isinstance(exc, ValidationError) else "not allowed"
            modeladmin.message_user(request, f"{obj}: {detail}", messages.ERROR)
        except TransitionNotAllowed:
            modeladmin.message_user(
                request, f"{obj}: cannot be {verb} in its current status.", messages.ERROR
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{done} {verb}.", messages.SUCCESS)


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ("requester", "kind", "target", "access", "status", "created_at", "decided_by")
    list_filter = ("status", "kind", "role", "relationship")
    search_fields = ("requester__email", "clinician__npi", "practice__tin", "practice__legal_name")
    list_select_related = ("requester", "clinician", "practice", "decided_by")
    date_hierarchy = "created_at"
    actions = ("approve_selected", "deny_selected")
    readonly_fields = (
        "requester", "kind", "clinician", "practice", "role", "relationship", "relationship_other",
        "justification", "status", "created_at", "decided_at", "decided_by", "decision_reason",
        "revoked_at", "revoked_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # requests come from the portal's request pages

    @admin.display(description="NPI / TIN")
    def target(self, obj: AccessRequest) -> str:
        return obj.target_label

    @admin.display(description="Access")
    def access(self, obj: AccessRequest) -> str:
        return obj.access_label

    @admin.action(description="Approve selected access requests", permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[AccessRequest]) -> None:
        _run_each(
            self, request, queryset,
            lambda obj: services.access_request_approve(access_request=obj, actor=request.user), "approved",
        )

    @admin.action(description="Deny selected access requests", permissions=["change"])
    def deny_selected(self, request: HttpRequest, queryset: QuerySet[AccessRequest]) -> None:
        _run_each(
            self, request, queryset,
            lambda obj: services.access_request_deny(access_request=obj, actor=request.user), "denied",
        )


class GrantAdmin(admin.ModelAdmin):
    list_filter = ("status",)
    actions = ("revoke_selected",)
    date_hierarchy = "granted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # grants come from approved requests

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    @admin.action(description="Revoke selected access", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        _run_each(
            self, request, queryset,
            lambda obj: services.access_grant_revoke(grant=obj, actor=request.user), "revoked",
        )


@admin.register(NPILink)
class NPILinkAdmin(GrantAdmin):
    list_display = ("user", "clinician", "status", "granted_at", "granted_by", "revoked_at")
    search_fields = ("user__email", "clinician__npi", "clinician__last_name")
    list_select_related = ("user", "clinician", "granted_by")


@admin.register(PracticeAccess)
class PracticeAccessAdmin(GrantAdmin):
    list_display = ("user", "practice", "role", "status", "granted_at", "granted_by", "revoked_at")
    list_filter = ("status", "role")
    search_fields = ("user__email", "practice__tin", "practice__legal_name")
    list_select_related = ("user", "practice", "granted_by")


@admin.register(IntermediaryGrant)
class IntermediaryGrantAdmin(GrantAdmin):
    list_display = ("user", "clinician", "practice", "relationship", "status", "granted_at", "revoked_at")
    list_filter = ("status", "relationship")
    search_fields = ("user__email", "clinician__npi", "practice__tin", "practice__legal_name")
    list_select_related = ("user", "clinician", "practice")


@admin.register(StatementOfTruthAcceptance)
class StatementOfTruthAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("user", "accepted_at", "ip_address")
    search_fields = ("user__email", "ip_address")
    date_hierarchy = "accepted_at"
    readonly_fields = ("user", "accepted_at", "ip_address")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The record of each attestation is evidence (seed 003_452340df50752410.txt, Step 1): nobody deletes
        # it from the admin, not even a superuser (found by the access matrix, issue 10).
        return False
