"""The directory that grows: a customer at 360 px names a provider the directory lacks, an
agent adds it from the "Suggested providers" queue, the case is linked and its customer told."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Browser, Page, expect

from cases.models import Case, CaseEvent
from providers.models import ContactChannelChange
from tests import factories
from tests.browser import site as pages

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("shipped_data")]


def name_a_missing_provider(page: Page, base: str) -> None:
    page.goto(f"{base}/start/")
    page.get_by_label("eSIM").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No, the number can go").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Which provider?")).to_be_visible()
    page.get_by_label("Search the provider directory").fill("tiny telecom")
    page.get_by_label("Search the provider directory").press("Enter")
    expect(page.get_by_text("No provider matches")).to_be_visible()
    page.get_by_label("Provider's name").fill("Tiny Telecom")
    page.get_by_role("button", name="Continue with this name").click()
    expect(page.locator("#provider-name-form .field-error")).to_have_text(
        "Choose the provider's country."
    )
    expect(page.get_by_label("Provider's name")).to_have_value("Tiny Telecom")
    page.get_by_label("Country of the provider").select_option("GB")
    page.get_by_label("Its website (optional)").fill("tiny.example")
    page.get_by_role("button", name="Continue with this name").click()


def test_a_missing_provider_is_added_by_an_agent_and_the_customer_told(
    page: Page, browser: Browser, live_server, mailoutbox
):
    base = live_server.url
    customer = factories.UserFactory(email="mei@example.com", time_zone="Europe/London")
    pages.sign_in(page.context, base, customer)

    name_a_missing_provider(page, base)
    expect(page.get_by_role("heading", name="About the line")).to_be_visible()
    page.get_by_label("Phone number of the line").fill("+44 7700 900456")
    page.get_by_label("Device model").fill("Pixel 9")
    page.get_by_label("IMEI").fill("490154203237518")
    page.get_by_label("Moving abroad").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Save and see the steps").click()
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    case = Case.objects.get()
    assert case.provider_name == "Tiny Telecom"

    agent = factories.AgentFactory(email="ana@closeout.example")
    agent.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_provider", "add_contactchannel"])
    )
    staff = browser.new_context(viewport=pages.DESKTOP)
    pages.sign_in(staff, base, agent)
    desk = staff.new_page()
    desk.goto(f"{base}/staff/suggested-providers/")
    row = desk.get_by_role("row", name=re.compile("Tiny Telecom"))
    expect(row).to_contain_text("1")
    row.get_by_role("link", name="Tiny Telecom").click()
    expect(desk.get_by_role("heading", name="1 open request")).to_be_visible()
    expect(desk.get_by_label("Name", exact=True)).to_have_value("Tiny Telecom")
    expect(desk.get_by_label("offers eSIM")).to_be_checked()
    desk.get_by_label("Channel kind").select_option("phone")
    desk.get_by_label("Number, address or page").fill("+44 20 7946 0999")
    desk.get_by_label("Seen on (the provider's page)").fill("https://tiny.example/contact")
    desk.get_by_label("Checked on").fill("2026-12-01")
    desk.get_by_role("button", name="Add and link the cases").click()
    expect(desk.get_by_text("1 open case was linked and its customer told")).to_be_visible()
    expect(desk.get_by_text("No suggested provider is waiting.")).to_be_visible()
    staff.close()

    case.refresh_from_db()
    assert case.provider is not None
    assert case.provider.slug == "tiny-telecom"
    assert case.provider_name == ""
    assert case.events.filter(kind=CaseEvent.Kind.DETAILS, actor=agent).exists()
    assert ContactChannelChange.objects.get(provider=case.provider).changed_by == agent
    told = [message for message in mailoutbox if message.to == ["mei@example.com"]]
    assert len(told) == 1
    assert "Tiny Telecom is now in our directory" in told[0].subject
    assert "+44 20 7946 0999" in told[0].body

    # Back on their phone, the customer's case now names the provider, with its channel.
    page.goto(f"{base}/cases/{case.reference}/")
    expect(page.get_by_text("Tiny Telecom is now in Closeout's directory")).to_be_visible()
    page.goto(f"{base}/providers/tiny-telecom/")
    expect(page.get_by_role("heading", name="Tiny Telecom", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="+44 20 7946 0999", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_directory_filters_and_the_provider_page_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=pages.PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/providers/")
    page.get_by_label("Provider's name").fill("demo")
    page.get_by_label("Sort by").select_option("median")
    page.get_by_role("button", name="Show providers").click()
    expect(page).to_have_url(re.compile(r"q=demo.*sort=median"))
    assert page.locator(".directory > li").count() >= 2
    page.get_by_role("link", name="Demo Mobile (fictional)", exact=True).click()
    expect(page.get_by_role("heading", name="Official channels")).to_be_visible()
    page.get_by_role("link", name="Report a wrong detail").first.click()
    page.get_by_label("What is wrong with this detail?").fill("The hours changed.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Thank you. An agent will check this detail.")).to_be_visible()
    context.close()
