"""The access-control policy table (issue 10, point 2; ADR 0086): for every URL pattern of the project, what
each role gets.

Outcomes:
- ``ok``: the page or action is served (2xx or 3xx other than to sign-in; a refused form with its errors;
  a 405 where the view takes other methods is not used: POST-only views are POSTed);
- ``not_found``: 404, for objects the role may not see (issue 4: never disclose that they exist);
- ``sign_in``: redirected to sign in (or the JSON 401 of ADR 0024);
- ``forbidden``: 403, only in the CMS admin, where Django's model permissions answer for staff.

A set means any of those outcomes is right (the allauth sign-in stages answer a visitor either way).
Admin URLs are generated from ``ADMIN_MODELS`` (what the CMS Reviewer and CMS Administrator may do on each
registered model) and ``ADMIN_CUSTOM``; a model or admin URL missing there fails the matrix like any other.
"""

from __future__ import annotations

ROLES = (
    "anonymous",
    "clinician_a",
    "clinician_b",
    "practice_staff",
    "security_official",
    "intermediary_granted",
    "intermediary_ungranted",
    "additional_access",
    "reviewer",
    "administrator",
)
SIGNED_IN = ROLES[1:]
PARTICIPANT_ROLES = ROLES[1:8]


def _all(outcome, anonymous="sign_in", **overrides):
    table = dict.fromkeys(SIGNED_IN, outcome)
    table["anonymous"] = anonymous
    table.update(overrides)
    return table


def _only(allowed: set[str], denied="not_found"):
    """Objects: the roles in ``allowed`` are served, every other signed-in role gets ``denied``."""
    return {role: ("ok" if role in allowed else denied) for role in SIGNED_IN} | {"anonymous": "sign_in"}


EITHER = frozenset({"ok", "sign_in"})
PUBLIC = _all("ok", anonymous="ok")

# The application under test: clinician A's individual application (NPI 1234567893, TIN 123450093) with the
# additional-access user's email in its Additional Access list (seed 003_452340df50752410.txt, Step 7).
# Who may see it (applications.selectors.visible_applications; issue 5 point 1): the clinician (NPI link),
# the practice's users (any practice role for the TIN it is filed under), an intermediary granted that TIN,
# and the additional-access email. Not another clinician, an intermediary without a grant, nor CMS staff
# outside the admin (reviewers review in the admin, ADR 0060).
APPLICATION_VIEWERS = {
    "clinician_a",
    "practice_staff",
    "security_official",
    "intermediary_granted",
    "additional_access",
}
APPLICATION_ACTORS = APPLICATION_VIEWERS - {"additional_access"}  # additional access is read-only

# The access request under test: the ungranted intermediary asks for TIN 123450093. The requester and the
# practice's Security Official (who decides) see it; a Staff User of the practice does not manage access.
# CMS administrators see every request too (accounts.authorization.can_view_access_request: they manage
# access), but deciding stays with whoever manages the target.
ACCESS_REQUEST_VIEWERS = {"intermediary_ungranted", "security_official", "administrator"}

PORTAL: dict[str, dict[str, object]] = {
    # Public pages (issue 4; ADR 0024).
    "home": PUBLIC,
    "help": PUBLIC,
    "healthz": PUBLIC,
    # Signed-in pages that show only the user's own things.
    "accounts:profile": _all("ok"),
    "accounts:access_request_choose": _all("ok"),
    "accounts:access_request_create": _all("ok"),
    "accounts:access_request_list": _all("ok"),
    "accounts:session_keepalive": _all("ok"),
    "participation_status": _all("ok"),
    "eligibility_npi_api": _all("ok"),  # like CMS's public Eligibility API: any signed-in user
    # A TIN's participation: only users who may act for the TIN (404 for the rest, no disclosure).
    "eligibility_tin_api": _only({"practice_staff", "security_official", "intermediary_granted"}),
    "applications:dashboard": _all("ok"),
    "applications:new": _all("ok"),
    "scoring:weights_calculator": _all("ok"),
    "scoring:preview_api": _all("ok"),
    # The application's own pages.
    "applications:detail": _only(APPLICATION_VIEWERS),
    "applications:export_pdf": _only(APPLICATION_VIEWERS),
    # Steps and autosave: viewers who may not edit are sent to the detail page (302) or told so (400 JSON).
    "applications:step": _only(APPLICATION_VIEWERS),
    "applications:autosave": _only(APPLICATION_VIEWERS),
    "applications:withdraw": _only(APPLICATION_ACTORS),
    # Access management.
    "accounts:access_request_detail": _only(ACCESS_REQUEST_VIEWERS),
    "accounts:access_request_approve": _only({"security_official"}),
    "accounts:access_request_deny": _only({"security_official"}),
    # The granted intermediary's grant: its holder may give it up, the practice's Security Official and a
    # CMS administrator may remove it (accounts.authorization.can_revoke_grant).
    "accounts:grant_revoke": _only({"intermediary_granted", "security_official", "administrator"}),
    "accounts:practice_access": _only({"security_official"}),
    # allauth: sign-in, sign-up and password reset work for visitors; a signed-in user is sent on.
    "account_login": PUBLIC,
    "account_signup": PUBLIC,
    "account_logout": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,  # a bad key shows "invalid link"
    "account_reset_password_from_key_done": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_inactive": PUBLIC,
    # Sign-in stages answer only inside a sign-in: anyone else is sent to sign in or on.
    "account_confirm_login_code": _all(EITHER, anonymous=EITHER),
    "mfa_authenticate": _all(EITHER, anonymous=EITHER),
    "mfa_reauthenticate": _all("ok"),
    # Account security pages of the signed-in user.
    "account_reauthenticate": _all("ok"),
    # Reauthentication by an emailed code (allauth 65.22; both views are login_required). Every role under
    # test has a verified email, so the request step serves its form; the confirm step, outside a code
    # reauthentication that was started, sends the user back to the request step (302, not to sign-in).
    "account_request_reauthentication_code": _all("ok"),
    "account_confirm_reauthentication_code": _all("ok"),
    "account_email": _all("ok"),
    "account_change_password": _all("ok"),
    "account_set_password": _all("ok"),
    "mfa_index": _all("ok"),
    "mfa_activate_totp": _all("ok"),
    # A user's own authenticators: 404 when there is none to manage (only the staff under test have TOTP;
    # nobody has generated recovery codes).
    "mfa_deactivate_totp": _only({"reviewer", "administrator"}),
    "mfa_view_recovery_codes": _all("not_found"),
    "mfa_generate_recovery_codes": _all("ok"),
    "mfa_download_recovery_codes": _all("not_found"),
}

