"""Rendering an email from its templates (``templates/emails/<event>…``) and the context an application
offers them: only what every recipient may already see on the application page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Application, ExceptionType
from .environment import subject_prefix

SERVICE_CENTER = (
    "Quality Payment Program Service Center: QPP@cms.hhs.gov or 1-866-288-8292 "
    "(Monday through Friday, 8 a.m. - 8 p.m. ET)"
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(event: str, context: dict[str, Any]) -> RenderedEmail:
    """templates/emails/<event>_subject.txt, <event>.txt and <event>.html."""
    context = {"service_center": SERVICE_CENTER, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{event}_subject.txt", context)
    subject = " ".join(subject.split())  # one line: a newline in a subject is a header injection
    text = render_to_string(f"emails/{event}.txt", context).strip() + "\n"
    html = render_to_string(f"emails/{event}.html", context)
    return RenderedEmail(subject=f"{subject_prefix()}{subject}"[:255], text=text, html=html)


def _application_context(application: Application) -> dict[str, Any]:
    # Only what every recipient may already see on the application page (issue 6 point 2): no NPI, no
    # contact details, no event description; the TIN masked.
    return {
        "reference": application.reference,
        "exception_type": application.get_exception_type_display(),
        "exception_short": "Promoting Interoperability Hardship Exception"
        if application.exception_type == ExceptionType.PI_HARDSHIP
        else "Extreme and Uncontrollable Circumstances Exception",
        "performance_year": application.performance_year,
        "participant": application.participant_label,
        "participation_level": application.get_participation_level_display(),
        "status": application.get_status_display(),
        # EUC: the categories asked about (seed 002_…: any of the four); empty for the PI hardship exception.
        "categories": ", ".join(
            str(Application._meta.get_field(name).verbose_name)
            for name in (
                "requests_quality",
                "requests_cost",
                "requests_improvement_activities",
                "requests_promoting_interoperability",
            )
            if application.exception_type == ExceptionType.EUC and getattr(application, name)
        ),
        "denial_reason": application.denial_reason,
        "denial_explanation": application.denial_explanation,
        "link": f"{settings.SITE_URL}{reverse('applications:detail', args=[application.reference])}",
        "dashboard_link": f"{settings.SITE_URL}{reverse('applications:dashboard')}",
    }
