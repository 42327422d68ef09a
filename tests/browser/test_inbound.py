"""Inbound email in Chromium at 360 px, in both languages: the customer copies the case's
address from the page, forwards the provider's confirmation to it (real SMTP to the listener on
loopback), and records the suggested outcome the page then offers."""

import smtplib

import pytest
from playwright.sync_api import Browser, expect

from cases.inbound import smtp
from cases.models import Case
from providers.models import ContactChannel
from tests import factories
from tests.browser import site as pages
from tests.browser.test_accessibility import violations
from tests.cases.inbound.conftest import CORPUS, process_all
from tests.worker.conftest import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "heading": "This looks like a confirmation — record it?",
        "copy": "Copy",
        "copied": "Copied.",
        "record": "Yes, record it",
        "completed": "Completed",
    },
    "zh-hans": {
        "heading": "这看起来是一封确认邮件，要记录吗？",
        "copy": "复制",
        "copied": "已复制。",
        "record": "是的，记录下来",
        "completed": "已完成",
    },
}


@pytest.fixture
def listener(settings):
    settings.INBOUND_DOMAIN = "in.closeout.local"
    controller = smtp.controller(host="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_forward_a_confirmation_and_record_it_at_360px(
    browser: Browser, live_server, listener, language
):
    words = TEXT[language]
    provider = factories.ProviderFactory(
        name="Skyline Mobile", slug="skyline-mobile", website="https://www.skylinemobile.co.uk/"
    )
    factories.ContactChannelFactory(
        provider=provider, kind=ContactChannel.Kind.EMAIL, value="support@skylinemobile.co.uk"
    )
    customer = factories.UserFactory(email=f"sam-{language}@example.com")
    case = factories.CaseFactory(
        owner=customer,
        provider=provider,
        status=Case.Status.AWAITING_REVIEW,
        language=language,
        submitted_at="2026-12-01T09:00:00Z",
        waiting_since="2026-12-01T09:00:00Z",
    )
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    pages.set_language(context, live_server.url, language)
    pages.sign_in(context, live_server.url, customer)
    page = context.new_page()
    url = f"{live_server.url}/cases/{case.reference}/"
    page.goto(url)

    # The address, copied with the button (a static script: the CSP allows no inline one).
    address = page.locator("#case-email-address").input_value()
    assert address.startswith("case-")
    page.get_by_role("button", name=words["copy"]).click()
    expect(page.locator(".copy-status")).to_have_text(words["copied"])
    assert page.evaluate("navigator.clipboard.readText()") == address

    # The customer forwards the provider's email (as an attachment) to that address.
    raw = (CORPUS / "forwarded_rfc822_confirmation.eml").read_bytes()
    raw = raw.replace(b"OWNER", customer.email.encode()).replace(
        b"case-TOKEN@in.closeout.local", address.encode()
    )
    with smtplib.SMTP(listener.hostname, listener.port, timeout=10) as client:
        client.sendmail(customer.email, [address], raw)
    process_all()  # what the worker does with it

    page.goto(url)
    suggestion = page.locator(".suggestion")
    expect(suggestion.get_by_role("heading", name=words["heading"])).to_be_visible()
    expect(suggestion.get_by_text("Your line has been cancelled.")).to_be_visible()
    expect(suggestion.get_by_text("SKY-7781-115")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The parts of the page this feature adds (the rest has its own checks).
    ours = ("suggestion", "case-email", "mail-", "copy-")
    assert [line for line in violations(page) if any(part in line for part in ours)] == []
    page.screenshot(path=f"var/screenshots/inbound-suggestion-360-{language}.png", full_page=True)

    suggestion.get_by_role("button", name=words["record"]).click()
    expect(page.locator(".badge-status")).to_have_text(words["completed"])
    expect(page.locator(".suggestion")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED
    assert case.provider_reference == "SKY-7781-115"
    context.close()
