"""Reads of exception applications. Views, forms and other apps call these; they never write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts import authorization
from eligibility import selectors as eligibility_selectors

from . import policy
from .models import (
    OPEN_STATUSES,
    Application,
    ApplicationWindow,
    ExceptionType,
    ParticipationLevel,
    Status,
)
from .services import actor_may_edit, actor_may_withdraw, answers_of, window_spec
from .services.access import _actor_may_act_for


def visible_applications(user: Any) -> QuerySet[Application]:
    """Applications the user may see: as submitter, through direct access to the NPI, practice or
    intermediary access to the TIN (or a member/participant TIN of the virtual group or APM Entity), or
    additional access by a verified email (issue 5 point 1)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Application.objects.none()
    # An individual application is the TIN/NPI pair: direct access to the NPI shows all of the clinician's
    # applications; practice access shows only those filed under that practice (accounts.authorization.
    # can_act_for_individual), never what the clinician files under another practice.
    npis = authorization.directly_accessible_npis(user)
    tins = authorization.accessible_tins(user)
    emails = authorization.additional_access_emails_verified(user)
    condition = Q(submitter=user)
    if npis:
        condition |= Q(participation_level=ParticipationLevel.INDIVIDUAL, npi__in=npis)
    if tins:
        condition |= Q(participation_level=ParticipationLevel.INDIVIDUAL, tin__in=tins)
        condition |= Q(participation_level=ParticipationLevel.GROUP, tin__in=tins)
        vg_pairs = _virtual_group_pairs(tins)
        for year, identifiers in vg_pairs.items():
            condition |= Q(
                participation_level=ParticipationLevel.VIRTUAL_GROUP,
                performance_year=year,
                virtual_group_identifier__in=identifiers,
            )
        for year, identifiers in _apm_entity_pairs(tins).items():
            condition |= Q(
                participation_level=ParticipationLevel.APM_ENTITY,
                performance_year=year,
                apm_entity_identifier__in=identifiers,
            )
    if emails:
        condition |= Q(additional_access__email__in=emails)
    ids = Application.objects.filter(condition).values("pk")
    return Application.objects.filter(pk__in=ids).select_related("submitter")


def _virtual_group_pairs(tins: set[str]) -> dict[int, set[str]]:
    from eligibility.models import VirtualGroup

    pairs: dict[int, set[str]] = {}
    for year, identifier in VirtualGroup.objects.filter(practices__tin__in=tins).values_list(
        "performance_year", "identifier"
    ):
        pairs.setdefault(year, set()).add(identifier)
    return pairs


def _apm_entity_pairs(tins: set[str]) -> dict[int, set[str]]:
    from eligibility.models import APMEntity

    pairs: dict[int, set[str]] = {}
    for year, entity_id in APMEntity.objects.filter(participants__practice__tin__in=tins).values_list(
        "performance_year", "entity_id"
    ):
        pairs.setdefault(year, set()).add(entity_id)
    return pairs


def _acts_for_participant(user: Any, application: Application) -> bool:
    """The participant part of ``visible_applications``' condition, for one row. Seeing an individual's
    application needs direct access to the NPI or access to the TIN it names (the visible set's rule);
    every other level is what acting for the participant needs."""
    if application.participation_level == ParticipationLevel.INDIVIDUAL:
        return bool(
            (application.npi and application.npi in authorization.directly_accessible_npis(user))
            or (application.tin and authorization.can_act_for_tin(user, application.tin))
        )
    return _actor_may_act_for(user, application)


