"""Journeys A and B end to end in Chromium at 360 px, and journey A without JavaScript."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case
from providers.models import StepKind
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]

CODE = re.compile(r"^ {4}(\S+)$", re.MULTILINE)


def sign_in_with_emailed_code(page: Page, mailoutbox, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    code = CODE.search(mailoutbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def start_case(page: Page, base: str, *, kind: str, provider_search: str, provider: str) -> None:
    page.goto(f"{base}/start/")
    page.get_by_label(kind).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Keep the number?")).to_be_visible()
    page.get_by_label("No, the number can go").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Which provider?")).to_be_visible()
    page.get_by_label("Search the provider directory").fill(provider_search)
    page.get_by_label("Search the provider directory").press("Enter")
    page.get_by_role("button", name=re.compile(re.escape(provider))).click()
    expect(page.get_by_role("heading", name="About the line")).to_be_visible()


def go_through_precautions(page: Page) -> None:
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    items = page.locator(".checklist-item")
    count = items.count()
    assert count >= 4
    # Skip the last one knowingly; it must stay visible as a warning.
    for index in range(count - 1):
        item = page.locator(".checklist-item").nth(index)
        item.get_by_role("button", name="Done").click()
        expect(page.locator(".checklist-item").nth(index).locator(".badge-ok")).to_be_visible()
    last = page.locator(".checklist-item").nth(count - 1)
    last.get_by_label("If I skip this, I understand the risk").check()
    last.get_by_role("button", name="Skip").click()
    expect(page.locator(".checklist-item").nth(count - 1).locator(".warning")).to_be_visible()
    page.get_by_role("button", name="Continue to the steps").click()


def do_steps_until_submitted(page: Page) -> None:
    """Every step before the wait: 'Done, next step', then the submit step."""
    for number in range(1, 12):
        # Wait for the page of this step: HTMX redirects after each POST.
        expect(page.locator(".progress")).to_contain_text(f"Step {number} of")
        submit = page.get_by_role("button", name="I submitted the request")
        if submit.count():
            page.get_by_label("Reference number (if you got one)").fill("REQ-2024-77")
            submit.click()
            return
        page.get_by_role("button", name="Done, next step").click()
    raise AssertionError("never reached the submit step")


def test_journey_a_self_service(page: Page, live_server, mailoutbox):
    base = live_server.url
    start_case(
        page,
        base,
        kind="Virtual SIM or virtual number (app-managed)",
        provider_search="numbers",
        provider="Demo Numbers App",
    )
    page.get_by_label("Phone number of the line").fill("07700 900123")
    page.get_by_label("Too expensive").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Save your case")).to_be_visible()
    page.get_by_role("link", name="Sign in to save").click()
    sign_in_with_emailed_code(page, mailoutbox, "journey.a@example.com")
    expect(page.get_by_role("heading", name="Save your case")).to_be_visible()
    page.get_by_role("button", name="Save and see the steps").click()

    go_through_precautions(page)
    expect(page.locator(".progress")).to_have_text(re.compile(r"Step 1 of \d+"))
    do_steps_until_submitted(page)

    expect(page.locator(".badge-status")).to_have_text("Awaiting provider review")
    expect(page.get_by_text("Waited so far")).to_be_visible()
    page.screenshot(path="var/screenshots/journey-a-waiting-360.png", full_page=True)

    page.get_by_label("They confirmed the cancellation").check()
    page.get_by_label("Their confirmation or reference number").fill("CONF-9981")
    page.get_by_role("button", name="Save what happened").click()
    expect(page.locator(".badge-status")).to_have_text("Completed")
    expect(page.get_by_text("Precautions you skipped")).to_be_visible()

    case = Case.objects.get()
    assert case.status == Case.Status.COMPLETED
    assert case.provider_reference == "CONF-9981"
    assert case.phone_number == "+447700900123"
    assert case.owner.email == "journey.a@example.com"


def test_journey_b_esim(page: Page, live_server, mailoutbox):
    base = live_server.url
    start_case(page, base, kind="eSIM", provider_search="demo mob", provider="Demo Mobile")
    page.get_by_label("Phone number of the line").fill("+44 7700 900456")
    page.get_by_label("Device model").fill("Pixel 9")
    page.get_by_label("IMEI").fill("49-015420-323751-8")
    page.get_by_label("Moving abroad").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Sign in to save").click()
    sign_in_with_emailed_code(page, mailoutbox, "journey.b@example.com")
    page.get_by_role("button", name="Save and see the steps").click()

    go_through_precautions(page)
    do_steps_until_submitted(page)
    expect(page.locator(".badge-status")).to_have_text("Awaiting operator processing")
    expect(page.get_by_text("Do not delete the eSIM profile before the operator")).to_be_visible()
    page.screenshot(path="var/screenshots/journey-b-waiting-360.png", full_page=True)

    page.get_by_label("They confirmed the cancellation").check()
    page.get_by_label("Their confirmation or reference number").fill("OP-5521")
    page.get_by_role("button", name="Save what happened").click()
    expect(page.locator(".badge-status")).to_have_text("Completed")
    # The operator's confirmation is the contract's end: no second button says it again.
    expect(page.get_by_text("Contract ended (")).to_be_visible()
    ended_button = page.get_by_role("button", name="The operator confirmed the contract ended")
    expect(ended_button).to_have_count(0)
    page.get_by_role("button", name="I deleted the eSIM profile").click()
    expect(page.get_by_text("Deleting the profile does not end the contract.")).to_be_visible()
    page.get_by_role("button", name="Yes, I deleted it").click()
    expect(page.get_by_text("Profile deleted from the phone (")).to_be_visible()

    case = Case.objects.get()
    assert case.status == Case.Status.COMPLETED
    assert case.imei == "490154203237518"
    assert case.contract_ended_at is not None
    assert case.esim_profile_deleted_at is not None


def test_journey_a_without_javascript(browser, live_server, mailoutbox):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    base = live_server.url
    start_case(
        page,
        base,
        kind="Virtual SIM or virtual number (app-managed)",
        provider_search="numbers",
        provider="Demo Numbers App",
    )
    page.get_by_label("Phone number of the line").fill("123")
    page.get_by_label("Too expensive").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Please check the following")).to_be_visible()
    expect(page.get_by_label("Too expensive")).to_be_checked()  # nothing typed is lost
    page.get_by_label("Phone number of the line").fill("07700 900123")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Sign in to save").click()
    sign_in_with_emailed_code(page, mailoutbox, "no.script@example.com")
    page.get_by_role("button", name="Save and see the steps").click()

    go_through_precautions(page)
    do_steps_until_submitted(page)
    expect(page.locator(".badge-status")).to_have_text("Awaiting provider review")
    page.get_by_label("They confirmed the cancellation").check()
    page.get_by_label("Their confirmation or reference number").fill("CONF-1")
    page.get_by_role("button", name="Save what happened").click()
    expect(page.locator(".badge-status")).to_have_text("Completed")
    context.close()

    assert Case.objects.get().status == Case.Status.COMPLETED


# --- Issue 10: what a new user tripped on --------------------------------------------------------


def test_a_double_click_on_continue_starts_one_draft(page: Page, live_server):
    page.goto(f"{live_server.url}/start/")
    page.get_by_label("eSIM").check()

    page.get_by_role("button", name="Continue").dblclick()

    expect(page.get_by_role("heading", name="Keep the number?")).to_be_visible()
    assert Case.objects.count() == 1


def test_a_signed_out_open_your_case_signs_in_then_shows_the_case(
    page: Page, live_server, mailoutbox
):
    owner = factories.UserFactory(email="owner@example.com")
    case = factories.CaseFactory(owner=owner, status=Case.Status.AWAITING_REVIEW)

    page.goto(f"{live_server.url}/cases/{case.reference}/")  # the email's "Open your case"

    expect(page.get_by_label("Email address")).to_be_visible()
    sign_in_with_emailed_code(page, mailoutbox, "owner@example.com")
    expect(page.locator(".case-ref")).to_contain_text(case.reference)
    expect(page.locator(".badge-status")).to_have_text("Awaiting provider review")


def test_switching_language_after_continue_to_the_steps_shows_a_page(
    page: Page, live_server, mailoutbox
):
    owner = factories.UserFactory(email="prep@example.com")
    case = factories.CaseFactory(owner=owner, status=Case.Status.PREPARING)
    factories.CaseStepFactory(case=case, position=1, kind=StepKind.CHECKLIST, title="Settle bills")
    factories.CaseStepFactory(case=case, position=2)
    page.goto(f"{live_server.url}/cases/{case.reference}/precautions/")
    sign_in_with_emailed_code(page, mailoutbox, "prep@example.com")
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()

    page.get_by_role("button", name="Continue to the steps").click()
    expect(page.get_by_text("Mark each precaution done")).to_be_visible()
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="开始之前")).to_be_visible()
