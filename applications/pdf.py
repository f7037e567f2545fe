"""PDF export of an application (issue 5 point 7), rendered with WeasyPrint.

`pdf_variant="pdf/ua-1"` makes a tagged, accessible PDF (field notes: `pdfinfo` then says "Tagged: yes").
Fonts are the USWDS ones shipped in static/vendor/uswds/fonts, loaded through file URLs relative to
`base_url`: nothing is fetched from the network (the URL fetcher allows only file URLs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from . import policy, selectors
from .models import Application

STATIC_DIR = Path(settings.BASE_DIR) / "static"


def application_pdf_context(application: Application) -> dict[str, Any]:
    generated_at = timezone.now()
    return {
        "application": application,
        "summary": selectors.application_summary(application),
        "status_description": policy.STATUS_DESCRIPTIONS.get(application.status, ()),
        "timeline": selectors.timeline(application),
        "general_notice": policy.general_notice(application.exception_type),
        "disclosures": policy.disclosures(application.exception_type),
        "notice": policy.NOTICE,
        "certification": application.certified_statement
        or policy.certification_statement(application.exception_type),
        "generated_at": generated_at,
        "generated_at_text": policy.format_et(generated_at),
        "generated_at_et": generated_at.astimezone(policy.EASTERN),
    }


def render_application_pdf(application: Application) -> bytes:
    """The application's PDF (submission summary, answers, attestation, status, timeline, reference,
    generation time in ET)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("applications/pdf.html", application_pdf_context(application))
    # Only local files (the bundled fonts): the PDF never makes a network request.
    fetcher = URLFetcher(allowed_protocols=("file",), fail_on_errors=True)
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")