def can_view_application(user: Any, application: Application) -> bool:
    """Whether ``application`` is one of ``visible_applications(user)``, asked of the one row: the submitter
    needs no query, anyone else the checks for this participant only (issue 9: the application page and
    every wizard step ask this; building the user's whole visible set cost five queries each time).
    ``tests/applications/test_visibility_equivalence.py`` holds the two to the same answers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if application.submitter_id == user.pk:
        return True
    if _acts_for_participant(user, application):
        return True
    emails = authorization.additional_access_emails_verified(user)
    return bool(emails) and application.additional_access.filter(email__in=emails).exists()


def application_for_user(user: Any, reference: str) -> Application:
    """The application with this reference if the user may see it; Http404 otherwise (never a 403, so an
    application's existence is not disclosed)."""
    application = Application.objects.select_related("submitter").filter(reference=reference).first()
    if application is None or not can_view_application(user, application):
        raise Http404("No application found.")
    return application


def can_edit_application(user: Any, application: Application) -> bool:
    """Drafts only: the submitter or anyone who may act for the participant; additional access is
    read-only."""
    return actor_may_edit(user, application)


def can_withdraw_application(user: Any, application: Application) -> bool:
    return application.status in OPEN_STATUSES and actor_may_withdraw(user, application)


def dashboard_applications(
    user: Any, *, performance_year: int, status: str = "", exception_type: str = ""
) -> QuerySet[Application]:
    qs = visible_applications(user).filter(performance_year=performance_year)
    if status in Status.values:
        qs = qs.filter(status=status)
    if exception_type in ExceptionType.values:
        qs = qs.filter(exception_type=exception_type)
    return qs.order_by("-updated_at", "-id")


def performance_years() -> list[int]:
    """Years with an application window, newest first (the dashboard's performance-year selector)."""
    return list(
        ApplicationWindow.objects.order_by("-performance_year").values_list("performance_year", flat=True)
    )


def default_performance_year(now: dt.datetime | None = None) -> int:
    """The newest year whose window is open now, else the newest year with a window, else this year."""
    moment = now or timezone.now()
    years = performance_years()
    for year in years:
        spec = window_spec(year)
        if spec and (spec.opens_at <= moment < spec.closes_at):
            return year
    if years:
        return years[0]
    return moment.astimezone(policy.EASTERN).year


def current_window(performance_year: int) -> policy.WindowSpec | None:
    return window_spec(performance_year)


def window_banner(performance_year: int, now: dt.datetime | None = None) -> policy.WindowBanner:
    return policy.window_banner(window_spec(performance_year), now or timezone.now(), performance_year)


def submission_decision(application: Application, now: dt.datetime | None = None) -> policy.WindowDecision:
    """May this draft be submitted now (window check only)? The wizard shows the message on the review
    step."""
    return policy.window_allows_submission(
        window_spec(application.performance_year),
        now or timezone.now(),
        application.event_type,
        change_healthcare_cyberattack=application.change_healthcare_cyberattack,
        performance_year=application.performance_year,
    )


def first_incomplete_step(application: Application) -> str:
    return policy.first_incomplete_step(answers_of(application))


def missing_answers(application: Application) -> list[str]:
    return policy.missing_answers(answers_of(application))


@dataclass(frozen=True)
class TimelineEntry:
    timestamp: dt.datetime
    from_status: str
    to_status: str
    to_status_label: str
    actor_name: str
    transition: str


def _actor_name(user: Any) -> str:
    if user is None:
        return "System"
    if authorization.is_cms_reviewer(user) or authorization.is_cms_administrator(user):
        # Reviewers are shown by role, not by name or email (the applicant sees CMS's decision).
        return "CMS"
    return user.get_full_name() or user.email


def timeline(application: Application) -> list[TimelineEntry]:
    """Every status change, oldest first: who and when (never the reviewer's internal notes)."""
    entries = [
        TimelineEntry(
            timestamp=application.created_at,
            from_status="",
            to_status=Status.DRAFT,
            to_status_label="Draft created",
            actor_name=_actor_name(application.submitter),
            transition="create",
        )
    ]
    labels = dict(Status.choices)
    # One name per person, not one role lookup (two queries) per status change (issue 9).
    names: dict[int | None, str] = {application.submitter_id: entries[0].actor_name}
    for log in StateLog.objects.for_(application).select_related("by").order_by("timestamp", "pk"):
        if log.by_id not in names:
            names[log.by_id] = _actor_name(log.by)
        entries.append(
            TimelineEntry(
                timestamp=log.timestamp,
                from_status=log.source_state or "",
                to_status=log.state,
                to_status_label=str(labels.get(log.state, log.state)),
                actor_name=names[log.by_id],
                transition=log.transition,
            )
        )
    return entries


def last_change(application: Application) -> dt.datetime:
    return application.updated_at


# ---------------------------------------------------------------------------------------------------------
# Before the user applies (issue 5 point 4)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    blocking: bool = False


def _submitted_categories(
    *, performance_year: int, level: str, npi: str, tin: str, vg: str, apm: str
) -> set[str]:
    from scoring.models import DataSubmission

    qs = DataSubmission.objects.filter(performance_year=performance_year)
    if level == ParticipationLevel.INDIVIDUAL:
        qs = qs.filter(submitter_type="individual", npi=npi, tin=tin)
    elif level == ParticipationLevel.GROUP:
        qs = qs.filter(submitter_type="group", tin=tin)
    elif level == ParticipationLevel.VIRTUAL_GROUP:
        qs = qs.filter(submitter_type="virtual_group", virtual_group_identifier__iexact=vg)
    elif level == ParticipationLevel.APM_ENTITY:
        qs = qs.filter(submitter_type="apm_entity", apm_entity_identifier__iexact=apm)
    else:
        return set()
    return set(qs.values_list("category", flat=True))


CATEGORY_LABELS = {
    "quality": "Quality",
    "cost": "Cost",
    "improvement_activities": "Improvement Activities",
    "promoting_interoperability": "Promoting Interoperability",
}


def pre_application_findings(
    *,
    exception_type: str,
    performance_year: int,
    participation_level: str,
    npi: str = "",
    tin: str = "",
    virtual_group_identifier: str = "",
    apm_entity_identifier: str = "",
    exclude_reference: str | None = None,
) -> list[Finding]:
    """What the rules already say before the user applies. Only a duplicate blocks; the rest are warnings."""
    findings: list[Finding] = []
    level = participation_level
    year = performance_year

    # Not MIPS eligible: no exception is needed (seed 004_…: the low-volume threshold).
    if level == ParticipationLevel.INDIVIDUAL and npi and tin:
        eligibility = eligibility_selectors.individual_mips_eligibility(npi, tin, year)
    elif level == ParticipationLevel.GROUP and tin:
        eligibility = eligibility_selectors.group_mips_eligibility(tin, year)
    else:
        eligibility = None
    if eligibility is not None and not eligibility.eligible and not eligibility.opted_in:
        who = "clinician" if level == ParticipationLevel.INDIVIDUAL else "group"
        findings.append(
            Finding(
                "not_mips_eligible",
                f"Our records show this {who} isn't MIPS eligible for the {year} performance year, so you "
                "don't need an exception to avoid a payment adjustment. You can still apply.",
            )
        )

    # Already automatically reweighted for PI (seed 003_…, Appendix A: "None – You're automatically
    # excepted").
    if exception_type == ExceptionType.PI_HARDSHIP:
        reweighting = None
        if level == ParticipationLevel.INDIVIDUAL and npi and tin:
            reweighting = eligibility_selectors.individual_pi_reweighting(npi, tin, year)
        elif level == ParticipationLevel.GROUP and tin:
            reweighting = eligibility_selectors.group_pi_reweighting(tin, year)
        elif level == ParticipationLevel.VIRTUAL_GROUP and virtual_group_identifier:
            reweighting = eligibility_selectors.virtual_group_pi_reweighting(virtual_group_identifier, year)
        if reweighting is not None and reweighting.reweighted:
            why = f" ({'; '.join(reweighting.reasons)})" if reweighting.reasons else ""
            findings.append(
                Finding(
                    "automatically_reweighted",
                    "This participant already qualifies for automatic reweighting of the Promoting "
                    f"Interoperability performance category{why}, so you don't need to "
                    "apply for a MIPS Promoting Interoperability Hardship Exception (Appendix A of the 2024 "
                    "application guide). You can still apply.",
                )
            )

    # Data already submitted overrides the exception for that category (seed 002_…; seed 001_…).
    categories = _submitted_categories(
        performance_year=year,
        level=level,
        npi=npi,
        tin=tin,
        vg=virtual_group_identifier,
        apm=apm_entity_identifier,
    )
    relevant = (
        {"promoting_interoperability"} & categories
        if exception_type == ExceptionType.PI_HARDSHIP
        else categories
    )
    # Field notes: data an APM Entity submits does not override its EUC approval.
    if relevant and level != ParticipationLevel.APM_ENTITY:
        names = ", ".join(CATEGORY_LABELS.get(c, c) for c in sorted(relevant))
        findings.append(
            Finding(
                "data_already_submitted",
                f"Data has already been submitted for {names} for {year}. Data submission overrides approved "
                "reweighting on a category-by-category basis, so an approved exception wouldn't apply to "
                f"{'that category' if len(relevant) == 1 else 'those categories'}.",
            )
        )

    key = policy.participant_key(
        level,
        npi=npi,
        tin=tin,
        virtual_group_identifier=virtual_group_identifier,
        apm_entity_identifier=apm_entity_identifier,
    )
    if key:
        existing = Application.objects.filter(
            participant_key=key,
            exception_type=exception_type,
            performance_year=year,
            status__in=OPEN_STATUSES,
        )
        if exclude_reference:
            existing = existing.exclude(reference=exclude_reference)
        other = existing.first()
        if other is not None:
            state = {
                Status.DRAFT: "a draft",
                Status.SUBMITTED: "a pending",
                Status.APPROVED: "an approved",
            }[other.status]
            findings.append(
                Finding(
                    "duplicate_application",
                    f"There is already {state} {other.get_exception_type_display()} application for this "
                    f"participant for {year} ({other.reference}). Only one application of each type per "
                    "participant and year can be open.",
                    blocking=True,
                )
            )
    return findings


# ---------------------------------------------------------------------------------------------------------
# The submission summary (application page, PDF; seed 003_…, Step 10 "Submission Summary")
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str
    multiline: bool = False


@dataclass(frozen=True)
class SummarySection:
    title: str
    rows: tuple[SummaryRow, ...]
    step: str = ""  # the wizard step that asks these questions (for "Change" links on drafts)


def format_phone(digits: str, extension: str = "") -> str:
    if len(digits) != 10:
        return digits
    text = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return f"{text} ext. {extension}" if extension else text


def _date(value: dt.date | None) -> str:
    return f"{value:%B} {value.day}, {value.year}" if value else ""


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No"}.get(value, "Not answered")


def application_summary(application: Application) -> list[SummarySection]:
    """Every answer, in wizard order, with CMS's labels; TINs masked."""
    a = application
    not_answered = "Not answered"
    sections: list[SummarySection] = [
        SummarySection(
            "Application",
            (
                SummaryRow("Reference number", a.reference),
                SummaryRow("Exception type", a.get_exception_type_display()),
                SummaryRow("Performance year", str(a.performance_year)),
                SummaryRow("Status", a.get_status_display()),
            ),
        )
    ]
    rows: list[SummaryRow] = [
        SummaryRow("Application type", a.get_participation_level_display() or not_answered)
    ]
    level = a.participation_level
    if level == ParticipationLevel.INDIVIDUAL:
        clinician = eligibility_selectors.clinician_for_npi(a.npi) if a.npi else None
        rows.append(SummaryRow("Clinician NPI", a.npi or not_answered))
        rows.append(SummaryRow("Clinician's name", a.participant_name or not_answered))
        if clinician is not None:
            rows.append(SummaryRow("Clinician type", clinician.get_clinician_type_display()))
        if a.tin:
            practice = eligibility_selectors.practice_for_tin(a.tin)
            name = "Not listed" if a.practice_not_listed or practice is None else practice.legal_name
            rows.append(SummaryRow("Practice affiliation", f"{name} (TIN: {a.masked_tin})"))
        else:
            rows.append(SummaryRow("Practice affiliation", not_answered))
    elif level == ParticipationLevel.GROUP:
        rows.append(
            SummaryRow("Group", f"{a.participant_name} (TIN: {a.masked_tin})" if a.tin else not_answered)
        )
    elif level == ParticipationLevel.VIRTUAL_GROUP:
        rows.append(SummaryRow("Virtual group identifier", a.virtual_group_identifier or not_answered))
        if a.participant_name:
            rows.append(SummaryRow("Virtual group name", a.participant_name))
    elif level == ParticipationLevel.APM_ENTITY:
        rows.append(SummaryRow("APM Entity identifier", a.apm_entity_identifier or not_answered))
        if a.participant_name:
            rows.append(SummaryRow("APM Entity name", a.participant_name))
    sections.append(SummarySection("Submission information", tuple(rows), "application-type"))

    relationship = a.get_submitter_relationship_display() or not_answered
    if a.submitter_relationship == "other" and a.submitter_relationship_other:
        relationship = f"Other: {a.submitter_relationship_other}"
    sections.append(
        SummarySection(
            "Submitter details",
            (
                SummaryRow(
                    "Contact phone number",
                    format_phone(a.contact_phone, a.contact_phone_extension) or not_answered,
                ),
                SummaryRow("Contact email address", a.contact_email or not_answered),
                SummaryRow("Submitter/Third Party Intermediary relationship", relationship),
            ),
            "submitter-details",
        )
    )
    emails = [e.email for e in a.additional_access.all()]
    sections.append(
        SummarySection(
            "Additional access",
            (SummaryRow("Additional staff access email(s)", "\n".join(emails) or "None", multiline=True),),
            "additional-access",
        )
    )

    rows = []
    if a.exception_type == ExceptionType.PI_HARDSHIP:
        rows.append(
            SummaryRow(
                "Reason for Promoting Interoperability hardship", a.get_pi_reason_display() or not_answered
            )
        )
    else:
        categories = [label for name, label in policy.EUC_CATEGORY_FIELDS.items() if getattr(a, name)]
        rows.append(SummaryRow("Performance categories requested", ", ".join(categories) or not_answered))
    shows_event = (
        a.exception_type == ExceptionType.EUC
        or a.pi_reason == policy.EXTREME_AND_UNCONTROLLABLE_CIRCUMSTANCES
    )
    if shows_event:
        rows.append(SummaryRow("Event type", a.get_event_type_display() or not_answered))
        if policy.asks_change_healthcare(a.exception_type, a.performance_year, a.event_type):
            rows.append(
                SummaryRow(policy.CHANGE_HEALTHCARE_QUESTION, _yes_no(a.change_healthcare_cyberattack))
            )
        rows.append(SummaryRow("Event start date", _date(a.event_start_date) or not_answered))
        end = "Still persists" if a.event_still_persists else (_date(a.event_end_date) or not_answered)
        rows.append(SummaryRow("Event end date", end))
    if a.pi_reason == policy.EHR_DECERTIFICATION:
        rows.append(SummaryRow("Event start date", _date(a.event_start_date) or not_answered))
        rows.append(SummaryRow("ONC-ACB certification ID", a.onc_acb_certification_id or not_answered))
    sections.append(SummarySection("Reason", tuple(rows), "reason"))

    statement = a.attestation_text or policy.full_attestation_text(
        a.exception_type, a.pi_reason, a.event_type, a.participation_level
    )
    rows = [
        SummaryRow("I attest that", statement or not_answered, multiline=True),
        SummaryRow(
            "Attested",
            _yes_no(a.attested and (a.all_locations_attested or level not in ("group", "virtual_group"))),
        ),
        SummaryRow("Event description", a.event_description or "None provided", multiline=True),
    ]
    sections.append(SummarySection("Attestation and description", tuple(rows), "attestation"))
    return sections