# --- CMS admin ---------------------------------------------------------------------------------------------
# Everyone but CMS staff is sent to sign in by the admin (admin_view), even when signed in as a participant.
ADMIN_DENIED_TO_PARTICIPANTS = dict.fromkeys(("anonymous", *PARTICIPANT_ROLES), "sign_in")

VIEW = frozenset({"changelist", "change", "history"})
ALL = VIEW | {"add", "delete"}
NONE: frozenset[str] = frozenset()

# Every model's bare object URL (``admin/<app>/<model>/<id>/``) only redirects staff to its change page,
# which is checked on its own: "ok" for both staff roles.
# model label → (what the CMS Reviewer may open, what the CMS Administrator may open). ADR 0023 and
# accounts.services.ensure_role_groups: reviewers look at (never change) applications, eligibility and
# scoring data; administrators manage access, reference data and sign-in records. Decisions and
# notifications are records: nobody adds or deletes them. The administrator under test is a superuser.
ADMIN_MODELS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "auth.group": (NONE, ALL),
    "account.emailaddress": (NONE, ALL),
    "mfa.authenticator": (NONE, ALL),
    "axes.accessattempt": (NONE, ALL - {"add"}),
    "axes.accesslog": (NONE, ALL - {"add"}),
    "axes.accessfailurelog": (NONE, ALL - {"add"}),
    "accounts.user": (NONE, ALL),
    # Grants and requests are created only through the access-request flow or the services (ADR 0022).
    "accounts.accessrequest": (NONE, ALL - {"add"}),
    "accounts.npilink": (NONE, ALL - {"add"}),
    "accounts.practiceaccess": (NONE, ALL - {"add"}),
    "accounts.intermediarygrant": (NONE, ALL - {"add"}),
    "accounts.statementoftruthacceptance": (NONE, VIEW),
    "eligibility.clinician": (VIEW, ALL),
    "eligibility.practice": (VIEW, ALL),
    "eligibility.individualscenario": (VIEW, ALL),
    "eligibility.groupscenario": (VIEW, ALL),
    "eligibility.virtualgroup": (VIEW, ALL),
    "eligibility.apmentity": (VIEW, ALL),
    "eligibility.subgroup": (VIEW, ALL),
    "applications.applicationwindow": (VIEW, ALL),
    "applications.application": (VIEW, VIEW),
    "applications.applicationdecision": (VIEW, VIEW),
    "applications.notification": (VIEW, VIEW),
    "scoring.datasubmission": (VIEW, ALL),
    "scoring.costattribution": (VIEW, ALL),
    "scoring.participantreweighting": (VIEW, VIEW),
}

STAFF_OK = {**ADMIN_DENIED_TO_PARTICIPANTS, "reviewer": "ok", "administrator": "ok"}
ADMIN_CUSTOM: dict[str, dict[str, object]] = {
    "admin:index": STAFF_OK,
    # secure_admin_login: a visitor is sent to the allauth sign-in; a signed-in participant is refused.
    "admin:login": {
        **dict.fromkeys(PARTICIPANT_ROLES, "forbidden"),
        "anonymous": "sign_in",
        "reviewer": "ok",
        "administrator": "ok",
    },
    "admin:logout": PUBLIC,
    "admin:jsi18n": STAFF_OK,
    # "View on site": no model of the admin has a public page, so staff get 404.
    "admin:view_on_site": {
        **dict.fromkeys(("anonymous", *PARTICIPANT_ROLES), EITHER),
        "reviewer": "not_found",
        "administrator": "not_found",
    },
    "admin:password_change": STAFF_OK,
    "admin:password_change_done": STAFF_OK,
    "admin:autocomplete": {
        **ADMIN_DENIED_TO_PARTICIPANTS,
        "reviewer": "forbidden",
        "administrator": "forbidden",
    },
    "admin:app_list": STAFF_OK,  # per-app index; an app the user may not see answers 404
    "admin:catch_all": {
        **ADMIN_DENIED_TO_PARTICIPANTS,
        "reviewer": "not_found",
        "administrator": "not_found",
    },
    "admin:auth_user_password_change": {
        **ADMIN_DENIED_TO_PARTICIPANTS,
        "reviewer": "forbidden",
        "administrator": "ok",
    },
    # CMS review (issue 7): the queue's CSV export, decisions, assignment and corrections.
    "admin:applications_application_export": STAFF_OK,
    "admin:applications_application_decide": STAFF_OK,
    "admin:applications_application_assign": STAFF_OK,
    # Corrections need applications.correct_application as well (ADR 0060): CMS administrators, not reviewers.
    "admin:applications_application_correct": {**STAFF_OK, "reviewer": "forbidden"},
    "admin:applications_application_simple_history": STAFF_OK,
}
