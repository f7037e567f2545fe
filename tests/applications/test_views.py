"""Dashboard, application page, withdraw confirmation and PDF export views."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, Status
from tests.factories import (
    ApplicationWindowFactory,
    UserFactory,
    clinician_with_access,
    complete_individual_pi_draft,
    draft_application,
    et,
    reviewer_user,
)

pytestmark = pytest.mark.django_db

IN_WINDOW = et(2026, 11, 23, 12)


@pytest.fixture(autouse=True)
def windows():
    ApplicationWindowFactory(performance_year=2024, opens_at=et(2024, 5, 13), closes_at=et(2024, 12, 31, 20))
    return ApplicationWindowFactory(
        performance_year=2026, opens_at=et(2026, 5, 11), closes_at=et(2026, 12, 31, 20)
    )


@pytest.fixture
def clinician():
    user, _, _ = clinician_with_access()
    return user


@pytest.fixture
def application(clinician):
    return complete_individual_pi_draft(user=clinician)


@pytest.fixture
def signed_in(client, clinician):
    client.force_login(clinician)
    return client


def _detail(application):
    return reverse("applications:detail", kwargs={"reference": application.reference})


def test_pages_require_sign_in(client, application):
    for url in (
        reverse("applications:dashboard"),
        _detail(application),
        reverse("applications:withdraw", kwargs={"reference": application.reference}),
        reverse("applications:export_pdf", kwargs={"reference": application.reference}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_no_npi_or_tin_in_urls(application):
    for name in ("applications:detail", "applications:withdraw", "applications:export_pdf"):
        url = reverse(name, kwargs={"reference": application.reference})
        assert "1234567893" not in url
        assert "123450093" not in url


def test_dashboard_lists_applications_with_banner(signed_in, application, monkeypatch):
    response = signed_in.get(reverse("applications:dashboard"), {"year": 2026})
    html = response.content.decode()
    assert response.status_code == 200
    assert application.reference in html
    assert "Mary Thompson (TIN: ****0093)" in html
    assert "123450093" not in html
    assert "Insufficient Internet Connectivity" in html
    assert "Draft in Progress" in html
    assert "+ Add New QPP Exception" in html
    assert reverse("applications:new") in html
    assert "Performance Year 2024" in html


def test_dashboard_banner_open_and_closed(signed_in):
    html = signed_in.get(reverse("applications:dashboard"), {"year": 2024}).content.decode()
    assert (
        "The 2024 QPP Exception Applications window opened May 13, 2024 and closed December 31, 2024" in html
    )


def test_dashboard_banner_open(signed_in, time_machine):
    time_machine.move_to(et(2024, 11, 23, 12), tick=False)
    html = signed_in.get(reverse("applications:dashboard"), {"year": 2024}).content.decode()
    assert "The 2024 QPP Exception Applications window will close December 31, 2024 at 8 p.m. ET" in html


def test_dashboard_filters_and_bad_parameters(signed_in, application, clinician):
    euc = draft_application(user=clinician, exception_type="euc")
    html = signed_in.get(reverse("applications:dashboard"), {"year": 2026, "type": "euc"}).content.decode()
    assert euc.reference in html and application.reference not in html
    html = signed_in.get(
        reverse("applications:dashboard"), {"year": 2026, "status": "approved"}
    ).content.decode()
    assert "No applications match these filters" in html
    # Hostile or unknown parameters are ignored, never a 500.
    response = signed_in.get(reverse("applications:dashboard"), {"year": "<script>", "status": "x' OR 1=1"})
    assert response.status_code == 200
    assert application.reference in response.content.decode()


def test_dashboard_hides_other_peoples_applications(client, application):
    client.force_login(UserFactory())
    html = client.get(reverse("applications:dashboard"), {"year": 2026}).content.decode()
    assert application.reference not in html


def test_detail_of_draft(signed_in, application):
    html = signed_in.get(_detail(application)).content.decode()
    assert "You&#x27;re currently working on your application" in html
    assert reverse("applications:step", kwargs={"reference": application.reference, "step": "review"}) in html
    assert "Continue application" in html
    assert "Export (PDF)" in html
    assert "Withdraw" in html
    assert "Draft created" in html


def test_detail_continue_link_points_to_first_incomplete_step(signed_in, clinician):
    draft = draft_application(user=clinician, participation_level="individual", npi="1234567893")
    html = signed_in.get(_detail(draft)).content.decode()
    assert (
        reverse("applications:step", kwargs={"reference": draft.reference, "step": "submission-information"})
        in html
    )


def test_detail_of_denied_application_shows_reason(signed_in, application, clinician):
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    services.application_deny(
        application=application,
        actor=reviewer_user(),
        reason="Data was submitted",
        explanation="PI data on file",
    )
    html = signed_in.get(_detail(application)).content.decode()
    assert "We completed our review of your application and denied your request." in html
    assert "Data was submitted" in html and "PI data on file" in html
    assert "Continue application" not in html
    assert reverse("applications:withdraw", kwargs={"reference": application.reference}) not in html
    assert "Submitted - Pending Approval" in html  # timeline
    assert "Denied" in html


def test_detail_escapes_hostile_text(signed_in, application, clinician):
    services.application_save_step(
        application=application, actor=clinician, changes={"event_description": "<script>alert('x')</script>"}
    )
    html = signed_in.get(_detail(application)).content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_detail_of_someone_elses_application_is_404(client, application):
    client.force_login(UserFactory())
    assert client.get(_detail(application)).status_code == 404
    assert client.get(reverse("applications:detail", kwargs={"reference": "nope"})).status_code == 404


def test_draft_outside_window_says_so(signed_in, clinician):
    draft = draft_application(user=clinician, year=2024)
    html = signed_in.get(_detail(draft)).content.decode()
    assert "You can keep this draft, but you can&#x27;t submit it." in html


def test_withdraw_confirmation_then_withdraw(signed_in, application, clinician):
    url = reverse("applications:withdraw", kwargs={"reference": application.reference})
    html = signed_in.get(url).content.decode()
    assert (
        "An application can&#x27;t be reopened after being withdrawn. You&#x27;ll need to complete a new "
        "application." in html
    )
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT  # GET changes nothing
    response = signed_in.post(url)
    assert response.status_code == 302
    assert response["Location"] == _detail(application)
    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN
    # Final: no second withdrawal page.
    assert signed_in.get(url).status_code == 404
    assert signed_in.post(url).status_code == 404


def test_withdraw_by_stranger_is_404(client, application):
    client.force_login(UserFactory())
    url = reverse("applications:withdraw", kwargs={"reference": application.reference})
    assert client.post(url).status_code == 404
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_pdf_export(signed_in, application):
    response = signed_in.get(reverse("applications:export_pdf", kwargs={"reference": application.reference}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{application.reference}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_pdf_export_of_someone_elses_application_is_404(client, application):
    client.force_login(UserFactory())
    assert (
        client.get(
            reverse("applications:export_pdf", kwargs={"reference": application.reference})
        ).status_code
        == 404
    )


def test_nav_has_exception_applications(signed_in):
    html = signed_in.get(reverse("applications:dashboard")).content.decode()
    assert "Exception Applications" in html
    assert 'usa-nav-link usa-current" href="/exceptions/"' in html


def test_detail_shows_the_weights_if_approved(signed_in, application, clinician):
    """Issue 8 point 6: the application page tells the applicant what approval would do to the weights."""
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    html = signed_in.get(_detail(application)).content.decode()
    assert "If approved, your weights would be" in html
    # A PI hardship moves PI's 25% to quality (seed 003_…, Appendix B, "No Promoting Interoperability").
    assert "55%" in html


def test_detail_of_approved_application_has_no_weights_preview(signed_in, application, clinician):
    services.application_submit(application=application, actor=clinician, certified=True, now=IN_WINDOW)
    services.application_approve(application=application, actor=reviewer_user())
    html = signed_in.get(_detail(application)).content.decode()
    assert "If approved, your weights would be" not in html
