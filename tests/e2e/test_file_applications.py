"""Filing exception applications in a real browser (issue 5, "Done when"): every kind of application CMS
accepts is filed and submitted through the wizard, with axe-core checks on the step pages.

One shared browser (session fixture), a helper per step, no sleeps: Playwright auto-waits.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import (
    ApplicationWindowFactory,
    IndividualScenarioFactory,
    UserFactory,
    accounts_clinician,
    accounts_practice,
    valid_npi,
)

YEAR = 2026
SUBMITTED = "successfully submitted and is pending review"

# Each page variant (step, exception type, level) is checked with axe once per test run: the templates are
# the same for every further walk through them, and the suite stays fast.
_AXE_SEEN: set[tuple[str, ...]] = set()


def check_axe(page, *key: str) -> None:
    if key in _AXE_SEEN:
        return
    _AXE_SEEN.add(key)
    assert_no_serious_axe_violations(page)


@pytest.fixture
def world(transactional_db):
    """The open 2026 window, a practice user for TIN 123450093 with four clinicians, a virtual group, an APM
    Entity and an intermediary with a grant for one clinician."""
    from accounts.models import IntermediaryGrant, PracticeAccess
    from eligibility.models import APMEntity, APMParticipant, VirtualGroup

    ApplicationWindowFactory(performance_year=YEAR)
    big = accounts_practice("123450093", "Dittrich, Krajiček and Urbanová")
    riverbend = accounts_practice("555550111", "Riverbend Family Medicine")
    gurmen = accounts_practice("987653004", "Gürmen - Ayaydin")
    clinicians = [accounts_clinician(valid_npi(f"10000001{n}"), "Clinician", f"Number{n}") for n in range(6)]
    mary = accounts_clinician("1234567893", "Mary", "Thompson")
    rural = accounts_clinician("1000000053", "Rhea", "Rural")
    for clinician in [*clinicians, mary, rural]:
        IndividualScenarioFactory(performance_year=YEAR, clinician=clinician, practice=big)
    IndividualScenarioFactory(performance_year=YEAR, clinician=mary, practice=gurmen)
    for n in range(3):
        IndividualScenarioFactory(
            performance_year=YEAR, clinician=accounts_clinician(valid_npi(f"10000002{n}")), practice=riverbend
        )
    group = VirtualGroup.objects.create(
        identifier="VG-000123", performance_year=YEAR, name="Riverbend Virtual Group"
    )
    group.practices.add(gurmen, riverbend)
    entity = APMEntity.objects.create(
        apm_id="08",
        apm_name="Medicare Shared Savings Program",
        entity_id="A1001",
        name="Lakeshore ACO",
        performance_year=YEAR,
    )
    APMParticipant.objects.create(apm_entity=entity, practice=big, clinician=mary)

    practice = UserFactory(email="practice@example.com", first_name="Pat", last_name="Practice")
    for tin_practice in (big, riverbend, gurmen):
        PracticeAccess.objects.create(user=practice, practice=tin_practice, role="staff_user")
    intermediary = UserFactory(email="intermediary@example.com", first_name="Ivy", last_name="Intermediary")
    IntermediaryGrant.objects.create(user=intermediary, clinician=rural, relationship="consultant")
    return {"practice": practice, "intermediary": intermediary, "clinicians": clinicians}


# --- one helper per step --------------------------------------------------------------------------


def pick(page, control) -> None:
    """Check a USWDS radio or checkbox the way a user does: by clicking its label (the input is hidden)."""
    if not control.is_checked():
        page.locator(f"label[for='{control.get_attribute('id')}']").click()
    expect(control).to_be_checked()


def start(page, exception_type: str) -> str:
    page.goto("/exceptions/new/")
    check_axe(page, "new")
    expect(page.get_by_label("Performance year")).to_have_value(str(YEAR))
    pick(page, page.get_by_label(re.compile("^" + re.escape(exception_type))))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Application Type")
    return page.url.split("/exceptions/")[1].split("/")[0]


def save_and_continue(page, next_heading: str) -> None:
    page.get_by_role("button", name="Save & Continue").click()
    heading = page.get_by_role("heading", level=1).filter(has_text=next_heading)
    warning = page.get_by_text("I understand, continue anyway")
    # Wait for the server's answer (the next step, or the same step with warnings), not the page being left.
    expect(heading.or_(warning).first).to_be_visible()
    if warning.count():
        # Pre-application warnings (issue 5, point 4): the user may go past them.
        pick(page, page.get_by_label("I understand, continue anyway"))
        page.get_by_role("button", name="Save & Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(next_heading)


def application_type(page, level: str, identifier: str, *, kind: str) -> None:
    check_axe(page, "application-type", kind)
    pick(page, page.get_by_label(level, exact=True))
    field = {
        "Individual": "Clinician NPI",
        "Group": "Group TIN",
        "Virtual Group": "Virtual Group identifier",
        "APM Entity": "APM Entity identifier",
    }[level]
    page.get_by_label(field).fill(identifier)
    save_and_continue(page, "Submission Information")


def submission_information(page, practice: str | None = None, *, kind: str) -> None:
    check_axe(page, "submission-information", kind)
    if practice:
        page.get_by_label("Group practice name").select_option(label=practice)
    save_and_continue(page, "Submitter Details")


def submitter_details(page, relationship: str = "Clinician", *, kind: str) -> None:
    check_axe(page, "submitter-details", kind)
    page.get_by_label("Contact phone number").fill("(517) 734-2222")
    page.get_by_label("Contact email address").fill("mary.thompson@example.com")
    page.get_by_label("Submitter/Third Party Intermediary relationship").select_option(label=relationship)
    save_and_continue(page, "Additional Access")


def additional_access(page, *emails: str, kind: str) -> None:
    entry = page.get_by_label("Additional staff access email(s)")
    for email in emails:
        entry.fill(email)
        entry.press("Enter")
    for email in emails:
        expect(
            page.locator(".portal-chip", has_text=email.lower())
            .or_(page.locator(".portal-chip", has_text=email))
            .first
        ).to_be_visible()
    check_axe(page, "additional-access", kind)
    save_and_continue(page, "Details")


def fill_date(page, name: str, month: int, day: int, year: int) -> None:
    page.locator(f"#id_{name}_0").fill(str(month))
    page.locator(f"#id_{name}_1").fill(str(day))
    page.locator(f"#id_{name}_2").fill(str(year))


def pi_reason(page, reason: str, *, kind: str) -> None:
    pick(page, page.get_by_label(re.compile("^" + re.escape(reason))))
    if reason == "Extreme and Uncontrollable Circumstances":
        pick(page, page.get_by_label("Disaster", exact=True))
        fill_date(page, "event_start_date", 3, 14, YEAR)
        pick(page, page.get_by_label("Still persists"))
    elif reason == "EHR Decertification":
        fill_date(page, "event_start_date", 2, 1, YEAR)
        page.get_by_label("ONC-ACB certification ID").fill("15.04.04.2891.Alls.17.01.1.220101")
    else:
        # The sections of the other reasons are hidden.
        expect(page.get_by_label("ONC-ACB certification ID")).to_be_hidden()
    check_axe(page, "reason", kind, reason)
    save_and_continue(page, "Attestation and Description")


def euc_reason(page, categories: list[str], *, kind: str) -> None:
    for category in categories:
        pick(page, page.get_by_label(category, exact=True))
    pick(page, page.get_by_label("Ransom/Malware", exact=True))
    pick(page, page.get_by_label("Yes", exact=True))
    fill_date(page, "event_start_date", 2, 21, YEAR)
    fill_date(page, "event_end_date", 3, 31, YEAR)
    check_axe(page, "reason", kind)
    save_and_continue(page, "Attestation and Description")


def attestation(page, *, kind: str, all_locations: bool = False) -> str:
    statement = page.locator("[data-attestation-text]").inner_text()
    assert statement.startswith("On behalf of the clinician(s) listed in this application")
    pick(page, page.locator("#id_attested"))
    if all_locations:
        pick(page, page.locator("#id_all_locations_attested"))
    description = page.get_by_label(re.compile("^Event description"))
    description.fill("The storm took the practice's broadband line down <b>for weeks</b>.")
    expect(page.get_by_text(re.compile(r"^\d+ characters remaining$"))).to_have_text(
        f"{6000 - len(description.input_value())} characters remaining"
    )
    check_axe(page, "attestation", kind)
    save_and_continue(page, "Certify and Submit for Review")
    return statement


def review_and_submit(page, *, kind: str) -> str:
    check_axe(page, "review", kind)
    expect(page.get_by_role("heading", name="General Notice")).to_be_visible()
    page.get_by_role("button", name="Certify & Submit").click()
    expect(page.locator(".usa-alert", has_text=SUBMITTED)).to_be_visible()
    check_axe(page, "detail", kind)
    return page.url


# --- the scenarios ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason",
    [
        "Insufficient Internet Connectivity",
        "Extreme and Uncontrollable Circumstances",
        "Lack of Control over the Availability of CEHRT",
        "EHR Decertification",
    ],
)
def test_individual_pi_hardship_for_each_reason(page, sign_in, world, reason):
    index = [
        "Insufficient Internet Connectivity",
        "Extreme and Uncontrollable Circumstances",
        "Lack of Control over the Availability of CEHRT",
        "EHR Decertification",
    ].index(reason)
    clinician = world["clinicians"][index]
    sign_in(world["practice"])
    start(page, "MIPS Promoting Interoperability")
    application_type(page, "Individual", clinician.npi, kind="pi-individual")
    expect(page.get_by_text(f"{clinician.first_name} {clinician.last_name}").first).to_be_visible()
    submission_information(page, "Dittrich, Krajiček and Urbanová (TIN: ****0093)", kind="pi-individual")
    submitter_details(page, "Physician Staff", kind="pi-individual")
    additional_access(page, "Jane.Doe@example.com", "billing@example.com", kind="pi-individual")
    pi_reason(page, reason, kind="pi-individual")
    attestation(page, kind="pi-individual")
    review_and_submit(page, kind="pi-individual")
    expect(page.get_by_text("Submitted - Pending Approval").first).to_be_visible()


def test_group_pi_hardship(page, sign_in, world):
    sign_in(world["practice"])
    start(page, "MIPS Promoting Interoperability")
    application_type(page, "Group", "123450093", kind="pi-group")
    expect(page.get_by_text("****0093")).to_be_visible()
    submission_information(page, kind="pi-group")
    submitter_details(page, "Physician Staff", kind="pi-group")
    additional_access(page, kind="pi-group")
    pi_reason(page, "Lack of Control over the Availability of CEHRT", kind="pi-group")
    attestation(page, kind="pi-group", all_locations=True)
    review_and_submit(page, kind="pi-group")


def test_virtual_group_pi_hardship(page, sign_in, world):
    sign_in(world["practice"])
    start(page, "MIPS Promoting Interoperability")
    application_type(page, "Virtual Group", "VG-000123", kind="pi-vg")
    expect(page.get_by_text("Riverbend Family Medicine (TIN: ****0111)")).to_be_visible()
    submission_information(page, kind="pi-vg")
    submitter_details(page, "Consultant", kind="pi-vg")
    additional_access(page, kind="pi-vg")
    pi_reason(page, "Insufficient Internet Connectivity", kind="pi-vg")
    pick(page, page.locator("#id_attested"))
    pick(page, page.locator("#id_all_locations_attested"))
    check_axe(page, "attestation", "pi-vg")
    save_and_continue(page, "Certify and Submit for Review")
    review_and_submit(page, kind="pi-vg")


def test_euc_for_an_individual_with_two_categories(page, sign_in, world):
    sign_in(world["practice"])
    start(page, "Extreme and Uncontrollable Circumstances")
    application_type(page, "Individual", "1234567893", kind="euc-individual")
    submission_information(page, "Gürmen - Ayaydin (TIN: ****3004)", kind="euc-individual")
    submitter_details(page, kind="euc-individual")
    additional_access(page, kind="euc-individual")
    euc_reason(page, ["Quality", "Improvement Activities"], kind="euc-individual")
    attestation(page, kind="euc-individual")
    review_and_submit(page, kind="euc-individual")
    expect(page.get_by_text("Extreme and Uncontrollable Circumstances Exception").first).to_be_visible()


def test_euc_for_an_apm_entity_with_all_four_categories(page, sign_in, world):
    sign_in(world["practice"])
    start(page, "Extreme and Uncontrollable Circumstances")
    application_type(page, "APM Entity", "A1001", kind="euc-apm")
    expect(page.get_by_role("definition").filter(has_text="Lakeshore ACO")).to_be_visible()
    submission_information(page, kind="euc-apm")
    check_axe(page, "submitter-details", "euc-apm")
    page.get_by_label("Contact phone number").fill("517.734.2222")
    page.get_by_label("Contact email address").fill("aco@example.com")
    page.get_by_label("Submitter/Third Party Intermediary relationship").select_option(label="Other")
    page.get_by_label("Describe your relationship").fill("ACO executive")
    save_and_continue(page, "Additional Access")
    additional_access(page, kind="euc-apm")
    # Two categories only: refused with CMS's words (seed 002).
    pick(page, page.get_by_label("Quality", exact=True))
    pick(page, page.get_by_label("Cost", exact=True))
    pick(page, page.get_by_label("Disaster", exact=True))
    fill_date(page, "event_start_date", 1, 5, YEAR)
    pick(page, page.get_by_label("Still persists"))
    page.get_by_role("button", name="Save & Continue").click()
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "APM Entities must apply for all performance categories."
    )
    check_axe(page, "reason-error", "euc-apm")
    pick(page, page.get_by_label("Improvement Activities", exact=True))
    pick(page, page.get_by_label("Promoting Interoperability", exact=True))
    save_and_continue(page, "Attestation and Description")
    attestation(page, kind="euc-apm")
    review_and_submit(page, kind="euc-apm")


def test_an_intermediary_files_for_a_clinician_it_has_access_to(page, sign_in, world):
    sign_in(world["intermediary"])
    start(page, "MIPS Promoting Interoperability")
    # A clinician without a grant is refused without saying whether the NPI exists.
    pick(page, page.get_by_label("Individual", exact=True))
    page.get_by_label("Clinician NPI").fill("1234567893")
    page.get_by_role("button", name="Save & Continue").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("You don't have access to act for this NPI.")
    check_axe(page, "application-type-error", "intermediary")
    application_type(page, "Individual", "1000000053", kind="intermediary")
    submission_information(page, "Dittrich, Krajiček and Urbanová (TIN: ****0093)", kind="intermediary")
    submitter_details(page, "Consultant", kind="intermediary")
    additional_access(page, kind="intermediary")
    pi_reason(page, "Insufficient Internet Connectivity", kind="intermediary")
    attestation(page, kind="intermediary")
    review_and_submit(page, kind="intermediary")


def test_a_draft_is_saved_closed_resumed_submitted_exported_and_withdrawn(page, sign_in, world, tmp_path):
    clinician = world["clinicians"][4]
    sign_in(world["practice"])
    reference = start(page, "MIPS Promoting Interoperability")
    application_type(page, "Individual", clinician.npi, kind="pi-individual")
    submission_information(page, "Dittrich, Krajiček and Urbanová (TIN: ****0093)", kind="pi-individual")
    page.get_by_label("Contact phone number").fill("517-734-2222")
    # Autosave: the indicator says so without pressing a button.
    expect(page.locator("[data-autosave-status]")).to_have_text("All changes saved")
    page.get_by_role("button", name="Save & Close").click()
    expect(page.get_by_text(f"Your draft application {reference} was saved")).to_be_visible()
    check_axe(page, "dashboard")

    # Resume from the dashboard.
    page.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Continue application").click()
    page.goto(f"/exceptions/{reference}/submitter-details/")
    expect(page.get_by_label("Contact phone number")).to_have_value("517-734-2222")
    submitter_details(page, kind="pi-individual")
    additional_access(page, kind="pi-individual")
    pi_reason(page, "Insufficient Internet Connectivity", kind="pi-individual")
    statement = attestation(page, kind="pi-individual")

    # Export (PDF) from the review page: the text holds the reference number and the attestation.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export (PDF)").click()
    pdf = tmp_path / "application.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert reference in flat
    assert " ".join(statement.split())[:120] in flat

    review_and_submit(page, kind="pi-individual")
    page.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_text("can't be reopened after being withdrawn").first).to_be_visible()
    check_axe(page, "withdraw")
    page.get_by_role("button", name="Withdraw application").click()
    expect(page.get_by_text("Withdrawn").first).to_be_visible()
