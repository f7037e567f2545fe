"""The review queue in the admin: permissions, queue, decisions, bulk actions, export, query bounds."""

import pytest
from django.urls import reverse

from applications import services
from applications.models import Application, Status
from tests.factories import UserFactory
from tests.review.conftest import staff, submitted

pytestmark = pytest.mark.django_db
QUEUE = "/admin/applications/application/"


def _client(client, user):
    client.force_login(user)
    return client


def test_nobody_without_the_review_permission_sees_the_queue(client):
    plain_staff = staff("helpdesk@example.com")
    assert _client(client, plain_staff).get(QUEUE).status_code == 403
    applicant = UserFactory()
    client.force_login(applicant)
    assert client.get(QUEUE).status_code == 302  # not staff: the admin sends them to sign in


def test_reviewer_sees_the_queue_but_cannot_change_configuration(client, reviewer):
    application, _ = submitted()
    c = _client(client, reviewer)
    response = c.get(QUEUE)
    assert response.status_code == 200
    assert application.reference.encode() in response.content
    assert b"****0093" in response.content and b"123450093" not in response.content
    assert c.get("/admin/applications/applicationwindow/add/").status_code == 403
    assert c.get("/admin/accounts/user/").status_code == 403
    assert c.get("/admin/eligibility/clinician/add/").status_code == 403


def test_administrator_manages_windows(client, administrator):
    assert _client(client, administrator).get("/admin/applications/applicationwindow/add/").status_code == 200


def test_status_is_never_editable(client, reviewer):
    application, _ = submitted()
    url = reverse("admin:applications_application_change", args=[application.pk])
    c = _client(client, reviewer)
    page = c.get(url)
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    assert c.post(url, {"status": "approved"}).status_code == 403
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_decide_from_the_change_page_and_refusal_message(client, reviewer, second_reviewer):
    application, _ = submitted()
    decide = reverse("admin:applications_application_decide", args=[application.pk])
    c = _client(client, reviewer)
    bad = c.post(decide, {"decision": "deny", "reason": "", "explanation": ""})
    assert bad.status_code == 400
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    c.post(decide, {"decision": "approve", "note": "ok"})
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED
    c2 = _client(client, second_reviewer)
    response = c2.post(decide, {"decision": "deny", "reason": "other", "explanation": "x"}, follow=True)
    text = response.content.decode()
    assert "whose status is Approved" in text and "approved by Rene Castillo (rene@example.com)" in text


def test_filters_search_assign_and_findings_column(client, reviewer):
    clean, _ = submitted(1)
    flagged, _ = submitted(
        2,
        pi_reason="ehr_decertification",
        event_start_date=__import__("datetime").date(2026, 5, 1),
        onc_acb_certification_id="0015E8I2VDMYZNA",
    )
    c = _client(client, reviewer)
    page = c.get(QUEUE + "?findings=clean&status=submitted").content.decode()
    assert clean.reference in page
    c.post(reverse("admin:applications_application_assign", args=[clean.pk]), {"assign": "me"})
    mine = c.get(QUEUE + "?assigned=me").content.decode()
    assert clean.reference in mine and flagged.reference not in mine
    found = c.get(QUEUE + f"?q={clean.npi}").content.decode()
    assert clean.reference in found and flagged.reference not in found


def test_bulk_approve_asks_for_confirmation_when_there_are_findings(client, reviewer):
    ok, _ = submitted(1)
    # Not MIPS eligible at this TIN (below the low-volume threshold): a finding.
    from eligibility.models import IndividualScenario

    flagged, _ = submitted(2)
    IndividualScenario.objects.filter(clinician__npi=flagged.npi).update(
        allowed_charges=1,
        part_b_patients=1,
        covered_services=1,
        is_eligible_individual=False,
        low_volume_switch=True,
    )
    c = _client(client, reviewer)
    data = {"action": "approve_selected", "_selected_action": [ok.pk, flagged.pk], "index": 0}
    confirm = c.post(QUEUE, data)
    assert confirm.status_code == 200 and b"pre-check findings" in confirm.content
    assert Application.objects.filter(status=Status.APPROVED).count() == 0
    done = c.post(QUEUE, {**data, "confirm": "yes"}, follow=True)
    assert b"Approved 2." in done.content
    assert Application.objects.filter(status=Status.APPROVED).count() == 2


def test_bulk_deny_with_one_reason_and_mixed_statuses(client, reviewer):
    a, _ = submitted(1)
    b, _ = submitted(2)
    services.application_approve(application=b, actor=reviewer)
    c = _client(client, reviewer)
    data = {"action": "deny_selected", "_selected_action": [a.pk, b.pk], "index": 0}
    form = c.post(QUEUE, data)
    assert form.status_code == 200 and b"Reason for denial" in form.content
    done = c.post(
        QUEUE,
        {**data, "confirm": "yes", "reason": "does_not_meet_criteria", "explanation": "No evidence."},
        follow=True,
    )
    assert b"Denied 1. Skipped 1: not pending." in done.content
    assert (
        Application.objects.get(pk=a.pk).denial_reason == "Does not meet the criteria for the selected reason"
    )


def test_export_csv_follows_the_filters(client, reviewer):
    a, _ = submitted(1)
    b, _ = submitted(2)
    services.application_approve(application=b, actor=reviewer)
    response = _client(client, reviewer).get(
        reverse("admin:applications_application_export") + "?status=submitted"
    )
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("Reference,Participant")
    assert a.reference in body and b.reference not in body


def test_decision_log_is_searchable_by_reference(client, reviewer):
    a, _ = submitted(1)
    b, _ = submitted(2)
    services.application_approve(application=a, actor=reviewer, note="fine")
    page = _client(client, reviewer).get(f"/admin/applications/applicationdecision/?q={a.reference}")
    text = page.content.decode()
    assert page.status_code == 200 and a.reference in text and b.reference not in text


def test_queue_runs_a_fixed_number_of_queries(client, reviewer, django_assert_max_num_queries):
    for n in range(1, 101):
        submitted(n)
    c = _client(client, reviewer)
    c.get(QUEUE)  # warm caches (content types, sessions)
    with django_assert_max_num_queries(15):
        response = c.get(QUEUE)
    assert response.status_code == 200
    assert response.content.count(b"PI-2026-") >= 100


def test_queue_rows_link_back_with_the_filters_and_carry_djangos_own_checkbox(client, reviewer):
    """The queue builds its row links and checkboxes itself (issue 9, ADR 0076): the markup must be what
    Django's admin would have written, so "back to the queue" keeps the filters and bulk actions work."""
    from urllib.parse import urlencode

    from django import forms
    from django.contrib.admin import helpers
    from django.utils.html import format_html

    application, _ = submitted()
    filters = "performance_year__exact=2026&status=submitted"
    html = _client(client, reviewer).get(f"{QUEUE}?{filters}").content.decode()
    change = reverse("admin:applications_application_change", args=[application.pk])
    preserved = urlencode({"_changelist_filters": filters})
    assert f'<a href="{change}?{preserved.replace("&", "&amp;")}">{application.reference}</a>' in html
    expected = forms.CheckboxInput(
        {
            "class": "action-select",
            "aria-label": format_html("Select this object for an action - {}", str(application)),
        },
        lambda value: False,
    ).render(helpers.ACTION_CHECKBOX_NAME, str(application.pk))
    assert expected in html
