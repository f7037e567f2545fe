"""PDF export (issue 5 point 7): tagged PDF with the reference, answers, attestation, status and timeline."""

import shutil
import subprocess

import pytest

from applications import pdf, policy, services
from tests.factories import (
    ApplicationWindowFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    draft_application,
    et,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]


def _run(tool: str, content: bytes, tmp_path) -> str:
    path = tmp_path / "application.pdf"
    path.write_bytes(content)
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def submitted():
    ApplicationWindowFactory(performance_year=2026, opens_at=et(2026, 5, 11), closes_at=et(2026, 12, 31, 20))
    user, _, _ = clinician_with_access()
    application = complete_individual_pi_draft(user=user)
    services.application_save_step(
        application=application, actor=user, changes={"event_description": "Fiber cut <b>for months</b>."}
    )
    return services.application_submit(
        application=application, actor=user, certified=True, now=et(2026, 11, 23, 12)
    )


def test_pdf_text_contains_reference_attestation_status_and_timeline(submitted, tmp_path):
    text = _words(_run("pdftotext", pdf.render_application_pdf(submitted), tmp_path))
    assert submitted.reference in text
    assert _words(policy.PI_REASON_ATTESTATIONS["insufficient_internet_connectivity"]) in text
    assert "Submitted - Pending Approval" in text
    assert "Draft created" in text
    assert "Mary Thompson (TIN: ****0093)" in text or "(TIN: ****0093)" in text
    assert "123450093" not in text
    assert "Fiber cut <b>for months</b>." in text
    assert "Generated" in text and " ET" in text
    assert _words(policy.GENERAL_NOTICE)[:80] in text
    assert "By submitting this Promoting Interoperability Hardship Exception Application" in text


def test_pdf_is_tagged(submitted, tmp_path):
    info = _run("pdfinfo", pdf.render_application_pdf(submitted), tmp_path)
    assert "Tagged:          yes" in info
    assert f"Title:           {submitted.reference}" in info


def test_pdf_embeds_bundled_fonts(submitted, tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts not installed")
    fonts = _run("pdffonts", pdf.render_application_pdf(submitted), tmp_path)
    assert "Source-Sans-Pro-Web" in fonts


def test_pdf_of_a_draft_shows_current_attestation(tmp_path):
    ApplicationWindowFactory(performance_year=2026)
    user, _, _ = clinician_with_access()
    draft = draft_application(user=user, exception_type="euc")
    text = _words(_run("pdftotext", pdf.render_application_pdf(draft), tmp_path))
    assert draft.reference in text
    assert "Draft in Progress" in text
    assert _words(policy.EUC_ATTESTATION) in text
